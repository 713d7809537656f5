import { describe, expect, it } from "vitest";
import { checkPatent } from "../../app/domain/asset";
import { parsePatentNumber } from "../../app/domain/patent";
import { buildUscc } from "../../app/domain/uscc";
import { registerFirm } from "../../app/models/organisation.server";
import { todayInChina } from "../../app/utils/time";
import { seedAssets } from "../../db/seed-assets";
import { prng } from "../../db/seed";
import { testDbKind, useTestDb } from "../support/db";

const SECTIONS = ["I", "C", "A", "B", "D", "G", "M", "N", "R", "C", "A", "C", "I", "C", "A", "D"];

describe(`demo IP assets seeder on ${testDbKind()}`, () => {
  const t = useTestDb();

  it("gives most firms 2–6 valid assets with indicative estimates, quickly", async () => {
    for (const [i, section] of SECTIONS.entries()) {
      await registerFirm(t.db, {
        companyName: `演示资产企业${i}有限公司`,
        uscc: buildUscc("150200", `MC${String(i).padStart(6, "0")}`),
        regionCode: "150200",
        industrySection: section,
        flags: { highTech: i % 2 === 0, specialised: false, techSme: true },
        contactName: `联系人${i}`,
        email: `seed${i}@assets.test`,
        password: "assets-seed-password",
      });
    }
    const logs: string[] = [];
    const started = performance.now();
    await seedAssets(t.db, { rand: prng(42), log: (s) => logs.push(s) });
    const ms = performance.now() - started;
    console.log(
      `[bench] ${t.kind}: asset seeder for ${SECTIONS.length} firms took ${Math.round(ms)} ms`,
    );
    expect(ms).toBeLessThan(5_000);

    const assets = await t.db.selectFrom("ip_assets").selectAll().execute();
    const perFirm = new Map<number, number>();
    for (const a of assets) perFirm.set(a.firm_org_id, (perFirm.get(a.firm_org_id) ?? 0) + 1);
    // Every eighth firm has not listed anything yet; the others hold 2–6 assets.
    expect(perFirm.size).toBe(SECTIONS.length - 2);
    for (const n of perFirm.values()) {
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(6);
    }
    const today = todayInChina();
    for (const a of assets.filter((x) => x.asset_kind === "patent")) {
      const p = parsePatentNumber(a.number);
      expect(p.ok && p.kind).toBe(a.ip_type);
      // Re-checking the stored record by the form rules passes, so the demo is realistic.
      const r = checkPatent(
        {
          number: a.number,
          title: a.title,
          status: a.status,
          filingDate: a.filing_date!,
          grantDate: a.grant_date,
          claimsCount: a.claims_count,
          coOwned: a.co_owned === 1,
        },
        today,
      );
      expect(r.ok, a.number).toBe(true);
    }
    expect(new Set(assets.map((a) => a.ip_type))).toEqual(
      new Set(["invention", "utility_model", "design", "trademark"]),
    );
    expect(assets.filter((a) => a.status === "lapsed").length).toBeGreaterThanOrEqual(1);

    const valued = assets.filter((a) => a.indicative_estimate_id !== null);
    expect(valued.length).toBeGreaterThan(assets.length / 2);
    const estimates = await t.db.selectFrom("valuation_estimates").selectAll().execute();
    expect(estimates).toHaveLength(valued.length);
    for (const a of valued) {
      const e = estimates.find((x) => x.id === a.indicative_estimate_id)!;
      expect(Number(e.central_fen)).toBe(Number(a.indicative_value_fen));
      expect(Number(e.central_fen)).toBeGreaterThan(0);
    }
    expect(logs.join("\n")).toMatch(/seeded \d+ IP assets/);
  });
});
