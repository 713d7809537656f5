import type {
  LoanAccount,
  RepaymentEntry,
  RiskClassCode,
  ServicingDimension,
} from "../../../db/schema";
import { addMonthsClamped } from "../../domain/ip";
import { checkOverride, classify, type RiskClass } from "../../domain/servicing/classification";
import {
  loanPosition,
  planRepayment,
  type LoanPosition,
  type LoanTerms,
  type PostedRepayment,
  type RepaymentKind,
} from "../../domain/servicing/position";
import {
  buildSchedule,
  isRepaymentMethod,
  type RepaymentMethod,
} from "../../domain/servicing/schedule";
import { monthOf } from "../../domain/application";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { lockedAssetIds, releasePledgeLocks, retakePledgeLocks } from "../pledge-locks.server";
import { syncReservation } from "../risk-sharing/pools.server";
import { isUniqueViolation, UserFacingError } from "../errors";
import { isMysql, runApplicationTransaction, type Executor, type Trx } from "../ledger.server";

/**
 * Loan servicing (docs/domain.md#servicing, decision 010): the loan account opened at
 * disbursement with its schedule, the append-only repayment ledger and the balances kept beside it.
 *
 * Every posting runs in one deal transaction (decision 005) that first locks the loan account row
 * (`FOR UPDATE` on MariaDB; SQLite has a single writer), so two officers posting against the same
 * instalment are serialised and the second sees the first's entry before splitting its own: an
 * instalment can never be overpaid. Lock order: loan account → entry → servicing rollups (total,
 * month, region, bank, ip_type), always the same.
 */

export const DEFAULT_METHOD: RepaymentMethod = "equal_instalment";

export async function lockLoan(trx: Trx, applicationId: number): Promise<LoanAccount | undefined> {
  let q = trx.selectFrom("loan_accounts").selectAll().where("application_id", "=", applicationId);
  if (isMysql(trx)) q = q.forUpdate();
  return q.executeTakeFirst();
}

async function addToServicingRollup(
  trx: Trx,
  dimension: ServicingDimension,
  bucket: string,
  d: { outstandingFen: number; principalFen: number; interestFen: number; entries: number },
): Promise<void> {
  const update = async () =>
    (
      await trx
        .updateTable("servicing_rollups")
        .set((eb) => ({
          outstanding_fen: eb("outstanding_fen", "+", d.outstandingFen),
          principal_repaid_fen: eb("principal_repaid_fen", "+", d.principalFen),
          interest_repaid_fen: eb("interest_repaid_fen", "+", d.interestFen),
          entry_count: eb("entry_count", "+", d.entries),
        }))
        .where("dimension", "=", dimension)
        .where("bucket", "=", bucket)
        .executeTakeFirst()
    ).numUpdatedRows;
  if ((await update()) > 0n) return;
  try {
    await trx
      .insertInto("servicing_rollups")
      .values({
        dimension,
        bucket,
        outstanding_fen: d.outstandingFen,
        principal_repaid_fen: d.principalFen,
        interest_repaid_fen: d.interestFen,
        entry_count: d.entries,
      })
      .execute();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    if ((await update()) === 0n) throw new Error(`servicing_rollups ${dimension}/${bucket}`);
  }
}

interface RollupChange {
  month: string;
  regionCode: string;
  bankOrgId: number;
  ipType: string;
  outstandingFen: number;
  principalFen: number;
  interestFen: number;
  entries: number;
}

async function applyToRollups(trx: Trx, c: RollupChange): Promise<void> {
  await addToServicingRollup(trx, "total", "", c);
  await addToServicingRollup(trx, "month", c.month, c);
  await addToServicingRollup(trx, "region", c.regionCode, c);
  await addToServicingRollup(trx, "bank", String(c.bankOrgId), c);
  await addToServicingRollup(trx, "ip_type", c.ipType, c);
}

/**
 * Opens the loan account of a disbursed application and stores its schedule, inside the caller's
 * transaction (the disbursement's). Does nothing when it is already open, so a retry, or the
 * backfill of deals disbursed before servicing existed, is harmless.
 */
export async function openLoanAccount(trx: Trx, applicationId: number): Promise<boolean> {
  const exists = await trx
    .selectFrom("loan_accounts")
    .select("application_id")
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  if (exists) return false;
  const app = await trx
    .selectFrom("applications")
    .selectAll()
    .where("id", "=", applicationId)
    .executeTakeFirstOrThrow();
  if (app.disbursed_amount_fen === null || app.disbursed_date === null) {
    throw new Error(`application ${applicationId} is not disbursed`);
  }
  const method: RepaymentMethod = isRepaymentMethod(app.repayment_method)
    ? app.repayment_method
    : DEFAULT_METHOD;
  const input = {
    method,
    principalFen: Number(app.disbursed_amount_fen),
    annualRateBp: app.approved_rate_bp ?? app.rate_bp,
    termMonths: app.approved_term_months ?? app.term_months,
    startDate: app.disbursed_date,
  };
  const schedule = buildSchedule(input);
  const now = nowInstant();
  try {
    await trx
      .insertInto("loan_accounts")
      .values({
        application_id: app.id,
        product_id: app.product_id,
        firm_org_id: app.firm_org_id,
        bank_org_id: app.bank_org_id,
        region_code: app.region_code,
        ip_type: app.primary_ip_type ?? "invention",
        method,
        principal_fen: input.principalFen,
        rate_bp: input.annualRateBp,
        term_months: input.termMonths,
        start_date: input.startDate,
        maturity_date: addMonthsClamped(input.startDate, input.termMonths),
        status: "open",
        outstanding_principal_fen: input.principalFen,
        override_class: null,
        classified_on: null,
        closed_date: null,
        last_value_date: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
  await trx
    .insertInto("loan_schedule_rows")
    .values(
      schedule.map((r) => ({
        application_id: app.id,
        seq: r.seq,
        due_date: r.dueDate,
        opening_principal_fen: r.openingPrincipalFen,
        principal_fen: r.principalFen,
        interest_fen: r.interestFen,
      })),
    )
    .execute();
  await applyToRollups(trx, {
    month: monthOf(input.startDate),
    regionCode: app.region_code,
    bankOrgId: app.bank_org_id,
    ipType: app.primary_ip_type ?? "invention",
    outstandingFen: input.principalFen,
    principalFen: 0,
    interestFen: 0,
    entries: 0,
  });
  return true;
}

/**
 * Removes the loan account and schedule of a disbursement being reversed (decision 021), inside
 * the reversal's transaction, after the caller locked the account (lockLoan) and checked that no
 * repayment stands. The account's opening principal leaves the servicing rollups it was added to;
 * repayments posted and reversed stay in the repayment ledger (they net to zero there and in the
 * rollups). The corrected disbursement opens a new account with its own schedule. Returns what
 * was removed, for the audit row.
 */
export async function removeLoanAccount(
  trx: Trx,
  account: LoanAccount,
): Promise<{ principalFen: number; startDate: string; method: string; scheduleRows: number }> {
  const rows = await trx
    .deleteFrom("loan_schedule_rows")
    .where("application_id", "=", account.application_id)
    .executeTakeFirst();
  await trx
    .deleteFrom("loan_accounts")
    .where("application_id", "=", account.application_id)
    .execute();
  const principal = Number(account.principal_fen);
  await applyToRollups(trx, {
    month: monthOf(account.start_date),
    regionCode: account.region_code,
    bankOrgId: account.bank_org_id,
    ipType: account.ip_type,
    outstandingFen: -principal,
    principalFen: 0,
    interestFen: 0,
    entries: 0,
  });
  return {
    principalFen: principal,
    startDate: account.start_date,
    method: account.method,
    scheduleRows: Number(rows.numDeletedRows),
  };
}

/** Repayments of a loan posted and not reversed. */
export async function standingRepaymentCount(db: Executor, applicationId: number): Promise<number> {
  return standing(await loadEntries(db, applicationId)).length;
}

/** Opens the accounts of disbursed loans that have none (deals disbursed before migration 013). */
export async function ensureLoanAccounts(db: Db): Promise<number> {
  const missing = await db
    .selectFrom("applications")
    .leftJoin("loan_accounts", "loan_accounts.application_id", "applications.id")
    .select("applications.id")
    .where("applications.state", "=", "disbursed")
    .where("loan_accounts.application_id", "is", null)
    .execute();
  let opened = 0;
  for (const m of missing) {
    if (await runApplicationTransaction(db, (trx) => openLoanAccount(trx, m.id))) opened++;
  }
  return opened;
}

export async function getLoanAccount(db: Executor, applicationId: number) {
  return db
    .selectFrom("loan_accounts")
    .selectAll()
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
}

/** Repayments still standing: entries neither reversed nor reversals. */
function standing(entries: readonly RepaymentEntry[]): PostedRepayment[] {
  const reversed = new Set(entries.map((e) => e.reverses_entry_id).filter((x) => x !== null));
  return entries
    .filter((e) => e.entry_type === "repayment" && !reversed.has(e.id))
    .map((e) => ({
      valueDate: e.value_date,
      principalFen: Number(e.principal_fen),
      interestFen: Number(e.interest_fen),
      kind: e.kind,
    }));
}

async function loadTerms(db: Executor, account: LoanAccount): Promise<LoanTerms> {
  const rows = await db
    .selectFrom("loan_schedule_rows")
    .selectAll()
    .where("application_id", "=", account.application_id)
    .orderBy("seq")
    .execute();
  return {
    method: account.method,
    principalFen: Number(account.principal_fen),
    annualRateBp: account.rate_bp,
    startDate: account.start_date,
    schedule: rows.map((r) => {
      const opening = Number(r.opening_principal_fen);
      const principal = Number(r.principal_fen);
      const interest = Number(r.interest_fen);
      return {
        seq: r.seq,
        dueDate: r.due_date,
        openingPrincipalFen: opening,
        principalFen: principal,
        interestFen: interest,
        totalFen: principal + interest,
        closingPrincipalFen: opening - principal,
      };
    }),
  };
}

async function loadEntries(db: Executor, applicationId: number): Promise<RepaymentEntry[]> {
  return db
    .selectFrom("repayment_entries")
    .selectAll()
    .where("application_id", "=", applicationId)
    .orderBy("id")
    .execute();
}

export interface LoanView {
  account: LoanAccount;
  terms: LoanTerms;
  entries: RepaymentEntry[];
  position: LoanPosition;
  classification: { riskClass: RiskClass; floor: RiskClass; overridden: boolean };
}

/** The loan as it stands on `asOf` (default today in China). */
export async function getLoanView(
  db: Executor,
  applicationId: number,
  asOf: string = todayInChina(),
): Promise<LoanView | null> {
  const account = await getLoanAccount(db, applicationId);
  if (!account) return null;
  const [terms, entries] = await Promise.all([
    loadTerms(db, account),
    loadEntries(db, applicationId),
  ]);
  const position = loanPosition(terms, standing(entries), asOf);
  const classification =
    account.status === "defaulted"
      ? {
          riskClass: "loss" as const,
          floor: classify(position.daysPastDue, null).floor,
          overridden: true,
        }
      : classify(position.daysPastDue, account.override_class);
  return { account, terms, entries, position, classification };
}

/** Outstanding principal of one loan, from its account row (kept with every entry). */
export async function outstandingPrincipal(db: Executor, applicationId: number): Promise<number> {
  const a = await getLoanAccount(db, applicationId);
  return a ? Number(a.outstanding_principal_fen) : 0;
}

/**
 * Interest repaid on a loan with value dates in [from, to] (inclusive), net of reversals — the
 * figure interest subsidies are paid on (issue 14).
 */
export async function interestPaid(
  db: Executor,
  applicationId: number,
  period: { from: string; to: string },
): Promise<number> {
  const row = await db
    .selectFrom("repayment_entries")
    .select((eb) => eb.fn.sum<number | string | null>("interest_fen").as("fen"))
    .where("application_id", "=", applicationId)
    .where("value_date", ">=", period.from)
    .where("value_date", "<=", period.to)
    .executeTakeFirstOrThrow();
  return Number(row.fen ?? 0);
}

export interface PostRepaymentInput {
  applicationId: number;
  amountFen: number;
  valueDate: string;
  /** From the form (one per rendering), so a double click or retry records once. */
  idempotencyKey: string;
  actorUserId: number;
  actorOrgId: number;
  /** The bank posting; only its own loans. */
  bankOrgId: number;
  today?: string;
}

export interface PostedEntry {
  entryId: number;
  kind: RepaymentKind;
  principalFen: number;
  interestFen: number;
  outstandingAfterFen: number;
  /** True when this key had already been posted: nothing new was written. */
  replayed: boolean;
}

function entryToPosted(e: RepaymentEntry, outstanding: number): PostedEntry {
  return {
    entryId: e.id,
    kind: e.kind,
    principalFen: Number(e.principal_fen),
    interestFen: Number(e.interest_fen),
    outstandingAfterFen: outstanding,
    replayed: true,
  };
}

async function refreshAccount(
  trx: Trx,
  account: LoanAccount,
  position: LoanPosition,
  change: { principalFen: number; interestFen: number; valueDate: string | null },
  today: string,
): Promise<void> {
  const cls = classify(position.daysPastDue, account.override_class);
  await trx
    .updateTable("loan_accounts")
    .set((eb) => ({
      outstanding_principal_fen: eb("outstanding_principal_fen", "-", change.principalFen),
      principal_repaid_fen: eb("principal_repaid_fen", "+", change.principalFen),
      interest_repaid_fen: eb("interest_repaid_fen", "+", change.interestFen),
      entry_count: eb("entry_count", "+", 1),
      last_value_date: position.lastValueDate,
      days_past_due: position.daysPastDue,
      overdue_fen: position.overduePrincipalFen + position.overdueInterestFen,
      risk_class: cls.riskClass,
      classified_on: today,
      status: position.closed ? "closed" : "open",
      closed_date: position.closed ? position.lastValueDate : null,
      version: eb("version", "+", 1),
      updated_at: nowInstant(),
    }))
    .where("application_id", "=", account.application_id)
    .execute();
}

/** Moves the application between disbursed and repaid as the loan closes or reopens. */
async function syncApplicationState(
  trx: Trx,
  applicationId: number,
  closed: boolean,
  closedDate: string | null,
  actor: { userId: number; orgId: number },
): Promise<void> {
  const now = nowInstant();
  const from = closed ? "disbursed" : "repaid";
  const to = closed ? "repaid" : "disbursed";
  const res = await trx
    .updateTable("applications")
    .set((eb) => ({
      state: to,
      closed_date: closed ? closedDate : null,
      closed_at: closed ? now : null,
      version: eb("version", "+", 1),
      updated_at: now,
    }))
    .where("id", "=", applicationId)
    .where("state", "=", from)
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) return;
  // The pledge is released when the loan is repaid (decision 005), and stands again when a
  // reversed repayment reopens the loan.
  if (closed) await releasePledgeLocks(trx, applicationId);
  else await retakePledgeLocks(trx, applicationId);
  await writeAudit(trx, {
    actorUserId: actor.userId,
    orgId: actor.orgId,
    action: closed ? "loan.repaid" : "loan.reopened",
    entityType: "application",
    entityId: applicationId,
    fromState: from,
    toState: to,
  });
}

/**
 * Records one repayment, split into principal and interest by the domain (planRepayment), or
 * refuses it with a UserFacingError and writes nothing. Posting the same idempotency key again
 * returns the first entry.
 */
export async function postRepayment(db: Db, input: PostRepaymentInput): Promise<PostedEntry> {
  const key = input.idempotencyKey.trim();
  if (key.length < 8 || key.length > 80) throw new UserFacingError("servicing:refusals.badKey");
  const today = input.today ?? todayInChina();
  return runApplicationTransaction(db, async (trx) => {
    const account = await lockLoan(trx, input.applicationId);
    if (!account || account.bank_org_id !== input.bankOrgId) {
      throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    }
    const existing = await trx
      .selectFrom("repayment_entries")
      .selectAll()
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
    if (existing) {
      if (existing.application_id !== input.applicationId) {
        throw new UserFacingError("servicing:refusals.badKey");
      }
      return entryToPosted(existing, Number(account.outstanding_principal_fen));
    }
    if (account.status !== "open")
      throw new UserFacingError("servicing:refusals.closed", {}, "amount");
    const terms = await loadTerms(trx, account);
    const entries = await loadEntries(trx, account.application_id);
    const posted = standing(entries);
    const plan = planRepayment(terms, posted, input.amountFen, input.valueDate, today);
    if (!plan.ok)
      throw new UserFacingError(plan.message.key, { ...plan.message.params }, plan.field);
    let entryId: number;
    try {
      const res = await trx
        .insertInto("repayment_entries")
        .values({
          application_id: account.application_id,
          entry_type: "repayment",
          kind: plan.kind,
          idempotency_key: key,
          reverses_entry_id: null,
          value_date: input.valueDate,
          month: monthOf(input.valueDate),
          principal_fen: plan.principalFen,
          interest_fen: plan.interestFen,
          region_code: account.region_code,
          bank_org_id: account.bank_org_id,
          firm_org_id: account.firm_org_id,
          ip_type: account.ip_type,
          reason: null,
          created_by: input.actorUserId,
          created_at: nowInstant(),
        })
        .executeTakeFirstOrThrow();
      entryId = Number(res.insertId);
    } catch (e) {
      // SQLite serialises writers, MariaDB holds the loan row: a duplicate here is a replay.
      if (isUniqueViolation(e)) throw new UserFacingError("servicing:refusals.duplicate");
      throw e;
    }
    const after = [
      ...posted,
      {
        valueDate: input.valueDate,
        principalFen: plan.principalFen,
        interestFen: plan.interestFen,
        kind: plan.kind,
      },
    ];
    const position = loanPosition(terms, after, today);
    await refreshAccount(
      trx,
      account,
      position,
      {
        principalFen: plan.principalFen,
        interestFen: plan.interestFen,
        valueDate: input.valueDate,
      },
      today,
    );
    await applyToRollups(trx, {
      month: monthOf(input.valueDate),
      regionCode: account.region_code,
      bankOrgId: account.bank_org_id,
      ipType: account.ip_type,
      outstandingFen: -plan.principalFen,
      principalFen: plan.principalFen,
      interestFen: plan.interestFen,
      entries: 1,
    });
    // The risk pool's reservation follows the outstanding principal down (docs/domain.md#risk-pools).
    await syncReservation(trx, account.application_id, plan.outstandingAfterFen, input.actorUserId);
    if (position.closed) {
      await syncApplicationState(trx, account.application_id, true, position.lastValueDate, {
        userId: input.actorUserId,
        orgId: input.actorOrgId,
      });
    }
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: input.actorOrgId,
      action: "loan.repayment",
      entityType: "application",
      entityId: account.application_id,
      detail: {
        entryId,
        kind: plan.kind,
        principalFen: plan.principalFen,
        interestFen: plan.interestFen,
      },
    });
    return {
      entryId,
      kind: plan.kind,
      principalFen: plan.principalFen,
      interestFen: plan.interestFen,
      outstandingAfterFen: plan.outstandingAfterFen,
      replayed: false,
    };
  });
}

/**
 * Settles the loan on `valueDate`: posts exactly the settlement amount of that day (outstanding
 * principal, interest due and interest accrued). The amount is read before the transaction;
 * postRepayment checks it again under the loan's lock, so a posting in between makes this a
 * refusal ("settle exactly …"), never a wrong split.
 */
export async function settleLoan(
  db: Db,
  input: Omit<PostRepaymentInput, "amountFen">,
): Promise<PostedEntry> {
  const view = await getLoanView(db, input.applicationId, input.valueDate);
  if (!view || view.account.bank_org_id !== input.bankOrgId) {
    throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
  }
  if (view.account.status !== "open") {
    const replay = await db
      .selectFrom("repayment_entries")
      .select("id")
      .where("idempotency_key", "=", input.idempotencyKey.trim())
      .executeTakeFirst();
    // A retried settlement of a loan it already closed: the first posting's answer.
    if (!replay) throw new UserFacingError("servicing:refusals.closed", {}, "amount");
  }
  return postRepayment(db, { ...input, amountFen: view.position.settlementFen });
}

/**
 * Reverses a repayment entry (a wrong posting): a new entry with negated parts referencing it.
 * Only the latest standing repayment of a loan can be reversed, so the split of every later
 * repayment stays what it was when it was posted.
 */
export async function reverseRepayment(
  db: Db,
  input: {
    entryId: number;
    reason: string;
    actorUserId: number;
    actorOrgId: number;
    bankOrgId: number;
  },
): Promise<{ reversalId: number }> {
  const reason = input.reason.trim();
  if (reason.length < 4)
    throw new UserFacingError("servicing:refusals.reasonRequired", {}, "reason");
  const today = todayInChina();
  return runApplicationTransaction(db, async (trx) => {
    const entry = await trx
      .selectFrom("repayment_entries")
      .selectAll()
      .where("id", "=", input.entryId)
      .executeTakeFirst();
    if (!entry || entry.bank_org_id !== input.bankOrgId) {
      throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    }
    const account = await lockLoan(trx, entry.application_id);
    if (!account) throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    if (entry.entry_type !== "repayment")
      throw new UserFacingError("servicing:refusals.notReversible");
    if (account.status === "defaulted") throw new UserFacingError("servicing:refusals.closed");
    const entries = await loadEntries(trx, entry.application_id);
    const reversed = new Set(entries.map((e) => e.reverses_entry_id));
    if (reversed.has(entry.id)) throw new UserFacingError("servicing:refusals.alreadyReversed");
    const latest = entries
      .filter((e) => e.entry_type === "repayment" && !reversed.has(e.id))
      .at(-1);
    if (latest?.id !== entry.id) throw new UserFacingError("servicing:refusals.notLatest");
    let reversalId: number;
    try {
      const res = await trx
        .insertInto("repayment_entries")
        .values({
          ...entry,
          id: undefined,
          entry_type: "reversal",
          idempotency_key: `reversal:${entry.id}`,
          reverses_entry_id: entry.id,
          principal_fen: -Number(entry.principal_fen),
          interest_fen: -Number(entry.interest_fen),
          reason,
          created_by: input.actorUserId,
          created_at: nowInstant(),
        })
        .executeTakeFirstOrThrow();
      reversalId = Number(res.insertId);
    } catch (e) {
      if (isUniqueViolation(e)) throw new UserFacingError("servicing:refusals.alreadyReversed");
      throw e;
    }
    const terms = await loadTerms(trx, account);
    const position = loanPosition(
      terms,
      standing([
        ...entries,
        { ...entry, id: reversalId, entry_type: "reversal", reverses_entry_id: entry.id },
      ]),
      today,
    );
    await refreshAccount(
      trx,
      account,
      position,
      {
        principalFen: -Number(entry.principal_fen),
        interestFen: -Number(entry.interest_fen),
        valueDate: null,
      },
      today,
    );
    await applyToRollups(trx, {
      month: entry.month,
      regionCode: entry.region_code,
      bankOrgId: entry.bank_org_id,
      ipType: entry.ip_type,
      outstandingFen: Number(entry.principal_fen),
      principalFen: -Number(entry.principal_fen),
      interestFen: -Number(entry.interest_fen),
      entries: 1,
    });
    if (account.status === "closed" && !position.closed) {
      await syncApplicationState(trx, account.application_id, false, null, {
        userId: input.actorUserId,
        orgId: input.actorOrgId,
      });
    }
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: input.actorOrgId,
      action: "loan.repayment.reverse",
      entityType: "repayment_entry",
      entityId: entry.id,
      fromState: "posted",
      toState: "reversed",
      reason,
      detail: { reversalId },
    });
    return { reversalId };
  });
}

/** The bank classifies a loan more severely than its floor, with a reason (audited). */
export async function overrideClassification(
  db: Db,
  input: {
    applicationId: number;
    riskClass: RiskClass;
    reason: string;
    actorUserId: number;
    actorOrgId: number;
    bankOrgId: number;
    today?: string;
  },
): Promise<void> {
  const today = input.today ?? todayInChina();
  await runApplicationTransaction(db, async (trx) => {
    const account = await lockLoan(trx, input.applicationId);
    if (!account || account.bank_org_id !== input.bankOrgId) {
      throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    }
    if (account.status !== "open") throw new UserFacingError("servicing:refusals.closed");
    const view = await getLoanView(trx, input.applicationId, today);
    const dpd = view?.position.daysPastDue ?? 0;
    const problem = checkOverride(dpd, input.riskClass, input.reason);
    if (problem) throw new UserFacingError(problem.key, { ...problem.params }, "riskClass");
    const floor = classify(dpd, null).floor;
    await trx
      .insertInto("loan_classification_overrides")
      .values({
        application_id: input.applicationId,
        risk_class: input.riskClass,
        floor_class: floor,
        days_past_due: dpd,
        reason: input.reason.trim(),
        created_by: input.actorUserId,
        created_at: nowInstant(),
      })
      .execute();
    await trx
      .updateTable("loan_accounts")
      .set((eb) => ({
        override_class: input.riskClass,
        risk_class: input.riskClass,
        classified_on: today,
        version: eb("version", "+", 1),
        updated_at: nowInstant(),
      }))
      .where("application_id", "=", input.applicationId)
      .execute();
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: input.actorOrgId,
      action: "loan.classify",
      entityType: "application",
      entityId: input.applicationId,
      fromState: account.risk_class,
      toState: input.riskClass,
      reason: input.reason.trim(),
      detail: { floor, daysPastDue: dpd },
    });
  });
}

/**
 * Records the bank's decision that the loan is in default, with the loss: the principal still
 * outstanding and the interest due unpaid on that day. Closes the loan account and the application.
 * The pledge is not released: the bank disposes of the IP next (docs/domain.md#disposal), and the
 * locks end with the sale or the bank's explicit release.
 */
export async function recordLoanDefault(
  db: Db,
  input: {
    applicationId: number;
    reason: string;
    actorUserId: number;
    actorOrgId: number;
    bankOrgId: number;
    today?: string;
  },
): Promise<{ principalLossFen: number; interestLossFen: number }> {
  const reason = input.reason.trim();
  if (reason.length < 4)
    throw new UserFacingError("servicing:refusals.reasonRequired", {}, "reason");
  const today = input.today ?? todayInChina();
  return runApplicationTransaction(db, async (trx) => {
    const account = await lockLoan(trx, input.applicationId);
    if (!account || account.bank_org_id !== input.bankOrgId) {
      throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    }
    if (account.status !== "open") throw new UserFacingError("servicing:refusals.closed");
    const view = await getLoanView(trx, input.applicationId, today);
    if (!view) throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    const principalLossFen = view.position.outstandingPrincipalFen;
    const interestLossFen = view.position.dueInterestFen;
    await trx
      .insertInto("loan_defaults")
      .values({
        application_id: input.applicationId,
        default_date: today,
        principal_loss_fen: principalLossFen,
        interest_loss_fen: interestLossFen,
        days_past_due: view.position.daysPastDue,
        reason,
        created_by: input.actorUserId,
        created_at: nowInstant(),
      })
      .execute();
    await trx
      .updateTable("loan_accounts")
      .set((eb) => ({
        status: "defaulted",
        risk_class: "loss" satisfies RiskClassCode,
        closed_date: today,
        version: eb("version", "+", 1),
        updated_at: nowInstant(),
      }))
      .where("application_id", "=", input.applicationId)
      .execute();
    const res = await trx
      .updateTable("applications")
      .set((eb) => ({
        state: "defaulted",
        closed_date: today,
        closed_at: nowInstant(),
        version: eb("version", "+", 1),
        updated_at: nowInstant(),
      }))
      .where("id", "=", input.applicationId)
      .where("state", "=", "disbursed")
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new UserFacingError("servicing:refusals.closed");
    // The pledge stands: its locks stay until the disposal's sale is recorded or the bank
    // releases the pledge (releaseDefaultedPledge; decision 022).
    const pledgedAssetIds = await lockedAssetIds(trx, input.applicationId);
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: input.actorOrgId,
      action: "loan.default",
      entityType: "application",
      entityId: input.applicationId,
      fromState: "disbursed",
      toState: "defaulted",
      reason,
      detail: {
        principalLossFen,
        interestLossFen,
        daysPastDue: view.position.daysPastDue,
        pledgedAssetIds,
      },
    });
    return { principalLossFen, interestLossFen };
  });
}

/**
 * Recomputes days past due and the class of every open loan on `today` (the daily job). Returns
 * the number of loans whose class changed.
 */
export async function refreshClassifications(db: Db, today: string): Promise<number> {
  const open = await db
    .selectFrom("loan_accounts")
    .select(["application_id", "risk_class"])
    .where("status", "=", "open")
    .execute();
  let changed = 0;
  for (const l of open) {
    const view = await getLoanView(db, l.application_id, today);
    if (!view) continue;
    const cls = view.classification.riskClass;
    await db
      .updateTable("loan_accounts")
      .set({
        days_past_due: view.position.daysPastDue,
        overdue_fen: view.position.overduePrincipalFen + view.position.overdueInterestFen,
        risk_class: cls,
        classified_on: today,
      })
      .where("application_id", "=", l.application_id)
      .where("status", "=", "open")
      .execute();
    if (cls !== l.risk_class) changed++;
  }
  return changed;
}

export interface ServicingReconcile {
  loans: number;
  repayment_entries: number;
  /** Σ |stored − recomputed| outstanding principal over loans and rollups, in fen. */
  outstanding_drift_fen: number;
  /** Σ |stored − recomputed| principal and interest repaid over loans and rollups, in fen. */
  repayment_drift_fen: number;
  drifts: string[];
}

/** Recomputes every loan's balances and the servicing rollups from the schedules and the ledger. */
export async function reconcileServicing(db: Db): Promise<ServicingReconcile> {
  const [accounts, sums, rollups] = await Promise.all([
    db
      .selectFrom("loan_accounts")
      .select([
        "application_id",
        "principal_fen",
        "outstanding_principal_fen",
        "principal_repaid_fen",
        "interest_repaid_fen",
        "start_date",
        "region_code",
        "bank_org_id",
        "ip_type",
      ])
      .execute(),
    db
      .selectFrom("repayment_entries")
      .select((eb) => [
        "application_id",
        eb.fn.sum<number | string>("principal_fen").as("p"),
        eb.fn.sum<number | string>("interest_fen").as("i"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .groupBy("application_id")
      .execute(),
    db.selectFrom("servicing_rollups").selectAll().execute(),
  ]);
  const byLoan = new Map(sums.map((s) => [s.application_id, s]));
  let outstandingDrift = 0;
  let repaymentDrift = 0;
  let entries = 0;
  const drifts: string[] = [];
  const expected = new Map<string, { o: number; p: number; i: number; n: number }>();
  const add = (k: string, o: number, p: number, i: number, n: number) => {
    const a = expected.get(k) ?? { o: 0, p: 0, i: 0, n: 0 };
    a.o += o;
    a.p += p;
    a.i += i;
    a.n += n;
    expected.set(k, a);
  };
  for (const a of accounts) {
    const s = byLoan.get(a.application_id);
    const p = Number(s?.p ?? 0);
    const i = Number(s?.i ?? 0);
    entries += Number(s?.n ?? 0);
    const od = Math.abs(Number(a.outstanding_principal_fen) - (Number(a.principal_fen) - p));
    const rd =
      Math.abs(Number(a.principal_repaid_fen) - p) + Math.abs(Number(a.interest_repaid_fen) - i);
    if (od || rd) drifts.push(`loan:${a.application_id}`);
    outstandingDrift += od;
    repaymentDrift += rd;
    const principal = Number(a.principal_fen);
    const m = monthOf(a.start_date);
    for (const k of [
      "total|",
      `month|${m}`,
      `region|${a.region_code}`,
      `bank|${a.bank_org_id}`,
      `ip_type|${a.ip_type}`,
    ]) {
      add(k, principal, 0, 0, 0);
    }
  }
  const perEntry = await db
    .selectFrom("repayment_entries")
    .select((eb) => [
      "month",
      "region_code",
      "bank_org_id",
      "ip_type",
      eb.fn.sum<number | string>("principal_fen").as("p"),
      eb.fn.sum<number | string>("interest_fen").as("i"),
      eb.fn.countAll<number | string>().as("n"),
    ])
    .groupBy(["month", "region_code", "bank_org_id", "ip_type"])
    .execute();
  for (const r of perEntry) {
    const p = Number(r.p);
    const i = Number(r.i);
    const n = Number(r.n);
    for (const k of [
      "total|",
      `month|${r.month}`,
      `region|${r.region_code}`,
      `bank|${r.bank_org_id}`,
      `ip_type|${r.ip_type}`,
    ]) {
      add(k, -p, p, i, n);
    }
  }
  const stored = new Map(rollups.map((r) => [`${r.dimension}|${r.bucket}`, r]));
  for (const k of new Set([...expected.keys(), ...stored.keys()])) {
    const e = expected.get(k) ?? { o: 0, p: 0, i: 0, n: 0 };
    const s = stored.get(k);
    const od = Math.abs(Number(s?.outstanding_fen ?? 0) - e.o);
    const rd =
      Math.abs(Number(s?.principal_repaid_fen ?? 0) - e.p) +
      Math.abs(Number(s?.interest_repaid_fen ?? 0) - e.i);
    const nd = Math.abs(Number(s?.entry_count ?? 0) - e.n);
    if (od || rd || nd) drifts.push(`rollup:${k}`);
    outstandingDrift += od;
    repaymentDrift += rd;
  }
  return {
    loans: accounts.length,
    repayment_entries: entries,
    outstanding_drift_fen: outstandingDrift,
    repayment_drift_fen: repaymentDrift,
    drifts,
  };
}

export type { RiskClass };
