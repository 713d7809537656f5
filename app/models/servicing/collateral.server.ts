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

export interface PledgedAssetWatch {
  applicationId: number;
  assetId: number;
  number: string;
  title: string;
  ipType: string;
  status: string;
  valueFen: number;
  fee: FeeState;
  counts: boolean;
  appraisalValidUntil: string | null;
  appraisalExpiring: boolean;
}

export interface LoanWatch {
  applicationId: number;
  firmName: string;
  outstandingFen: number;
  coverageBp: number | null;
  minCoverageBp: number;
  daysPastDue: number;
  riskClass: string;
  assets: PledgedAssetWatch[];
  flags: ("coverage" | "fee_due" | "grace" | "lapsed" | "appraisal" | "overdue")[];
}

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

/** Loans on the watch list of a bank or a firm, with every pledged asset's state. */
export async function watchList(
  db: Executor,
  scope: WatchScope,
  today: string = todayInChina(),
  /** Only this loan (its page's collateral section). */
  applicationId?: number,
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
      "loan_products.min_coverage_bp",
      "firm.name as firm_name",
    ])
    .where("loan_accounts.status", "=", "open");
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
): Promise<{ number: string; ip_type: string; filing_date: string | null } | null> {
  const asset = await db
    .selectFrom("ip_assets")
    .select(["id", "firm_org_id", "number", "ip_type", "filing_date"])
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
    throw new UserFacingError("servicing:refusals.inFuture", { date: today }, "paidDate");
  }
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
    throw new UserFacingError("servicing:refusals.notPositive", {}, "amount");
  }
  const receipt = input.receiptNumber.trim();
  if (receipt.length < 2)
    throw new UserFacingError("servicing:refusals.reasonRequired", {}, "receiptNumber");
  await db.transaction().execute(async (trx) => {
    const asset = await mayRecord(trx, input.assetId, actor);
    if (!asset) throw new UserFacingError("servicing:refusals.notYourAsset", {}, undefined, 404);
    if (
      !Number.isInteger(input.feeYear) ||
      input.feeYear < (asset.ip_type === "trademark" ? 1 : 2) ||
      input.feeYear > 30
    ) {
      throw new UserFacingError("servicing:refusals.feeYear", {}, "feeYear");
    }
    if (asset.ip_type !== "trademark" && asset.filing_date) {
      const deadline = patentFeeDeadline(asset.filing_date, input.feeYear);
      if (lateMonth(deadline, input.paidDate) === null) {
        throw new UserFacingError("servicing:refusals.feeTooLate", {}, "paidDate");
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
        throw new UserFacingError("servicing:refusals.duplicate", {}, "feeYear");
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
    throw new UserFacingError("servicing:refusals.inFuture", { date: today }, "eventDate");
  }
  await db.transaction().execute(async (trx) => {
    const asset = await mayRecord(trx, input.assetId, actor);
    if (!asset) throw new UserFacingError("servicing:refusals.notYourAsset", {}, undefined, 404);
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
          status: asset.ip_type === "trademark" ? next.trademark : next.patent,
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
  });
}
