import { z } from "zod";
import { IP_TYPES, type IpType } from "../ip";
import { NO_SUPPORT, type ApplicationRow, type ProductSupport, type RequestRow } from "./rows";
import { type PeriodBounds } from "./periods";
import {
  DURATION_KEYS,
  FUNNEL_STAGES,
  SUPPORT_KINDS,
  applicationDurationMs,
  applicationInStage,
  applicationStageAmountFen,
  isDisbursedIn,
  requestInStage,
  supportHas,
  type DurationKey,
  type FunnelStage,
  type SupportKind,
} from "./stages";
import { durationStats, ratioBp, weightedAverage, type DurationStats } from "./statistics";

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
export function groupFigures(rows: readonly ApplicationRow[], b: PeriodBounds): GroupFigures {
  const acc = Object.fromEntries(GROUP_STAGES.map((s) => [s, emptyCount()])) as Record<
    (typeof GROUP_STAGES)[number],
    CountAmount
  >;
  const rateItems: { weight: number; value: number }[] = [];
  for (const r of rows) {
    for (const s of GROUP_STAGES) {
      if (applicationInStage(r, s, b)) {
        acc[s].count += 1;
        acc[s].amountFen += applicationStageAmountFen(r, s);
      }
    }
    if (applicationInStage(r, "approved", b) && r.approvedRateBp !== null) {
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
  rows: readonly ApplicationRow[],
  keyOf: (r: ApplicationRow) => K,
  b: PeriodBounds,
): Map<K, GroupFigures> {
  const groups = new Map<K, ApplicationRow[]>();
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
  applications: readonly ApplicationRow[],
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
    for (const r of applications) {
      if (applicationInStage(r, stage, b)) {
        out.count += 1;
        out.amountFen += applicationStageAmountFen(r, stage);
      }
    }
    return out;
  });
}

export interface DurationFigure extends DurationStats {
  key: DurationKey;
}

export function computeDurations(
  applications: readonly ApplicationRow[],
  b: PeriodBounds,
): DurationFigure[] {
  return DURATION_KEYS.map((key) => {
    const values: number[] = [];
    for (const r of applications) {
      const ms = applicationDurationMs(r, key, b);
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
  applications: readonly ApplicationRow[],
  assets: readonly PledgedAssetRow[],
  b: PeriodBounds,
): IpTypeFigures[] {
  const approved = new Map<number, ApplicationRow>();
  for (const r of applications) if (applicationInStage(r, "approved", b)) approved.set(r.id, r);
  const applicationValue = new Map<number, number>();
  for (const a of assets) {
    if (!approved.has(a.applicationId)) continue;
    applicationValue.set(
      a.applicationId,
      (applicationValue.get(a.applicationId) ?? 0) + a.valueFen,
    );
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
    let valueOfApplications = 0;
    for (const r of approved.values()) {
      if (r.primaryIpType !== ipType) continue;
      f.approved.count += 1;
      f.approved.amountFen += r.approvedAmountFen ?? 0;
      valueOfApplications += applicationValue.get(r.id) ?? 0;
    }
    f.effectivePledgeRateBp = ratioBp(f.approved.amountFen, valueOfApplications);
    for (const r of applications) {
      if (r.primaryIpType === ipType && applicationInStage(r, "disbursed", b)) {
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

export function computeSupport(
  applications: readonly ApplicationRow[],
  b: PeriodBounds,
): SupportFigures {
  const disbursed = emptyCount();
  const kinds = SUPPORT_KINDS.map((kind) => ({ kind, ...emptyCount() }));
  const subsidy: { weight: number; value: number }[] = [];
  const risk: { weight: number; value: number }[] = [];
  for (const r of applications) {
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

/** The snapshot's support terms as the applications table keeps them (migration 017e). */
export function supportColumns(json: string): {
  support_government_bp: number;
  support_insurer_bp: number;
  support_guarantor_bp: number;
  support_subsidy_bp: number;
} {
  const s = snapshotSupport(json);
  return {
    support_government_bp: s.riskGovernmentBp,
    support_insurer_bp: s.riskInsurerBp,
    support_guarantor_bp: s.riskGuarantorBp,
    support_subsidy_bp: s.interestSubsidyBp,
  };
}
