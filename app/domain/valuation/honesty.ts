import type { IndustrySection } from "../industry";
import type { IpType } from "../ip";
import { BP } from "./inputs";
import { ROYALTY_FACTOR_BY_PATENT_KIND } from "./industry-defaults";

/**
 * What keeps the quick estimate honest (issue 10, docs/domain.md#estimate-honesty): the
 * royalty rate is one pick from an industry's range, so the range and its source are shown with
 * the result; the revenue typed for one asset cannot exceed what the whole firm sells in a year,
 * so that is checked; and the owner's assumptions are listed with the value. Pure.
 */

export type RoyaltyRangeSource = "unido" | "trademark_practice";

export interface RoyaltyRange {
  lowBp: number;
  highBp: number;
  source: RoyaltyRangeSource;
}

/**
 * Invention-patent royalty ranges (bp of net sales) by GB/T 4754 section, from the UNIDO survey of
 * licence rates the industry defaults cite (industry-defaults.ts): petrochemicals/energy 0.5–2%,
 * consumer goods 1–2.5%, machinery to electrical 1.5–4.5%, pharmaceuticals 2.5–4%, electronics and
 * IT 3–7%, mapped to each section's typical products. Each section's default lies inside.
 */
export const PATENT_ROYALTY_RANGE_BP: Readonly<Record<IndustrySection, [number, number]>> = {
  A: [100, 250],
  B: [50, 200],
  C: [150, 450],
  D: [50, 200],
  E: [100, 300],
  F: [100, 250],
  G: [100, 250],
  H: [100, 250],
  I: [300, 700],
  J: [100, 300],
  K: [50, 200],
  L: [100, 300],
  M: [300, 700],
  N: [100, 300],
  O: [100, 250],
  P: [100, 300],
  Q: [250, 450],
  R: [150, 400],
  S: [50, 200],
  T: [50, 200],
};

/**
 * Trademark royalty ranges: 1–5% of sales in licensing practice; 0.5–2% where goods are
 * commodities (mining, utilities, real estate, public services), 2–5% where the brand is what the
 * customer buys (retail, catering, culture), 1–3% elsewhere.
 */
export const TRADEMARK_ROYALTY_RANGE_BP: Readonly<Record<IndustrySection, [number, number]>> = {
  A: [100, 300],
  B: [50, 200],
  C: [100, 300],
  D: [50, 200],
  E: [100, 300],
  F: [200, 500],
  G: [100, 300],
  H: [200, 500],
  I: [100, 300],
  J: [100, 300],
  K: [50, 200],
  L: [100, 300],
  M: [100, 300],
  N: [50, 200],
  O: [100, 300],
  P: [100, 300],
  Q: [100, 300],
  R: [200, 500],
  S: [50, 200],
  T: [50, 200],
};

/** The range the royalty of this asset type in this industry is usually found in. */
export function royaltyRateRange(ipType: IpType, industry: IndustrySection): RoyaltyRange {
  if (ipType === "trademark") {
    const [lowBp, highBp] = TRADEMARK_ROYALTY_RANGE_BP[industry];
    return { lowBp, highBp, source: "trademark_practice" };
  }
  const [low, high] = PATENT_ROYALTY_RANGE_BP[industry];
  const factor = ROYALTY_FACTOR_BY_PATENT_KIND[ipType];
  return {
    lowBp: Math.round((low * factor) / BP),
    highBp: Math.round((high * factor) / BP),
    source: "unido",
  };
}

export type ValuationWarning =
  /** The revenue typed for this one asset is more than the firm's stated annual revenue. */
  | { code: "revenue_exceeds_firm"; revenueFen: number; firmRevenueFen: number }
  /** The firm stated no annual revenue, so the asset's revenue could not be checked. */
  | { code: "firm_revenue_unknown" }
  /** The royalty used lies outside the industry's usual range. */
  | { code: "royalty_outside_range"; royaltyRateBp: number; lowBp: number; highBp: number };

/**
 * The warnings shown with an estimate. The revenue attributed to one asset (the year-1 sales of
 * the products using the patent, or sold under the mark) is implausible when it exceeds the firm's
 * whole stated annual revenue: no asset earns more than the firm that owns it.
 */
export function valuationWarnings(a: {
  assetRevenueFen: number;
  firmAnnualRevenueFen: number | null;
  royaltyRateBp: number;
  range: RoyaltyRange;
}): ValuationWarning[] {
  const out: ValuationWarning[] = [];
  if (a.firmAnnualRevenueFen === null) out.push({ code: "firm_revenue_unknown" });
  else if (a.assetRevenueFen > a.firmAnnualRevenueFen) {
    out.push({
      code: "revenue_exceeds_firm",
      revenueFen: a.assetRevenueFen,
      firmRevenueFen: a.firmAnnualRevenueFen,
    });
  }
  if (a.royaltyRateBp < a.range.lowBp || a.royaltyRateBp > a.range.highBp) {
    out.push({
      code: "royalty_outside_range",
      royaltyRateBp: a.royaltyRateBp,
      lowBp: a.range.lowBp,
      highBp: a.range.highBp,
    });
  }
  return out;
}
