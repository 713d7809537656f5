import { type PatentKind } from "../ip";
import { assertFinite } from "./dcf";

// ---------------------------------------------------------------------------------------------
// Patent value degree (专利价值度)
// ---------------------------------------------------------------------------------------------

/**
 * After the CNIPA / 中国技术交易所 《专利价值分析指标体系操作手册》 (2012): legal, technical and
 * economic value degrees, each 0–100 from scored indicators, combined into PVD. The manual's full
 * set has ~18 indicators scored by an analyst; we keep those a firm can answer on a form or that
 * follow from the register, and score the judgement ones on a 1–5 scale (1 → 0, 3 → 50, 5 → 100,
 * so "average" is neutral).
 */
export type Rating = 1 | 2 | 3 | 4 | 5;

/**
 * Evidence that the patent would survive a challenge (稳定性):
 * challenged — an invalidation request (无效宣告) or infringement suit is pending;
 * untested — nothing known either way;
 * evaluation_report — a 专利权评价报告 (专利法 第六十六条) or search report without adverse findings;
 * upheld — survived invalidation or was held valid in litigation.
 */
export type StabilityEvidence = "challenged" | "untested" | "evaluation_report" | "upheld";

export interface PatentValueIndicators {
  /** 权利要求数 — ignored for designs, which have no claims (protection is by the drawings). */
  claimCount: number | null;
  /** Jurisdictions with a family member, China included (多国申请): 1 = China only. */
  familyJurisdictions: number;
  /** Co-owners besides the pledgor (0 = sole owner). */
  coOwners: number;
  stability: StabilityEvidence;
  advancement: Rating;
  /** Scored in the value direction: 5 = no practical substitute (可替代性 low). */
  nonSubstitutability: Rating;
  maturity: Rating;
  marketSize: Rating;
  marketShare: Rating;
  policyFit: Rating;
}

export type PvdIndicator =
  | "remaining_term"
  | "claims"
  | "family"
  | "co_ownership"
  | "stability"
  | "advancement"
  | "non_substitutability"
  | "maturity"
  | "market_size"
  | "market_share"
  | "policy_fit";

/**
 * Indicator weights inside each degree. Legal: term and stability dominate because a bank
 * disposes of the right on default; claims breadth next; family and co-ownership are minor.
 * Technical and economic follow the manual's emphasis on advancement and market scale.
 */
export const LVD_WEIGHTS = {
  remaining_term: 0.3,
  stability: 0.3,
  claims: 0.2,
  family: 0.1,
  co_ownership: 0.1,
} as const;
export const TVD_WEIGHTS = {
  advancement: 0.4,
  non_substitutability: 0.35,
  maturity: 0.25,
} as const;
export const EVD_WEIGHTS = { market_size: 0.4, market_share: 0.35, policy_fit: 0.25 } as const;

/**
 * PVD = 0.3·LVD + 0.4·TVD + 0.3·EVD. Technology gets the largest weight because the legal term
 * and the revenue are already inside the DCF; PVD's job is to add what the DCF cannot see.
 */
export const PVD_WEIGHTS = { lvd: 0.3, tvd: 0.4, evd: 0.3 } as const;

/** The DCF value is multiplied by 0.8 at PVD 0, 1.0 at 50 and 1.2 at 100 (linear). */
export const PVD_MULTIPLIER_BAND = { min: 0.8, max: 1.2 } as const;

export interface PatentValueDegree {
  /** Each degree and PVD rounded to 0.1, so the multiplier can be re-derived from the numbers shown. */
  lvd: number;
  tvd: number;
  evd: number;
  pvd: number;
  multiplier: number;
  /** 0–100 per indicator; null when it does not apply (claims of a design). */
  scores: Record<PvdIndicator, number | null>;
}

function ratingScore(r: Rating): number {
  return (r - 1) * 25;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function weighted(
  scores: Record<PvdIndicator, number | null>,
  weights: Partial<Record<PvdIndicator, number>>,
): number {
  let sum = 0;
  let weightUsed = 0;
  for (const [indicator, w] of Object.entries(weights) as [PvdIndicator, number][]) {
    const s = scores[indicator];
    if (s === null) continue; // weights of the indicators that apply are renormalised
    sum += s * w;
    weightUsed += w;
  }
  return weightUsed === 0 ? 50 : sum / weightUsed;
}

export function pvdMultiplier(pvd: number): number {
  const { min, max } = PVD_MULTIPLIER_BAND;
  return min + ((max - min) * Math.min(100, Math.max(0, pvd))) / 100;
}

/**
 * Scores: remaining term = 100 × remaining ÷ statutory term; claims = 10 per claim up to 100;
 * family 1 → 50 (the SME norm is neutral), 2 → 75, ≥ 3 → 100; co-ownership 0 → 100, 1 → 60,
 * ≥ 2 → 30 (every co-owner must consent to a pledge, 专利法 第十四条, and disposal gets harder);
 * stability challenged 10, untested 50, evaluation report 75, upheld 100.
 */
export function patentValueDegree(
  kind: PatentKind,
  remainingYears: number,
  termYears: number,
  ind: PatentValueIndicators,
): PatentValueDegree {
  assertFinite("remainingYears", remainingYears, 0);
  assertFinite("termYears", termYears, 1);
  if (ind.claimCount !== null && (!Number.isInteger(ind.claimCount) || ind.claimCount < 0)) {
    throw new RangeError(`claimCount must be a whole number: ${ind.claimCount}`);
  }
  if (!Number.isInteger(ind.familyJurisdictions) || ind.familyJurisdictions < 1) {
    throw new RangeError(`familyJurisdictions must be ≥ 1: ${ind.familyJurisdictions}`);
  }
  if (!Number.isInteger(ind.coOwners) || ind.coOwners < 0) {
    throw new RangeError(`coOwners must be a whole number: ${ind.coOwners}`);
  }
  const stabilityScore: Record<StabilityEvidence, number> = {
    challenged: 10,
    untested: 50,
    evaluation_report: 75,
    upheld: 100,
  };
  const scores: Record<PvdIndicator, number | null> = {
    remaining_term: 100 * Math.min(1, remainingYears / termYears),
    claims:
      kind === "design" || ind.claimCount === null ? null : Math.min(100, 10 * ind.claimCount),
    family: ind.familyJurisdictions >= 3 ? 100 : ind.familyJurisdictions === 2 ? 75 : 50,
    co_ownership: ind.coOwners === 0 ? 100 : ind.coOwners === 1 ? 60 : 30,
    stability: stabilityScore[ind.stability],
    advancement: ratingScore(ind.advancement),
    non_substitutability: ratingScore(ind.nonSubstitutability),
    maturity: ratingScore(ind.maturity),
    market_size: ratingScore(ind.marketSize),
    market_share: ratingScore(ind.marketShare),
    policy_fit: ratingScore(ind.policyFit),
  };
  const lvd = round1(weighted(scores, LVD_WEIGHTS));
  const tvd = round1(weighted(scores, TVD_WEIGHTS));
  const evd = round1(weighted(scores, EVD_WEIGHTS));
  const pvd = round1(PVD_WEIGHTS.lvd * lvd + PVD_WEIGHTS.tvd * tvd + PVD_WEIGHTS.evd * evd);
  return { lvd, tvd, evd, pvd, multiplier: pvdMultiplier(pvd), scores };
}
