import { BP, type RevenueForecast } from "./inputs";

// ---------------------------------------------------------------------------------------------
// Relief-from-royalty DCF
// ---------------------------------------------------------------------------------------------

/**
 * value = Σₜ revenueₜ × royalty × (1 − tax) × attributionShare ÷ (1 + r)ᵗ, t = 1..N.
 * Rates here may be fractional basis points: the sensitivity table scales them by ±20%.
 */
export interface DcfInputs {
  revenue: RevenueForecast;
  royaltyRateBp: number;
  taxRateBp: number;
  attributionShareBp: number;
  discountRateBp: number;
  economicLifeYears: number;
  /** Years the right stays in force; null when it does not limit the horizon (renewable marks). */
  legalRemainingYears: number | null;
}

/** One year of the schedule; amounts in unrounded fen so a reader can re-add them exactly. */
export interface DcfYear {
  year: number;
  /** 1 for a full year; the share of the final year that is still inside the horizon. */
  fraction: number;
  /** When the cash flow is taken to arrive, in years from today: t − 1 + fraction. */
  timeYears: number;
  revenueFen: number;
  cashFlowFen: number;
  discountFactor: number;
  presentValueFen: number;
}

export type HorizonLimit = "economic_life" | "legal_term" | "forecast";

export interface DcfResult {
  /** Σ presentValueFen, unrounded. */
  exactFen: number;
  horizonYears: number;
  limitedBy: HorizonLimit;
  schedule: DcfYear[];
}

export function assertFinite(name: string, v: number, min: number, max: number = Infinity): void {
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`${name} must be a number in [${min}, ${max}]: ${v}`);
  }
}

function forecastYears(revenue: RevenueForecast): number {
  return revenue.kind === "explicit" ? revenue.revenueFenByYear.length : Infinity;
}

function revenueInYear(revenue: RevenueForecast, year: number): number {
  if (revenue.kind === "explicit") return revenue.revenueFenByYear[year - 1];
  return revenue.year1RevenueFen * Math.pow(1 + revenue.growthBp / BP, year - 1);
}

/**
 * The horizon is the shortest of the economic life, the remaining legal term and an explicit
 * forecast. A partial final year earns that fraction of its year's cash flow, and the cash is
 * discounted to when the period ends (t − 1 + fraction), not to a full year: a patent expiring in
 * one month earns one month of royalty, received in one month. Full years use the end-of-year
 * convention of the formula in docs/domain.md#relief-from-royalty.
 */
export function reliefFromRoyalty(inputs: DcfInputs): DcfResult {
  const { revenue } = inputs;
  if (revenue.kind === "growth") {
    assertFinite("year1RevenueFen", revenue.year1RevenueFen, 0);
    assertFinite("growthBp", revenue.growthBp, -BP + 1);
  } else {
    for (const r of revenue.revenueFenByYear) assertFinite("revenueFenByYear[]", r, 0);
  }
  assertFinite("royaltyRateBp", inputs.royaltyRateBp, 0, BP);
  assertFinite("taxRateBp", inputs.taxRateBp, 0, BP);
  assertFinite("attributionShareBp", inputs.attributionShareBp, 0, BP);
  assertFinite("discountRateBp", inputs.discountRateBp, 0);
  assertFinite("economicLifeYears", inputs.economicLifeYears, 0);
  if (inputs.legalRemainingYears !== null) {
    assertFinite("legalRemainingYears", inputs.legalRemainingYears, 0);
  }

  const candidates: [HorizonLimit, number][] = [
    ["economic_life", inputs.economicLifeYears],
    ["legal_term", inputs.legalRemainingYears ?? Infinity],
    ["forecast", forecastYears(revenue)],
  ];
  let [limitedBy, horizonYears] = candidates[0];
  for (const [limit, years] of candidates) {
    if (years < horizonYears) [limitedBy, horizonYears] = [limit, years];
  }

  const margin =
    (inputs.royaltyRateBp / BP) * (1 - inputs.taxRateBp / BP) * (inputs.attributionShareBp / BP);
  const schedule: DcfYear[] = [];
  let exactFen = 0;
  const lastYear = Math.ceil(horizonYears);
  for (let year = 1; year <= lastYear; year++) {
    const fraction = Math.min(1, horizonYears - (year - 1));
    const timeYears = year - 1 + fraction;
    const revenueFen = revenueInYear(revenue, year);
    const cashFlowFen = revenueFen * fraction * margin;
    const discountFactor = 1 / Math.pow(1 + inputs.discountRateBp / BP, timeYears);
    const presentValueFen = cashFlowFen * discountFactor;
    schedule.push({
      year,
      fraction,
      timeYears,
      revenueFen,
      cashFlowFen,
      discountFactor,
      presentValueFen,
    });
    exactFen += presentValueFen;
  }
  return { exactFen, horizonYears, limitedBy, schedule };
}

/** Half-up to a whole fen (amounts here are never negative). */
export function roundFen(exactFen: number): number {
  return Math.floor(exactFen + 0.5);
}
