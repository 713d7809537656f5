import type { IndustrySection } from "../industry";
import { type PatentKind } from "../ip";
import { type PatentStatus } from "../patent";
import type { TrademarkStatus } from "../trademark";
import { type PatentValueIndicators } from "./value-degree";
import {
  BP,
  CORPORATE_TAX_RATE_BP,
  HIGH_TECH_TAX_RATE_BP,
  VALUATION_LIMITS,
  type ValuationInputName,
} from "./inputs";
import {
  ROYALTY_FACTOR_BY_PATENT_KIND,
  TRADEMARK_ATTRIBUTION_SHARE_BP,
  TRADEMARK_ECONOMIC_LIFE_YEARS,
  VALUATION_DEFAULTS_BY_INDUSTRY,
} from "./industry-defaults";

// ---------------------------------------------------------------------------------------------
// Assets, firms and resolved inputs
// ---------------------------------------------------------------------------------------------

export interface PatentValuationAsset {
  ipType: PatentKind;
  status: PatentStatus;
  filingDate: string;
  /** Defaults to the statutory expiry; pass it when the register shows term compensation. */
  expiry?: string;
  indicators?: PatentValueIndicators;
}

export interface TrademarkValuationAsset {
  ipType: "trademark";
  status: TrademarkStatus;
  expiry: string;
  wellKnown: boolean;
}

export type ValuationAsset = PatentValuationAsset | TrademarkValuationAsset;

export interface ValuationFirm {
  industry: IndustrySection;
  highTech: boolean;
}

/** What the firm or valuer entered; anything left out is filled from the defaults. */
export interface ValuationAssumptions {
  growthBp?: number;
  royaltyRateBp?: number;
  discountRateBp?: number;
  attributionShareBp?: number;
  economicLifeYears?: number;
  taxRateBp?: number;
}

export interface ResolvedAssumptions {
  growthBp: number;
  /** Before any well-known uplift. */
  royaltyRateBp: number;
  discountRateBp: number;
  attributionShareBp: number;
  economicLifeYears: number;
  taxRateBp: number;
  /** Which of the above came from the defaults rather than from a person. */
  defaulted: ValuationInputName[];
}

/**
 * Fills what was not entered from VALUATION_DEFAULTS_BY_INDUSTRY (by the firm's section and the
 * asset's type) and the firm's tax status, and lists which inputs were defaults.
 */
export function defaultValuationInputs(
  asset: Pick<ValuationAsset, "ipType">,
  firm: ValuationFirm,
  given: ValuationAssumptions = {},
): ResolvedAssumptions {
  const table = VALUATION_DEFAULTS_BY_INDUSTRY[firm.industry];
  if (!table) throw new RangeError(`unknown industry section: ${String(firm.industry)}`);
  const ipType = asset.ipType;
  const isTrademark = ipType === "trademark";
  const defaults: Omit<ResolvedAssumptions, "defaulted"> = {
    growthBp: table.growthBp,
    royaltyRateBp:
      ipType === "trademark"
        ? table.trademarkRoyaltyRateBp
        : Math.round((table.patentRoyaltyRateBp * ROYALTY_FACTOR_BY_PATENT_KIND[ipType]) / BP),
    discountRateBp: table.discountRateBp,
    attributionShareBp: isTrademark
      ? TRADEMARK_ATTRIBUTION_SHARE_BP
      : table.patentAttributionShareBp,
    economicLifeYears: isTrademark ? TRADEMARK_ECONOMIC_LIFE_YEARS : table.patentEconomicLifeYears,
    taxRateBp: firm.highTech ? HIGH_TECH_TAX_RATE_BP : CORPORATE_TAX_RATE_BP,
  };
  const defaulted: ValuationInputName[] = [];
  const pick = (name: ValuationInputName, value: number | undefined, fallback: number) => {
    if (value !== undefined) return value;
    defaulted.push(name);
    return fallback;
  };
  const resolved = {
    growthBp: pick("growth", given.growthBp, defaults.growthBp),
    royaltyRateBp: pick("royalty", given.royaltyRateBp, defaults.royaltyRateBp),
    discountRateBp: pick("discount_rate", given.discountRateBp, defaults.discountRateBp),
    attributionShareBp: pick(
      "attribution_share",
      given.attributionShareBp,
      defaults.attributionShareBp,
    ),
    economicLifeYears: pick("economic_life", given.economicLifeYears, defaults.economicLifeYears),
    taxRateBp: pick("tax", given.taxRateBp, defaults.taxRateBp),
  };
  return { ...resolved, defaulted };
}

export function assertBp(name: keyof typeof VALUATION_LIMITS, v: number): void {
  const { min, max } = VALUATION_LIMITS[name];
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be a whole number of bp in [${min}, ${max}]: ${v}`);
  }
}

export function assertFen(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be fen ≥ 0: ${v}`);
}
