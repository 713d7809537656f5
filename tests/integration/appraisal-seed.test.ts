import { describe, expect, it } from "vitest";
import { isOpenOrder } from "../../app/domain/appraisal";
import { todayInChina } from "../../app/utils/time";
import { extraSeeders, prng, seedDemo } from "../../db/seed";
import { seedAppraisals } from "../../db/seed-appraisals";
import { makeAsset } from "../support/appraisal";
import { testDbKind, useTestDb } from "../support/db";

describe(`the demo appraisals (${testDbKind()})`, () => {
  const t = useTestDb();

  it("gives demo firms signed formal values, mostly valid and some expired, and leaves assets free", async () => {
    // The base demo world only: the other features' seeders are not under test here.
    const registered = extraSeeders.splice(0);
    try {
      await seedDemo(t.db);
    } finally {
      extraSeeders.push(...registered);
    }
    // The assets seeder's stand-in: four valued assets for every demo firm.
    const firms = await t.db
      .selectFrom("users")
      .select(["id", "org_id"])
      .where("role", "=", "firm")
      .where("email", "like", "%@firms.demo")
      .execute();
    for (const f of firms) {
      for (let i = 0; i < 4; i++) {
        await makeAsset(
          t.db,
          { id: f.id, org_id: f.org_id, role: "firm" },
          {
            centralFen: 20_000_000 * (i + 1),
          },
        );
      }
    }
    const lines: string[] = [];
    await seedAppraisals(t.db, { rand: prng(7), log: (s) => lines.push(s) });
    expect(lines.join("\n")).toMatch(/seeded \d+ signed appraisals/);

    const today = todayInChina();
    const appraisals = await t.db
      .selectFrom("appraisals")
      .select(["id", "asset_id", "valid_until", "central_fen", "low_fen", "high_fen"])
      .execute();
    expect(appraisals.length).toBe(firms.length * 2);
    const expired = appraisals.filter((a) => a.valid_until < today).length;
    expect(expired).toBeGreaterThan(0);
    expect(expired).toBeLessThan(appraisals.length / 3);
    for (const a of appraisals) {
      expect(Number(a.low_fen)).toBeLessThanOrEqual(Number(a.central_fen));
      expect(Number(a.central_fen)).toBeLessThanOrEqual(Number(a.high_fen));
    }

    // Each asset points at its appraisal, in the same transaction that signed it.
    const assets = await t.db
      .selectFrom("ip_assets")
      .select([
        "id",
        "firm_org_id",
        "formal_appraisal_id",
        "formal_value_fen",
        "formal_valid_until",
      ])
      .execute();
    const byAsset = new Map(appraisals.map((a) => [a.asset_id, a]));
    for (const asset of assets) {
      const a = byAsset.get(asset.id);
      if (!a) continue;
      expect(asset.formal_appraisal_id).toBe(a.id);
      expect(Number(asset.formal_value_fen)).toBe(Number(a.central_fen));
      expect(asset.formal_valid_until).toBe(a.valid_until);
    }

    // Orders in flight exist for the valuer's queue and the admin's payment list.
    const orders = await t.db.selectFrom("appraisal_orders").select(["id", "status"]).execute();
    const statuses = new Set(orders.map((o) => o.status));
    for (const s of ["signed", "awaiting_payment", "paid", "in_progress"]) {
      expect(statuses, s).toContain(s);
    }

    // Every firm still has a valued asset it can order an appraisal for.
    const held = await t.db
      .selectFrom("appraisal_order_items")
      .innerJoin("appraisal_orders", "appraisal_orders.id", "appraisal_order_items.order_id")
      .select(["appraisal_order_items.asset_id", "appraisal_orders.status"])
      .execute();
    const busy = new Set(held.filter((h) => isOpenOrder(h.status)).map((h) => h.asset_id));
    for (const f of firms) {
      const free = assets.filter(
        (a) => a.firm_org_id === f.org_id && !busy.has(a.id) && a.formal_appraisal_id === null,
      );
      expect(free.length, `firm ${f.org_id}`).toBeGreaterThan(0);
    }
  });
});
