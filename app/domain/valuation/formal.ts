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
 * The last day a formal appraisal may be relied on: signed date + 12 months, same day of month
 * (Feb 29 → Feb 28), inclusive.
 */
export function appraisalValidUntil(signedDate: string): string {
  return addMonthsClamped(signedDate, APPRAISAL_VALIDITY_MONTHS);
}

/** A pledge needs a formal value still valid on the approval day. */
export function isAppraisalValidOn(signedDate: string, day: string): boolean {
  if (!parseIsoDate(day)) throw new RangeError(`bad date: ${day}`);
  return signedDate <= day && day <= appraisalValidUntil(signedDate);
}
