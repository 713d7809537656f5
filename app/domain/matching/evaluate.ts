import {
  BP_PER_WHOLE,
  PLEDGE_IP_TYPES,
  effectiveRateBp as subsidisedRateBp,
  type LoanProductTerms,
  type PledgeIpType,
} from "../product";
import type {
  AssetRef,
  Failure,
  FinancingRequest,
  FirmProfile,
  OfferedAsset,
  Reason,
  ProductEvaluation,
  EligibleAsset,
  MatchStatus,
} from "./types";
import { scoreMatch, failureGap } from "./score";
import { chooseLeastCollateral } from "./least-collateral";
import { assetCapacityFen, collateralCoverage } from "../coverage";
import { isWithinValidity } from "../valuation/formal";

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function mulDivCeil(a: number, b: number, d: number): number {
  return Number((BigInt(a) * BigInt(b) + BigInt(d) - 1n) / BigInt(d));
}

export { assetCapacityFen };

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
  if (asset.formalValueFen !== null && isWithinValidity(asset.formalValidUntil, today)) {
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
  // Locked by a pledge (another loan's, or this firm's own approved one): not collateral again
  // until that pledge ends (docs/domain.md#pledge-locks).
  if (asset.pledged) problems.push({ ...ref, code: "asset_pledged" });
  const requiredYears = product.minRemainingYears[asset.ipType];
  if (asset.remainingYears <= 0) {
    // An expired right is never pledged, whatever the product asks (docs/domain.md#pledgeable).
    problems.push({ ...ref, code: "asset_expired" });
  } else if (asset.wholeYearsLeft < requiredYears) {
    // Calendar years: 2025-03-01 → 2030-03-01 is five years, though 1826 days ÷ 365.25 < 5.
    problems.push({
      ...ref,
      code: "remaining_protection",
      remainingYears: asset.remainingYears,
      requiredYears,
    });
  }
  if (asset.ipType === "trademark" && product.trademarkMinAgeYears > 0) {
    if (
      asset.wholeYearsRegistered === null ||
      asset.wholeYearsRegistered < product.trademarkMinAgeYears
    ) {
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
 * Evaluates every rule for one product, without short-circuiting, so near misses are exact, and
 * gives the product's truthful state for the request (docs/domain.md#matching):
 * - ready (可直接申请): every rule passes and the formally appraised eligible assets alone
 *   support the amount today, by the very function the bank's approval check calls
 *   (collateralCoverage), so a ready product is one the bank can approve;
 * - needs_appraisal (需正式评估): every rule passes once indicative values stand in for formal
 *   ones (also for products that require a formal appraisal, and for expired appraisals);
 *   `appraisalAssetIds` are the assets of the cheapest covering set that still need one;
 * - near_miss (只差一项) / not_suitable (不符合): one / several failed rules, all listed in
 *   `stateFailures` when it differs from `failures` (products requiring a formal appraisal are
 *   judged on indicative values: the appraisal is ordered, not failed).
 */
export function evaluateProduct(
  request: FinancingRequest,
  firm: FirmProfile,
  assets: readonly OfferedAsset[],
  product: LoanProductTerms,
  today: string,
): ProductEvaluation {
  const e = evaluateRules(request, firm, assets, product, today);
  if (e.status === "match") {
    const formal = e.eligibleAssets.filter((a) => a.valueBasis === "formal");
    const byId = new Map(assets.map((a) => [a.id, a]));
    const coverage = collateralCoverage(
      formal.map((a) => {
        const asset = byId.get(a.assetId);
        return {
          assetId: a.assetId,
          title: asset?.title ?? "",
          ipType: a.ipType,
          formalValueFen: asset?.formalValueFen ?? null,
          formalValidUntil: asset?.formalValidUntil ?? null,
          status: asset?.status,
        };
      }),
      product.pledgeRateBp,
      request.amountFen,
      today,
    );
    if (coverage.supported) return { ...e, state: "ready" };
    return { ...e, state: "needs_appraisal", appraisalAssetIds: needingAppraisal(e) };
  }
  if (product.requiresFormalAppraisal) {
    const indicative = evaluateRules(
      request,
      firm,
      assets,
      { ...product, requiresFormalAppraisal: false },
      today,
    );
    if (indicative.status === "match") {
      return { ...e, state: "needs_appraisal", appraisalAssetIds: needingAppraisal(indicative) };
    }
    // An appraisal is a step the firm can order, not a rule it fails: judge the rest on
    // indicative values, so "amount too high" alone still reads as one change away.
    return {
      ...e,
      state: indicative.failedRuleCount === 1 ? "near_miss" : "not_suitable",
      stateFailures: indicative.failures,
    };
  }
  return { ...e, state: e.status === "near_miss" ? "near_miss" : "not_suitable" };
}

/** The assets of the cheapest covering set whose value is only indicative today. */
function needingAppraisal(e: ProductEvaluation): number[] {
  const indicative = new Set(
    e.eligibleAssets.filter((a) => a.valueBasis === "indicative").map((a) => a.assetId),
  );
  const chosen = e.collateral?.assetIds ?? e.eligibleAssetIds;
  return chosen.filter((id) => indicative.has(id));
}

function evaluateRules(
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
    state: "not_suitable",
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
