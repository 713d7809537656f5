import { pseudonymCode, pseudonymSecret } from "../../app/utils/pseudonym.server";
import { beforeAll, describe, expect, it } from "vitest";
import {
  getDrillDown,
  getReview,
  type ReviewFilters,
  type ReviewViewer,
} from "../../app/models/alliance.server";
import { ConflictError } from "../../app/models/errors";
import { getFirmProfile, setFirmConsent } from "../../app/models/firm-profile.server";
import {
  disburseApplication,
  getApplicationRow,
  reverseLedgerEntry,
} from "../../app/models/application.server";
import { reconcileTotals } from "../../app/models/ledger.server";
import { getProgressSummary } from "../../app/models/progress.server";
import { clearReportCache, getReport } from "../../app/models/report.server";
import {
  buildAllianceDataset,
  EXPECTED,
  ledgerSums,
  type AllianceDataset,
} from "../support/alliance";
import { useTestDb } from "../support/db";
import {
  addAsset,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";

const Y2025: ReviewFilters = {
  ...EXPECTED.period,
  region: null,
  bank: null,
  ipType: null,
  industry: null,
  flags: [],
};

describe("the alliance review on a hand-built history", () => {
  const t = useTestDb();
  let w: DealWorld;
  let d: AllianceDataset;
  let alliance: ReviewViewer;
  let admin: ReviewViewer;
  let officerX: ReviewViewer;

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    d = await buildAllianceDataset(t.db, w);
    expect(d.deals).toHaveLength(7);
    const allianceOrg = await t.db
      .insertInto("organisations")
      .values({
        kind: "alliance",
        alliance_kind: "government",
        name: "市场监管局",
        created_at: "2025-01-01 00:00:00.000",
      })
      .executeTakeFirstOrThrow();
    alliance = { role: "alliance", orgId: Number(allianceOrg.insertId) };
    admin = { role: "admin", orgId: w.admin.orgId };
    officerX = { role: "bank_officer", orgId: w.bankX.orgId };
    await setFirmConsent(
      t.db,
      { userId: w.firmA.userId, orgId: w.firmA.orgId },
      { show: true, expected: false },
    );
  });

  it("counts each stage of the funnel with its amount", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    const got = Object.fromEntries(r.funnel.map((s) => [s.stage, [s.count, s.amountFen]]));
    expect(got).toEqual(EXPECTED.funnel);
  });

  it("computes the approval, approved-rate and default figures by hand", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    expect(r.totals.approvalRateBp).toBe(EXPECTED.approvalRateBp);
    expect(r.totals.avgApprovedRateBp).toBe(EXPECTED.avgApprovedRateBp);
    expect(r.totals.defaultRateBp).toBe(EXPECTED.defaultRateBp);
    expect(r.totals.defaultRateByAmountBp).toBe(EXPECTED.defaultRateByAmountBp);
  });

  it("gives the median and p90 time to review by the nearest rank", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    expect(r.durations.find((x) => x.key === "toReview")).toEqual({
      key: "toReview",
      ...EXPECTED.toReview,
    });
    // Review start → approval is 2 days for each of the five approved deals.
    expect(r.durations.find((x) => x.key === "review")).toMatchObject({
      count: 5,
      medianMs: 2 * 86_400_000,
      p90Ms: 2 * 86_400_000,
    });
  });

  it("shows each bank by name to alliance members", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    const x = r.byBank.find((b) => b.key === w.bankX.orgId)!;
    const y = r.byBank.find((b) => b.key === w.bankY.orgId)!;
    expect(x.name).toBe("测试银行X");
    expect([x.submitted.count, x.decided.count, x.approved.count, x.approvalRateBp]).toEqual([
      4, 4, 3, 7500,
    ]);
    expect(x.disbursed).toEqual({ count: 2, amountFen: 30_000_000 });
    expect(y.disbursed).toEqual({ count: 1, amountFen: 30_000_000 });
    expect(y.avgApprovedRateBp).toBe(Math.round((5 * 385 + 30 * 450) / 35));
  });

  it("shows a bank officer their own bank by name and the others only as one total", async () => {
    const r = await getReview(t.db, officerX, Y2025);
    expect(r.ownBank).toEqual({ id: w.bankX.orgId, name: "测试银行X" });
    expect(r.banks).toEqual([]);
    expect(r.byBank.map((b) => b.key)).toEqual([w.bankX.orgId, "others"]);
    expect(r.byBank[1].name).toBe("");
    expect(r.byBank[1].submitted.count).toBe(3);
    expect(r.byBank[1].disbursed).toEqual({ count: 1, amountFen: 30_000_000 });
    // Aggregates over all banks stay visible: the funnel is the same as the alliance's.
    const all = await getReview(t.db, alliance, Y2025);
    expect(r.funnel).toEqual(all.funnel);
  });

  it("refuses a bank officer another bank's figures or rows, as not found", async () => {
    await expect(
      getReview(t.db, officerX, { ...Y2025, bank: w.bankY.orgId }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      getDrillDown(t.db, officerX, { ...Y2025, bank: "others" }, "disbursed", 1, "zh-CN"),
    ).rejects.toMatchObject({ status: 404 });
    const others = await getReview(t.db, officerX, { ...Y2025, bank: "others" });
    expect(others.funnel.find((s) => s.stage === "submitted")!.count).toBe(3);
    expect(others.byBank.map((b) => b.key)).toEqual(["others"]);
  });

  it("lists only the officer's own bank in a drill-down", async () => {
    const rows = await getDrillDown(t.db, officerX, Y2025, "disbursed", 1, "zh-CN");
    expect(rows.ownBankOnly).toBe(true);
    expect(rows.total).toBe(2);
    expect(rows.kind === "applications" && rows.rows.every((r) => r.bankName === "测试银行X")).toBe(
      true,
    );
    const own = await getReview(t.db, officerX, { ...Y2025, bank: w.bankX.orgId });
    const fig = own.funnel.find((s) => s.stage === "disbursed")!;
    expect([rows.total, rows.totalAmountFen]).toEqual([fig.count, fig.amountFen]);
  });

  it("drills down from every funnel figure to exactly the rows behind it", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    for (const s of r.funnel) {
      const rows = await getDrillDown(t.db, alliance, Y2025, s.stage, 1, "zh-CN");
      expect([rows.total, rows.totalAmountFen], s.stage).toEqual([s.count, s.amountFen]);
    }
    for (const stage of ["decided", "rejected", "toReview", "riskShared", "subsidised"] as const) {
      const rows = await getDrillDown(t.db, alliance, Y2025, stage, 1, "zh-CN");
      expect(rows.total, stage).toBeGreaterThan(0);
    }
  });

  it("drills down from each bank's and each 盟市's figures with the same totals", async () => {
    const r = await getReview(t.db, admin, Y2025);
    for (const b of r.byBank) {
      for (const stage of ["submitted", "approved", "disbursed"] as const) {
        const rows = await getDrillDown(
          t.db,
          admin,
          { ...Y2025, bank: b.key as number },
          stage,
          null,
          "zh-CN",
        );
        expect([rows.total, rows.totalAmountFen], `${b.name} ${stage}`).toEqual([
          b[stage].count,
          b[stage].amountFen,
        ]);
      }
    }
    for (const region of r.byRegion.filter((x) => x.submitted.count > 0)) {
      const rows = await getDrillDown(
        t.db,
        admin,
        { ...Y2025, region: region.code },
        "disbursed",
        null,
        "zh-CN",
      );
      expect(rows.totalAmountFen).toBe(region.disbursed.amountFen);
    }
  });

  it("filters by IP type, industry and firm flags", async () => {
    const trademark = await getReview(t.db, alliance, { ...Y2025, ipType: "trademark" });
    expect(trademark.funnel.find((s) => s.stage === "submitted")!.count).toBe(0);
    const invention = await getReview(t.db, alliance, { ...Y2025, ipType: "invention" });
    expect(invention.funnel.find((s) => s.stage === "submitted")!.count).toBe(7);
    const mining = await getReview(t.db, alliance, { ...Y2025, industry: "B" });
    expect(mining.funnel.find((s) => s.stage === "submitted")!.count).toBe(0);
    await t.db
      .updateTable("organisations")
      .set({ flag_specialised: 1 })
      .where("id", "=", w.firmB.orgId)
      .execute();
    const specialised = await getReview(t.db, alliance, { ...Y2025, flags: ["specialised"] });
    expect(specialised.funnel.find((s) => s.stage === "submitted")!.count).toBe(3);
    const baotou = await getReview(t.db, alliance, { ...Y2025, region: "150200" });
    // Firm A (包头市) had D1 and D3 disbursed; D7 was reversed.
    expect(baotou.funnel.find((s) => s.stage === "disbursed")).toMatchObject({
      count: 2,
      amountFen: 40_000_000,
    });
  });

  it("reads risk sharing and 贴息 from the product snapshot", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    const k = Object.fromEntries(r.support.kinds.map((x) => [x.kind, x]));
    expect(k.riskGovernment).toMatchObject({
      count: 1,
      amountFen: 30_000_000,
      shareOfDisbursedBp: 5000,
    });
    expect(k.subsidised).toMatchObject({ count: 1, amountFen: 30_000_000 });
    expect(k.riskInsurer.count).toBe(0);
    expect(r.support.avgInterestSubsidyBp).toBe(5000);
  });

  it("weights pledge rates by value per IP type", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    const inv = r.byIpType.find((x) => x.ipType === "invention")!;
    expect(inv.pledgedAssets).toBe(5);
    expect(inv.pledgedValueFen).toBe(5 * 200_000_000);
    expect(inv.avgPledgeRateCapBp).toBe(2500);
    expect(inv.effectivePledgeRateBp).toBe(Math.round((73_000_000 * 10_000) / 1_000_000_000));
  });

  it("names only the firms that consented, with a stable pseudonym for the others", async () => {
    const first = await getDrillDown(t.db, alliance, Y2025, "submitted", 1, "zh-CN");
    const again = await getDrillDown(t.db, alliance, Y2025, "submitted", 1, "zh-CN");
    expect(first.kind).toBe("applications");
    const rows = first.kind === "applications" ? first.rows : [];
    const a = rows.filter((r) => r.named);
    const b = rows.filter((r) => !r.named);
    expect(a.length).toBe(4);
    expect(b.length).toBe(3);
    expect(new Set(a.map((r) => r.firm))).toEqual(new Set(["甲科技有限公司"]));
    const alias = `企业#${pseudonymCode(w.firmB.orgId, pseudonymSecret())}`;
    expect(alias).toMatch(/^企业#[0-9A-F]{4}$/);
    expect(new Set(b.map((r) => r.firm))).toEqual(new Set([alias]));
    expect(JSON.stringify(first)).not.toContain("乙新材料");
    expect(again).toEqual(first);
  });

  it("counts disbursed money exactly as the ledger and the running totals do", async () => {
    const r = await getReview(t.db, alliance, Y2025);
    const disbursed = r.funnel.find((s) => s.stage === "disbursed")!.amountFen;
    const sums = await ledgerSums(t.db, EXPECTED.period);
    expect(disbursed).toBe(EXPECTED.ledgerFen);
    expect(sums).toEqual({ ledger: EXPECTED.ledgerFen, totals: EXPECTED.ledgerFen });
    expect((await reconcileTotals(t.db)).driftFen).toBe(0);
  });

  it("puts the report's totals on the ledger, to the fen", async () => {
    clearReportCache();
    const report = await getReport(t.db);
    const progress = await getProgressSummary(t.db);
    const sums = await ledgerSums(t.db);
    expect(report.totals.amountFen).toBe(sums.ledger);
    expect(report.totals.amountFen).toBe(progress.financedFen);
    expect(report.byRegion.reduce((s, x) => s + x.amountFen, 0)).toBe(sums.ledger);
    expect(report.byBank.reduce((s, x) => s + x.amountFen, 0)).toBe(sums.ledger);
    expect(report.byIndustry.reduce((s, x) => s + x.amountFen, 0)).toBe(sums.ledger);
    expect(report.byYear).toEqual([{ key: "2025", amountFen: 60_000_000, count: 3 }]);
    expect(report.totals.loans).toBe(3); // the reversed disbursement is no loan
    expect(report.totals.firms).toBe(2);
    expect(report.totals.averageLoanFen).toBe(20_000_000);
    expect(report.totals.averageRateBp).toBe(Math.round((30 * 385 + 30 * 450) / 60));
    expect(report.totals.averagePledgeRateBp).toBe(Math.round((60_000_000 * 10_000) / 600_000_000));
    const baotou = report.byRegion.find((x) => x.key === "150200")!;
    expect(baotou).toMatchObject({ amountFen: 40_000_000, count: 2, rank: 1 });
    expect(JSON.stringify(report)).not.toMatch(/甲科技|乙新材料/);
  });
});

describe("the consent switch", () => {
  const t = useTestDb();
  let w: DealWorld;

  beforeAll(async () => {
    w = await createDealWorld(t.db);
  });

  async function auditRows() {
    return t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "firm.consent_show_name")
      .where("entity_id", "=", String(w.firmA.orgId))
      .orderBy("id")
      .execute();
  }

  it("is off by default, turns on and off, and audits each change with from and to", async () => {
    const actor = { userId: w.firmA.userId, orgId: w.firmA.orgId };
    expect((await getFirmProfile(t.db, w.firmA.orgId)).consentShowName).toBe(false);
    await setFirmConsent(t.db, actor, { show: true, expected: false });
    expect((await getFirmProfile(t.db, w.firmA.orgId)).consentShowName).toBe(true);
    await setFirmConsent(t.db, actor, { show: false, expected: true });
    expect((await getFirmProfile(t.db, w.firmA.orgId)).consentShowName).toBe(false);
    const audit = await auditRows();
    expect(audit.map((a) => [a.from_state, a.to_state, a.actor_user_id])).toEqual([
      ["hidden", "shown", w.firmA.userId],
      ["shown", "hidden", w.firmA.userId],
    ]);
  });

  it("refuses a change made on a stale page, and writes nothing", async () => {
    const actor = { userId: w.firmA.userId, orgId: w.firmA.orgId };
    const before = (await auditRows()).length;
    // The page showed "on" but it is off now (someone else changed it).
    await expect(
      setFirmConsent(t.db, actor, { show: false, expected: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await getFirmProfile(t.db, w.firmA.orgId)).consentShowName).toBe(false);
    expect((await auditRows()).length).toBe(before);
  });

  it("touches only the user's own firm, never another organisation", async () => {
    await expect(
      setFirmConsent(
        t.db,
        { userId: w.bankX.userId, orgId: w.bankX.orgId },
        {
          show: true,
          expected: false,
        },
      ),
    ).rejects.toMatchObject({ status: 404 });
    expect((await getFirmProfile(t.db, w.firmB.orgId)).consentShowName).toBe(false);
  });
});

describe("after racing disbursements and a reversal", () => {
  const t = useTestDb();

  it("still counts disbursed money exactly as the ledger and the running totals do", async () => {
    const w = await createDealWorld(t.db);
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const asset = await addAsset(t.db, w.firmA.orgId);
      const id = await newApplication(t.db, w, {
        assetIds: [asset],
        amountFen: 1_000_000 + i * 37,
      });
      await driveTo(t.db, w, id, "pledge_registered", { regDate: "2025-06-01" });
      ids.push(id);
    }
    // Three identical disbursements per deal at once: one wins each race, the others conflict.
    const attempts = await Promise.allSettled(
      ids.flatMap((id) =>
        [0, 1, 2].map(async () => {
          const row = (await getApplicationRow(t.db, id))!;
          return disburseApplication(t.db, w.bankX, {
            applicationId: id,
            version: row.version,
            amountFen: 1_000_000 + ids.indexOf(id) * 37,
            valueDate: "2025-06-02",
          });
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(ids.length);
    const first = await t.db
      .selectFrom("ledger_entries")
      .select("id")
      .where("disbursement_key", "=", ids[0])
      .executeTakeFirstOrThrow();
    await reverseLedgerEntry(t.db, {
      entryId: first.id,
      reason: "重复录入",
      actorUserId: w.admin.userId,
      actorOrgId: w.admin.orgId,
    });
    const r = await getReview(t.db, { role: "admin", orgId: w.admin.orgId }, Y2025);
    const disbursed = r.funnel.find((x) => x.stage === "disbursed")!;
    const sums = await ledgerSums(t.db, EXPECTED.period);
    const expectedFen = ids.slice(1).reduce((sum, _id, i) => sum + 1_000_000 + (i + 1) * 37, 0);
    expect(disbursed).toMatchObject({ count: 7, amountFen: expectedFen });
    expect(sums).toEqual({ ledger: expectedFen, totals: expectedFen });
    expect((await reconcileTotals(t.db)).driftFen).toBe(0);
  });
});
