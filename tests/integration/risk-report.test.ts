/**
 * Risk sharing and 贴息 in the public report (docs/domain.md#risk-figures), on SQLite and
 * MariaDB (TEST_DB): a pool, a covered loan that paid interest and defaulted, a claim approved in
 * part, a disposal's recovery and a subsidy payout; then every figure on /report.json equals the
 * sum of the rows its drill-down (/report/risk) lists, exactly in fen, the effective rate is the
 * one worked from the loans' own ledgers, and the cached public pages move with the data.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { addMonthsClamped } from "../../app/domain/ip";
import {
  effectiveRate,
  principalDays,
  riskDrillHref,
  RISK_MEASURES,
  type RiskDrillFilter,
  type RiskMeasure,
} from "../../app/domain/risk-sharing/figures";
import { publicDataVersion } from "../../app/models/public-version.server";
import { decideClaim, fileClaim } from "../../app/models/risk-sharing/claims.server";
import type { RiskActor } from "../../app/models/risk-sharing/common.server";
import { listForDisposal, recordProceeds } from "../../app/models/risk-sharing/disposals.server";
import {
  getRiskFigures,
  listRiskRows,
  type RiskFigures,
} from "../../app/models/risk-sharing/figures.server";
import { addContribution, createPool } from "../../app/models/risk-sharing/pools.server";
import {
  createProgramme,
  decideSubsidyClaim,
  fileSubsidyClaim,
  setLpr,
} from "../../app/models/risk-sharing/subsidies.server";
import {
  ensureLoanAccounts,
  postRepayment,
  recordLoanDefault,
  refreshClassifications,
} from "../../app/models/servicing/loan.server";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { requestAs, useActors } from "../support/authz";
import {
  addAsset,
  addProduct,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
  type Party,
} from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const WAN = 1_000_000;
const today = todayInChina();
let seq = 0;
const key = () => `risk-report-${process.pid}-${seq++}`;

describe(`risk sharing and 贴息 in the report (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let w: DealWorld;
  let gov: RiskActor;
  let poolId = 0;
  let covered = 0;
  let plain = 0;
  let programmeId = 0;
  let product = 0;
  const paidByParty = { pool: 0, insurer: 0, bank: 0 };

  const actor = (p: Party, role: RiskActor["role"]): RiskActor => ({
    userId: p.userId,
    orgId: p.orgId,
    role,
  });
  const as = (p: Party) => ({ actorUserId: p.userId, actorOrgId: p.orgId, bankOrgId: p.orgId });

  async function allianceOrg(kind: "government" | "insurer", name: string) {
    const o = await t.db
      .insertInto("organisations")
      .values({
        kind: "alliance",
        alliance_kind: kind,
        name,
        uscc: null,
        region_code: null,
        industry_section: null,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const orgId = Number(o.insertId);
    const u = await t.db
      .insertInto("users")
      .values({
        org_id: orgId,
        email: `${kind}-${orgId}@risk-report.test`,
        password_hash: "x",
        role: "alliance",
        display_name: name,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    return { orgId, userId: Number(u.insertId) };
  }

  async function loan(productId: number, amountFen: number, valueDate: string) {
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 10 * amountFen })],
      amountFen,
      productId,
    });
    await driveTo(t.db, w, id, "disbursed", { valueDate });
    return id;
  }

  /** Σ of a measure's rows over every page, and the sums the page reports. */
  async function drill(measure: RiskMeasure, filter: RiskDrillFilter = {}) {
    let page = 1;
    const rows = { amountFen: 0, x1Fen: 0, x2: 0, count: 0 };
    for (;;) {
      const d = await listRiskRows(t.db, measure, filter, page);
      for (const r of d.rows) {
        rows.amountFen += r.amountFen;
        rows.x1Fen += r.x1Fen;
        rows.x2 += r.x2;
        rows.count++;
      }
      if (page >= d.pages) {
        expect(rows.count).toBe(d.total);
        expect(d.sums).toEqual({ amountFen: rows.amountFen, x1Fen: rows.x1Fen, x2: rows.x2 });
        return rows;
      }
      page++;
    }
  }

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    gov = actor(await allianceOrg("government", "包头市市场监督管理局"), "alliance");
    const insurer = (await allianceOrg("insurer", "测试财产保险")).orgId;
    const admin = actor(w.admin, "admin");
    product = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
    poolId = await createPool(t.db, gov, {
      name: "包头市风险补偿资金池",
      kind: "county",
      shares: { pool: 5000, insurer: 3000, guarantor: 0, bank: 2000 },
      perLoanCapFen: 8 * WAN,
      leverageMultipleBp: 100_000,
      interestDaysAllowed: 90,
      requiredDocuments: ["loan_contract"],
      productIds: [product],
      regionCodes: [],
      insurerOrgId: insurer,
      guarantorOrgId: null,
    });
    await addContribution(t.db, gov, {
      poolId,
      funderName: "包头市财政局",
      amountFen: 100 * WAN,
      valueDate: addMonthsClamped(today, -6),
      idempotencyKey: key(),
    });

    // A covered loan of 10万 that paid one instalment, then defaulted.
    covered = await loan(product, 10 * WAN, addMonthsClamped(today, -5));
    // An uncovered loan of 20万 that pays its interest (and gets 贴息 for it).
    plain = await loan(w.productX, 20 * WAN, addMonthsClamped(today, -4));
    await ensureLoanAccounts(t.db);
    await postRepayment(t.db, {
      applicationId: covered,
      amountFen: 2 * WAN,
      valueDate: addMonthsClamped(today, -4),
      idempotencyKey: key(),
      ...as(w.bankX),
    });
    for (const months of [-3, -2]) {
      await postRepayment(t.db, {
        applicationId: plain,
        amountFen: 3 * WAN + 12_345,
        valueDate: addMonthsClamped(today, months),
        idempotencyKey: key(),
        ...as(w.bankX),
      });
    }
    await recordLoanDefault(t.db, {
      applicationId: covered,
      reason: "逾期且企业停产",
      ...as(w.bankX),
    });

    const bank = actor(w.bankX, "bank_officer");
    const { claimId } = await fileClaim(t.db, bank, {
      applicationId: covered,
      claimedFen: 6 * WAN + 1,
      documents: [{ document: "loan_contract" }],
      idempotencyKey: key(),
    });
    await decideClaim(t.db, gov, claimId, { decision: "approve", approvedFen: 6 * WAN + 1 });
    for (const p of await t.db
      .selectFrom("risk_claim_payouts")
      .select(["party", "amount_fen"])
      .where("claim_id", "=", claimId)
      .execute()) {
      paidByParty[p.party as "pool" | "insurer" | "bank"] = Number(p.amount_fen);
    }
    const disposalId = await listForDisposal(t.db, bank, {
      applicationId: covered,
      kind: "transfer",
      title: "一种节能装置 发明专利转让",
      assetSummary: "发明专利",
      appraisalFen: 5 * WAN,
      askingFen: 3 * WAN,
      terms: "一次性转让",
    });
    await recordProceeds(t.db, bank, {
      disposalId,
      proceedsFen: 2 * WAN + 3,
      buyerName: "包头某新材料研究院",
      soldDate: todayInChina(),
      idempotencyKey: key(),
    });

    await setLpr(t.db, admin, { effectiveDate: "2024-10-21", rateBp: 310 });
    programmeId = await createProgramme(t.db, gov, {
      name: "包头市知识产权质押贴息",
      shareBp: 5000,
      lprMultipleCapBp: null,
      perFirmYearCapFen: 30 * WAN,
      budgetFen: 1000 * WAN,
      windowStart: addMonthsClamped(today, -12),
      windowEnd: today,
      regionCodes: [],
      productIds: [],
      requiredFlags: [],
      firstPledgeOnly: false,
      autoApprove: false,
    });
    const filed = await fileSubsidyClaim(t.db, actor(w.firmA, "firm"), {
      programmeId,
      applicationId: plain,
      idempotencyKey: key(),
      today,
    });
    await decideSubsidyClaim(t.db, gov, filed.claimId, { decision: "approve" });
    await refreshClassifications(t.db, today);
  });

  it("puts the figures on /report.json, claims paid and recovered exact to the fen", async () => {
    const figures = await getRiskFigures(t.db);
    const res = await requestAs(app, actors, "anonymous", "/report.json");
    expect(res.status).toBe(200);
    const json = (await res.json()) as { riskSharing: RiskFigures };
    expect(json.riskSharing).toEqual(figures);

    const r = json.riskSharing;
    expect(paidByParty.pool + paidByParty.insurer + paidByParty.bank).toBe(6 * WAN + 1);
    expect(r.claims.paidFen).toBe(paidByParty.pool + paidByParty.insurer);
    expect(r.claims.byParty).toEqual({
      pool: paidByParty.pool,
      insurer: paidByParty.insurer,
      guarantor: 0,
    });
    expect(r.claims.bankRetainedFen).toBe(paidByParty.bank);
    // 2万 and 3 fen at 50/30/0/20 by largest remainder: 1,000,001 / 600,001 / 0 / 400,001.
    expect(r.recoveries.byParty).toEqual({ pool: 1_000_001, insurer: 600_001, guarantor: 0 });
    expect(r.recoveries.recoveredFen).toBe(1_600_002);

    const pool = r.pools.find((p) => p.id === poolId)!;
    expect(pool.balanceFen).toBe(100 * WAN - paidByParty.pool + 1_000_001);
    expect(pool.exposureFen).toBe(0); // the claim ended the reservation
    expect(pool.claimsPaidFen).toBe(paidByParty.pool + paidByParty.insurer);

    const subsidy = await t.db
      .selectFrom("subsidy_payouts")
      .select("amount_fen")
      .where("programme_id", "=", programmeId)
      .executeTakeFirstOrThrow();
    expect(Number(subsidy.amount_fen)).toBeGreaterThan(0);
    expect(r.subsidies.paidFen).toBe(Number(subsidy.amount_fen));
    expect(r.subsidies.byProgramme).toEqual([
      {
        id: programmeId,
        name: "包头市知识产权质押贴息",
        paidFen: Number(subsidy.amount_fen),
        payouts: 1,
      },
    ]);
    expect(r.subsidies.byRegion).toHaveLength(1);

    // The CSV carries the same figures, in yuan: 4,800,001 fen paid by the pool and the insurer.
    const csv = await (await requestAs(app, actors, "anonymous", "/report.csv")).text();
    expect(r.claims.paidFen).toBe(4_800_001);
    expect(csv).toContain(",claims_paid,48000.01,2,");
  });

  it("makes every figure the sum of its drill-down rows", async () => {
    const f = await getRiskFigures(t.db);
    expect((await drill("claims_paid")).amountFen).toBe(f.claims.paidFen);
    expect((await drill("recovered")).amountFen).toBe(f.recoveries.recoveredFen);
    expect((await drill("subsidies")).amountFen).toBe(f.subsidies.paidFen);
    expect((await drill("pool_balance")).amountFen).toBe(f.poolTotals.balanceFen);
    expect((await drill("pool_exposure")).amountFen).toBe(f.poolTotals.exposureFen);
    for (const p of f.pools) {
      expect((await drill("pool_balance", { pool: p.id })).amountFen).toBe(p.balanceFen);
      expect((await drill("pool_exposure", { pool: p.id })).amountFen).toBe(p.exposureFen);
      expect((await drill("claims_paid", { pool: p.id })).amountFen).toBe(p.claimsPaidFen);
      expect((await drill("recovered", { pool: p.id })).amountFen).toBe(p.recoveredFen);
    }
    for (const x of f.subsidies.byProgramme) {
      expect((await drill("subsidies", { programme: x.id })).amountFen).toBe(x.paidFen);
    }
    for (const x of f.subsidies.byRegion) {
      expect((await drill("subsidies", { region: x.code })).amountFen).toBe(x.paidFen);
    }
    const rate = await drill("effective_rate");
    expect(rate.amountFen).toBe(f.effectiveRate.interestFen);
    expect(rate.x1Fen).toBe(f.effectiveRate.subsidyFen);
    expect(rate.x2).toBe(f.effectiveRate.principalDays);
    expect(
      effectiveRate({ interestFen: rate.amountFen, subsidyFen: rate.x1Fen, principalDays: rate.x2 })
        .netBp,
    ).toBe(f.effectiveRate.netBp);
    for (const row of f.npl) {
      for (const shared of [true, false]) {
        const cell = shared ? row.shared : row.unshared;
        const d = await drill("npl", { product: row.productId, shared });
        expect(d.amountFen).toBe(cell.outstandingFen);
        expect(d.x1Fen).toBe(cell.nonPerformingFen);
        expect(d.count).toBe(cell.loans);
      }
    }
    // The covered product's defaulted loan is non-performing, with risk sharing.
    const coveredProduct = f.npl.find((x) => x.productId === product)!;
    expect(coveredProduct.shared.loans).toBe(1);
    expect(coveredProduct.shared.ratioBp).toBe(10_000);
    expect(coveredProduct.unshared.loans).toBe(0);
  });

  it("works the effective rate from each loan's own ledger: (interest − 贴息) × 360 ÷ principal-days", async () => {
    const f = await getRiskFigures(t.db);
    const accounts = await t.db
      .selectFrom("loan_accounts")
      .select(["application_id", "principal_fen", "start_date", "last_value_date"])
      .where("last_value_date", "is not", null)
      .execute();
    let days = 0;
    let interest = 0;
    for (const a of accounts) {
      const entries = await t.db
        .selectFrom("repayment_entries")
        .select(["value_date", "principal_fen", "interest_fen"])
        .where("application_id", "=", a.application_id)
        .execute();
      days += principalDays(
        Number(a.principal_fen),
        a.start_date,
        a.last_value_date!,
        entries.map((e) => ({ valueDate: e.value_date, principalFen: Number(e.principal_fen) })),
      );
      interest += entries.reduce((s, e) => s + Number(e.interest_fen), 0);
    }
    expect(f.effectiveRate.loans).toBe(accounts.length);
    expect(f.effectiveRate.principalDays).toBe(days);
    expect(f.effectiveRate.interestFen).toBe(interest);
    const expected = effectiveRate({
      interestFen: interest,
      subsidyFen: f.subsidies.paidFen,
      principalDays: days,
    });
    expect(f.effectiveRate).toMatchObject(expected);
    expect(expected.netBp!).toBeLessThan(expected.grossBp!);
  });

  it("shows the figures on /report and /alliance/review, linking to rows only the alliance and admins may open", async () => {
    const f = await getRiskFigures(t.db);
    const html = await (await requestAs(app, actors, "anonymous", "/report")).text();
    expect(html).toContain(`data-testid="risk-claims-paid" data-fen="${f.claims.paidFen}"`);
    expect(html).toContain(`data-testid="risk-recovered" data-fen="${f.recoveries.recoveredFen}"`);
    expect(html).toContain(`data-testid="risk-subsidies-paid" data-fen="${f.subsidies.paidFen}"`);
    expect(html).toContain(`data-testid="risk-effective-rate" data-bp="${f.effectiveRate.netBp}"`);
    expect(html).toContain(`href="${riskDrillHref("claims_paid")}"`);

    const review = await (await requestAs(app, actors, "alliance", "/alliance/review")).text();
    expect(review).toContain(`data-testid="risk-claims-paid" data-fen="${f.claims.paidFen}"`);
    expect(review).toContain(`href="${riskDrillHref("subsidies")}"`);
    // A bank officer sees the public figures, without links to firms' loans.
    const officer = await (await requestAs(app, actors, "bankX", "/alliance/review")).text();
    expect(officer).toContain(
      `data-testid="risk-subsidies-paid" data-fen="${f.subsidies.paidFen}"`,
    );
    expect(officer).not.toContain("/report/risk?");

    for (const measure of RISK_MEASURES) {
      const res = await requestAs(app, actors, "alliance", riskDrillHref(measure));
      expect(res.status, measure).toBe(200);
      const page = await res.text();
      const sums = (await listRiskRows(t.db, measure, {}, 1)).sums;
      expect(page, measure).toContain(
        `data-testid="risk-rows-figure" data-fen="${sums.amountFen}"`,
      );
    }
    const claims = await (
      await requestAs(app, actors, "admin", riskDrillHref("claims_paid", { pool: poolId }))
    ).text();
    expect(claims).toContain("甲科技有限公司");
    const anonymous = await requestAs(app, actors, "anonymous", riskDrillHref("subsidies"));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/login/);
    expect((await requestAs(app, actors, "bankX", riskDrillHref("subsidies"))).status).toBe(403);
    expect((await requestAs(app, actors, "firmA", riskDrillHref("subsidies"))).status).toBe(403);
  });

  it("moves the public data version with the risk rows, so the cached report shows new figures", async () => {
    const before = await publicDataVersion(t.db);
    const cached = (await (await app.fetch("/report.json")).json()) as { riskSharing: RiskFigures };
    await addContribution(t.db, gov, {
      poolId,
      funderName: "包头市财政局",
      amountFen: 7 * WAN + 7,
      valueDate: today,
      idempotencyKey: key(),
    });
    expect(await publicDataVersion(t.db)).not.toBe(before);
    const fresh = (await (await app.fetch("/report.json")).json()) as { riskSharing: RiskFigures };
    expect(fresh.riskSharing.poolTotals.balanceFen).toBe(
      cached.riskSharing.poolTotals.balanceFen + 7 * WAN + 7,
    );
  });
});
