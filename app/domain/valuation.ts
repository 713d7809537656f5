import type { IndustrySection } from "./industry";
import { addMonthsClamped, parseIsoDate, type IpType, type PatentKind } from "./ip";
import {
  patentTermYears,
  remainingProtectionYears,
  statutoryExpiry,
  type PatentStatus,
} from "./patent";
import type { TrademarkStatus } from "./trademark";

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

const BP = 10_000;

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

function assertFinite(name: string, v: number, min: number, max: number = Infinity): void {
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

// ---------------------------------------------------------------------------------------------
// Patent value degree (专利价值度)
// ---------------------------------------------------------------------------------------------

/**
 * After the CNIPA / 中国技术交易所 《专利价值分析指标体系操作手册》 (2012): legal, technical and
 * economic value degrees, each 0–100 from scored indicators, combined into PVD. The manual's full
 * set has ~18 indicators scored by an analyst; we keep those a firm can answer on a form or that
 * follow from the register, and score the judgement ones on a 1–5 scale (1 → 0, 3 → 50, 5 → 100,
 * so "average" is neutral).
 */
export type Rating = 1 | 2 | 3 | 4 | 5;

/**
 * Evidence that the patent would survive a challenge (稳定性):
 * challenged — an invalidation request (无效宣告) or infringement suit is pending;
 * untested — nothing known either way;
 * evaluation_report — a 专利权评价报告 (专利法 第六十六条) or search report without adverse findings;
 * upheld — survived invalidation or was held valid in litigation.
 */
export type StabilityEvidence = "challenged" | "untested" | "evaluation_report" | "upheld";

export interface PatentValueIndicators {
  /** 权利要求数 — ignored for designs, which have no claims (protection is by the drawings). */
  claimCount: number | null;
  /** Jurisdictions with a family member, China included (多国申请): 1 = China only. */
  familyJurisdictions: number;
  /** Co-owners besides the pledgor (0 = sole owner). */
  coOwners: number;
  stability: StabilityEvidence;
  advancement: Rating;
  /** Scored in the value direction: 5 = no practical substitute (可替代性 low). */
  nonSubstitutability: Rating;
  maturity: Rating;
  marketSize: Rating;
  marketShare: Rating;
  policyFit: Rating;
}

export type PvdIndicator =
  | "remaining_term"
  | "claims"
  | "family"
  | "co_ownership"
  | "stability"
  | "advancement"
  | "non_substitutability"
  | "maturity"
  | "market_size"
  | "market_share"
  | "policy_fit";

/**
 * Indicator weights inside each degree. Legal: term and stability dominate because a bank
 * disposes of the right on default; claims breadth next; family and co-ownership are minor.
 * Technical and economic follow the manual's emphasis on advancement and market scale.
 */
export const LVD_WEIGHTS = {
  remaining_term: 0.3,
  stability: 0.3,
  claims: 0.2,
  family: 0.1,
  co_ownership: 0.1,
} as const;
export const TVD_WEIGHTS = {
  advancement: 0.4,
  non_substitutability: 0.35,
  maturity: 0.25,
} as const;
export const EVD_WEIGHTS = { market_size: 0.4, market_share: 0.35, policy_fit: 0.25 } as const;

/**
 * PVD = 0.3·LVD + 0.4·TVD + 0.3·EVD. Technology gets the largest weight because the legal term
 * and the revenue are already inside the DCF; PVD's job is to add what the DCF cannot see.
 */
export const PVD_WEIGHTS = { lvd: 0.3, tvd: 0.4, evd: 0.3 } as const;

/** The DCF value is multiplied by 0.8 at PVD 0, 1.0 at 50 and 1.2 at 100 (linear). */
export const PVD_MULTIPLIER_BAND = { min: 0.8, max: 1.2 } as const;

export interface PatentValueDegree {
  /** Each degree and PVD rounded to 0.1, so the multiplier can be re-derived from the numbers shown. */
  lvd: number;
  tvd: number;
  evd: number;
  pvd: number;
  multiplier: number;
  /** 0–100 per indicator; null when it does not apply (claims of a design). */
  scores: Record<PvdIndicator, number | null>;
}

function ratingScore(r: Rating): number {
  return (r - 1) * 25;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function weighted(
  scores: Record<PvdIndicator, number | null>,
  weights: Partial<Record<PvdIndicator, number>>,
): number {
  let sum = 0;
  let weightUsed = 0;
  for (const [indicator, w] of Object.entries(weights) as [PvdIndicator, number][]) {
    const s = scores[indicator];
    if (s === null) continue; // weights of the indicators that apply are renormalised
    sum += s * w;
    weightUsed += w;
  }
  return weightUsed === 0 ? 50 : sum / weightUsed;
}

export function pvdMultiplier(pvd: number): number {
  const { min, max } = PVD_MULTIPLIER_BAND;
  return min + ((max - min) * Math.min(100, Math.max(0, pvd))) / 100;
}

/**
 * Scores: remaining term = 100 × remaining ÷ statutory term; claims = 10 per claim up to 100;
 * family 1 → 50 (the SME norm is neutral), 2 → 75, ≥ 3 → 100; co-ownership 0 → 100, 1 → 60,
 * ≥ 2 → 30 (every co-owner must consent to a pledge, 专利法 第十四条, and disposal gets harder);
 * stability challenged 10, untested 50, evaluation report 75, upheld 100.
 */
export function patentValueDegree(
  kind: PatentKind,
  remainingYears: number,
  termYears: number,
  ind: PatentValueIndicators,
): PatentValueDegree {
  assertFinite("remainingYears", remainingYears, 0);
  assertFinite("termYears", termYears, 1);
  if (ind.claimCount !== null && (!Number.isInteger(ind.claimCount) || ind.claimCount < 0)) {
    throw new RangeError(`claimCount must be a whole number: ${ind.claimCount}`);
  }
  if (!Number.isInteger(ind.familyJurisdictions) || ind.familyJurisdictions < 1) {
    throw new RangeError(`familyJurisdictions must be ≥ 1: ${ind.familyJurisdictions}`);
  }
  if (!Number.isInteger(ind.coOwners) || ind.coOwners < 0) {
    throw new RangeError(`coOwners must be a whole number: ${ind.coOwners}`);
  }
  const stabilityScore: Record<StabilityEvidence, number> = {
    challenged: 10,
    untested: 50,
    evaluation_report: 75,
    upheld: 100,
  };
  const scores: Record<PvdIndicator, number | null> = {
    remaining_term: 100 * Math.min(1, remainingYears / termYears),
    claims:
      kind === "design" || ind.claimCount === null ? null : Math.min(100, 10 * ind.claimCount),
    family: ind.familyJurisdictions >= 3 ? 100 : ind.familyJurisdictions === 2 ? 75 : 50,
    co_ownership: ind.coOwners === 0 ? 100 : ind.coOwners === 1 ? 60 : 30,
    stability: stabilityScore[ind.stability],
    advancement: ratingScore(ind.advancement),
    non_substitutability: ratingScore(ind.nonSubstitutability),
    maturity: ratingScore(ind.maturity),
    market_size: ratingScore(ind.marketSize),
    market_share: ratingScore(ind.marketShare),
    policy_fit: ratingScore(ind.policyFit),
  };
  const lvd = round1(weighted(scores, LVD_WEIGHTS));
  const tvd = round1(weighted(scores, TVD_WEIGHTS));
  const evd = round1(weighted(scores, EVD_WEIGHTS));
  const pvd = round1(PVD_WEIGHTS.lvd * lvd + PVD_WEIGHTS.tvd * tvd + PVD_WEIGHTS.evd * evd);
  return { lvd, tvd, evd, pvd, multiplier: pvdMultiplier(pvd), scores };
}

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

function assertBp(name: keyof typeof VALUATION_LIMITS, v: number): void {
  const { min, max } = VALUATION_LIMITS[name];
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be a whole number of bp in [${min}, ${max}]: ${v}`);
  }
}

function assertFen(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be fen ≥ 0: ${v}`);
}

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
