import type { IndustrySection } from "../industry";
import { parseIsoDate, type IpType } from "../ip";
import { patentTermYears, remainingProtectionYears, statutoryExpiry } from "../patent";
import {
  assertBp,
  assertFen,
  defaultValuationInputs,
  type ResolvedAssumptions,
  type ValuationAsset,
  type ValuationAssumptions,
  type ValuationFirm,
} from "./resolve";
import {
  BP,
  HIGH_TECH_TAX_RATE_BP,
  VALUATION_INPUT_NAMES,
  VALUATION_LIMITS,
  type RevenueForecast,
  type ValuationInputName,
} from "./inputs";
import { assertFinite, reliefFromRoyalty, roundFen, type DcfResult, type DcfYear } from "./dcf";
import { patentValueDegree, type PatentValueDegree, type PvdIndicator } from "./value-degree";
import { TRADEMARK_ECONOMIC_LIFE_YEARS, WELL_KNOWN_ROYALTY_FACTOR_BP } from "./industry-defaults";

// ---------------------------------------------------------------------------------------------
// The indicative valuation
// ---------------------------------------------------------------------------------------------

export type RevenueInput = { year1RevenueFen: number } | { revenueFenByYear: readonly number[] };

export interface ValuationRequest {
  asset: ValuationAsset;
  firm: ValuationFirm;
  revenue: RevenueInput;
  assumptions?: ValuationAssumptions;
  /** The valuation date, 'YYYY-MM-DD' (China business day). */
  today: string;
}

export type ValuationReason =
  | { code: "not_granted" }
  | { code: "not_registered" }
  | { code: "lapsed" }
  | { code: "invalidated" }
  | { code: "cancelled" }
  | { code: "expired"; expiry: string }
  | { code: "zero_revenue" }
  | { code: "default_used"; input: ValuationInputName; value: number; industry: IndustrySection }
  | { code: "high_tech_tax"; taxRateBp: number }
  | { code: "life_capped_by_legal_term"; economicLifeYears: number; legalRemainingYears: number }
  | { code: "life_capped_by_forecast"; economicLifeYears: number; forecastYears: number }
  | { code: "partial_final_year"; year: number; fraction: number }
  | { code: "renewal_assumed"; economicLifeYears: number }
  | { code: "well_known_uplift"; baseRoyaltyRateBp: number; royaltyRateBp: number }
  | { code: "pvd"; lvd: number; tvd: number; evd: number; pvd: number; multiplier: number }
  | { code: "pvd_not_scored" }
  | { code: "pvd_strength"; indicator: PvdIndicator; score: number }
  | { code: "pvd_weakness"; indicator: PvdIndicator; score: number }
  | { code: "spread"; discountShiftBp: number; royaltyShiftBp: number }
  | { code: "most_sensitive"; input: ValuationInputName; swingFen: number };

export interface SensitivityRow {
  input: ValuationInputName;
  /** The input's value at −20% and +20%, in its own unit (bp, fen of year-1 revenue, years). */
  inputAtMinus20: number;
  inputAtPlus20: number;
  valueAtMinus20Fen: number;
  valueAtPlus20Fen: number;
  /** |valueAtPlus20Fen − valueAtMinus20Fen|; the table is sorted by it, largest first. */
  swingFen: number;
}

export interface ValuationInputsEcho extends ResolvedAssumptions {
  ipType: IpType;
  industry: IndustrySection;
  highTech: boolean;
  today: string;
  expiry: string;
  revenue: RevenueForecast;
  /** Royalty after the well-known uplift: the rate the DCF used. */
  effectiveRoyaltyRateBp: number;
  /** The legal term that caps the horizon; null for trademarks (renewal assumed). */
  legalRemainingYears: number | null;
  horizonYears: number;
}

export interface IndicativeValuation {
  lowFen: number;
  centralFen: number;
  highFen: number;
  pvd?: PatentValueDegree;
  explanation: ValuationReason[];
  inputs: ValuationInputsEcho;
  /** The central case year by year, before the PVD multiplier. */
  schedule: DcfYear[];
  sensitivity: SensitivityRow[];
}

/**
 * Low and high: the two judgement inputs moved together against and for the asset — royalty
 * ±20% (about the width of one industry's UNIDO range around its midpoint) and discount rate
 * ±2 pp (the spread of SME risk premia between appraisers). Revenue is the firm's own figure; how
 * much it matters is in the sensitivity table. With typical inputs the band is about −25%/+30%.
 */
export const VALUATION_SPREAD = { royaltyShiftBp: 2000, discountShiftBp: 200 } as const;

/** The sensitivity table moves one input at a time by this much (bp of the input). */
export const SENSITIVITY_SHIFT_BP = 2000;

/** Indicators at or above / at or below these scores are named in the explanation. */
const PVD_STRENGTH_SCORE = 75;
const PVD_WEAKNESS_SCORE = 25;

interface ValueModel {
  revenue: RevenueForecast;
  royaltyRateBp: number;
  taxRateBp: number;
  attributionShareBp: number;
  discountRateBp: number;
  economicLifeYears: number;
  legalRemainingYears: number | null;
  multiplier: number;
}

function modelDcf(m: ValueModel): DcfResult {
  return reliefFromRoyalty({
    revenue: m.revenue,
    royaltyRateBp: m.royaltyRateBp,
    taxRateBp: m.taxRateBp,
    attributionShareBp: Math.min(BP, m.attributionShareBp),
    discountRateBp: m.discountRateBp,
    economicLifeYears: m.economicLifeYears,
    legalRemainingYears: m.legalRemainingYears,
  });
}

function modelValueFen(m: ValueModel): number {
  return roundFen(modelDcf(m).exactFen * m.multiplier);
}

function scaleRevenue(r: RevenueForecast, factor: number): RevenueForecast {
  return r.kind === "growth"
    ? { ...r, year1RevenueFen: r.year1RevenueFen * factor }
    : { ...r, revenueFenByYear: r.revenueFenByYear.map((x) => x * factor) };
}

/**
 * Value at −20% and +20% of each input, one at a time, sorted by swing. Revenue, royalty and
 * attribution share enter the formula as one product, so they swing alike (ties keep the order of
 * VALUATION_INPUT_NAMES); growth is absent for an explicit forecast; a share cannot exceed 100%
 * and a life cannot pass the legal term, so those rows may be lopsided.
 */
function sensitivityTable(m: ValueModel): SensitivityRow[] {
  const down = 1 - SENSITIVITY_SHIFT_BP / BP;
  const up = 1 + SENSITIVITY_SHIFT_BP / BP;
  const rows: SensitivityRow[] = [];
  const row = (
    input: ValuationInputName,
    at: (f: number) => ValueModel,
    shown: (mm: ValueModel) => number,
  ) => {
    const lo = at(down);
    const hi = at(up);
    const valueAtMinus20Fen = modelValueFen(lo);
    const valueAtPlus20Fen = modelValueFen(hi);
    rows.push({
      input,
      inputAtMinus20: shown(lo),
      inputAtPlus20: shown(hi),
      valueAtMinus20Fen,
      valueAtPlus20Fen,
      swingFen: Math.abs(valueAtPlus20Fen - valueAtMinus20Fen),
    });
  };
  row(
    "revenue",
    (f) => ({ ...m, revenue: scaleRevenue(m.revenue, f) }),
    (mm) =>
      mm.revenue.kind === "growth" ? mm.revenue.year1RevenueFen : mm.revenue.revenueFenByYear[0],
  );
  const revenue = m.revenue;
  if (revenue.kind === "growth") {
    row(
      "growth",
      (f) => ({ ...m, revenue: { ...revenue, growthBp: revenue.growthBp * f } }),
      (mm) => (mm.revenue.kind === "growth" ? mm.revenue.growthBp : 0),
    );
  }
  row(
    "royalty",
    (f) => ({ ...m, royaltyRateBp: m.royaltyRateBp * f }),
    (mm) => mm.royaltyRateBp,
  );
  row(
    "discount_rate",
    (f) => ({ ...m, discountRateBp: m.discountRateBp * f }),
    (mm) => mm.discountRateBp,
  );
  row(
    "attribution_share",
    (f) => ({ ...m, attributionShareBp: Math.min(BP, m.attributionShareBp * f) }),
    (mm) => mm.attributionShareBp,
  );
  row(
    "economic_life",
    (f) => ({ ...m, economicLifeYears: m.economicLifeYears * f }),
    (mm) => mm.economicLifeYears,
  );
  row(
    "tax",
    (f) => ({ ...m, taxRateBp: m.taxRateBp * f }),
    (mm) => mm.taxRateBp,
  );
  const order = (n: ValuationInputName) => VALUATION_INPUT_NAMES.indexOf(n);
  return rows.sort((a, b) => b.swingFen - a.swingFen || order(a.input) - order(b.input));
}

function legalStopReason(
  asset: ValuationAsset,
  expiry: string,
  today: string,
): ValuationReason | null {
  if (asset.ipType === "trademark") {
    switch (asset.status) {
      case "pending":
        return { code: "not_registered" };
      case "cancelled":
        return { code: "cancelled" };
      case "invalidated":
        return { code: "invalidated" };
      case "expired":
        return { code: "expired", expiry };
      case "registered":
        break;
    }
  } else {
    switch (asset.status) {
      case "pending":
        return { code: "not_granted" };
      case "lapsed":
        return { code: "lapsed" };
      case "invalidated":
        return { code: "invalidated" };
      case "expired":
        return { code: "expired", expiry };
      case "granted":
        break;
    }
  }
  return today >= expiry ? { code: "expired", expiry } : null;
}

/**
 * The instant indicative valuation of one asset. Throws RangeError on inputs outside
 * VALUATION_LIMITS (the form validates them first); returns 0 with the reason when the right is
 * not in force or there is no revenue.
 */
export function indicativeValuation(req: ValuationRequest): IndicativeValuation {
  const { asset, firm, today } = req;
  if (!parseIsoDate(today)) throw new RangeError(`bad valuation date: ${today}`);

  // Revenue forecast, validated.
  let revenue: RevenueForecast;
  const assumptions = defaultValuationInputs(asset, firm, req.assumptions);
  if ("revenueFenByYear" in req.revenue) {
    const list = req.revenue.revenueFenByYear;
    const { min, max } = VALUATION_LIMITS.forecastYears;
    if (list.length < min || list.length > max) {
      throw new RangeError(`an explicit forecast has ${min}–${max} years: ${list.length}`);
    }
    list.forEach((r, i) => assertFen(`revenueFenByYear[${i}]`, r));
    revenue = { kind: "explicit", revenueFenByYear: [...list] };
    // Growth has no meaning for an explicit forecast.
    assumptions.defaulted = assumptions.defaulted.filter((n) => n !== "growth");
  } else {
    assertFen("year1RevenueFen", req.revenue.year1RevenueFen);
    assertBp("growthBp", assumptions.growthBp);
    revenue = {
      kind: "growth",
      year1RevenueFen: req.revenue.year1RevenueFen,
      growthBp: assumptions.growthBp,
    };
  }
  assertBp("royaltyRateBp", assumptions.royaltyRateBp);
  assertBp("discountRateBp", assumptions.discountRateBp);
  assertBp("attributionShareBp", assumptions.attributionShareBp);
  assertBp("taxRateBp", assumptions.taxRateBp);
  const { min: lifeMin, max: lifeMax } = VALUATION_LIMITS.economicLifeYears;
  assertFinite("economicLifeYears", assumptions.economicLifeYears, lifeMin, lifeMax);

  // Legal position.
  let expiry: string;
  let legalRemainingYears: number | null;
  let termYears = 0;
  if (asset.ipType === "trademark") {
    expiry = asset.expiry;
    legalRemainingYears = null;
  } else {
    termYears = patentTermYears(asset.ipType, asset.filingDate);
    expiry = asset.expiry ?? statutoryExpiry(asset.ipType, asset.filingDate);
    legalRemainingYears = remainingProtectionYears(expiry, today);
  }
  if (!parseIsoDate(expiry)) throw new RangeError(`bad expiry: ${expiry}`);

  // Trademarks: renewal assumed, horizon at most 10 years; the uplift for a well-known mark.
  const economicLifeYears =
    asset.ipType === "trademark"
      ? Math.min(assumptions.economicLifeYears, TRADEMARK_ECONOMIC_LIFE_YEARS)
      : assumptions.economicLifeYears;
  const wellKnown = asset.ipType === "trademark" && asset.wellKnown;
  const effectiveRoyaltyRateBp = wellKnown
    ? (assumptions.royaltyRateBp * WELL_KNOWN_ROYALTY_FACTOR_BP) / BP
    : assumptions.royaltyRateBp;

  const pvd =
    asset.ipType !== "trademark" && asset.indicators && legalRemainingYears !== null
      ? patentValueDegree(asset.ipType, legalRemainingYears, termYears, asset.indicators)
      : undefined;

  const model: ValueModel = {
    revenue,
    royaltyRateBp: effectiveRoyaltyRateBp,
    taxRateBp: assumptions.taxRateBp,
    attributionShareBp: assumptions.attributionShareBp,
    discountRateBp: assumptions.discountRateBp,
    economicLifeYears,
    legalRemainingYears,
    multiplier: pvd?.multiplier ?? 1,
  };

  const explanation: ValuationReason[] = [];
  for (const input of assumptions.defaulted) {
    const value = {
      revenue: 0,
      growth: assumptions.growthBp,
      royalty: assumptions.royaltyRateBp,
      discount_rate: assumptions.discountRateBp,
      attribution_share: assumptions.attributionShareBp,
      economic_life: assumptions.economicLifeYears,
      tax: assumptions.taxRateBp,
    }[input];
    explanation.push({ code: "default_used", input, value, industry: firm.industry });
  }

  const echo = (horizonYears: number): ValuationInputsEcho => ({
    ...assumptions,
    economicLifeYears,
    ipType: asset.ipType,
    industry: firm.industry,
    highTech: firm.highTech,
    today,
    expiry,
    revenue,
    effectiveRoyaltyRateBp,
    legalRemainingYears,
    horizonYears,
  });
  const zero = (reason: ValuationReason): IndicativeValuation => ({
    lowFen: 0,
    centralFen: 0,
    highFen: 0,
    explanation: [reason, ...explanation],
    inputs: echo(0),
    schedule: [],
    sensitivity: [],
  });

  const stop = legalStopReason(asset, expiry, today);
  if (stop) return zero(stop);
  const totalRevenue =
    revenue.kind === "growth"
      ? revenue.year1RevenueFen
      : revenue.revenueFenByYear.reduce((a, b) => a + b, 0);
  if (totalRevenue === 0) return zero({ code: "zero_revenue" });

  const central = modelDcf(model);
  const centralFen = roundFen(central.exactFen * model.multiplier);
  const lowFen = modelValueFen({
    ...model,
    royaltyRateBp: model.royaltyRateBp * (1 - VALUATION_SPREAD.royaltyShiftBp / BP),
    discountRateBp: model.discountRateBp + VALUATION_SPREAD.discountShiftBp,
  });
  const highFen = modelValueFen({
    ...model,
    royaltyRateBp: model.royaltyRateBp * (1 + VALUATION_SPREAD.royaltyShiftBp / BP),
    discountRateBp: model.discountRateBp - VALUATION_SPREAD.discountShiftBp,
  });
  const sensitivity = sensitivityTable(model);

  if (assumptions.taxRateBp === HIGH_TECH_TAX_RATE_BP && firm.highTech) {
    explanation.push({ code: "high_tech_tax", taxRateBp: assumptions.taxRateBp });
  }
  if (wellKnown) {
    explanation.push({
      code: "well_known_uplift",
      baseRoyaltyRateBp: assumptions.royaltyRateBp,
      royaltyRateBp: effectiveRoyaltyRateBp,
    });
  }
  if (asset.ipType === "trademark") {
    explanation.push({ code: "renewal_assumed", economicLifeYears });
  }
  if (central.limitedBy === "legal_term" && legalRemainingYears !== null) {
    explanation.push({
      code: "life_capped_by_legal_term",
      economicLifeYears,
      legalRemainingYears,
    });
  } else if (central.limitedBy === "forecast") {
    explanation.push({
      code: "life_capped_by_forecast",
      economicLifeYears,
      forecastYears: central.horizonYears,
    });
  }
  const last = central.schedule[central.schedule.length - 1];
  if (last && last.fraction < 1) {
    explanation.push({ code: "partial_final_year", year: last.year, fraction: last.fraction });
  }
  if (pvd) {
    const { lvd, tvd, evd, multiplier } = pvd;
    explanation.push({ code: "pvd", lvd, tvd, evd, pvd: pvd.pvd, multiplier });
    for (const [indicator, score] of Object.entries(pvd.scores) as [
      PvdIndicator,
      number | null,
    ][]) {
      if (score === null) continue;
      if (score >= PVD_STRENGTH_SCORE) explanation.push({ code: "pvd_strength", indicator, score });
      else if (score <= PVD_WEAKNESS_SCORE) {
        explanation.push({ code: "pvd_weakness", indicator, score });
      }
    }
  } else if (asset.ipType !== "trademark") {
    explanation.push({ code: "pvd_not_scored" });
  }
  explanation.push({ code: "spread", ...VALUATION_SPREAD });
  if (sensitivity.length > 0) {
    explanation.push({
      code: "most_sensitive",
      input: sensitivity[0].input,
      swingFen: sensitivity[0].swingFen,
    });
  }

  return {
    lowFen,
    centralFen,
    highFen,
    ...(pvd ? { pvd } : {}),
    explanation,
    inputs: echo(central.horizonYears),
    schedule: central.schedule,
    sensitivity,
  };
}
