import type { LegalEventType } from "../../../db/schema";
import { addDays, isIsoDate } from "../../domain/ip";
import {
  countsAsCollateral,
  feeYearOn,
  lateMonth,
  patentFeeDeadline,
  patentFeeState,
  trademarkRenewalState,
  type FeeState,
} from "../../domain/servicing/collateral-fees";
import { trademarkExpiry } from "../../domain/trademark";
import {
  normaliseAssetNumber,
  type LegalEventProblem,
  type LegalEventRow,
} from "../../domain/servicing/legal-events";
import type { LoanWatch, PledgedAssetWatch } from "../../domain/servicing/watch";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { isUniqueViolation, UserFacingError } from "../errors";
import type { Executor } from "../ledger.server";

/**
 * Collateral monitoring for the life of the loan (docs/domain.md#collateral-monitoring, decision
 * 011): fee states of every asset pledged to an open loan, the coverage they still give, fee
 * payments and legal-status events.
 */

export type WatchScope = { kind: "bank"; bankOrgId: number } | { kind: "firm"; firmOrgId: number };

export type { LoanWatch, PledgedAssetWatch };

const APPRAISAL_WARNING_DAYS = 30;

/**
 * The fee state of one asset on `today`. Fee years paid are the payment rows; with none on
 * record the fee year containing the loan's value date counts as paid (a pledge is registered
 * only on a patent in force, decision 011).
 */
export function assetFeeState(
  a: {
    ip_type: string;
    filing_date: string | null;
    registration_date: string | null;
    expiry_date: string;
    renewals: number;
  },
  maxFeeYearPaid: number | null,
  loanStart: string,
  today: string,
): FeeState {
  if (a.ip_type === "trademark") {
    const reg = a.registration_date;
    const renewals = Math.max(a.renewals, maxFeeYearPaid ?? 0);
    const expiry = reg ? trademarkExpiry(reg, renewals) : a.expiry_date;
    return trademarkRenewalState(expiry, today);
  }
  const filing = a.filing_date ?? loanStart;
  const paidThroughYear = maxFeeYearPaid ?? feeYearOn(filing, loanStart);
  return patentFeeState({ filingDate: filing, expiry: a.expiry_date, paidThroughYear, today });
}

/** The fee year (patents) or renewal (trademarks) a payment would record next. */
export function nextFeeYear(
  a: { ip_type: string; filing_date: string | null; renewals: number },
  maxFeeYearPaid: number | null,
  loanStart: string,
): number {
  if (a.ip_type === "trademark") return Math.max(a.renewals, maxFeeYearPaid ?? 0) + 1;
  return (maxFeeYearPaid ?? feeYearOn(a.filing_date ?? loanStart, loanStart)) + 1;
}

/** Loans on the watch list of a bank or a firm, with every pledged asset's state. */
export async function watchList(
  db: Executor,
  scope: WatchScope,
  today: string = todayInChina(),
  /** Only this loan (its page's collateral section). */
  applicationId?: number,
): Promise<LoanWatch[]> {
  return loadWatches(db, scope, today, applicationId ?? null);
}

/** Open loans in scope, or the one loan `applicationId` in scope whatever its state. */
async function loadWatches(
  db: Executor,
  scope: WatchScope,
  today: string,
  applicationId: number | null,
): Promise<LoanWatch[]> {
  let q = db
    .selectFrom("loan_accounts")
    .innerJoin("organisations as firm", "firm.id", "loan_accounts.firm_org_id")
    .innerJoin("loan_products", "loan_products.id", "loan_accounts.product_id")
    .select([
      "loan_accounts.application_id",
      "loan_accounts.outstanding_principal_fen",
      "loan_accounts.days_past_due",
      "loan_accounts.risk_class",
      "loan_accounts.start_date",
      "loan_accounts.status",
      "loan_products.min_coverage_bp",
      "firm.name as firm_name",
    ]);
  q =
    applicationId === null
      ? q.where("loan_accounts.status", "=", "open")
      : q.where("loan_accounts.application_id", "=", applicationId);
  q =
    scope.kind === "bank"
      ? q.where("loan_accounts.bank_org_id", "=", scope.bankOrgId)
      : q.where("loan_accounts.firm_org_id", "=", scope.firmOrgId);
  if (applicationId !== undefined) q = q.where("loan_accounts.application_id", "=", applicationId);
  const loans = await q.orderBy("loan_accounts.application_id").execute();
  if (loans.length === 0) return [];
  const ids = loans.map((l) => l.application_id);
  const assets = await db
    .selectFrom("application_assets")
    .innerJoin("ip_assets", "ip_assets.id", "application_assets.asset_id")
    .select([
      "application_assets.application_id",
      "application_assets.value_fen",
      "ip_assets.id",
      "ip_assets.number",
      "ip_assets.title",
      "ip_assets.ip_type",
      "ip_assets.status",
      "ip_assets.filing_date",
      "ip_assets.registration_date",
      "ip_assets.expiry_date",
      "ip_assets.renewals",
      "ip_assets.formal_valid_until",
    ])
    .where("application_assets.application_id", "in", ids)
    .execute();
  const assetIds = [...new Set(assets.map((a) => a.id))];
  const paid = assetIds.length
    ? await db
        .selectFrom("collateral_fee_payments")
        .select((eb) => ["asset_id", eb.fn.max<number>("fee_year").as("y")])
        .where("asset_id", "in", assetIds)
        .groupBy("asset_id")
        .execute()
    : [];
  const paidBy = new Map(paid.map((p) => [p.asset_id, Number(p.y)]));
  const soon = addDays(today, APPRAISAL_WARNING_DAYS);
  return loans.map((l) => {
    const mine = assets.filter((a) => a.application_id === l.application_id);
    const watched: PledgedAssetWatch[] = mine.map((a) => {
      const fee = assetFeeState(a, paidBy.get(a.id) ?? null, l.start_date, today);
      return {
        applicationId: l.application_id,
        assetId: a.id,
        number: a.number,
        title: a.title,
        ipType: a.ip_type,
        status: a.status,
        valueFen: Number(a.value_fen),
        fee,
        nextFeeYear: nextFeeYear(a, paidBy.get(a.id) ?? null, l.start_date),
        counts: countsAsCollateral(fee, a.status),
        appraisalValidUntil: a.formal_valid_until,
        appraisalExpiring: a.formal_valid_until !== null && a.formal_valid_until <= soon,
      };
    });
    const outstanding = Number(l.outstanding_principal_fen);
    const covered = watched.filter((a) => a.counts).reduce((s, a) => s + a.valueFen, 0);
    const coverageBp = outstanding > 0 ? Math.floor((covered * 10_000) / outstanding) : null;
    const flags: LoanWatch["flags"] = [];
    if (coverageBp !== null && coverageBp < l.min_coverage_bp) flags.push("coverage");
    if (watched.some((a) => a.fee.state === "due_soon")) flags.push("fee_due");
    if (watched.some((a) => a.fee.state === "grace")) flags.push("grace");
    if (watched.some((a) => !a.counts)) flags.push("lapsed");
    if (watched.some((a) => a.appraisalExpiring)) flags.push("appraisal");
    if (l.days_past_due > 0) flags.push("overdue");
    return {
      applicationId: l.application_id,
      firmName: l.firm_name,
      status: l.status,
      outstandingFen: outstanding,
      coverageBp,
      minCoverageBp: l.min_coverage_bp,
      daysPastDue: l.days_past_due,
      riskClass: l.risk_class,
      assets: watched,
      flags,
    };
  });
}

/** May this organisation record for this asset? The owner firm, or a bank lending against it. */
async function mayRecord(
  db: Executor,
  assetId: number,
  actor: { orgId: number; role: string },
): Promise<{ number: string; ip_type: string; filing_date: string | null; status: string } | null> {
  const asset = await db
    .selectFrom("ip_assets")
    .select(["id", "firm_org_id", "number", "ip_type", "filing_date", "status"])
    .where("id", "=", assetId)
    .executeTakeFirst();
  if (!asset) return null;
  if (actor.role === "admin") return asset;
  if (actor.role === "firm") return asset.firm_org_id === actor.orgId ? asset : null;
  if (actor.role === "bank_officer") {
    const loan = await db
      .selectFrom("application_assets")
      .innerJoin(
        "loan_accounts",
        "loan_accounts.application_id",
        "application_assets.application_id",
      )
      .select("loan_accounts.application_id")
      .where("application_assets.asset_id", "=", assetId)
      .where("loan_accounts.bank_org_id", "=", actor.orgId)
      .executeTakeFirst();
    return loan ? asset : null;
  }
  return null;
}

export interface Actor {
  userId: number;
  orgId: number;
  role: string;
}

/** Records an annual fee (or trademark renewal) paid; once per asset and year. */
export async function recordFeePayment(
  db: Db,
  actor: Actor,
  input: {
    assetId: number;
    feeYear: number;
    paidDate: string;
    amountFen: number;
    receiptNumber: string;
  },
  today: string = todayInChina(),
): Promise<void> {
  if (!isIsoDate(input.paidDate) || input.paidDate > today) {
    throw new UserFacingError("collateral:refusals.paidInFuture", { date: today }, "paidDate");
  }
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
    throw new UserFacingError("collateral:refusals.notPositive", {}, "amount");
  }
  const receipt = input.receiptNumber.trim();
  if (receipt.length < 2 || receipt.length > 64)
    throw new UserFacingError("collateral:refusals.receipt", {}, "receiptNumber");
  await db.transaction().execute(async (trx) => {
    const asset = await mayRecord(trx, input.assetId, actor);
    if (!asset) throw new UserFacingError("collateral:refusals.notYourAsset", {}, undefined, 404);
    if (
      !Number.isInteger(input.feeYear) ||
      input.feeYear < (asset.ip_type === "trademark" ? 1 : 2) ||
      input.feeYear > 30
    ) {
      throw new UserFacingError("collateral:refusals.feeYear", {}, "feeYear");
    }
    if (asset.ip_type !== "trademark" && asset.filing_date) {
      const deadline = patentFeeDeadline(asset.filing_date, input.feeYear);
      if (lateMonth(deadline, input.paidDate) === null) {
        throw new UserFacingError("collateral:refusals.feeTooLate", {}, "paidDate");
      }
    }
    try {
      await trx
        .insertInto("collateral_fee_payments")
        .values({
          asset_id: input.assetId,
          fee_year: input.feeYear,
          paid_date: input.paidDate,
          amount_fen: input.amountFen,
          receipt_number: receipt,
          recorded_by: actor.userId,
          recorded_by_org: actor.orgId,
          // A bank recording the payment has seen the receipt: that is its confirmation.
          confirmed_by: actor.role === "bank_officer" ? actor.userId : null,
          confirmed_at: actor.role === "bank_officer" ? nowInstant() : null,
          created_at: nowInstant(),
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new UserFacingError("collateral:refusals.feeDuplicate", {}, "feeYear");
      throw e;
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "collateral.fee",
      entityType: "ip_asset",
      entityId: input.assetId,
      detail: { feeYear: input.feeYear, amountFen: input.amountFen, receipt },
    });
  });
}

const STATUS_AFTER: Partial<Record<LegalEventType, { patent: string; trademark: string }>> = {
  lapse: { patent: "lapsed", trademark: "cancelled" },
  invalidated: { patent: "invalidated", trademark: "invalidated" },
  restoration: { patent: "granted", trademark: "registered" },
};

/**
 * Appends a legal-status event; a lapse or invalidation takes the asset out of every coverage at
 * once (its status changes in the same transaction), a restoration puts it back.
 */
export async function recordLegalEvent(
  db: Db,
  actor: Actor,
  input: {
    assetId: number;
    eventType: LegalEventType;
    eventDate: string;
    noticeDate: string | null;
    note: string | null;
    source: "firm" | "bank" | "admin" | "csv";
  },
  today: string = todayInChina(),
): Promise<void> {
  if (!isIsoDate(input.eventDate) || input.eventDate > today) {
    throw new UserFacingError("collateral:refusals.eventInFuture", { date: today }, "eventDate");
  }
  if (input.noticeDate !== null && (!isIsoDate(input.noticeDate) || input.noticeDate > today)) {
    throw new UserFacingError("collateral:refusals.eventInFuture", { date: today }, "noticeDate");
  }
  await db.transaction().execute(async (trx) => {
    const asset = await mayRecord(trx, input.assetId, actor);
    if (!asset) throw new UserFacingError("collateral:refusals.notYourAsset", {}, undefined, 404);
    checkEventAllowed(input.eventType, asset.status, "eventType");
    await applyLegalEvent(trx, actor, { ...input, ipType: asset.ip_type });
  });
}

/** An invalidation is final: restoration (恢复权利) undoes a lapse, not an invalidation. */
function checkEventAllowed(eventType: LegalEventType, status: string, field: string): void {
  if (eventType === "restoration" && status === "invalidated") {
    throw new UserFacingError("collateral:refusals.restoreInvalidated", {}, field);
  }
}

/** The event row, the status it implies and the audit row; inside the caller's transaction. */
async function applyLegalEvent(
  trx: Executor,
  actor: Actor,
  input: {
    assetId: number;
    ipType: string;
    eventType: LegalEventType;
    eventDate: string;
    noticeDate: string | null;
    note: string | null;
    source: "firm" | "bank" | "admin" | "csv";
  },
): Promise<void> {
  {
    await trx
      .insertInto("legal_status_events")
      .values({
        asset_id: input.assetId,
        event_type: input.eventType,
        event_date: input.eventDate,
        notice_date: input.noticeDate,
        note: input.note,
        source: input.source,
        recorded_by: actor.userId,
        created_at: nowInstant(),
      })
      .execute();
    const next = STATUS_AFTER[input.eventType];
    if (next) {
      await trx
        .updateTable("ip_assets")
        .set((eb) => ({
          status: input.ipType === "trademark" ? next.trademark : next.patent,
          version: eb("version", "+", 1),
          updated_at: nowInstant(),
        }))
        .where("id", "=", input.assetId)
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "collateral.legal_event",
      entityType: "ip_asset",
      entityId: input.assetId,
      toState: input.eventType,
      detail: { eventDate: input.eventDate, source: input.source },
    });
  }
}

export interface FeePaymentView {
  id: number;
  assetId: number;
  feeYear: number;
  paidDate: string;
  amountFen: number;
  receiptNumber: string;
  recordedBy: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

export interface LegalEventView {
  id: number;
  assetId: number;
  eventType: LegalEventType;
  eventDate: string;
  noticeDate: string | null;
  note: string | null;
  source: string;
  recordedBy: string;
}

/**
 * One loan's collateral as its bank or its firm sees it: coverage, each pledged asset's fee state,
 * the fees paid and the legal-status events. Another organisation's loan is "not found".
 */
export async function getLoanCollateral(
  db: Executor,
  scope: WatchScope,
  applicationId: number,
  today: string = todayInChina(),
): Promise<{ watch: LoanWatch; payments: FeePaymentView[]; events: LegalEventView[] }> {
  const [watch] = await loadWatches(db, scope, today, applicationId);
  if (!watch) throw new UserFacingError("collateral:refusals.notFound", {}, undefined, 404);
  const assetIds = watch.assets.map((a) => a.assetId);
  if (assetIds.length === 0) return { watch, payments: [], events: [] };
  const [payments, events] = await Promise.all([
    db
      .selectFrom("collateral_fee_payments as p")
      .innerJoin("users as r", "r.id", "p.recorded_by")
      .leftJoin("users as c", "c.id", "p.confirmed_by")
      .select([
        "p.id",
        "p.asset_id",
        "p.fee_year",
        "p.paid_date",
        "p.amount_fen",
        "p.receipt_number",
        "p.confirmed_at",
        "r.display_name as recorded_by",
        "c.display_name as confirmed_by",
      ])
      .where("p.asset_id", "in", assetIds)
      .orderBy("p.asset_id")
      .orderBy("p.fee_year", "desc")
      .execute(),
    db
      .selectFrom("legal_status_events as e")
      .innerJoin("users as r", "r.id", "e.recorded_by")
      .select([
        "e.id",
        "e.asset_id",
        "e.event_type",
        "e.event_date",
        "e.notice_date",
        "e.note",
        "e.source",
        "r.display_name as recorded_by",
      ])
      .where("e.asset_id", "in", assetIds)
      .orderBy("e.asset_id")
      .orderBy("e.id", "desc")
      .execute(),
  ]);
  return {
    watch,
    payments: payments.map((p) => ({
      id: p.id,
      assetId: p.asset_id,
      feeYear: p.fee_year,
      paidDate: p.paid_date,
      amountFen: Number(p.amount_fen),
      receiptNumber: p.receipt_number,
      recordedBy: p.recorded_by,
      confirmedBy: p.confirmed_by,
      confirmedAt: p.confirmed_at,
    })),
    events: events.map((e) => ({
      id: e.id,
      assetId: e.asset_id,
      eventType: e.event_type,
      eventDate: e.event_date,
      noticeDate: e.notice_date,
      note: e.note,
      source: e.source,
      recordedBy: e.recorded_by,
    })),
  };
}

/**
 * The bank confirms a fee payment the firm recorded (it has seen the receipt). Only a bank
 * lending against the asset; a payment confirmed already is refused (two officers at once: the
 * update is conditional, so one of them is told).
 */
export async function confirmFeePayment(db: Db, actor: Actor, paymentId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const payment = await trx
      .selectFrom("collateral_fee_payments")
      .select(["id", "asset_id", "fee_year", "confirmed_by"])
      .where("id", "=", paymentId)
      .executeTakeFirst();
    const asset =
      payment && actor.role === "bank_officer"
        ? await mayRecord(trx, payment.asset_id, actor)
        : null;
    if (!payment || !asset) {
      throw new UserFacingError("collateral:refusals.paymentNotFound", {}, undefined, 404);
    }
    const done = await trx
      .updateTable("collateral_fee_payments")
      .set({ confirmed_by: actor.userId, confirmed_at: nowInstant() })
      .where("id", "=", paymentId)
      .where("confirmed_by", "is", null)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) {
      throw new UserFacingError("collateral:refusals.alreadyConfirmed", {}, undefined, 409);
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "collateral.fee_confirm",
      entityType: "ip_asset",
      entityId: payment.asset_id,
      detail: { paymentId, feeYear: payment.fee_year },
    });
  });
}

export type LegalEventImportResult =
  { ok: true; recorded: number; skipped: number } | { ok: false; problems: LegalEventProblem[] };

/**
 * Imports checked lines of a legal-status CSV (app/domain/servicing/legal-events.ts), all or
 * nothing: every number must name an asset the actor may record for (an admin any, a bank only
 * assets pledged to its loans), else nothing is written and the bad lines are returned. A line
 * identical to an event on record, or to an earlier line, is skipped. One transaction, an audit
 * row per event and one for the import.
 */
export async function importLegalEvents(
  db: Db,
  actor: Actor,
  input: {
    fileName: string;
    rows: readonly LegalEventRow[];
    /** "csv" for a file; a single event typed on the import page is the actor's own. */
    source?: "csv" | "bank" | "admin";
  },
): Promise<LegalEventImportResult> {
  if (actor.role !== "admin" && actor.role !== "bank_officer") {
    throw new UserFacingError("collateral:refusals.notFound", {}, undefined, 404);
  }
  return db.transaction().execute(async (trx) => {
    const numbers = [...new Set(input.rows.map((r) => normaliseAssetNumber(r.number)))];
    const found = new Map<string, { id: number; ip_type: string; status: string }[]>();
    for (let i = 0; i < numbers.length; i += 500) {
      let q = trx
        .selectFrom("ip_assets")
        .select(["ip_assets.id", "ip_assets.number", "ip_assets.ip_type", "ip_assets.status"])
        .where("ip_assets.number", "in", numbers.slice(i, i + 500));
      if (actor.role === "bank_officer") {
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom("application_assets")
              .innerJoin(
                "loan_accounts",
                "loan_accounts.application_id",
                "application_assets.application_id",
              )
              .select("loan_accounts.application_id")
              .whereRef("application_assets.asset_id", "=", "ip_assets.id")
              .where("loan_accounts.bank_org_id", "=", actor.orgId),
          ),
        );
      }
      for (const a of await q.execute()) {
        found.set(a.number, [...(found.get(a.number) ?? []), a]);
      }
    }
    const problems: LegalEventProblem[] = [];
    const resolved: (LegalEventRow & { asset: { id: number; ip_type: string; status: string } })[] =
      [];
    for (const r of input.rows) {
      const number = normaliseAssetNumber(r.number);
      const assets = found.get(number) ?? [];
      // A patent and a trademark never share a number format; two hits would be ambiguous.
      if (assets.length !== 1) {
        problems.push({ line: r.line, field: "number", code: "unknown_asset", value: r.number });
        continue;
      }
      if (r.eventType === "restoration" && assets[0].status === "invalidated") {
        problems.push({
          line: r.line,
          field: "eventType",
          code: "restore_invalidated",
          value: r.eventType,
        });
        continue;
      }
      resolved.push({ ...r, asset: assets[0] });
    }
    if (problems.length) return { ok: false as const, problems };
    const ids = [...new Set(resolved.map((r) => r.asset.id))];
    const existing = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await trx
        .selectFrom("legal_status_events")
        .select(["asset_id", "event_type", "event_date"])
        .where("asset_id", "in", ids.slice(i, i + 500))
        .execute();
      for (const e of rows) existing.add(`${e.asset_id}|${e.event_type}|${e.event_date}`);
    }
    let recorded = 0;
    let skipped = 0;
    for (const r of resolved) {
      const key = `${r.asset.id}|${r.eventType}|${r.eventDate}`;
      if (existing.has(key)) {
        skipped++;
        continue;
      }
      existing.add(key);
      await applyLegalEvent(trx, actor, {
        assetId: r.asset.id,
        ipType: r.asset.ip_type,
        eventType: r.eventType,
        eventDate: r.eventDate,
        noticeDate: r.noticeDate,
        note: r.note,
        source: input.source ?? "csv",
      });
      recorded++;
    }
    if ((input.source ?? "csv") !== "csv") return { ok: true as const, recorded, skipped };
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "collateral.legal_import",
      entityType: "legal_event_import",
      // The file has no row of its own: the import is named by its size and time in the detail.
      entityId: `${recorded}+${skipped}`,
      detail: { fileName: input.fileName.slice(0, 200), recorded, skipped },
    });
    return { ok: true as const, recorded, skipped };
  });
}
