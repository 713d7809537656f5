/**
 * A disbursement entered wrongly, reversed, and entered again (decision 021), on SQLite and
 * MariaDB (TEST_DB): the application returns to pledge_registered, the corrected disbursement
 * goes through the same action, and the ledger, the rollups, the public total, the report, the
 * alliance review, the loan's schedule, the risk pool and `npm run reconcile` all follow the
 * standing disbursement to the fen. Two racing re-disbursements: exactly one is entered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  approveApplication,
  disburseApplication,
  getApplicationRow,
  rejectApplication,
  reverseLedgerEntry,
} from "../../app/models/application.server";
import { getReview, type ReviewViewer } from "../../app/models/alliance.server";
import { ConflictError, UserFacingError } from "../../app/models/errors";
import {
  insertDisbursementEntry,
  insertReversalEntry,
  reconcileTotals,
  runApplicationTransaction,
} from "../../app/models/ledger.server";
import { getProgressSummary } from "../../app/models/progress.server";
import { clearReportCache, getReport } from "../../app/models/report.server";
import {
  addContribution,
  createPool,
  type PoolInput,
} from "../../app/models/risk-sharing/pools.server";
import { reconcileRiskSharing } from "../../app/models/risk-sharing/reconcile.server";
import type { RiskActor } from "../../app/models/risk-sharing/common.server";
import {
  getLoanView,
  postRepayment,
  reconcileServicing,
  reverseRepayment,
} from "../../app/models/servicing/loan.server";
import { buildSchedule } from "../../app/domain/servicing/schedule";
import { createDb, type DbHandle } from "../../app/utils/db.server";
import { nowInstant } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import {
  addAsset,
  addProduct,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
  type Party,
} from "../support/applications";

const WAN = 1_000_000; // 1万元 in fen

function keyOf(e: unknown): string {
  return e instanceof UserFacingError ? e.key : String(e);
}

async function refusal(p: Promise<unknown>): Promise<UserFacingError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, "expected a refusal").toBeInstanceOf(UserFacingError);
  return e as UserFacingError;
}

describe("a corrected disbursement after a reversal", () => {
  const t = useTestDb();
  let w: DealWorld;
  let big: DbHandle;
  let bank: Party;
  let admin: Party;
  let gov: RiskActor;

  async function org(kind: "bank" | "alliance", name: string, allianceKind?: "government") {
    const o = await t.db
      .insertInto("organisations")
      .values({
        kind,
        alliance_kind: allianceKind ?? null,
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
        email: `${kind}-${orgId}-${Date.now()}@redisburse.test`,
        password_hash: "x",
        role: kind === "bank" ? "bank_officer" : "alliance",
        display_name: name,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    return { orgId, userId: Number(u.insertId) };
  }

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    admin = w.admin;
    big = t.kind === "mysql" ? createDb(t.url, { poolSize: 30 }) : t.handle;
    bank = await org("bank", "更正银行");
    gov = { ...(await org("alliance", "包头市市场监督管理局", "government")), role: "alliance" };
  });

  afterAll(async () => {
    if (big && big !== t.handle) await big.db.destroy();
  });

  async function quotaOf(productId: number): Promise<number> {
    const p = await t.db
      .selectFrom("loan_products")
      .select("quota_remaining_fen")
      .where("id", "=", productId)
      .executeTakeFirstOrThrow();
    return Number(p.quota_remaining_fen);
  }

  async function entriesOf(applicationId: number) {
    const rows = await t.db
      .selectFrom("ledger_entries")
      .select([
        "id",
        "entry_type",
        "disbursement_key",
        "reverses_entry_id",
        "after_reversal_id",
        "amount_fen",
        "value_date",
        "month",
      ])
      .where("application_id", "=", applicationId)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ ...r, amount_fen: Number(r.amount_fen) }));
  }

  async function disburse(id: number, amountFen: number, valueDate: string, db = t.db) {
    const row = (await getApplicationRow(t.db, id))!;
    return disburseApplication(db, bank, {
      applicationId: id,
      version: row.version,
      amountFen,
      valueDate,
    });
  }

  async function reverse(entryId: number, reason = "金额录入错误") {
    return reverseLedgerEntry(t.db, {
      entryId,
      reason,
      actorUserId: admin.userId,
      actorOrgId: admin.orgId,
    });
  }

  async function standingEntryId(applicationId: number): Promise<number> {
    const entries = await entriesOf(applicationId);
    const reversed = new Set(entries.map((e) => e.reverses_entry_id));
    const standing = entries.filter((e) => e.entry_type === "disbursement" && !reversed.has(e.id));
    expect(standing).toHaveLength(1);
    return standing[0].id;
  }

  async function expectReconciled() {
    const totals = await reconcileTotals(t.db);
    expect(totals.drifts).toEqual([]);
    expect(totals.driftFen).toBe(0);
    expect(totals.driftCount).toBe(0);
    expect(totals.mismatchedApplications).toEqual([]);
    expect(totals.reversedInPlace).toEqual([]);
    const servicing = await reconcileServicing(t.db);
    expect(servicing.drifts).toEqual([]);
    expect(servicing.outstanding_drift_fen).toBe(0);
    expect(servicing.repayment_drift_fen).toBe(0);
    const risk = await reconcileRiskSharing(t.db);
    expect(risk.pool_drift_fen).toBe(0);
    return totals;
  }

  /** A deal of the correcting bank at pledge_registered on `productId`, approved for `approvedFen`. */
  async function registeredDeal(productId: number, approvedFen: number, regDate = "2025-03-01") {
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 10 * approvedFen })],
      amountFen: approvedFen,
      productId,
    });
    await driveTo(t.db, w, id, "pledge_registered", { bank, regDate });
    return id;
  }

  async function disbursedInReview() {
    const viewer: ReviewViewer = { role: "admin", orgId: admin.orgId };
    const r = await getReview(t.db, viewer, {
      from: "2025-01-01",
      to: "2025-12-31",
      region: null,
      bank: bank.orgId,
      ipType: null,
      industry: null,
      flags: [],
    });
    return r.funnel.find((x) => x.stage === "disbursed")!;
  }

  it("reverses a wrong disbursement, enters the corrected one, and every figure follows it", async () => {
    const product = await addProduct(t.db, bank.orgId, bank.userId);
    const poolInput: PoolInput = {
      name: "更正测试资金池",
      kind: "county",
      shares: { pool: 4000, insurer: 0, guarantor: 0, bank: 6000 },
      perLoanCapFen: 100 * WAN,
      leverageMultipleBp: 100_000,
      interestDaysAllowed: 90,
      requiredDocuments: ["loan_contract"],
      productIds: [product],
      regionCodes: [],
      insurerOrgId: null,
      guarantorOrgId: null,
    };
    const poolId = await createPool(t.db, gov, poolInput);
    await addContribution(t.db, gov, {
      poolId,
      funderName: "包头市财政局",
      amountFen: 100 * WAN,
      valueDate: "2025-01-02",
      idempotencyKey: "redisburse-pool",
    });
    const exposure = async () =>
      Number(
        (
          await t.db
            .selectFrom("risk_pools")
            .select("exposure_fen")
            .where("id", "=", poolId)
            .executeTakeFirstOrThrow()
        ).exposure_fen,
      );

    const id = await registeredDeal(product, 50 * WAN);
    const quotaApproved = await quotaOf(product);
    const base = await getProgressSummary(t.db);
    clearReportCache();
    const baseReport = await getReport(t.db);

    // The officer drops a zero: 5万 instead of 50万, on 2025-03-20.
    const first = await disburse(id, 5 * WAN, "2025-03-20");
    expect(await quotaOf(product)).toBe(quotaApproved + 45 * WAN);
    expect((await getProgressSummary(t.db)).financedFen).toBe(base.financedFen + 5 * WAN);
    expect(await exposure()).toBeGreaterThan(0);

    // The admin reverses it: the application is back at pledge_registered, as before the money.
    const { reversalId } = await reverse(first.entryId);
    const afterReversal = (await getApplicationRow(t.db, id))!;
    expect(afterReversal).toMatchObject({
      state: "pledge_registered",
      disbursed_amount_fen: null,
      disbursed_date: null,
      disbursed_at: null,
    });
    expect(await getLoanView(t.db, id)).toBeNull();
    expect(
      await t.db
        .selectFrom("loan_schedule_rows")
        .select("seq")
        .where("application_id", "=", id)
        .execute(),
    ).toEqual([]);
    expect(
      await t.db
        .selectFrom("risk_reservations")
        .select("id")
        .where("application_id", "=", id)
        .execute(),
    ).toEqual([]);
    expect(await exposure()).toBe(0);
    // The quota is left as it was: the deal still holds the 5万 it had taken.
    expect(await quotaOf(product)).toBe(quotaApproved + 45 * WAN);
    const reversedSummary = await getProgressSummary(t.db);
    expect(reversedSummary.financedFen).toBe(base.financedFen);
    expect(reversedSummary.firmsFinanced).toBe(base.firmsFinanced);
    expect(await disbursedInReview()).toMatchObject({ count: 0, amountFen: 0 });
    await expectReconciled();
    expect(keyOf(await refusal(reverse(first.entryId, "再次")))).toBe(
      "applications:errors.alreadyReversed",
    );

    // The corrected disbursement: the same action and checks, 50万 on 2025-04-10.
    expect(keyOf(await refusal(disburse(id, 51 * WAN, "2025-04-10")))).toBe(
      "applications:problems.amount_above_approved",
    );
    const second = await disburse(id, 50 * WAN, "2025-04-10");
    expect(await entriesOf(id)).toEqual([
      {
        id: first.entryId,
        entry_type: "disbursement",
        disbursement_key: id,
        reverses_entry_id: null,
        after_reversal_id: null,
        amount_fen: 5 * WAN,
        value_date: "2025-03-20",
        month: "2025-03",
      },
      {
        id: reversalId,
        entry_type: "reversal",
        disbursement_key: null,
        reverses_entry_id: first.entryId,
        after_reversal_id: null,
        amount_fen: -5 * WAN,
        value_date: "2025-03-20",
        month: "2025-03",
      },
      {
        id: second.entryId,
        entry_type: "disbursement",
        disbursement_key: null,
        reverses_entry_id: null,
        after_reversal_id: reversalId,
        amount_fen: 50 * WAN,
        value_date: "2025-04-10",
        month: "2025-04",
      },
    ]);
    expect(await getApplicationRow(t.db, id)).toMatchObject({
      state: "disbursed",
      disbursed_amount_fen: 50 * WAN,
      disbursed_date: "2025-04-10",
    });
    // Quota: the 50万 approved, all of it used.
    expect(await quotaOf(product)).toBe(quotaApproved);

    // The running totals, the public total and the report count the corrected loan once.
    const summary = await getProgressSummary(t.db);
    expect(summary.financedFen).toBe(base.financedFen + 50 * WAN);
    expect(summary.firmsFinanced).toBe(base.firmsFinanced + (base.firmsFinanced > 0 ? 0 : 1));
    clearReportCache();
    const report = await getReport(t.db);
    expect(report.totals.amountFen).toBe(baseReport.totals.amountFen + 50 * WAN);
    expect(report.totals.loans).toBe(baseReport.totals.loans + 1);
    expect(report.byBank.find((b) => b.key === bank.orgId)).toMatchObject({
      amountFen: 50 * WAN,
      count: 1,
    });
    expect(report.totals.averageRateBp).toBe(385);
    // The alliance review's net disbursed figure (disbursement + reversal, per deal).
    expect(await disbursedInReview()).toMatchObject({ count: 1, amountFen: 50 * WAN });
    // Buckets: March nets to zero over two entries, April holds the loan.
    const buckets = await t.db
      .selectFrom("disbursement_totals")
      .select(["month", "amount_fen", "entry_count"])
      .where("bank_org_id", "=", bank.orgId)
      .orderBy("month")
      .execute();
    expect(buckets.map((b) => [b.month, Number(b.amount_fen), Number(b.entry_count)])).toEqual([
      ["2025-03", 0, 2],
      ["2025-04", 50 * WAN, 1],
    ]);

    // The loan and its schedule follow the corrected disbursement.
    const loan = (await getLoanView(t.db, id))!;
    expect(loan.account).toMatchObject({
      principal_fen: 50 * WAN,
      outstanding_principal_fen: 50 * WAN,
      start_date: "2025-04-10",
      maturity_date: "2026-04-10",
      status: "open",
    });
    const expected = buildSchedule({
      method: loan.account.method,
      principalFen: 50 * WAN,
      annualRateBp: 385,
      termMonths: 12,
      startDate: "2025-04-10",
    });
    expect(
      loan.terms.schedule.map((r) => [r.seq, r.dueDate, r.principalFen, r.interestFen]),
    ).toEqual(expected.map((r) => [r.seq, r.dueDate, r.principalFen, r.interestFen]));
    // The pool covers the corrected amount.
    const reservation = await t.db
      .selectFrom("risk_reservations")
      .select(["state", "reserved_fen"])
      .where("application_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(reservation.state).toBe("active");
    expect(await exposure()).toBe(Number(reservation.reserved_fen));
    await expectReconciled();

    // Every change has its audit row.
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "entity_type", "from_state", "to_state", "reason"])
      .where((eb) =>
        eb.or([
          eb.and([eb("entity_type", "=", "application"), eb("entity_id", "=", String(id))]),
          eb.and([
            eb("entity_type", "=", "ledger_entry"),
            eb("entity_id", "=", String(first.entryId)),
          ]),
        ]),
      )
      .where("action", "in", [
        "application.disburse",
        "application.disbursement_reversed",
        "ledger.reverse",
        "risk_pool.reserve",
        "risk_pool.release",
      ])
      .orderBy("id")
      .execute();
    expect(audit.map((a) => [a.action, a.from_state, a.to_state])).toEqual([
      ["risk_pool.reserve", null, "active"],
      ["application.disburse", "pledge_registered", "disbursed"],
      ["ledger.reverse", "posted", "reversed"],
      ["risk_pool.release", "active", "released"],
      ["application.disbursement_reversed", "disbursed", "pledge_registered"],
      ["risk_pool.reserve", null, "active"],
      ["application.disburse", "pledge_registered", "disbursed"],
    ]);

    // With a repayment standing the disbursement stays; reversed (latest first), it may go.
    const due = loan.terms.schedule[0];
    const paid = await postRepayment(t.db, {
      applicationId: id,
      amountFen: due.totalFen,
      valueDate: due.dueDate,
      idempotencyKey: `redisburse-${id}-1`,
      actorUserId: bank.userId,
      actorOrgId: bank.orgId,
      bankOrgId: bank.orgId,
    });
    const refused = await refusal(reverse(second.entryId));
    expect(refused.key).toBe("applications:errors.reverseRepaymentsFirst");
    expect(refused.params).toEqual({ count: 1 });
    expect((await getApplicationRow(t.db, id))!.state).toBe("disbursed");
    await reverseRepayment(t.db, {
      entryId: paid.entryId,
      reason: "错记还款",
      actorUserId: bank.userId,
      actorOrgId: bank.orgId,
      bankOrgId: bank.orgId,
    });
    const { reversalId: secondReversal } = await reverse(second.entryId, "起息日有误");
    const third = await disburse(id, 48 * WAN, "2025-05-06");
    expect((await entriesOf(id)).at(-1)).toMatchObject({
      id: third.entryId,
      disbursement_key: null,
      after_reversal_id: secondReversal,
      amount_fen: 48 * WAN,
    });
    expect(await quotaOf(product)).toBe(quotaApproved + 2 * WAN);
    const relent = (await getLoanView(t.db, id))!;
    expect(relent.account).toMatchObject({
      principal_fen: 48 * WAN,
      outstanding_principal_fen: 48 * WAN,
      principal_repaid_fen: 0,
      start_date: "2025-05-06",
    });
    expect(relent.terms.schedule[0].dueDate).toBe("2025-06-06");
    // The repayment and its reversal stay in the repayment ledger, netting to nothing.
    expect(relent.entries.map((e) => e.entry_type)).toEqual(["repayment", "reversal"]);
    expect(relent.position.outstandingPrincipalFen).toBe(48 * WAN);
    expect((await getProgressSummary(t.db)).financedFen).toBe(base.financedFen + 48 * WAN);
    expect(await disbursedInReview()).toMatchObject({ count: 1, amountFen: 48 * WAN });
    await expectReconciled();
  });

  it("a rejection after a reversal returns the quota the deal still held", async () => {
    const product = await addProduct(t.db, bank.orgId, bank.userId, { quotaFen: 100 * WAN });
    const id = await registeredDeal(product, 50 * WAN);
    const first = await disburse(id, 20 * WAN, "2025-03-20");
    expect(await quotaOf(product)).toBe(80 * WAN);
    await reverse(first.entryId);
    expect(await quotaOf(product)).toBe(80 * WAN);
    const row = (await getApplicationRow(t.db, id))!;
    await rejectApplication(t.db, bank, {
      applicationId: id,
      version: row.version,
      reason: "企业放弃贷款",
    });
    expect(await quotaOf(product)).toBe(100 * WAN);
    await expectReconciled();
  });

  it("a corrected disbursement above the one reversed takes the difference from the quota, or is refused", async () => {
    const product = await addProduct(t.db, bank.orgId, bank.userId, { quotaFen: 80 * WAN });
    const id = await registeredDeal(product, 50 * WAN);
    const first = await disburse(id, 20 * WAN, "2025-03-20");
    await reverse(first.entryId);
    // Another deal takes the quota the first one returned.
    const other = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId, { valueFen: 300 * WAN })],
      amountFen: 60 * WAN,
      productId: product,
    });
    await driveTo(t.db, w, other, "under_review", { bank });
    await approveApplication(t.db, bank, {
      applicationId: other,
      version: (await getApplicationRow(t.db, other))!.version,
      amountFen: 60 * WAN,
      rateBp: 385,
      termMonths: 12,
    });
    expect(await quotaOf(product)).toBe(0);
    const e = await refusal(disburse(id, 50 * WAN, "2025-04-10"));
    expect(e.key).toBe("applications:errors.quotaExhausted");
    expect((await getApplicationRow(t.db, id))!.state).toBe("pledge_registered");
    await disburse(id, 20 * WAN, "2025-04-10");
    expect(await quotaOf(product)).toBe(0);
    await expectReconciled();
  });

  it("two officers entering the corrected disbursement at once: exactly one is entered", async () => {
    const product = await addProduct(t.db, bank.orgId, bank.userId);
    const id = await registeredDeal(product, 30 * WAN);
    const first = await disburse(id, 3 * WAN, "2025-03-20");
    const { reversalId } = await reverse(first.entryId);
    const before = await getProgressSummary(t.db);
    const row = (await getApplicationRow(t.db, id))!;
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        disburseApplication(big.db, bank, {
          applicationId: id,
          version: row.version,
          amountFen: 30 * WAN - i,
          valueDate: "2025-04-10",
        }),
      ),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const a of attempts) {
      if (a.status === "rejected") {
        expect(a.reason).toBeInstanceOf(ConflictError);
        expect(["common:errors.conflict", "applications:errors.alreadyDisbursed"]).toContain(
          keyOf(a.reason),
        );
      }
    }
    const standing = await standingEntryId(id);
    const entry = (await entriesOf(id)).find((e) => e.id === standing)!;
    expect(entry.after_reversal_id).toBe(reversalId);
    expect((await getApplicationRow(t.db, id))!.disbursed_amount_fen).toBe(entry.amount_fen);
    expect((await getProgressSummary(t.db)).financedFen).toBe(
      before.financedFen + entry.amount_fen,
    );
    await expectReconciled();
  });

  it("the slot's unique key refuses a second disbursement even past the state check", async () => {
    const product = await addProduct(t.db, bank.orgId, bank.userId);
    const id = await registeredDeal(product, 30 * WAN);
    const first = await disburse(id, 3 * WAN, "2025-03-20");
    const { reversalId } = await reverse(first.entryId);
    await disburse(id, 30 * WAN, "2025-04-10");
    const app = (await getApplicationRow(t.db, id))!;
    const again = runApplicationTransaction(t.db, (trx) =>
      insertDisbursementEntry(trx, {
        applicationId: id,
        afterReversalId: reversalId,
        amountFen: 30 * WAN,
        valueDate: "2025-04-10",
        month: "2025-04",
        regionCode: app.region_code,
        bankOrgId: app.bank_org_id,
        ipType: app.primary_ip_type!,
        firmOrgId: app.firm_org_id,
        createdBy: bank.userId,
      }),
    );
    expect(keyOf(await refusal(again))).toBe("applications:errors.alreadyDisbursed");
    // …and so does the first slot.
    const firstAgain = runApplicationTransaction(t.db, (trx) =>
      insertDisbursementEntry(trx, {
        applicationId: id,
        afterReversalId: null,
        amountFen: 30 * WAN,
        valueDate: "2025-04-10",
        month: "2025-04",
        regionCode: app.region_code,
        bankOrgId: app.bank_org_id,
        ipType: app.primary_ip_type!,
        firmOrgId: app.firm_org_id,
        createdBy: bank.userId,
      }),
    );
    expect(keyOf(await refusal(firstAgain))).toBe("applications:errors.alreadyDisbursed");
    await standingEntryId(id);
    await expectReconciled();
  });

  it("reconcile accepts a deal reversed in place before 018e, and flags a disbursement outside its slots", async () => {
    const product = await addProduct(t.db, bank.orgId, bank.userId);
    const id = await registeredDeal(product, 30 * WAN);
    const { entryId } = await disburse(id, 30 * WAN, "2025-03-20");
    // As reversals were made before migration 018e: the entry and totals only, the deal left as
    // it was (disbursed, with its loan).
    const entry = await t.db
      .selectFrom("ledger_entries")
      .selectAll()
      .where("id", "=", entryId)
      .executeTakeFirstOrThrow();
    await runApplicationTransaction(t.db, (trx) =>
      insertReversalEntry(trx, entry, {
        reason: "旧冲销",
        actorUserId: admin.userId,
        actorOrgId: admin.orgId,
      }),
    );
    const report = await reconcileTotals(t.db);
    expect(report.drifts).toEqual([]);
    expect(report.driftCount).toBe(0);
    expect(report.mismatchedApplications).toEqual([]);
    expect(report.reversedInPlace).toEqual([id]);

    // A disbursement written around the model, in no slot of its own: reported.
    await t.db
      .insertInto("ledger_entries")
      .values({
        ...entry,
        id: undefined,
        disbursement_key: null,
        after_reversal_id: null,
        amount_fen: 0,
        created_at: nowInstant(),
      })
      .execute();
    expect((await reconcileTotals(t.db)).mismatchedApplications).toEqual([id]);
  });
});
