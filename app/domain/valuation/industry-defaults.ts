import type { IndustrySection } from "../industry";
import { type PatentKind } from "../ip";

// ---------------------------------------------------------------------------------------------
// Defaults by industry
// ---------------------------------------------------------------------------------------------

export interface IndustryValuationDefaults {
  /** For an invention patent; utility models and designs are scaled by ROYALTY_FACTOR_BY_PATENT_KIND. */
  patentRoyaltyRateBp: number;
  trademarkRoyaltyRateBp: number;
  discountRateBp: number;
  /** Share of the product's royalty attributable to the one patent being valued. */
  patentAttributionShareBp: number;
  patentEconomicLifeYears: number;
  growthBp: number;
}

/**
 * Starting points by GB/T 4754 section, to be replaced by whatever a valuer enters.
 * - Patent royalty: the UNIDO survey of licence rates in developing countries quoted throughout CN
 *   valuation practice (as % of net sales: petrochemicals 0.5–2, consumer goods 1–2.5, machinery
 *   1.5–3, chemicals 2–3.5, pharmaceuticals 2.5–4, electrical 3–4.5, precision electronics 4–5.5,
 *   autos 4.5–6, optics/electronics 7–10), mapped to the section's typical products at mid-range.
 * - Trademark royalty: 1–5% of sales, higher where the brand is what the customer buys
 *   (catering, retail, culture), lower in commodity sections (mining, utilities).
 * - Discount rate: build-up for an SME — ≈ 2% 10-year CGB + ≈ 7% equity premium + 3–9% size and
 *   single-asset premium → 12–17%, inside the 10–20% of docs/domain.md#relief-from-royalty.
 * - Attribution share: most SME products rest on a few patents; 40–60% for the one pledged.
 * - Economic life: how long a technology earns before being superseded (IT 5, machinery 8,
 *   pharma/medical and infrastructure 10) — always capped by the legal term.
 * - Growth: modest nominal growth; 0 where the section is not a market (S, T) or is shrinking (K).
 */
export const VALUATION_DEFAULTS_BY_INDUSTRY: Readonly<
  Record<IndustrySection, IndustryValuationDefaults>
> = {
  A: d(200, 200, 1400, 5000, 8, 300),
  B: d(150, 100, 1500, 4000, 10, 100),
  C: d(300, 200, 1400, 5000, 8, 500),
  D: d(150, 100, 1200, 4000, 10, 300),
  E: d(200, 150, 1500, 4000, 8, 200),
  F: d(150, 300, 1500, 4000, 5, 300),
  G: d(150, 150, 1400, 4000, 7, 300),
  H: d(150, 400, 1600, 4000, 5, 300),
  I: d(500, 300, 1700, 4000, 5, 800),
  J: d(200, 300, 1400, 4000, 5, 300),
  K: d(100, 200, 1500, 4000, 5, 0),
  L: d(200, 300, 1600, 4000, 5, 400),
  M: d(500, 200, 1600, 6000, 8, 800),
  N: d(200, 100, 1400, 5000, 8, 300),
  O: d(150, 300, 1600, 4000, 5, 300),
  P: d(200, 300, 1500, 4000, 5, 300),
  Q: d(400, 300, 1500, 5000, 10, 600),
  R: d(300, 400, 1700, 4000, 5, 400),
  S: d(100, 100, 1200, 4000, 5, 0),
  T: d(100, 100, 1200, 4000, 5, 0),
};

function d(
  patentRoyaltyRateBp: number,
  trademarkRoyaltyRateBp: number,
  discountRateBp: number,
  patentAttributionShareBp: number,
  patentEconomicLifeYears: number,
  growthBp: number,
): IndustryValuationDefaults {
  return {
    patentRoyaltyRateBp,
    trademarkRoyaltyRateBp,
    discountRateBp,
    patentAttributionShareBp,
    patentEconomicLifeYears,
    growthBp,
  };
}

/**
 * A utility model (no substantive examination, 10-year term) or a design (appearance only)
 * licenses for less than an invention; the UNIDO rates above are for inventions and know-how.
 * Platform assumption, in bp of the invention rate.
 */
export const ROYALTY_FACTOR_BY_PATENT_KIND: Readonly<Record<PatentKind, number>> = {
  invention: 10_000,
  utility_model: 6000,
  design: 5000,
};

/** Revenue is the revenue sold under the mark, so the whole of it is attributable to the mark. */
export const TRADEMARK_ATTRIBUTION_SHARE_BP = 10_000;

/**
 * A registered mark is renewed every 10 years for a small fee and renewal is routine, so its
 * horizon is not the current expiry. We still stop at 10 years: beyond that a forecast is
 * speculation, and no pledge loan runs longer (products run 6–36 months).
 */
export const TRADEMARK_ECONOMIC_LIFE_YEARS = 10;

/**
 * 驰名商标 (商标法 第十三、十四条): cross-class protection and recognition let the owner charge
 * more for the same sales, so the royalty rate is multiplied by 1.3 (in bp: 13 000). Applied to
 * whatever royalty is used, so an explicitly entered rate should be the ordinary-brand rate.
 */
export const WELL_KNOWN_ROYALTY_FACTOR_BP = 13_000;
