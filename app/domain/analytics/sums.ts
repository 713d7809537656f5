import { IP_TYPES, type IpType } from "../ip";
import { COHORT_STAGES, type CohortStep } from "./cohort";
import type { CountAmount, GroupFigures, IpTypeFigures, SupportFigures } from "./figures";
import type { ProductSupport } from "./rows";
import { SUPPORT_KINDS, supportHas } from "./stages";
import { ratioBp } from "./statistics";

/**
 * The review's figures from sums the database computed (issue 15: at scale the review no longer
 * reads every deal into memory). Each function turns per-group sums into exactly what the
 * row-by-row functions (groupFigures, computeCohortFunnel, computeIpTypeFigures, computeSupport)
 * return for the same deals; tests/integration/alliance-aggregates.test.ts checks both on both
 * databases. Weighted sums (amount × rate) arrive as bigint: they pass 2⁵³ at scale.
 */

export const GROUP_SUM_STAGES = [
  "submitted",
  "approved",
  "registered",
  "disbursed",
  "repaid",
  "defaulted",
  "rejected",
  "decided",
] as const;
export type GroupSumStage = (typeof GROUP_SUM_STAGES)[number];

export interface GroupSums {
  stages: Record<GroupSumStage, CountAmount>;
  /** Σ approved amount × approved rate and Σ approved amount, over approved deals with a rate. */
  rateWeightedSum: bigint;
  rateWeight: bigint;
}

export function emptyGroupSums(): GroupSums {
  return {
    stages: Object.fromEntries(
      GROUP_SUM_STAGES.map((s) => [s, { count: 0, amountFen: 0 }]),
    ) as GroupSums["stages"],
    rateWeightedSum: 0n,
    rateWeight: 0n,
  };
}

/** Adds `b` into `a` (figures of a union of groups). */
export function addGroupSums(a: GroupSums, b: GroupSums): GroupSums {
  for (const s of GROUP_SUM_STAGES) {
    a.stages[s].count += b.stages[s].count;
    a.stages[s].amountFen += b.stages[s].amountFen;
  }
  a.rateWeightedSum += b.rateWeightedSum;
  a.rateWeight += b.rateWeight;
  return a;
}

/** Σ(weight × value) ÷ Σ weight rounded half up, as weightedAverage; null when Σ weight is 0. */
export function averageFromSums(weightedSum: bigint, weight: bigint): number | null {
  if (weight === 0n) return null;
  return Number((weightedSum * 2n + weight) / (weight * 2n));
}

export function figuresFromSums(s: GroupSums): GroupFigures {
  const st = s.stages;
  const copy = (c: CountAmount): CountAmount => ({ count: c.count, amountFen: c.amountFen });
  return {
    submitted: copy(st.submitted),
    approved: copy(st.approved),
    registered: copy(st.registered),
    disbursed: copy(st.disbursed),
    repaid: copy(st.repaid),
    defaulted: copy(st.defaulted),
    rejected: copy(st.rejected),
    decided: copy(st.decided),
    approvalRateBp: ratioBp(st.approved.count, st.decided.count),
    avgApprovedRateBp: averageFromSums(s.rateWeightedSum, s.rateWeight),
    defaultRateBp: ratioBp(st.defaulted.count, st.repaid.count + st.defaulted.count),
    defaultRateByAmountBp: ratioBp(
      st.defaulted.amountFen,
      st.repaid.amountFen + st.defaulted.amountFen,
    ),
  };
}

/**
 * The cohort funnel from the number (and asked amount) of the period's requests by the furthest
 * stage any of their applications reached (0 = no application … 4 = disbursed).
 */
export function cohortFromReach(byReach: ReadonlyMap<number, CountAmount>): CohortStep[] {
  const steps: CohortStep[] = COHORT_STAGES.map((stage, i) => {
    let count = 0;
    let amountFen = 0;
    for (const [far, c] of byReach) {
      if (far >= i) {
        count += c.count;
        amountFen += c.amountFen;
      }
    }
    return { stage, count, amountFen, ofPreviousBp: null };
  });
  for (let i = 1; i < steps.length; i++) {
    steps[i].ofPreviousBp = ratioBp(steps[i].count, steps[i - 1].count);
  }
  return steps;
}

/** Deals disbursed in the period sharing one product snapshot: their support and Σ net amount. */
export interface SupportGroup extends CountAmount {
  support: ProductSupport;
}

export function supportFromGroups(groups: readonly SupportGroup[]): SupportFigures {
  const disbursed = { count: 0, amountFen: 0 };
  const kinds = SUPPORT_KINDS.map((kind) => ({ kind, count: 0, amountFen: 0 }));
  let subsidyNum = 0n;
  let subsidyDen = 0n;
  let riskNum = 0n;
  let riskDen = 0n;
  for (const g of groups) {
    disbursed.count += g.count;
    disbursed.amountFen += g.amountFen;
    for (const k of kinds) {
      if (supportHas(g.support, k.kind)) {
        k.count += g.count;
        k.amountFen += g.amountFen;
      }
    }
    const s = g.support;
    const fen = BigInt(g.amountFen);
    if (s.interestSubsidyBp > 0) {
      subsidyNum += fen * BigInt(s.interestSubsidyBp);
      subsidyDen += fen;
    }
    const shared = s.riskGovernmentBp + s.riskInsurerBp + s.riskGuarantorBp;
    if (shared > 0) {
      riskNum += fen * BigInt(shared);
      riskDen += fen;
    }
  }
  return {
    disbursed,
    kinds: kinds.map((k) => ({
      ...k,
      shareOfDisbursedBp: ratioBp(k.amountFen, disbursed.amountFen),
    })),
    avgInterestSubsidyBp: averageFromSums(subsidyNum, subsidyDen),
    avgRiskSharedBp: averageFromSums(riskNum, riskDen),
  };
}

/** Per primary IP type: the deals approved and disbursed in the period. */
export interface IpTypeDealSums {
  approved: CountAmount;
  disbursed: CountAmount;
  /** Σ formal value of the assets pledged in this type's approved deals (any asset type). */
  pledgedValueOfDealsFen: number;
}

/** Per asset IP type: the assets pledged in the deals approved in the period. */
export interface IpTypeAssetSums {
  count: number;
  valueFen: number;
  /** Σ value × pledge rate and Σ value over the assets with a positive value. */
  capWeightedSum: bigint;
  capWeight: bigint;
}

export function ipTypeFiguresFromSums(
  deals: ReadonlyMap<IpType, IpTypeDealSums>,
  assets: ReadonlyMap<IpType, IpTypeAssetSums>,
): IpTypeFigures[] {
  return IP_TYPES.map((ipType) => {
    const d = deals.get(ipType);
    const a = assets.get(ipType);
    const approved = { count: d?.approved.count ?? 0, amountFen: d?.approved.amountFen ?? 0 };
    return {
      ipType,
      approved,
      disbursed: { count: d?.disbursed.count ?? 0, amountFen: d?.disbursed.amountFen ?? 0 },
      pledgedAssets: a?.count ?? 0,
      pledgedValueFen: a?.valueFen ?? 0,
      avgPledgeRateCapBp: a ? averageFromSums(a.capWeightedSum, a.capWeight) : null,
      effectivePledgeRateBp: ratioBp(approved.amountFen, d?.pledgedValueOfDealsFen ?? 0),
    };
  });
}
