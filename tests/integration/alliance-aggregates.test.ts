import { todayInChina } from "../../app/utils/time";
import { beforeAll, describe, expect, it } from "vitest";
import { FIRM_FLAGS, INDUSTRY_CODES } from "../../app/domain/industry";
import { IP_TYPES } from "../../app/domain/ip";
import { REGIONS } from "../../app/domain/regions";
import {
  OTHER_BANKS,
  getReview,
  getReviewFromRows,
  type ReviewFilters,
  type ReviewViewer,
} from "../../app/models/alliance.server";
import { seedScale } from "../../scripts/seed-scale";
import { useTestDb } from "../support/db";

/**
 * Issue 15: the review's figures are summed by the database (getReview). They must equal, figure
 * for figure, the row-by-row definition (getReviewFromRows: every deal read and classified by the
 * pure functions of app/domain/analytics) — on generated deal flow in every state, for every kind
 * of filter, period and viewer, on SQLite and MySQL.
 */
describe("the alliance review summed in SQL", () => {
  const t = useTestDb();
  let admin: ReviewViewer;
  let officer: ReviewViewer;
  let banks: number[];

  beforeAll(async () => {
    await seedScale(t.db, {
      products: 60,
      firms: 300,
      requests: 800,
      applications: 2_000,
      seed: 15,
      today: "2026-12-06",
    });
    const platform = await t.db
      .insertInto("organisations")
      .values({ kind: "platform", name: "平台", created_at: "2025-01-01 00:00:00.000" })
      .executeTakeFirstOrThrow();
    admin = { role: "admin", orgId: Number(platform.insertId) };
    // The bank with the most deals, so "own" and "others" both have figures.
    const busiest = await t.db
      .selectFrom("applications")
      .select(["bank_org_id", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("bank_org_id")
      .orderBy("n", "desc")
      .orderBy("bank_org_id")
      .executeTakeFirstOrThrow();
    officer = { role: "bank_officer", orgId: busiest.bank_org_id };
    banks = (
      await t.db.selectFrom("organisations").select("id").where("kind", "=", "bank").execute()
    ).map((r) => r.id);
  }, 120_000);

  const base = (from: string, to: string): ReviewFilters => ({
    from,
    to,
    region: null,
    bank: null,
    ipType: null,
    industry: null,
    flags: [],
  });

  async function expectSame(viewer: ReviewViewer, f: ReviewFilters) {
    const [sqlReview, rows] = [
      await getReview(t.db, viewer, f),
      await getReviewFromRows(t.db, viewer, f),
    ];
    expect(sqlReview).toEqual(rows);
    return sqlReview;
  }

  it("has deal flow to compare: every stage and duration has figures over the whole history", async () => {
    const r = await expectSame(admin, base("2015-01-01", todayInChina()));
    for (const step of r.funnel) expect(step.count, step.stage).toBeGreaterThan(0);
    for (const d of r.durations) expect(d.count, d.key).toBeGreaterThan(0);
    expect(r.support.disbursed.count).toBeGreaterThan(0);
    expect(r.byIpType.some((x) => x.pledgedAssets > 0)).toBe(true);
    expect(r.cohort[4].count).toBeGreaterThan(0);
  });

  it("equals the row-by-row figures for each period", async () => {
    for (const [from, to] of [
      ["2026-01-01", "2026-12-06"],
      ["2025-01-01", "2025-12-31"],
      ["2026-06-01", "2026-06-30"],
      ["2024-03-15", "2026-02-28"],
      ["2026-12-06", "2026-12-06"],
    ]) {
      await expectSame(admin, base(from, to));
    }
  });

  it("equals the row-by-row figures under every filter", async () => {
    const whole = base("2015-01-01", todayInChina());
    for (const r of REGIONS.slice(0, 4)) await expectSame(admin, { ...whole, region: r.code });
    for (const ipType of IP_TYPES) await expectSame(admin, { ...whole, ipType });
    for (const industry of INDUSTRY_CODES.slice(0, 4))
      await expectSame(admin, { ...whole, industry });
    for (const flag of FIRM_FLAGS) await expectSame(admin, { ...whole, flags: [flag] });
    for (const bank of banks.slice(0, 4)) await expectSame(admin, { ...whole, bank });
    await expectSame(admin, {
      ...whole,
      ipType: IP_TYPES[0],
      region: REGIONS[0].code,
      flags: [...FIRM_FLAGS],
    });
  });

  it("equals the row-by-row figures for a bank officer, own bank and the others", async () => {
    const whole = base("2015-01-01", todayInChina());
    await expectSame(officer, whole);
    await expectSame(officer, { ...whole, bank: officer.orgId });
    await expectSame(officer, { ...whole, bank: OTHER_BANKS });
    await expectSame(officer, { ...base("2026-01-01", "2026-12-06"), ipType: IP_TYPES[1] });
  });
});
