/**
 * Instant indicative valuation (docs/domain.md#valuation): relief-from-royalty DCF (收益法 —
 * 许可费节省法), adjusted for patents by the patent value degree (专利价值度), shown as a range with a
 * sensitivity table. Free and instant, never a substitute for the formal appraisal a pledge needs.
 *
 * Arithmetic: rates arrive as integer basis points and money as integer fen; the DCF runs in IEEE
 * double (fen × fractions), and each reported amount is rounded half-up to a whole fen once, at the
 * end. Rounding intermediate years would compound; a float error is ~10⁻¹⁵ of the value, so
 * it can only matter on an exact .5 tie, i.e. never by more than one fen.
 */

export const BP = 10_000;

// ---------------------------------------------------------------------------------------------
// Inputs and their vocabulary
// ---------------------------------------------------------------------------------------------

/** 企业所得税法 第四条 (25%) and 第二十八条 (15% for 国家需要重点扶持的高新技术企业). */
export const CORPORATE_TAX_RATE_BP = 2500;
export const HIGH_TECH_TAX_RATE_BP = 1500;

export type RevenueForecast =
  /** Year-1 revenue, then compounding at growthBp a year (may be negative). */
  | { kind: "growth"; year1RevenueFen: number; growthBp: number }
  /** One revenue per year; the income stream ends after the last listed year. */
  | { kind: "explicit"; revenueFenByYear: readonly number[] };

/** The inputs a person can change and the sensitivity table varies. */
export const VALUATION_INPUT_NAMES = [
  "revenue",
  "growth",
  "royalty",
  "discount_rate",
  "attribution_share",
  "economic_life",
  "tax",
] as const;
export type ValuationInputName = (typeof VALUATION_INPUT_NAMES)[number];

/**
 * Business ranges for the indicative valuation; the form's zod schema should use the same numbers.
 * Royalty ≤ 30% and discount 5–50% are wide on purpose (typical: royalty 1–10%, discount 10–20%
 * for SMEs, docs/domain.md#relief-from-royalty) — outside them a number is a typo, not a
 * judgement. The 5% discount floor keeps the high case (−2 pp) positive.
 */
export const VALUATION_LIMITS = {
  royaltyRateBp: { min: 0, max: 3000 },
  discountRateBp: { min: 500, max: 5000 },
  attributionShareBp: { min: 0, max: 10_000 },
  economicLifeYears: { min: 0.1, max: 30 },
  growthBp: { min: -5000, max: 5000 },
  taxRateBp: { min: 0, max: 5000 },
  forecastYears: { min: 1, max: 30 },
} as const;
