import { z } from "zod";
import { CHINA_OFFSET_MS } from "./dates";
import { IP_TYPES, isIsoDate, type IpType } from "./ip";
import { message, type Message } from "./message";
import { REGIONS } from "./regions";
import type { ApplicationState } from "./workflow";

/**
 * Deal-flow analytics for the alliance review (联盟成员审阅) and the public report (发展报告).
 * Pure: the models read rows, these functions classify, count and describe them. Every figure on
 * the review page and every row of its drill-down go through the same predicate (`dealInStage`),
 * so a drill-down's exact total always equals the figure it came from.
 *
 * ## The period and the stages
 * A period is two China business days, both included. Each stage counts the applications whose
 * step falls inside the period, by the date of that step (an "activity" funnel, like a bank's
 * monthly statistics): the numbers of one period are not a cohort, so a loan approved in December
 * and disbursed in January counts as approved in one year and disbursed in the next. This is what
 * makes the disbursed figure of any period equal the ledger's entries with a value date in it.
 *
 * | stage       | counted when                                   | amount                         |
 * |-------------|------------------------------------------------|--------------------------------|
 * | requests    | financing request created in the period         | amount asked                   |
 * | matched     | … of those, the firm started ≥ 1 application    | amount asked                   |
 * |             | from it (a draft counts)                        |                                |
 * | submitted   | submitted_at in the period                     | amount applied for             |
 * | approved    | approved_at in the period (even if the bank     | approved amount                |
 * |             | later called the loan off)                      |                                |
 * | registered  | pledge_reg_date (CNIPA 质押登记 day) in period   | approved amount                |
 * | disbursed   | disbursed_date (= ledger value date) in period, | Σ ledger entries of the deal   |
 * |             | disbursement not reversed                       | (net of reversals)             |
 * | repaid      | state repaid, closed_date in the period         | Σ ledger entries of the deal   |
 * | defaulted   | state defaulted, closed_date in the period      | Σ ledger entries of the deal   |
 *
 * "Matched" is honest about what the platform keeps: matching is computed live against today's
 * products and not stored, so a request counts as matched when the firm acted on a match by
 * starting an application from it.
 *
 * ## Rates (all integer bp, rounded half up; null when the denominator is 0)
 * - approval rate = approved ÷ decided, where decided = approved + rejected at review (rejected
 *   without ever being approved), both by the day of the decision in the period;
 * - average approved rate = Σ(approved amount × approved rate) ÷ Σ approved amount (加权平均利率,
 *   weighted by amount, as the PBoC publishes loan rates);
 * - default rate = defaulted ÷ (repaid + defaulted) among loans closed in the period, by count and
 *   by amount. Outstanding loans are left out: they have not had the chance to default yet, and
 *   counting them would make a growing book look safer than it is;
 * - pledge rate by IP type: the product pledge rates (质押率上限, application_assets.pledge_rate_bp
 *   from the snapshot) of the assets pledged in the deals approved in the period, weighted by each
 *   asset's formal value; and the effective pledge rate (实际质押率) by the deal's primary IP type:
 *   Σ approved amount ÷ Σ formal value of the assets pledged.
 *
 * ## Durations
 * Time in a stage is measured from the workflow's instants (submitted_at → review_started_at →
 * approved_at → registered_at → disbursed_at → closed_at) for the deals whose later step falls in
 * the period. Median and p90 use the nearest-rank method: the p-th percentile of n sorted values is
 * the value at rank ⌈p/100 × n⌉ (1-based). It is always one of the observed values; for an even n
 * the median is the lower of the two middle values.
 *
 * Sums of money stay far below 2⁵³ fen (the 100亿元 target is 10¹² fen); amount × rate products are
 * summed as bigint.
 */

// ---------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------

export interface Period {
  /** First China business day, 'YYYY-MM-DD', included. */
  from: string;
  /** Last China business day, 'YYYY-MM-DD', included. */
  to: string;
}

export interface PeriodBounds extends Period {
  /** UTC instant 'YYYY-MM-DD HH:MM:SS.mmm' of 00:00 in China on `from` (included). */
  fromInstant: string;
  /** UTC instant of 00:00 in China on the day after `to` (excluded). */
  toInstantExclusive: string;
}

function utcMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function instant(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** The UTC instants that bound a period of China business days. */
export function periodBounds(p: Period): PeriodBounds {
  if (!isIsoDate(p.from) || !isIsoDate(p.to)) {
    throw new RangeError(`a period needs two dates 'YYYY-MM-DD', got ${p.from} … ${p.to}`);
  }
  return {
    ...p,
    fromInstant: instant(utcMidnight(p.from) - CHINA_OFFSET_MS),
    toInstantExclusive: instant(utcMidnight(p.to) + 86_400_000 - CHINA_OFFSET_MS),
  };
}

/** The default period: 1 January of this year to today. */
export function defaultPeriod(today: string): Period {
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

export function instantInPeriod(at: string | null, b: PeriodBounds): boolean {
  return at !== null && at >= b.fromInstant && at < b.toInstantExclusive;
}

export function dateInPeriod(day: string | null, b: PeriodBounds): boolean {
  return day !== null && day >= b.from && day <= b.to;
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

/** Risk sharing and 贴息 of the product as the firm applied (from the snapshot). */
export interface ProductSupport {
  riskGovernmentBp: number;
  riskInsurerBp: number;
  riskGuarantorBp: number;
  interestSubsidyBp: number;
}

export const NO_SUPPORT: ProductSupport = {
  riskGovernmentBp: 0,
  riskInsurerBp: 0,
  riskGuarantorBp: 0,
  interestSubsidyBp: 0,
};

/** One application, as the review reads it. Instants are UTC text, dates China days. */
export interface DealRow {
  id: number;
  state: ApplicationState;
  firmOrgId: number;
  bankOrgId: number;
  regionCode: string;
  industrySection: string | null;
  primaryIpType: IpType | null;
  amountFen: number;
  approvedAmountFen: number | null;
  approvedRateBp: number | null;
  submittedAt: string | null;
  reviewStartedAt: string | null;
  approvedAt: string | null;
  registeredAt: string | null;
  pledgeRegDate: string | null;
  disbursedAt: string | null;
  disbursedDate: string | null;
  closedAt: string | null;
  closedDate: string | null;
  /** Σ of the deal's ledger entries (its disbursement and any reversal); 0 without an entry. */
  ledgerNetFen: number;
  support: ProductSupport;
}

/** One financing request, with whether any application was started from it. */
export interface RequestRow {
  id: number;
  firmOrgId: number;
  amountFen: number;
  createdAt: string;
  applied: boolean;
}

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
export type DealFunnelStage = Exclude<FunnelStage, RequestStage>;

export const DURATION_SPANS = [
  { key: "toReview", from: "submittedAt", to: "reviewStartedAt" },
  { key: "review", from: "reviewStartedAt", to: "approvedAt" },
  { key: "toRegistration", from: "approvedAt", to: "registeredAt" },
  { key: "toDisbursement", from: "registeredAt", to: "disbursedAt" },
  { key: "submitToDisbursement", from: "submittedAt", to: "disbursedAt" },
  { key: "loanLife", from: "disbursedAt", to: "closedAt" },
] as const satisfies readonly { key: string; from: keyof DealRow; to: keyof DealRow }[];
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

function supportHas(s: ProductSupport, kind: SupportKind): boolean {
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

function isDisbursedIn(r: DealRow, b: PeriodBounds): boolean {
  return dateInPeriod(r.disbursedDate, b) && r.ledgerNetFen > 0;
}

function isRejectedAtReview(r: DealRow, b: PeriodBounds): boolean {
  return r.state === "rejected" && r.approvedAt === null && instantInPeriod(r.closedAt, b);
}

/** Whether a deal belongs to the set of deals behind a figure (see the table in the header). */
export function dealInStage(r: DealRow, stage: DrillStage, b: PeriodBounds): boolean {
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
export function dealStageAmountFen(r: DealRow, stage: DrillStage): number {
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
export function dealDurationMs(r: DealRow, key: DurationKey, b: PeriodBounds): number | null {
  const span = durationSpan(key);
  const from = r[span.from];
  const to = r[span.to];
  if (from === null || to === null || !instantInPeriod(to, b)) return null;
  return Math.max(
    0,
    Date.parse(to.replace(" ", "T") + "Z") - Date.parse(from.replace(" ", "T") + "Z"),
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

/**
 * Nearest-rank percentile of values sorted ascending: the value at rank ⌈p/100 × n⌉ (1-based),
 * the smallest for p = 0. Null for no values.
 */
export function percentileNearestRank(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0–100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  // (p × n) ÷ 100 rather than p/100 × n: 0.9 × 10 is 9.000000000000002 in floating point.
  const rank = Math.max(1, Math.ceil((p * n) / 100));
  return sorted[Math.min(n, rank) - 1];
}

export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** A duration for people (alliance:durations): minutes under an hour, hours under two days, else days. */
export function describeDuration(ms: number | null): Message {
  if (ms === null) return message("alliance:durations.none");
  const minutes = ms / 60_000;
  if (minutes < 60) return message("alliance:durations.minutes", { value: Math.round(minutes) });
  const hours = minutes / 60;
  if (hours < 48) return message("alliance:durations.hours", { value: hours.toFixed(1) });
  return message("alliance:durations.days", { value: (hours / 24).toFixed(1) });
}

export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianMs: percentileNearestRank(sorted, 50),
    p90Ms: percentileNearestRank(sorted, 90),
  };
}

/** a ÷ b in bp (10000 = 100%), rounded half up; null when b is 0. */
export function ratioBp(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const n = BigInt(Math.round(numerator)) * 10_000n;
  const d = BigInt(Math.round(denominator));
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (ad * 2n);
  return Number(neg ? -q : q);
}

/** Σ(weight × value) ÷ Σ weight, rounded half up to an integer; null when Σ weight is 0. */
export function weightedAverage(
  items: readonly { weight: number; value: number }[],
): number | null {
  let num = 0n;
  let den = 0n;
  for (const it of items) {
    if (it.weight <= 0) continue;
    num += BigInt(Math.round(it.weight)) * BigInt(Math.round(it.value));
    den += BigInt(Math.round(it.weight));
  }
  if (den === 0n) return null;
  return Number((num * 2n + den) / (den * 2n));
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

export interface CountAmount {
  count: number;
  amountFen: number;
}

export interface GroupFigures {
  submitted: CountAmount;
  approved: CountAmount;
  registered: CountAmount;
  disbursed: CountAmount;
  repaid: CountAmount;
  defaulted: CountAmount;
  rejected: CountAmount;
  decided: CountAmount;
  approvalRateBp: number | null;
  /** Amount-weighted average of the approved annual rates, bp. */
  avgApprovedRateBp: number | null;
  defaultRateBp: number | null;
  defaultRateByAmountBp: number | null;
}

const GROUP_STAGES = [
  "submitted",
  "approved",
  "registered",
  "disbursed",
  "repaid",
  "defaulted",
  "rejected",
  "decided",
] as const;

function emptyCount(): CountAmount {
  return { count: 0, amountFen: 0 };
}

/** The figures of one set of deals (a bank, a 盟市, everything). */
export function groupFigures(rows: readonly DealRow[], b: PeriodBounds): GroupFigures {
  const acc = Object.fromEntries(GROUP_STAGES.map((s) => [s, emptyCount()])) as Record<
    (typeof GROUP_STAGES)[number],
    CountAmount
  >;
  const rateItems: { weight: number; value: number }[] = [];
  for (const r of rows) {
    for (const s of GROUP_STAGES) {
      if (dealInStage(r, s, b)) {
        acc[s].count += 1;
        acc[s].amountFen += dealStageAmountFen(r, s);
      }
    }
    if (dealInStage(r, "approved", b) && r.approvedRateBp !== null) {
      rateItems.push({ weight: r.approvedAmountFen ?? 0, value: r.approvedRateBp });
    }
  }
  return {
    ...acc,
    approvalRateBp: ratioBp(acc.approved.count, acc.decided.count),
    avgApprovedRateBp: weightedAverage(rateItems),
    defaultRateBp: ratioBp(acc.defaulted.count, acc.repaid.count + acc.defaulted.count),
    defaultRateByAmountBp: ratioBp(
      acc.defaulted.amountFen,
      acc.repaid.amountFen + acc.defaulted.amountFen,
    ),
  };
}

/** Deals grouped by `keyOf`, each group's figures; groups in first-seen order. */
export function figuresBy<K>(
  rows: readonly DealRow[],
  keyOf: (r: DealRow) => K,
  b: PeriodBounds,
): Map<K, GroupFigures> {
  const groups = new Map<K, DealRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return new Map([...groups].map(([k, list]) => [k, groupFigures(list, b)]));
}

export interface FunnelStep extends CountAmount {
  stage: FunnelStage;
  /** False for the request stages when a bank filter is set: a request has no bank. */
  applicable: boolean;
}

export function computeFunnel(
  deals: readonly DealRow[],
  requests: readonly RequestRow[],
  b: PeriodBounds,
  opts: { requestsApplicable: boolean } = { requestsApplicable: true },
): FunnelStep[] {
  return FUNNEL_STAGES.map((stage) => {
    const out: FunnelStep = { stage, count: 0, amountFen: 0, applicable: true };
    if (stage === "requests" || stage === "matched") {
      out.applicable = stage === "matched" || opts.requestsApplicable;
      if (!out.applicable) return out;
      for (const r of requests) {
        if (requestInStage(r, stage, b)) {
          out.count += 1;
          out.amountFen += r.amountFen;
        }
      }
      return out;
    }
    for (const r of deals) {
      if (dealInStage(r, stage, b)) {
        out.count += 1;
        out.amountFen += dealStageAmountFen(r, stage);
      }
    }
    return out;
  });
}

export interface DurationFigure extends DurationStats {
  key: DurationKey;
}

export function computeDurations(deals: readonly DealRow[], b: PeriodBounds): DurationFigure[] {
  return DURATION_KEYS.map((key) => {
    const values: number[] = [];
    for (const r of deals) {
      const ms = dealDurationMs(r, key, b);
      if (ms !== null) values.push(ms);
    }
    return { key, ...durationStats(values) };
  });
}

// ---- pledge rates by IP type ----

export interface PledgedAssetRow {
  applicationId: number;
  ipType: IpType;
  valueFen: number;
  pledgeRateBp: number;
}

export interface IpTypeFigures {
  ipType: IpType;
  /** Deals approved in the period with this primary IP type. */
  approved: CountAmount;
  disbursed: CountAmount;
  /** Assets of this type pledged in the deals approved in the period. */
  pledgedAssets: number;
  pledgedValueFen: number;
  /** Value-weighted average of the product pledge rates (质押率上限) of those assets. */
  avgPledgeRateCapBp: number | null;
  /** Σ approved amount ÷ Σ formal value pledged, over the deals of this primary type. */
  effectivePledgeRateBp: number | null;
}

export function computeIpTypeFigures(
  deals: readonly DealRow[],
  assets: readonly PledgedAssetRow[],
  b: PeriodBounds,
): IpTypeFigures[] {
  const approved = new Map<number, DealRow>();
  for (const r of deals) if (dealInStage(r, "approved", b)) approved.set(r.id, r);
  const dealValue = new Map<number, number>();
  for (const a of assets) {
    if (!approved.has(a.applicationId)) continue;
    dealValue.set(a.applicationId, (dealValue.get(a.applicationId) ?? 0) + a.valueFen);
  }
  return IP_TYPES.map((ipType) => {
    const f: IpTypeFigures = {
      ipType,
      approved: emptyCount(),
      disbursed: emptyCount(),
      pledgedAssets: 0,
      pledgedValueFen: 0,
      avgPledgeRateCapBp: null,
      effectivePledgeRateBp: null,
    };
    const capItems: { weight: number; value: number }[] = [];
    for (const a of assets) {
      if (a.ipType !== ipType || !approved.has(a.applicationId)) continue;
      f.pledgedAssets += 1;
      f.pledgedValueFen += a.valueFen;
      capItems.push({ weight: a.valueFen, value: a.pledgeRateBp });
    }
    f.avgPledgeRateCapBp = weightedAverage(capItems);
    let valueOfDeals = 0;
    for (const r of approved.values()) {
      if (r.primaryIpType !== ipType) continue;
      f.approved.count += 1;
      f.approved.amountFen += r.approvedAmountFen ?? 0;
      valueOfDeals += dealValue.get(r.id) ?? 0;
    }
    f.effectivePledgeRateBp = ratioBp(f.approved.amountFen, valueOfDeals);
    for (const r of deals) {
      if (r.primaryIpType === ipType && dealInStage(r, "disbursed", b)) {
        f.disbursed.count += 1;
        f.disbursed.amountFen += r.ledgerNetFen;
      }
    }
    return f;
  });
}

// ---- risk sharing and 贴息 ----

export interface SupportFigure extends CountAmount {
  kind: SupportKind;
  /** Share of the period's disbursed amount, bp. */
  shareOfDisbursedBp: number | null;
}

export interface SupportFigures {
  disbursed: CountAmount;
  kinds: SupportFigure[];
  /** Amount-weighted average share of the interest refunded, over subsidised loans, bp. */
  avgInterestSubsidyBp: number | null;
  /** Amount-weighted average share of the risk carried by others, over risk-shared loans, bp. */
  avgRiskSharedBp: number | null;
}

export function computeSupport(deals: readonly DealRow[], b: PeriodBounds): SupportFigures {
  const disbursed = emptyCount();
  const kinds = SUPPORT_KINDS.map((kind) => ({ kind, ...emptyCount() }));
  const subsidy: { weight: number; value: number }[] = [];
  const risk: { weight: number; value: number }[] = [];
  for (const r of deals) {
    if (!isDisbursedIn(r, b)) continue;
    disbursed.count += 1;
    disbursed.amountFen += r.ledgerNetFen;
    for (const k of kinds) {
      if (supportHas(r.support, k.kind)) {
        k.count += 1;
        k.amountFen += r.ledgerNetFen;
      }
    }
    const s = r.support;
    if (s.interestSubsidyBp > 0)
      subsidy.push({ weight: r.ledgerNetFen, value: s.interestSubsidyBp });
    const shared = s.riskGovernmentBp + s.riskInsurerBp + s.riskGuarantorBp;
    if (shared > 0) risk.push({ weight: r.ledgerNetFen, value: shared });
  }
  return {
    disbursed,
    kinds: kinds.map((k) => ({
      ...k,
      shareOfDisbursedBp: ratioBp(k.amountFen, disbursed.amountFen),
    })),
    avgInterestSubsidyBp: weightedAverage(subsidy),
    avgRiskSharedBp: weightedAverage(risk),
  };
}

// ---- the product snapshot's support terms ----

const bp = z.number().int().min(0).max(10_000).catch(0);
const supportSchema = z
  .object({
    riskShare: z
      .object({ governmentBp: bp, insurerBp: bp, guarantorBp: bp })
      .partial()
      .nullish()
      .catch(null),
    interestSubsidyBp: bp.optional(),
  })
  .passthrough();

/**
 * Risk sharing and 贴息 from applications.product_snapshot_json: the products model writes
 * `{ productId, …, terms: LoanProductTerms }` (terms.riskShare.{governmentBp, insurerBp,
 * guarantorBp}, terms.interestSubsidyBp); a bare terms object is read the same way. A snapshot
 * without these terms (or unreadable) counts as no support, never as an error: it is a statistic.
 */
export function snapshotSupport(json: string | null): ProductSupport {
  if (!json) return NO_SUPPORT;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return NO_SUPPORT;
  }
  const terms =
    raw && typeof raw === "object" && "terms" in raw && raw.terms && typeof raw.terms === "object"
      ? raw.terms
      : raw;
  const parsed = supportSchema.safeParse(terms);
  if (!parsed.success) return NO_SUPPORT;
  const rs = parsed.data.riskShare ?? {};
  return {
    riskGovernmentBp: rs.governmentBp ?? 0,
    riskInsurerBp: rs.insurerBp ?? 0,
    riskGuarantorBp: rs.guarantorBp ?? 0,
    interestSubsidyBp: parsed.data.interestSubsidyBp ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Pseudonyms
// ---------------------------------------------------------------------------------------------

/**
 * A firm's pseudonym code, given its organisation id. Keyed hashing needs a server secret and
 * node:crypto, so the server supplies it (app/utils/pseudonym.server.ts pseudonymCode) and this
 * module stays pure.
 */
export type PseudonymCoder = (firmOrgId: number) => string;

/** How a firm that has not consented is shown: "企业#3F2A" (alliance:pseudonym). */
export function firmPseudonym(firmOrgId: number, codeOf: PseudonymCoder): Message {
  return message("alliance:pseudonym", { code: codeOf(firmOrgId) });
}

/** The firm's name where it consented to show it to the alliance, else its pseudonym. */
export function firmDisplayName(
  firm: { id: number; name: string; consentShowName: boolean },
  codeOf: PseudonymCoder,
): { named: true; name: string } | { named: false; pseudonym: Message } {
  return firm.consentShowName
    ? { named: true, name: firm.name }
    : { named: false, pseudonym: firmPseudonym(firm.id, codeOf) };
}

// ---------------------------------------------------------------------------------------------
// The report's commentary
// ---------------------------------------------------------------------------------------------

export interface RegionAmount {
  code: string;
  amountFen: number;
  count: number;
}

export interface CommentaryInput {
  asOfDate: string;
  financedFen: number;
  targetFen: number;
  deadline: string;
  deadlinePassed: boolean;
  progressBp: number;
  remainingFen: number;
  monthsLeft: number;
  neededPerMonthFen: number | null;
  /** Trailing six-month average per month (app/domain/progress.ts). */
  paceFen: number;
  /** Projected month to reach the target at that pace, if any. */
  projectedMonth: string | null;
  reachedMonth: string | null;
  regions: readonly RegionAmount[];
  firmsFinanced: number;
  specialisedFirms: number;
  highTechFirms: number;
}

/** 盟市 by amount, largest first (ties: by code, so the text never flickers). */
export function rankRegions(regions: readonly RegionAmount[]): RegionAmount[] {
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const all = REGIONS.map((r) => byCode.get(r.code) ?? { code: r.code, amountFen: 0, count: 0 });
  return all.sort((a, b) => b.amountFen - a.amountFen || (a.code < b.code ? -1 : 1));
}

/**
 * A short commentary on the report's figures, one message per paragraph (alliance:commentary):
 * the total against the target, the leading and lagging 盟市, the pace needed per month, and the
 * share of 专精特新 and 高新 firms among the firms financed. A pure function of the aggregates: the
 * same figures always give the same words.
 */
export function reportCommentary(c: CommentaryInput): Message[] {
  const key = (k: string) => `alliance:commentary.${k}`;
  const out: Message[] = [
    message(key("total"), {
      asOfDate: c.asOfDate,
      financedFen: c.financedFen,
      targetFen: c.targetFen,
      progressBp: c.progressBp,
      count: c.firmsFinanced,
    }),
  ];

  const ranked = rankRegions(c.regions);
  const withLoans = ranked.filter((r) => r.amountFen > 0);
  const total = withLoans.reduce((s, r) => s + r.amountFen, 0);
  const codes = (rs: readonly RegionAmount[]) => rs.map((r) => r.code);
  if (withLoans.length === 0) {
    out.push(message(key("noRegions")));
  } else {
    const leaders = withLoans.slice(0, Math.min(3, withLoans.length));
    out.push(
      message(key("leaders"), {
        regions: codes(leaders),
        count: leaders.length,
        leadShareBp: ratioBp(
          leaders.reduce((s, r) => s + r.amountFen, 0),
          total,
        ),
        region: leaders[0].code,
        leaderAmountFen: leaders[0].amountFen,
      }),
    );
    const none = ranked.filter((r) => r.amountFen <= 0);
    if (none.length > 0) {
      out.push(message(key("withoutLoans"), { regions: codes(none), count: none.length }));
    } else {
      // Every 盟市 has loans (all twelve, three of them leading): name the two smallest.
      const [second, last] = withLoans.slice(-2);
      if (withLoans.length >= leaders.length + 2) {
        out.push(
          message(key("laggards"), {
            region: last.code,
            amountFen: last.amountFen,
            otherRegion: second.code,
            otherAmountFen: second.amountFen,
          }),
        );
      }
    }
  }

  if (c.remainingFen <= 0) {
    out.push(
      c.reachedMonth
        ? message(key("reached.inMonth"), { targetFen: c.targetFen, month: c.reachedMonth })
        : message(key("reached.plain"), { targetFen: c.targetFen }),
    );
  } else if (c.deadlinePassed) {
    out.push(
      message(key("deadlinePassed"), { deadline: c.deadline, remainingFen: c.remainingFen }),
    );
  } else {
    const pace =
      c.paceFen <= 0
        ? "stalled"
        : c.projectedMonth === null
          ? "steady"
          : c.projectedMonth <= c.deadline.slice(0, 7)
            ? "onTrack"
            : "late";
    out.push(
      message(key(`pace.${pace}`), {
        deadline: c.deadline,
        count: c.monthsLeft,
        remainingFen: c.remainingFen,
        needFen: c.neededPerMonthFen ?? c.remainingFen,
        paceFen: c.paceFen,
        projectedMonth: c.projectedMonth ?? "",
      }),
    );
  }

  if (c.firmsFinanced > 0) {
    out.push(
      message(key("firmMix"), {
        specialisedFirms: c.specialisedFirms,
        specialisedShareBp: ratioBp(c.specialisedFirms, c.firmsFinanced),
        highTechFirms: c.highTechFirms,
        highTechShareBp: ratioBp(c.highTechFirms, c.firmsFinanced),
      }),
    );
  }
  return out;
}
