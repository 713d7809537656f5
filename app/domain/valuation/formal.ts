import { addMonthsClamped, parseIsoDate } from "../ip";
import { assertFen } from "./resolve";
import { BP } from "./inputs";

// ---------------------------------------------------------------------------------------------
// The formal appraisal
// ---------------------------------------------------------------------------------------------

/**
 * Fee for a formal appraisal: max(floor, rate × indicative central value), rounded half-up to a
 * fen. docs/domain.md#appraisal-fee: about 0.5–1% with a floor; 0.6% and ¥3,000 are defaults.
 * Computed in bigint so a large value cannot lose a fen.
 */
export function appraisalFeeFen(
  indicativeCentralFen: number,
  opts: { minFeeFen?: number; rateBp?: number } = {},
): number {
  const { minFeeFen = 300_000, rateBp = 60 } = opts;
  assertFen("indicativeCentralFen", indicativeCentralFen);
  assertFen("minFeeFen", minFeeFen);
  if (!Number.isInteger(rateBp) || rateBp < 0 || rateBp > BP) {
    throw new RangeError(`rateBp must be a whole number of bp: ${rateBp}`);
  }
  const proportional = Number(
    (BigInt(indicativeCentralFen) * BigInt(rateBp) * 2n + BigInt(BP)) / BigInt(2 * BP),
  );
  return Math.max(minFeeFen, proportional);
}

/** A formal value stays usable for 12 months (docs/domain.md#appraisal-validity). */
export const APPRAISAL_VALIDITY_MONTHS = 12;

/**
 * The last day a formal appraisal may be relied on: its 评估基准日 (valuation basis date) + 12
 * months, same day of month (Feb 29 → Feb 28), inclusive. Chinese practice counts the validity
 * from the basis date, not from signing: 《资产评估执业准则——资产评估报告》 requires the report to
 * state that it is usable within one year of the basis date (docs/domain.md#appraisal-validity).
 * Computed here only; everything else reads the stored valid_until through isWithinValidity.
 */
export function appraisalValidUntil(basisDate: string): string {
  if (!parseIsoDate(basisDate)) throw new RangeError(`bad date: ${basisDate}`);
  return addMonthsClamped(basisDate, APPRAISAL_VALIDITY_MONTHS);
}

/** A formal value whose validity ends on `validUntil` may be relied on through that day. */
export function isWithinValidity(
  validUntil: string | null | undefined,
  day: string,
): validUntil is string {
  return !!validUntil && day <= validUntil;
}

/**
 * A pledge needs a formal value that exists on the day (signed on or before it) and is still
 * valid on it (counted from the basis date).
 */
export function isAppraisalValidOn(
  a: { basisDate: string; signedDate: string },
  day: string,
): boolean {
  if (!parseIsoDate(day)) throw new RangeError(`bad date: ${day}`);
  return a.signedDate <= day && isWithinValidity(appraisalValidUntil(a.basisDate), day);
}
