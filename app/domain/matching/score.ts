import {
  BP_PER_WHOLE,
  effectiveRateBp as subsidisedRateBp,
  riskShareTotalBp,
  type LoanProductTerms,
} from "../product";
import type { Failure, FinancingRequest, ScoreBreakdown } from "./types";

/**
 * Score weights for matches (sum 100). The rate a firm pays after 贴息 matters most; risk sharing
 * makes approval likelier; capacity headroom means the bank has margin and the firm can keep
 * assets free; a term near the middle of the product's range leaves room to adjust at approval.
 */
export const SCORE_WEIGHTS = { rate: 40, riskShare: 20, headroom: 25, termFit: 15 } as const;
/** An effective rate at or above this scores 0 on rate; 0% scores 1 (linear in between). */
export const RATE_SCORE_ZERO_AT_BP = 1_000;

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/**
 * Parts (each 0–1): rate = 1 − effectiveRate / 10%; riskShare = (government + insurer +
 * guarantor) / 100%; headroom = capacity / amount − 1, full at ≥ 2× the amount; termFit = 1 at the
 * middle of the product's term range falling linearly to 0 at either end (1 if min = max).
 * Absolute scales (not relative to the other products) so a product's score does not change when
 * another product is added. Rounded to one decimal, as it is shown.
 */
export function scoreMatch(
  request: FinancingRequest,
  product: LoanProductTerms,
  capacityFen: number,
): { score: number; breakdown: ScoreBreakdown } {
  const effective = subsidisedRateBp(product.minRateBp, product.interestSubsidyBp);
  const half = (product.maxTermMonths - product.minTermMonths) / 2;
  const middle = product.minTermMonths + half;
  const breakdown: ScoreBreakdown = {
    rate: clamp01(1 - effective / RATE_SCORE_ZERO_AT_BP),
    riskShare: clamp01(riskShareTotalBp(product.riskShare) / BP_PER_WHOLE),
    headroom: clamp01(capacityFen / request.amountFen - 1),
    termFit: half === 0 ? 1 : clamp01(1 - Math.abs(request.termMonths - middle) / half),
  };
  const raw =
    SCORE_WEIGHTS.rate * breakdown.rate +
    SCORE_WEIGHTS.riskShare * breakdown.riskShare +
    SCORE_WEIGHTS.headroom * breakdown.headroom +
    SCORE_WEIGHTS.termFit * breakdown.termFit;
  return { score: Math.round(raw * 10) / 10, breakdown };
}

/**
 * How far a near miss is from matching, 0–1, to list the closest first: the relative gap for a
 * numeric rule (shortfall ÷ amount, excess ÷ limit, …) and 1 for a categorical one (region,
 * industry, flags, IP type, asset eligibility, paused) that no small change fixes.
 */
export function failureGap(f: Failure): number {
  switch (f.code) {
    case "capacity_short":
      return clamp01(f.shortfallCapacityFen / f.amountFen);
    case "amount_below_min":
      return clamp01((f.minAmountFen - f.amountFen) / f.minAmountFen);
    case "amount_above_max":
      return clamp01((f.amountFen - f.maxAmountFen) / f.amountFen);
    case "term_below_min":
      return clamp01((f.minTermMonths - f.termMonths) / f.minTermMonths);
    case "term_above_max":
      return clamp01((f.termMonths - f.maxTermMonths) / f.termMonths);
    case "quota_short":
      return clamp01((f.amountFen - f.quotaRemainingFen) / f.amountFen);
    case "rate_above_firm_max":
      return f.minRateBp === 0 ? 1 : clamp01((f.minRateBp - f.firmMaxRateBp) / f.minRateBp);
    default:
      return 1;
  }
}
