import type { FirmFlag, IndustrySection } from "./industry";
import { message, type Message } from "./message";
import {
  BP_PER_WHOLE,
  PLEDGE_IP_TYPES,
  effectiveRateBp as subsidisedRateBp,
  riskShareTotalBp,
  type LoanProductTerms,
  type PledgeIpType,
} from "./product";
import type { RegionCode } from "./regions";

/**
 * The matching engine: which loan products fit a firm's financing request, why, and — for a
 * near miss — exactly what is missing (docs/domain.md#matching). Pure: the
 * caller loads the request, the firm, its offered assets and the products, and passes `today`.
 *
 * Rules checked for a (request, product) pair, each one pass or one failure:
 *   product active · firm region · firm industry · required firm flags · loan amount within range ·
 *   term within range · product's minimum rate ≤ the firm's maximum · remaining quota ≥ amount ·
 *   at least one offered asset of an accepted IP type · at least one eligible asset ·
 *   collateral capacity ≥ amount.
 * An asset is eligible when its type is accepted, it is granted (patents) or registered
 * (trademarks), its remaining protection ≥ the product's minimum for its type, a trademark's age
 * ≥ the product's minimum, and it has a value usable on `today` (see `usableValue`).
 */

export type { PledgeIpType } from "./product";

/**
 * 'granted' is a patent's pledgeable state, 'registered' a trademark's. 'expired' is the schema's
 * state for a trademark not renewed in time (ip_assets.status).
 */
export type AssetStatus = "pending" | "granted" | "lapsed" | "registered" | "expired";

export interface OfferedAsset {
  id: number;
  ipType: PledgeIpType;
  title: string;
  /** 专利号 or 商标注册号, as stored. */
  number: string;
  status: AssetStatus;
  /** Years of protection left on the evaluation day (decimal). */
  remainingYears: number;
  /** Trademarks: years since registration. Null for patents or when unknown. */
  ageYears: number | null;
  formalValueFen: number | null;
  /** Last day (inclusive) the formal appraisal is valid: 12 months from signing ('YYYY-MM-DD'). */
  formalValidUntil: string | null;
  /** Central value of the instant indicative valuation. */
  indicativeValueFen: number | null;
}

export interface FirmProfile {
  orgId: number;
  regionCode: RegionCode | null;
  industrySection: IndustrySection | null;
  flags: readonly FirmFlag[];
}

export interface FinancingRequest {
  id: number;
  firmOrgId: number;
  amountFen: number;
  termMonths: number;
  /** The highest nominal annual rate the firm accepts (before 贴息, which is refunded later). */
  maxRateBp: number;
  offeredAssetIds: readonly number[];
}

interface AssetRef {
  assetId: number;
  assetTitle: string;
}

/** A rule that failed, with the numbers a sentence needs. `code` identifies the rule. */
export type Failure =
  | { code: "product_paused" }
  | { code: "region"; firmRegion: RegionCode | null; allowed: RegionCode[] }
  | { code: "industry"; firmIndustry: IndustrySection | null; allowed: IndustrySection[] }
  | { code: "firm_flags"; missing: FirmFlag[] }
  | { code: "amount_below_min"; amountFen: number; minAmountFen: number }
  | { code: "amount_above_max"; amountFen: number; maxAmountFen: number }
  | { code: "term_below_min"; termMonths: number; minTermMonths: number }
  | { code: "term_above_max"; termMonths: number; maxTermMonths: number }
  | { code: "rate_above_firm_max"; minRateBp: number; firmMaxRateBp: number }
  | { code: "quota_short"; amountFen: number; quotaRemainingFen: number }
  | {
      code: "ip_type_not_accepted";
      offeredTypes: PledgeIpType[];
      acceptedTypes: PledgeIpType[];
      /** Collateral value of an accepted type that would cover the amount at the best rate. */
      neededCollateralValueFen: number | null;
    }
  | (AssetRef & { code: "asset_type_not_accepted"; ipType: PledgeIpType })
  | (AssetRef & { code: "asset_status"; ipType: PledgeIpType; status: AssetStatus })
  | (AssetRef & { code: "asset_expired" })
  | (AssetRef & { code: "remaining_protection"; remainingYears: number; requiredYears: number })
  | (AssetRef & { code: "trademark_age"; ageYears: number | null; requiredYears: number })
  | (AssetRef & { code: "formal_appraisal_needed"; formalExpiredOn: string | null })
  | (AssetRef & { code: "no_valuation"; formalExpiredOn: string | null })
  | {
      code: "capacity_short";
      capacityFen: number;
      amountFen: number;
      shortfallCapacityFen: number;
      /** ≈ shortfall ÷ best pledge rate among accepted types, rounded up; null if all rates are 0. */
      neededCollateralValueFen: number | null;
      bestPledgeRateBp: number;
    };

export type FailureCode = Failure["code"];

/** A rule that passed, with the numbers that show why. */
export type Reason =
  | { code: "product_active" }
  | { code: "region"; firmRegion: RegionCode | null; allowed: RegionCode[] | "all" }
  | { code: "industry"; firmIndustry: IndustrySection | null; allowed: IndustrySection[] | "all" }
  | { code: "firm_flags"; required: FirmFlag[] }
  | { code: "amount"; amountFen: number; minAmountFen: number; maxAmountFen: number }
  | { code: "term"; termMonths: number; minTermMonths: number; maxTermMonths: number }
  | { code: "rate"; minRateBp: number; effectiveRateBp: number; firmMaxRateBp: number }
  | { code: "quota"; amountFen: number; quotaRemainingFen: number }
  | { code: "ip_types"; ipTypes: PledgeIpType[] }
  | {
      code: "assets_eligible";
      eligibleCount: number;
      offeredCount: number;
      indicativeCount: number;
    }
  | { code: "capacity"; capacityFen: number; amountFen: number };

export type MatchStatus = "match" | "near_miss" | "no_match";

export interface EligibleAsset {
  assetId: number;
  ipType: PledgeIpType;
  valueFen: number;
  /** 'indicative' only when the product allows pre-matching without a formal appraisal. */
  valueBasis: "formal" | "indicative";
  pledgeRateBp: number;
  capacityFen: number;
}

/** Each part is 0–1; the score is Σ part × weight (see SCORE_WEIGHTS). */
export interface ScoreBreakdown {
  rate: number;
  riskShare: number;
  headroom: number;
  termFit: number;
}

export interface ProductEvaluation {
  productId: number;
  bankOrgId: number;
  status: MatchStatus;
  passes: Reason[];
  failures: Failure[];
  /** Informational: offered assets this product cannot take while others still qualify. */
  notes: Failure[];
  /** Distinct failed rules (several assets failing the same rule count once). */
  failedRuleCount: number;
  /** Σ capacity of the eligible assets. */
  capacityFen: number;
  eligibleAssetIds: number[];
  eligibleAssets: EligibleAsset[];
  /** The product's minimum rate after 贴息. */
  effectiveRateBp: number;
  /** Matches only: 0–100, one decimal. */
  score?: number;
  scoreBreakdown?: ScoreBreakdown;
  /** Matches only: the cheapest set of eligible assets that covers the amount. */
  collateral?: LeastCollateral;
  /** Near misses only: 0 (almost there) … 1 (a categorical rule), see `failureGap`. */
  gap?: number;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Floor of a × b ÷ d for non-negative integers, exact even when a × b exceeds 2⁵³. */
function mulDivFloor(a: number, b: number, d: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(d));
}

function mulDivCeil(a: number, b: number, d: number): number {
  return Number((BigInt(a) * BigInt(b) + BigInt(d) - 1n) / BigInt(d));
}

/**
 * Capacity of one asset: floor(valueFen × pledgeRateBp / 10000). Rounded down per asset so the
 * sum never promises a fen the bank's own per-asset calculation would not lend.
 */
export function assetCapacityFen(valueFen: number, pledgeRateBp: number): number {
  return mulDivFloor(valueFen, pledgeRateBp, BP_PER_WHOLE);
}

/** Collateral value needed to lend `capacityFen` at `pledgeRateBp`, rounded up; null at 0%. */
function collateralValueFor(capacityFen: number, pledgeRateBp: number): number | null {
  return pledgeRateBp > 0 ? mulDivCeil(capacityFen, BP_PER_WHOLE, pledgeRateBp) : null;
}

function bestPledgeRateBp(product: LoanProductTerms): number {
  return Math.max(0, ...product.acceptedIpTypes.map((t) => product.pledgeRateBp[t]));
}

function isPledgeableStatus(asset: OfferedAsset): boolean {
  // Pending applications, lapsed rights and a status that does not fit the type cannot be pledged.
  return asset.ipType === "trademark" ? asset.status === "registered" : asset.status === "granted";
}

/**
 * The value capacity is computed from: the formal value when its appraisal is valid on `today`
 * (validUntil inclusive), else the indicative central value only when the product allows
 * pre-matching without a formal appraisal, else none.
 */
function usableValue(
  asset: OfferedAsset,
  product: LoanProductTerms,
  today: string,
): { valueFen: number; basis: "formal" | "indicative" } | null {
  if (
    asset.formalValueFen !== null &&
    asset.formalValidUntil !== null &&
    asset.formalValidUntil >= today
  ) {
    return { valueFen: asset.formalValueFen, basis: "formal" };
  }
  if (!product.requiresFormalAppraisal && asset.indicativeValueFen !== null) {
    return { valueFen: asset.indicativeValueFen, basis: "indicative" };
  }
  return null;
}

/** Every reason one asset of an accepted type cannot be pledged under this product. */
function assetProblems(asset: OfferedAsset, product: LoanProductTerms, today: string): Failure[] {
  const ref: AssetRef = { assetId: asset.id, assetTitle: asset.title };
  const problems: Failure[] = [];
  if (!isPledgeableStatus(asset)) {
    problems.push({ ...ref, code: "asset_status", ipType: asset.ipType, status: asset.status });
  }
  const requiredYears = product.minRemainingYears[asset.ipType];
  if (asset.remainingYears <= 0) {
    // An expired right is never pledged, whatever the product asks (docs/domain.md#pledgeable).
    problems.push({ ...ref, code: "asset_expired" });
  } else if (asset.remainingYears < requiredYears) {
    problems.push({
      ...ref,
      code: "remaining_protection",
      remainingYears: asset.remainingYears,
      requiredYears,
    });
  }
  if (asset.ipType === "trademark" && product.trademarkMinAgeYears > 0) {
    if (asset.ageYears === null || asset.ageYears < product.trademarkMinAgeYears) {
      problems.push({
        ...ref,
        code: "trademark_age",
        ageYears: asset.ageYears,
        requiredYears: product.trademarkMinAgeYears,
      });
    }
  }
  if (usableValue(asset, product, today) === null) {
    const formalExpiredOn = asset.formalValueFen !== null ? asset.formalValidUntil : null;
    problems.push({
      ...ref,
      code: product.requiresFormalAppraisal ? "formal_appraisal_needed" : "no_valuation",
      formalExpiredOn,
    });
  }
  return problems;
}

function capacityShort(capacityFen: number, amountFen: number, product: LoanProductTerms): Failure {
  const shortfallCapacityFen = amountFen - capacityFen;
  const bestRate = bestPledgeRateBp(product);
  return {
    code: "capacity_short",
    capacityFen,
    amountFen,
    shortfallCapacityFen,
    neededCollateralValueFen: collateralValueFor(shortfallCapacityFen, bestRate),
    bestPledgeRateBp: bestRate,
  };
}

function typesInOrder(types: Iterable<PledgeIpType>): PledgeIpType[] {
  const set = new Set(types);
  return PLEDGE_IP_TYPES.filter((t) => set.has(t));
}

function assertInputs(request: FinancingRequest, firm: FirmProfile, today: string): void {
  if (!DATE_RE.test(today)) throw new RangeError(`today must be 'YYYY-MM-DD', got ${today}`);
  if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0) {
    throw new RangeError(`request ${request.id}: amountFen must be a positive integer`);
  }
  if (!Number.isSafeInteger(request.termMonths) || request.termMonths <= 0) {
    throw new RangeError(`request ${request.id}: termMonths must be a positive integer`);
  }
  if (firm.orgId !== request.firmOrgId) {
    throw new RangeError(
      `request ${request.id} belongs to org ${request.firmOrgId}, not ${firm.orgId}`,
    );
  }
}

/** The request's offered assets, in the request's order; a missing one is a caller bug. */
function offeredAssets(request: FinancingRequest, assets: readonly OfferedAsset[]): OfferedAsset[] {
  const byId = new Map(assets.map((a) => [a.id, a]));
  return [...new Set(request.offeredAssetIds)].map((id) => {
    const asset = byId.get(id);
    if (!asset)
      throw new RangeError(`request ${request.id} offers asset ${id}, which was not passed`);
    return asset;
  });
}

/**
 * Score weights for matches (sum 100). The rate a firm pays after 贴息 matters most; risk sharing
 * makes approval likelier; capacity headroom means the bank has margin and the firm can keep
 * assets free; a term near the middle of the product's range leaves room to adjust at approval.
 */
export const SCORE_WEIGHTS = { rate: 40, riskShare: 20, headroom: 25, termFit: 15 } as const;
/** An effective rate at or above this scores 0 on rate; 0% scores 1 (linear in between). */
export const RATE_SCORE_ZERO_AT_BP = 1_000;

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/**
 * Parts (each 0–1): rate = 1 − effectiveRate / 10%; riskShare = (government + insurer +
 * guarantor) / 100%; headroom = capacity / amount − 1, full at ≥ 2× the amount; termFit = 1 at the
 * middle of the product's term range falling linearly to 0 at either end (1 if min = max).
 * Absolute scales (not relative to the other products) so a product's score does not change when
 * another product is added. Rounded to one decimal, as it is shown.
 */
export function scoreMatch(
  request: FinancingRequest,
  product: LoanProductTerms,
  capacityFen: number,
): { score: number; breakdown: ScoreBreakdown } {
  const effective = subsidisedRateBp(product.minRateBp, product.interestSubsidyBp);
  const half = (product.maxTermMonths - product.minTermMonths) / 2;
  const middle = product.minTermMonths + half;
  const breakdown: ScoreBreakdown = {
    rate: clamp01(1 - effective / RATE_SCORE_ZERO_AT_BP),
    riskShare: clamp01(riskShareTotalBp(product.riskShare) / BP_PER_WHOLE),
    headroom: clamp01(capacityFen / request.amountFen - 1),
    termFit: half === 0 ? 1 : clamp01(1 - Math.abs(request.termMonths - middle) / half),
  };
  const raw =
    SCORE_WEIGHTS.rate * breakdown.rate +
    SCORE_WEIGHTS.riskShare * breakdown.riskShare +
    SCORE_WEIGHTS.headroom * breakdown.headroom +
    SCORE_WEIGHTS.termFit * breakdown.termFit;
  return { score: Math.round(raw * 10) / 10, breakdown };
}

/**
 * How far a near miss is from matching, 0–1, to list the closest first: the relative gap for a
 * numeric rule (shortfall ÷ amount, excess ÷ limit, …) and 1 for a categorical one (region,
 * industry, flags, IP type, asset eligibility, paused) that no small change fixes.
 */
export function failureGap(f: Failure): number {
  switch (f.code) {
    case "capacity_short":
      return clamp01(f.shortfallCapacityFen / f.amountFen);
    case "amount_below_min":
      return clamp01((f.minAmountFen - f.amountFen) / f.minAmountFen);
    case "amount_above_max":
      return clamp01((f.amountFen - f.maxAmountFen) / f.amountFen);
    case "term_below_min":
      return clamp01((f.minTermMonths - f.termMonths) / f.minTermMonths);
    case "term_above_max":
      return clamp01((f.termMonths - f.maxTermMonths) / f.termMonths);
    case "quota_short":
      return clamp01((f.amountFen - f.quotaRemainingFen) / f.amountFen);
    case "rate_above_firm_max":
      return f.minRateBp === 0 ? 1 : clamp01((f.minRateBp - f.firmMaxRateBp) / f.minRateBp);
    default:
      return 1;
  }
}

/** Evaluates every rule for one product, without short-circuiting, so near misses are exact. */
export function evaluateProduct(
  request: FinancingRequest,
  firm: FirmProfile,
  assets: readonly OfferedAsset[],
  product: LoanProductTerms,
  today: string,
): ProductEvaluation {
  assertInputs(request, firm, today);
  const offered = offeredAssets(request, assets);
  const { amountFen, termMonths } = request;
  const passes: Reason[] = [];
  const failures: Failure[] = [];
  const notes: Failure[] = [];
  const effectiveRateBp = subsidisedRateBp(product.minRateBp, product.interestSubsidyBp);

  if (product.active) passes.push({ code: "product_active" });
  else failures.push({ code: "product_paused" });

  const firmRegion = firm.regionCode;
  if (product.regions === "all") passes.push({ code: "region", firmRegion, allowed: "all" });
  else if (firmRegion !== null && product.regions.includes(firmRegion)) {
    passes.push({ code: "region", firmRegion, allowed: [...product.regions] });
  } else failures.push({ code: "region", firmRegion, allowed: [...product.regions] });

  const firmIndustry = firm.industrySection;
  if (product.industries === "all") passes.push({ code: "industry", firmIndustry, allowed: "all" });
  else if (firmIndustry !== null && product.industries.includes(firmIndustry)) {
    passes.push({ code: "industry", firmIndustry, allowed: [...product.industries] });
  } else failures.push({ code: "industry", firmIndustry, allowed: [...product.industries] });

  const missing = product.requiredFlags.filter((f) => !firm.flags.includes(f));
  if (missing.length === 0)
    passes.push({ code: "firm_flags", required: [...product.requiredFlags] });
  else failures.push({ code: "firm_flags", missing });

  const { minAmountFen, maxAmountFen } = product;
  if (amountFen < minAmountFen)
    failures.push({ code: "amount_below_min", amountFen, minAmountFen });
  else if (amountFen > maxAmountFen) {
    failures.push({ code: "amount_above_max", amountFen, maxAmountFen });
  } else passes.push({ code: "amount", amountFen, minAmountFen, maxAmountFen });

  const { minTermMonths, maxTermMonths } = product;
  if (termMonths < minTermMonths)
    failures.push({ code: "term_below_min", termMonths, minTermMonths });
  else if (termMonths > maxTermMonths) {
    failures.push({ code: "term_above_max", termMonths, maxTermMonths });
  } else passes.push({ code: "term", termMonths, minTermMonths, maxTermMonths });

  // Nominal rates: the contract carries the nominal rate and 贴息 is refunded afterwards.
  const rateInfo = { minRateBp: product.minRateBp, firmMaxRateBp: request.maxRateBp };
  if (product.minRateBp <= request.maxRateBp)
    passes.push({ code: "rate", ...rateInfo, effectiveRateBp });
  else failures.push({ code: "rate_above_firm_max", ...rateInfo });

  const { quotaRemainingFen } = product;
  if (quotaRemainingFen >= amountFen) passes.push({ code: "quota", amountFen, quotaRemainingFen });
  else failures.push({ code: "quota_short", amountFen, quotaRemainingFen });

  const accepted = new Set(product.acceptedIpTypes);
  const acceptedOffered = offered.filter((a) => accepted.has(a.ipType));
  const eligibleAssets: EligibleAsset[] = [];
  let capacityFen = 0;
  for (const a of offered) {
    if (accepted.has(a.ipType)) continue;
    notes.push({
      code: "asset_type_not_accepted",
      assetId: a.id,
      assetTitle: a.title,
      ipType: a.ipType,
    });
  }
  if (acceptedOffered.length === 0) {
    // Asset and capacity rules are not evaluated: there is nothing this product could take.
    failures.push({
      code: "ip_type_not_accepted",
      offeredTypes: typesInOrder(offered.map((a) => a.ipType)),
      acceptedTypes: typesInOrder(product.acceptedIpTypes),
      neededCollateralValueFen: collateralValueFor(amountFen, bestPledgeRateBp(product)),
    });
  } else {
    passes.push({ code: "ip_types", ipTypes: typesInOrder(acceptedOffered.map((a) => a.ipType)) });
    const assetFailures: Failure[] = [];
    let potentialCapacityFen = 0;
    for (const a of acceptedOffered) {
      const problems = assetProblems(a, product, today);
      const pledgeRateBp = product.pledgeRateBp[a.ipType];
      const value = usableValue(a, product, today);
      if (problems.length === 0 && value !== null) {
        const cap = assetCapacityFen(value.valueFen, pledgeRateBp);
        eligibleAssets.push({
          assetId: a.id,
          ipType: a.ipType,
          valueFen: value.valueFen,
          valueBasis: value.basis,
          pledgeRateBp,
          capacityFen: cap,
        });
        capacityFen += cap;
      } else {
        assetFailures.push(...problems);
        // What this asset would lend if its problems were fixed, valued as best we know.
        const knownValue = value?.valueFen ?? a.formalValueFen ?? a.indicativeValueFen ?? 0;
        potentialCapacityFen += assetCapacityFen(knownValue, pledgeRateBp);
      }
    }
    if (eligibleAssets.length > 0) {
      // Some assets qualify: the others are notes, and only the total capacity can fail.
      notes.push(...assetFailures);
      passes.push({
        code: "assets_eligible",
        eligibleCount: eligibleAssets.length,
        offeredCount: acceptedOffered.length,
        indicativeCount: eligibleAssets.filter((e) => e.valueBasis === "indicative").length,
      });
      if (capacityFen >= amountFen) passes.push({ code: "capacity", capacityFen, amountFen });
      else failures.push(capacityShort(capacityFen, amountFen, product));
    } else {
      // No asset qualifies: the asset rules are the failures. If the assets would still fall short
      // once eligible, that is a second gap, so the result is not shown as one step away.
      failures.push(...assetFailures);
      potentialCapacityFen += capacityFen;
      if (potentialCapacityFen < amountFen) {
        failures.push(capacityShort(potentialCapacityFen, amountFen, product));
      }
    }
  }

  const failedRuleCount = new Set(failures.map((f) => f.code)).size;
  const status: MatchStatus =
    failedRuleCount === 0 ? "match" : failedRuleCount === 1 ? "near_miss" : "no_match";
  const evaluation: ProductEvaluation = {
    productId: product.id,
    bankOrgId: product.bankOrgId,
    status,
    passes,
    failures,
    notes,
    failedRuleCount,
    capacityFen,
    eligibleAssetIds: eligibleAssets.map((e) => e.assetId),
    eligibleAssets,
    effectiveRateBp,
  };
  if (status === "match") {
    const { score, breakdown } = scoreMatch(request, product, capacityFen);
    evaluation.score = score;
    evaluation.scoreBreakdown = breakdown;
    const collateral = chooseLeastCollateral(
      eligibleAssets.map((e) => ({
        id: e.assetId,
        valueFen: e.valueFen,
        capacityFen: e.capacityFen,
      })),
      amountFen,
    );
    // Cannot be null: capacity ≥ amount was just checked over the same assets.
    if (collateral) evaluation.collateral = collateral;
  } else if (status === "near_miss") {
    evaluation.gap = Math.max(...failures.map(failureGap));
  }
  return evaluation;
}

/** Matches: score desc, then effective rate asc, then product id asc (deterministic). */
export function compareMatches(a: ProductEvaluation, b: ProductEvaluation): number {
  return (
    (b.score ?? 0) - (a.score ?? 0) ||
    a.effectiveRateBp - b.effectiveRateBp ||
    a.productId - b.productId
  );
}

/** Near misses: closest first (gap asc), then effective rate asc, then product id asc. */
export function compareNearMisses(a: ProductEvaluation, b: ProductEvaluation): number {
  return (
    (a.gap ?? 1) - (b.gap ?? 1) ||
    a.effectiveRateBp - b.effectiveRateBp ||
    a.productId - b.productId
  );
}

export interface MatchCounts {
  products: number;
  matches: number;
  nearMisses: number;
  noMatches: number;
  /** Inactive products are skipped: a firm cannot apply to them, so they are not near misses. */
  paused: number;
}

export interface RequestMatches {
  matches: ProductEvaluation[];
  nearMisses: ProductEvaluation[];
  counts: MatchCounts;
}

/** The firm's direction: every active product evaluated against one request. */
export function matchRequest(
  request: FinancingRequest,
  firm: FirmProfile,
  assets: readonly OfferedAsset[],
  products: readonly LoanProductTerms[],
  today: string,
): RequestMatches {
  const matches: ProductEvaluation[] = [];
  const nearMisses: ProductEvaluation[] = [];
  let paused = 0;
  let noMatches = 0;
  assertInputs(request, firm, today);
  for (const product of products) {
    if (!product.active) {
      paused++;
      continue;
    }
    const e = evaluateProduct(request, firm, assets, product, today);
    if (e.status === "match") matches.push(e);
    else if (e.status === "near_miss") nearMisses.push(e);
    else noMatches++;
  }
  matches.sort(compareMatches);
  nearMisses.sort(compareNearMisses);
  return {
    matches,
    nearMisses,
    counts: {
      products: products.length,
      matches: matches.length,
      nearMisses: nearMisses.length,
      noMatches,
      paused,
    },
  };
}

export interface MatchCandidate {
  request: FinancingRequest;
  firm: FirmProfile;
  assets: readonly OfferedAsset[];
}

export interface RequestEvaluation {
  requestId: number;
  firmOrgId: number;
  evaluation: ProductEvaluation;
}

export interface ProductMatches {
  matches: RequestEvaluation[];
  nearMisses: RequestEvaluation[];
  counts: { requests: number; matches: number; nearMisses: number; noMatches: number };
}

/**
 * The bank's direction: which open requests one product fits, with the same reasons. A paused
 * product is still evaluated, so an officer can preview who would match once it is resumed
 * (every candidate then fails `product_paused`, and the ones that pass everything else are the
 * near misses).
 */
export function matchProductToRequests(
  product: LoanProductTerms,
  candidates: readonly MatchCandidate[],
  today: string,
): ProductMatches {
  const matches: RequestEvaluation[] = [];
  const nearMisses: RequestEvaluation[] = [];
  let noMatches = 0;
  for (const c of candidates) {
    const evaluation = evaluateProduct(c.request, c.firm, c.assets, product, today);
    const row = { requestId: c.request.id, firmOrgId: c.firm.orgId, evaluation };
    if (evaluation.status === "match") matches.push(row);
    else if (evaluation.status === "near_miss") nearMisses.push(row);
    else noMatches++;
  }
  matches.sort(
    (a, b) => (b.evaluation.score ?? 0) - (a.evaluation.score ?? 0) || a.requestId - b.requestId,
  );
  nearMisses.sort(
    (a, b) => (a.evaluation.gap ?? 1) - (b.evaluation.gap ?? 1) || a.requestId - b.requestId,
  );
  return {
    matches,
    nearMisses,
    counts: {
      requests: candidates.length,
      matches: matches.length,
      nearMisses: nearMisses.length,
      noMatches,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Least collateral
// ---------------------------------------------------------------------------------------------

export interface CollateralCandidate {
  id: number;
  /** The value that gets pledged (locked) if this asset is chosen. */
  valueFen: number;
  /** What the asset lends under the product: floor(value × pledge rate). */
  capacityFen: number;
}

export interface LeastCollateral {
  /** Ascending. */
  assetIds: number[];
  pledgedValueFen: number;
  capacityFen: number;
  /** True when the choice is proven optimal, tie-breaks included. */
  exact: boolean;
}

/** Largest portfolio solved exactly; meet in the middle lists 2 × 2^(n/2) subsets (2²¹ at 40). */
export const LEAST_COLLATERAL_EXACT_MAX_ASSETS = 40;

/**
 * The set of assets to pledge for `amountFen`: Σ capacity ≥ amount with the least Σ value, so the
 * rest of the portfolio stays free for other loans. Ties: fewer assets, then the lexicographically
 * smallest ascending id list. Null when even every asset together does not cover the amount.
 *
 * Exact up to LEAST_COLLATERAL_EXACT_MAX_ASSETS assets with positive capacity (assets lending 0
 * are never chosen). This is a covering knapsack, NP-hard in general and close to subset-sum here
 * because capacity ≈ value × one rate per IP type, which defeats branch-and-bound's fractional
 * bound; meet in the middle has a fixed cost instead:
 *   – cost_i = value_i × (n + 1) + 1, so Σ cost orders sets by (value, then count) exactly;
 *   – split the id-sorted assets into halves A (lower ids) and B; list all 2^|B| subsets of B
 *     sorted by capacity (built by merging, O(2^|B|)), then a suffix pass keeps, for each
 *     capacity threshold, the cheapest subset at or above it (ties: lexicographic key);
 *   – list A's subsets the same way and walk them from the most capacity down; the B threshold
 *     only rises, so one forward pointer finds the cheapest B subset covering the rest.
 * Time O(2^(n/2)), memory 40 bytes × 2^(n/2) (40 MB at 40 assets, freed on return).
 * Beyond the limit (or if value × (n + 1) would exceed 2⁵³) an approximation is used and flagged
 * exact: false: greedy by value per fen of capacity, then drop redundant assets and apply
 * improving one-for-one swaps until none is left, compared with the cheapest single covering
 * asset.
 */
export function chooseLeastCollateral(
  assets: readonly CollateralCandidate[],
  amountFen: number,
): LeastCollateral | null {
  if (!Number.isSafeInteger(amountFen)) {
    throw new RangeError(`amountFen not an integer: ${amountFen}`);
  }
  const ids = new Set<number>();
  for (const a of assets) {
    if (ids.has(a.id)) throw new RangeError(`asset ${a.id} listed twice`);
    ids.add(a.id);
    if (!Number.isSafeInteger(a.valueFen) || a.valueFen < 0) {
      throw new RangeError(`asset ${a.id}: valueFen must be a non-negative integer`);
    }
    if (!Number.isSafeInteger(a.capacityFen) || a.capacityFen < 0) {
      throw new RangeError(`asset ${a.id}: capacityFen must be a non-negative integer`);
    }
  }
  if (amountFen <= 0) return { assetIds: [], pledgedValueFen: 0, capacityFen: 0, exact: true };
  const items = assets.filter((a) => a.capacityFen > 0).sort((a, b) => a.id - b.id);
  const totalCapacity = items.reduce((s, a) => s + a.capacityFen, 0);
  if (totalCapacity < amountFen) return null;
  const totalValue = items.reduce((s, a) => s + a.valueFen, 0);
  const n = items.length;
  const exact =
    n <= LEAST_COLLATERAL_EXACT_MAX_ASSETS && Number.isSafeInteger(totalValue * (n + 1) + n);
  const chosen = exact ? exactCover(items, amountFen) : approximateCover(items, amountFen);
  return {
    assetIds: chosen.map((i) => items[i].id),
    pledgedValueFen: chosen.reduce((s, i) => s + items[i].valueFen, 0),
    capacityFen: chosen.reduce((s, i) => s + items[i].capacityFen, 0),
    exact,
  };
}

/** Every subset of a run of assets, sorted by capacity ascending, as parallel typed arrays. */
interface SubsetList {
  cap: Float64Array;
  cost: Float64Array;
  /** Bit (count − 1 − j) set when the run's j-th asset is in the subset; see exactCover. */
  key: Uint32Array;
}

/**
 * All 2^count subsets of items[from, from + count), sorted by capacity. Built by doubling: the
 * sorted list of the first j assets merged with itself shifted by asset j, O(2^count) in all.
 */
function sortedSubsets(
  items: readonly CollateralCandidate[],
  cost: readonly number[],
  from: number,
  count: number,
): SubsetList {
  const size = 2 ** count;
  const cap = new Float64Array(size);
  const cst = new Float64Array(size);
  const key = new Uint32Array(size);
  let len = 1; // the empty set
  for (let j = 0; j < count; j++) {
    const c = items[from + j].capacityFen;
    const w = cost[from + j];
    const bit = 1 << (count - 1 - j);
    // Merge [0, len) with [0, len) + asset into [0, 2·len) from the back: the write position
    // stays ahead of both read positions, so no second buffer is needed.
    let i = len - 1;
    let k = len - 1;
    let p = 2 * len - 1;
    while (k >= 0) {
      const shifted = cap[k] + c;
      if (i >= 0 && cap[i] > shifted) {
        cap[p] = cap[i];
        cst[p] = cst[i];
        key[p] = key[i];
        i--;
      } else {
        cap[p] = shifted;
        cst[p] = cst[k] + w;
        key[p] = key[k] | bit;
        k--;
      }
      p--;
    }
    len *= 2;
  }
  return { cap, cost: cst, key };
}

/** Meet in the middle (see chooseLeastCollateral). Returns ascending indices into `items`. */
function exactCover(items: readonly CollateralCandidate[], amountFen: number): number[] {
  const n = items.length;
  const cost = items.map((a) => a.valueFen * (n + 1) + 1);
  const h = n >> 1; // half A: indices [0, h) — the lower ids
  const m = n - h; // half B: indices [h, n)
  // A subset's key sets bit (size − 1 − j) for its j-th member, so within a half the larger key
  // is the lexicographically smaller id list (the lowest differing asset is in it); A holds the
  // lower ids, so (A key, B key) compared in that order is the order of the whole id list.
  const A = sortedSubsets(items, cost, 0, h);
  const B = sortedSubsets(items, cost, h, m);
  const sizeB = B.cap.length;
  // Suffix pass: B entry t becomes the best subset among those with capacity ≥ B.cap[t].
  for (let t = sizeB - 2; t >= 0; t--) {
    const c = B.cost[t + 1];
    if (c < B.cost[t] || (c === B.cost[t] && B.key[t + 1] > B.key[t])) {
      B.cost[t] = c;
      B.key[t] = B.key[t + 1];
    }
  }
  // A from the most capacity down: what B must still cover only grows, so B's pointer only moves
  // forward and both arrays are read sequentially (random access was 5× slower at 40 assets).
  let bestCost = Infinity;
  let bestAKey = 0;
  let bestBKey = 0;
  let t = 0;
  for (let s = A.cap.length - 1; s >= 0; s--) {
    const need = amountFen - A.cap[s];
    while (t < sizeB && B.cap[t] < need) t++;
    if (t === sizeB) break; // every remaining A subset lends less still
    const total = A.cost[s] + B.cost[t];
    const aKey = A.key[s];
    if (
      total < bestCost ||
      (total === bestCost && (aKey > bestAKey || (aKey === bestAKey && B.key[t] > bestBKey)))
    ) {
      bestCost = total;
      bestAKey = aKey;
      bestBKey = B.key[t];
    }
  }
  const chosen: number[] = [];
  for (let j = 0; j < h; j++) if (bestAKey & (1 << (h - 1 - j))) chosen.push(j);
  for (let j = 0; j < m; j++) if (bestBKey & (1 << (m - 1 - j))) chosen.push(h + j);
  return chosen;
}

/** Orders index sets by (Σ value, count, ascending indices lexicographically); < 0 if a is better. */
function compareSelections(
  items: readonly CollateralCandidate[],
  a: readonly number[],
  b: readonly number[],
): number {
  const value = (s: readonly number[]) => s.reduce((t, i) => t + items[i].valueFen, 0);
  const d = value(a) - value(b) || a.length - b.length;
  if (d !== 0) return d;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

/** Approximation for large portfolios (see chooseLeastCollateral). Ascending indices. */
function approximateCover(items: readonly CollateralCandidate[], amountFen: number): number[] {
  const n = items.length;
  const order = items
    .map((_, i) => i)
    .sort(
      (x, y) =>
        items[x].valueFen / items[x].capacityFen - items[y].valueFen / items[y].capacityFen ||
        items[y].capacityFen - items[x].capacityFen ||
        x - y,
    );
  const chosen = new Uint8Array(n);
  let cap = 0;
  for (const i of order) {
    if (cap >= amountFen) break;
    chosen[i] = 1;
    cap += items[i].capacityFen;
  }
  const selection = () => [...chosen.keys()].filter((i) => chosen[i] === 1);

  // Improvement pass; every accepted step makes the selection strictly better, so it ends.
  for (let round = 0; round < 10 * n; round++) {
    let improved = false;
    // Drop assets that are no longer needed, most valuable first.
    const pledged = selection().sort((x, y) => items[y].valueFen - items[x].valueFen || y - x);
    for (const i of pledged) {
      if (cap - items[i].capacityFen >= amountFen) {
        chosen[i] = 0;
        cap -= items[i].capacityFen;
        improved = true;
      }
    }
    // The best one-for-one swap that keeps the amount covered: the largest value saved; at
    // equal value, swapping in a lower index gives the lexicographically smaller id list.
    let bestSwap: [number, number] | null = null;
    let bestDelta = 0;
    for (let p = 0; p < n; p++) {
      if (chosen[p] === 0) continue;
      for (let f = 0; f < n; f++) {
        if (chosen[f] === 1 || cap - items[p].capacityFen + items[f].capacityFen < amountFen)
          continue;
        const delta = items[f].valueFen - items[p].valueFen;
        if (delta < bestDelta || (bestSwap === null && delta === 0 && f < p)) {
          bestDelta = delta;
          bestSwap = [p, f];
        }
      }
    }
    if (bestSwap) {
      const [p, f] = bestSwap;
      chosen[p] = 0;
      chosen[f] = 1;
      cap += items[f].capacityFen - items[p].capacityFen;
      improved = true;
    }
    if (!improved) break;
  }

  let result = selection();
  // A single asset that covers alone can beat a greedy mix of cheap-per-fen small ones.
  for (let i = 0; i < n; i++) {
    if (items[i].capacityFen >= amountFen && compareSelections(items, [i], result) < 0)
      result = [i];
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------------------------

/**
 * Years with one decimal, truncated rather than rounded so a failing 4.96 years never reads as
 * "5.0 年, 要求 ≥ 5 年"; whole numbers without ".0".
 */
export function formatYears(years: number): string {
  const t = Math.floor(years * 10 + 1e-9) / 10;
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}

/**
 * What is missing, as a message the UI words (app/locales/…/matching.json `failures`), e.g.
 * "还需约 85.00 万元的质押物价值（按质押率 25.00% 计）". Assets are named by their title.
 */
export function explainFailure(f: Failure): Message {
  const key = (k: string) => `matching:failures.${k}`;
  const asset = (r: AssetRef) => ({ asset: r.assetTitle });
  switch (f.code) {
    case "product_paused":
      return message(key(f.code));
    case "region":
      return message(key(f.code), { regions: f.allowed });
    case "industry":
      return message(key(f.code), { industries: f.allowed });
    case "firm_flags":
      return message(key(f.code), { flags: f.missing });
    case "amount_below_min":
      return message(key(f.code), { amountFen: f.amountFen, minAmountFen: f.minAmountFen });
    case "amount_above_max":
      return message(key(f.code), { amountFen: f.amountFen, maxAmountFen: f.maxAmountFen });
    case "term_below_min":
      return message(key(f.code), { termMonths: f.termMonths, minTermMonths: f.minTermMonths });
    case "term_above_max":
      return message(key(f.code), { termMonths: f.termMonths, maxTermMonths: f.maxTermMonths });
    case "rate_above_firm_max":
      return message(key(f.code), { minRateBp: f.minRateBp, firmMaxRateBp: f.firmMaxRateBp });
    case "quota_short":
      return message(key(f.code), {
        quotaRemainingFen: f.quotaRemainingFen,
        amountFen: f.amountFen,
      });
    case "ip_type_not_accepted":
      if (f.neededCollateralValueFen === null) {
        return message(key("ip_type_not_accepted.types"), { pledgeIpTypes: f.acceptedTypes });
      }
      return message(key("ip_type_not_accepted.typesAndValue"), {
        pledgeIpTypes: f.acceptedTypes,
        neededCollateralValueFen: f.neededCollateralValueFen,
      });
    case "asset_type_not_accepted":
      return message(key(f.code), { ...asset(f), pledgeIpType: f.ipType });
    case "asset_status": {
      const variant =
        f.status === "pending"
          ? f.ipType === "trademark"
            ? "pending_trademark"
            : "pending_patent"
          : f.status === "lapsed" || f.status === "expired"
            ? f.status
            : "other";
      return message(key(`asset_status.${variant}`), { ...asset(f), status: f.status });
    }
    case "asset_expired":
      return message(key(f.code), asset(f));
    case "remaining_protection":
      return message(key(f.code), {
        ...asset(f),
        remainingYears: f.remainingYears,
        requiredYears: f.requiredYears,
      });
    case "trademark_age":
      if (f.ageYears === null) {
        return message(key("trademark_age.unknown"), {
          ...asset(f),
          requiredYears: f.requiredYears,
        });
      }
      return message(key("trademark_age.known"), {
        ...asset(f),
        ageYears: f.ageYears,
        requiredYears: f.requiredYears,
      });
    case "formal_appraisal_needed":
    case "no_valuation":
      if (f.formalExpiredOn !== null) {
        return message(key(`${f.code}.expired`), {
          ...asset(f),
          formalExpiredOn: f.formalExpiredOn,
        });
      }
      return message(key(`${f.code}.missing`), asset(f));
    case "capacity_short":
      if (f.neededCollateralValueFen === null) {
        return message(key("capacity_short.capacity"), {
          capacityFen: f.capacityFen,
          amountFen: f.amountFen,
        });
      }
      return message(key("capacity_short.value"), {
        neededCollateralValueFen: f.neededCollateralValueFen,
        bestPledgeRateBp: f.bestPledgeRateBp,
        capacityFen: f.capacityFen,
        amountFen: f.amountFen,
      });
  }
}

/** Why a rule passed, as a message the UI words, e.g. "可贷 120.00 万元 ≥ 申请 100.00 万元". */
export function explainPass(p: Reason): Message {
  const key = (k: string) => `matching:passes.${k}`;
  switch (p.code) {
    case "product_active":
      return message(key(p.code));
    case "region":
      if (p.allowed === "all") return message(key("region.all"));
      return message(key("region.some"), { region: p.firmRegion ?? "" });
    case "industry":
      if (p.allowed === "all") return message(key("industry.all"));
      return message(key("industry.some"), { industry: p.firmIndustry ?? "" });
    case "firm_flags":
      if (p.required.length === 0) return message(key("firm_flags.none"));
      return message(key("firm_flags.some"), { flags: p.required });
    case "amount":
      return message(key(p.code), {
        amountFen: p.amountFen,
        minAmountFen: p.minAmountFen,
        maxAmountFen: p.maxAmountFen,
      });
    case "term":
      return message(key(p.code), {
        termMonths: p.termMonths,
        minTermMonths: p.minTermMonths,
        maxTermMonths: p.maxTermMonths,
      });
    case "rate":
      return message(key(p.effectiveRateBp !== p.minRateBp ? "rate.subsidised" : "rate.plain"), {
        minRateBp: p.minRateBp,
        effectiveRateBp: p.effectiveRateBp,
        firmMaxRateBp: p.firmMaxRateBp,
      });
    case "quota":
      return message(key(p.code), { quotaRemainingFen: p.quotaRemainingFen });
    case "ip_types":
      return message(key(p.code), { pledgeIpTypes: p.ipTypes });
    case "assets_eligible":
      return message(
        key(p.indicativeCount > 0 ? "assets_eligible.indicative" : "assets_eligible.formal"),
        {
          eligibleCount: p.eligibleCount,
          offeredCount: p.offeredCount,
          indicativeCount: p.indicativeCount,
        },
      );
    case "capacity":
      return message(key(p.code), { capacityFen: p.capacityFen, amountFen: p.amountFen });
  }
}
