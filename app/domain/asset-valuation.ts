import { isListableTrademarkStatus, isPatentStatus } from "./asset";
import { isIndustrySection, type IndustrySection } from "./industry";
import type { IpType } from "./ip";
import {
  defaultValuationInputs,
  type PatentValueIndicators,
  type ResolvedAssumptions,
  type ValuationAssumptions,
  type ValuationAsset,
  type ValuationFirm,
  type ValuationRequest,
} from "./valuation";

/**
 * The bridge between a listed asset and valuation.ts: what the stored record says about the
 * right, and which of the form's numbers are the industry defaults (so the explanation can say
 * "industry default used" for exactly those).
 */

export interface AssetValuationFacts {
  ipType: IpType;
  status: string;
  filingDate: string | null;
  expiryDate: string;
  wellKnown: boolean;
}

/**
 * A firm registered without an industry (only possible for records made before the field was
 * required) is valued with manufacturing's defaults, the most common section among applicants;
 * every default is shown and editable anyway.
 */
export const FALLBACK_INDUSTRY: IndustrySection = "C";

export function valuationFirm(org: {
  industry_section: string | null;
  flag_high_tech: number;
}): ValuationFirm {
  return {
    industry: isIndustrySection(org.industry_section) ? org.industry_section : FALLBACK_INDUSTRY,
    highTech: org.flag_high_tech === 1,
  };
}

export function valuationAsset(
  facts: AssetValuationFacts,
  indicators: PatentValueIndicators | null = null,
): ValuationAsset {
  if (facts.ipType === "trademark") {
    if (!isListableTrademarkStatus(facts.status)) {
      throw new RangeError(`not a trademark status: ${facts.status}`);
    }
    return {
      ipType: "trademark",
      status: facts.status,
      expiry: facts.expiryDate,
      wellKnown: facts.wellKnown,
    };
  }
  if (!isPatentStatus(facts.status)) throw new RangeError(`not a patent status: ${facts.status}`);
  if (!facts.filingDate) throw new RangeError("a patent needs its filing date");
  return {
    ipType: facts.ipType,
    status: facts.status,
    filingDate: facts.filingDate,
    expiry: facts.expiryDate,
    ...(indicators ? { indicators } : {}),
  };
}

/** What the valuation form submits, already parsed (app/utils/asset-schemas.ts). */
export interface ValuationFormInputs {
  year1RevenueFen: number;
  growthBp: number;
  royaltyRateBp: number;
  discountRateBp: number;
  taxRateBp: number;
  attributionShareBp: number;
  economicLifeYears: number;
  indicators: PatentValueIndicators | null;
  /**
   * The firm's own annual revenue as the owner stated it with this estimate (null: not stated;
   * absent in estimates saved before issue 10). Checked against year1RevenueFen, never used in
   * the value itself.
   */
  firmAnnualRevenueFen?: number | null;
}

/** The defaults the form starts with (every one shown and editable). */
export function valuationDefaults(
  facts: Pick<AssetValuationFacts, "ipType">,
  firm: ValuationFirm,
): ResolvedAssumptions {
  return defaultValuationInputs({ ipType: facts.ipType }, firm);
}

/**
 * Builds the request for valuation.ts. A number equal to its default is passed as "not entered",
 * so the model reports it as a default it used; anything the person changed is theirs.
 */
export function valuationRequestFor(
  facts: AssetValuationFacts,
  firm: ValuationFirm,
  form: ValuationFormInputs,
  today: string,
): ValuationRequest {
  const d = valuationDefaults(facts, firm);
  const assumptions: ValuationAssumptions = {};
  if (form.growthBp !== d.growthBp) assumptions.growthBp = form.growthBp;
  if (form.royaltyRateBp !== d.royaltyRateBp) assumptions.royaltyRateBp = form.royaltyRateBp;
  if (form.discountRateBp !== d.discountRateBp) assumptions.discountRateBp = form.discountRateBp;
  if (form.attributionShareBp !== d.attributionShareBp) {
    assumptions.attributionShareBp = form.attributionShareBp;
  }
  if (form.economicLifeYears !== d.economicLifeYears) {
    assumptions.economicLifeYears = form.economicLifeYears;
  }
  if (form.taxRateBp !== d.taxRateBp) assumptions.taxRateBp = form.taxRateBp;
  return {
    asset: valuationAsset(facts, facts.ipType === "trademark" ? null : form.indicators),
    firm,
    revenue: { year1RevenueFen: form.year1RevenueFen },
    assumptions,
    today,
  };
}

/** Neutral value-degree answers to start the form with: nothing known either way. */
export function neutralIndicators(
  ipType: IpType,
  claimsCount: number | null,
  coOwned: boolean,
): PatentValueIndicators {
  return {
    claimCount: ipType === "design" ? null : claimsCount,
    familyJurisdictions: 1,
    coOwners: coOwned ? 1 : 0,
    stability: "untested",
    advancement: 3,
    nonSubstitutability: 3,
    maturity: 3,
    marketSize: 3,
    marketShare: 3,
    policyFit: 3,
  };
}
