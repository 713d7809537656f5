import { type ApplicationRow, type ProductSupport, type RequestRow } from "./rows";
import { dateInPeriod, instantInPeriod, type PeriodBounds } from "./periods";

// ---------------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------------

export const FUNNEL_STAGES = [
  "requests",
  "matched",
  "submitted",
  "approved",
  "registered",
  "disbursed",
  "repaid",
  "defaulted",
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
export const REQUEST_STAGES = ["requests", "matched"] as const;
export type RequestStage = (typeof REQUEST_STAGES)[number];
export type ApplicationFunnelStage = Exclude<FunnelStage, RequestStage>;

export const DURATION_SPANS = [
  { key: "toReview", from: "submittedAt", to: "reviewStartedAt" },
  { key: "review", from: "reviewStartedAt", to: "approvedAt" },
  { key: "toRegistration", from: "approvedAt", to: "registeredAt" },
  { key: "toDisbursement", from: "registeredAt", to: "disbursedAt" },
  { key: "submitToDisbursement", from: "submittedAt", to: "disbursedAt" },
  { key: "loanLife", from: "disbursedAt", to: "closedAt" },
] as const satisfies readonly {
  key: string;
  from: keyof ApplicationRow;
  to: keyof ApplicationRow;
}[];
export type DurationKey = (typeof DURATION_SPANS)[number]["key"];
export const DURATION_KEYS: readonly DurationKey[] = DURATION_SPANS.map((s) => s.key);

export const SUPPORT_KINDS = [
  "riskShared",
  "riskGovernment",
  "riskInsurer",
  "riskGuarantor",
  "subsidised",
] as const;
export type SupportKind = (typeof SUPPORT_KINDS)[number];

/** Every set of deals a figure on the review page can stand for. */
export const DRILL_STAGES = [
  ...FUNNEL_STAGES,
  "decided",
  "rejected",
  ...DURATION_KEYS,
  ...SUPPORT_KINDS,
] as const;
export type DrillStage = FunnelStage | "decided" | "rejected" | DurationKey | SupportKind;

export function isDrillStage(v: unknown): v is DrillStage {
  return typeof v === "string" && (DRILL_STAGES as readonly string[]).includes(v);
}

export function isRequestStage(s: DrillStage): s is RequestStage {
  return s === "requests" || s === "matched";
}

function durationSpan(key: DurationKey) {
  return DURATION_SPANS.find((s) => s.key === key)!;
}

export function supportHas(s: ProductSupport, kind: SupportKind): boolean {
  switch (kind) {
    case "riskShared":
      return s.riskGovernmentBp + s.riskInsurerBp + s.riskGuarantorBp > 0;
    case "riskGovernment":
      return s.riskGovernmentBp > 0;
    case "riskInsurer":
      return s.riskInsurerBp > 0;
    case "riskGuarantor":
      return s.riskGuarantorBp > 0;
    case "subsidised":
      return s.interestSubsidyBp > 0;
  }
}

export function isDisbursedIn(r: ApplicationRow, b: PeriodBounds): boolean {
  return dateInPeriod(r.disbursedDate, b) && r.ledgerNetFen > 0;
}

function isRejectedAtReview(r: ApplicationRow, b: PeriodBounds): boolean {
  return r.state === "rejected" && r.approvedAt === null && instantInPeriod(r.closedAt, b);
}

/** Whether a deal belongs to the set of deals behind a figure (see the table in the header). */
export function applicationInStage(r: ApplicationRow, stage: DrillStage, b: PeriodBounds): boolean {
  switch (stage) {
    case "requests":
    case "matched":
      return false;
    case "submitted":
      return instantInPeriod(r.submittedAt, b);
    case "approved":
      return instantInPeriod(r.approvedAt, b);
    case "registered":
      return dateInPeriod(r.pledgeRegDate, b);
    case "disbursed":
      return isDisbursedIn(r, b);
    case "repaid":
      return r.state === "repaid" && dateInPeriod(r.closedDate, b);
    case "defaulted":
      return r.state === "defaulted" && dateInPeriod(r.closedDate, b);
    case "rejected":
      return isRejectedAtReview(r, b);
    case "decided":
      return instantInPeriod(r.approvedAt, b) || isRejectedAtReview(r, b);
    case "riskShared":
    case "riskGovernment":
    case "riskInsurer":
    case "riskGuarantor":
    case "subsidised":
      return isDisbursedIn(r, b) && supportHas(r.support, stage);
    default: {
      const span = durationSpan(stage);
      return r[span.from] !== null && instantInPeriod(r[span.to], b);
    }
  }
}

/** The amount a deal adds to a stage's figure. */
export function applicationStageAmountFen(r: ApplicationRow, stage: DrillStage): number {
  switch (stage) {
    case "submitted":
    case "rejected":
      return r.amountFen;
    case "approved":
    case "registered":
      return r.approvedAmountFen ?? 0;
    case "decided":
      return r.approvedAt !== null ? (r.approvedAmountFen ?? 0) : r.amountFen;
    case "disbursed":
    case "repaid":
    case "defaulted":
    case "riskShared":
    case "riskGovernment":
    case "riskInsurer":
    case "riskGuarantor":
    case "subsidised":
      return r.ledgerNetFen;
    default:
      return r.approvedAmountFen ?? r.amountFen;
  }
}

export function requestInStage(r: RequestRow, stage: RequestStage, b: PeriodBounds): boolean {
  if (!instantInPeriod(r.createdAt, b)) return false;
  return stage === "requests" || r.applied;
}

/** Milliseconds a deal spent in a span, or null when it was not measured in the period. */
export function applicationDurationMs(
  r: ApplicationRow,
  key: DurationKey,
  b: PeriodBounds,
): number | null {
  const span = durationSpan(key);
  const from = r[span.from];
  const to = r[span.to];
  if (from === null || to === null || !instantInPeriod(to, b)) return null;
  return Math.max(
    0,
    Date.parse(to.replace(" ", "T") + "Z") - Date.parse(from.replace(" ", "T") + "Z"),
  );
}
