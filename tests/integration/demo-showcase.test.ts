import { describe, expect, it } from "vitest";
import { findProductStatesForRequest } from "../../app/models/match-states.server";
import { todayInChina } from "../../app/utils/time";
import { seedDemo } from "../../db/seed";
import { SHOWCASE_FIRMS } from "../../db/seed-showcase";
import { testDbKind, useTestDb } from "../support/db";

describe(`the demo's first impression (${testDbKind()})`, () => {
  const t = useTestDb();

  it("gives firm01–firm05 an open request with a ready and a subject-to-appraisal product, by the engine", async () => {
    await seedDemo(t.db);
    const today = todayInChina();
    expect(SHOWCASE_FIRMS).toEqual([1, 2, 3, 4, 5].map((n) => `firm0${n}@firms.demo`));
    for (const email of SHOWCASE_FIRMS) {
      const user = await t.db
        .selectFrom("users")
        .select("org_id")
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      const open = await t.db
        .selectFrom("financing_requests")
        .select("id")
        .where("firm_org_id", "=", user.org_id)
        .where("status", "=", "open")
        .orderBy("id")
        .execute();
      const shown: { id: number; ready: number[]; appraisal: number[] }[] = [];
      for (const r of open) {
        const states = await findProductStatesForRequest(t.db, r.id, today);
        expect(states).not.toBeNull();
        const g = states!.groups;
        // Every active product is in exactly one group.
        const all = [...g.ready, ...g.needs_appraisal, ...g.near_miss, ...g.not_suitable];
        expect(all.length).toBe(states!.products.size);
        shown.push({
          id: r.id,
          ready: g.ready.map((e) => e.productId),
          appraisal: g.needs_appraisal.map((e) => e.productId),
        });
      }
      const showcase = shown.find((s) => s.ready.length > 0 && s.appraisal.length > 0);
      expect(showcase, `${email}: ${JSON.stringify(shown)}`).toBeDefined();

      // The showcase request offers no asset that is pledged to a loan already.
      const locked = await t.db
        .selectFrom("financing_request_assets as fra")
        .innerJoin("pledge_locks as l", "l.asset_id", "fra.asset_id")
        .select("l.asset_id")
        .where("fra.request_id", "=", showcase!.id)
        .execute();
      expect(locked).toEqual([]);
    }
  }, 480_000);
});
