import type { LoanProduct } from "../../../db/schema";
import type { FinancingRequest, OfferedAsset } from "./types";
import { effectiveRateBp, PLEDGE_IP_TYPES, type PledgeIpType } from "../product";
import { IP_TYPE_BITS } from "./rows";

/**
 * The firm direction's classification of every active product for one request, in memory: the
 * same rules, in the same order, as the SQL classification in matching.server.ts (and, through
 * it, the engine's): for each product, the failed row rules (region, industry, flags, amount,
 * term, rate, quota) and the collateral rules, and for a product with at most one failure what
 * ranking needs. Pure; the products come as columns (typed arrays) so one pass over 10,000 of
 * them takes a fraction of a millisecond.
 */

/** Kinds of a near miss's single failure; 0 is a categorical rule (gap 1 in the engine). */
export const K_CATEGORICAL = 0;
export const K_AMOUNT_BELOW = 1;
export const K_AMOUNT_ABOVE = 2;
export const K_TERM_BELOW = 3;
export const K_TERM_ABOVE = 4;
export const K_RATE = 5;
export const K_QUOTA = 6;
export const K_CAPACITY = 7;

/** What ranking needs of one matching or near-missing product. */
export interface Classified {
  id: number;
  near: boolean;
  kind: number;
  /** Matches and capacity_short: the capacity; other numeric failures: the product's limit. */
  num: number;
  /** The product's minimum rate after 贴息 (the engine's effectiveRateBp). */
  effBp: number;
  riskBp: number;
  minTerm: number;
  maxTerm: number;
}

/** Active products as columns. */
export interface ProductColumns {
  n: number;
  id: Float64Array;
  allRegions: Uint8Array;
  regionMask: Float64Array;
  allIndustries: Uint8Array;
  industryMask: Float64Array;
  requiredFlags: Float64Array;
  minAmount: Float64Array;
  maxAmount: Float64Array;
  minTerm: Float64Array;
  maxTerm: Float64Array;
  minRate: Float64Array;
  quota: Float64Array;
  typesMask: Float64Array;
  /** Pledge rate (bp) per IP type, in PLEDGE_IP_TYPES order. */
  rate: Float64Array[];
  /** Minimum remaining years per IP type, in PLEDGE_IP_TYPES order. */
  minYears: Float64Array[];
  tmAge: Float64Array;
  requiresFormal: Uint8Array;
  effBp: Float64Array;
  riskBp: Float64Array;
}

/** Columns the cache reads from loan_products. */
export const PRODUCT_COLUMN_NAMES = [
  "id",
  "all_regions",
  "region_mask",
  "all_industries",
  "industry_mask",
  "required_flags_mask",
  "min_amount_fen",
  "max_amount_fen",
  "min_term_months",
  "max_term_months",
  "min_rate_bp",
  "quota_remaining_fen",
  "ip_types_mask",
  "pledge_rate_invention_bp",
  "pledge_rate_utility_model_bp",
  "pledge_rate_design_bp",
  "pledge_rate_trademark_bp",
  "min_remaining_invention_years",
  "min_remaining_utility_model_years",
  "min_remaining_design_years",
  "min_remaining_trademark_years",
  "trademark_min_age_years",
  "requires_formal_appraisal",
  "interest_subsidy_bp",
  "risk_government_bp",
  "risk_insurer_bp",
  "risk_guarantor_bp",
] as const satisfies ReadonlyArray<keyof LoanProduct>;

export type ProductColumnRow = Pick<LoanProduct, (typeof PRODUCT_COLUMN_NAMES)[number]>;

export function toProductColumns(rows: readonly ProductColumnRow[]): ProductColumns {
  const n = rows.length;
  const f = () => new Float64Array(n);
  const u = () => new Uint8Array(n);
  const c: ProductColumns = {
    n,
    id: f(),
    allRegions: u(),
    regionMask: f(),
    allIndustries: u(),
    industryMask: f(),
    requiredFlags: f(),
    minAmount: f(),
    maxAmount: f(),
    minTerm: f(),
    maxTerm: f(),
    minRate: f(),
    quota: f(),
    typesMask: f(),
    rate: PLEDGE_IP_TYPES.map(f),
    minYears: PLEDGE_IP_TYPES.map(f),
    tmAge: f(),
    requiresFormal: u(),
    effBp: f(),
    riskBp: f(),
  };
  rows.forEach((r, i) => {
    c.id[i] = r.id;
    c.allRegions[i] = r.all_regions ? 1 : 0;
    c.regionMask[i] = r.region_mask;
    c.allIndustries[i] = r.all_industries ? 1 : 0;
    c.industryMask[i] = r.industry_mask;
    c.requiredFlags[i] = r.required_flags_mask;
    c.minAmount[i] = Number(r.min_amount_fen);
    c.maxAmount[i] = Number(r.max_amount_fen);
    c.minTerm[i] = r.min_term_months;
    c.maxTerm[i] = r.max_term_months;
    c.minRate[i] = r.min_rate_bp;
    c.quota[i] = Number(r.quota_remaining_fen);
    c.typesMask[i] = r.ip_types_mask;
    c.rate[0][i] = r.pledge_rate_invention_bp;
    c.rate[1][i] = r.pledge_rate_utility_model_bp;
    c.rate[2][i] = r.pledge_rate_design_bp;
    c.rate[3][i] = r.pledge_rate_trademark_bp;
    c.minYears[0][i] = r.min_remaining_invention_years;
    c.minYears[1][i] = r.min_remaining_utility_model_years;
    c.minYears[2][i] = r.min_remaining_design_years;
    c.minYears[3][i] = r.min_remaining_trademark_years;
    c.tmAge[i] = r.trademark_min_age_years;
    c.requiresFormal[i] = r.requires_formal_appraisal ? 1 : 0;
    c.effBp[i] = effectiveRateBp(r.min_rate_bp, r.interest_subsidy_bp);
    c.riskBp[i] = r.risk_government_bp + r.risk_insurer_bp + r.risk_guarantor_bp;
  });
  return c;
}

/** floor(valueFen × rateBp ÷ 10000), exact in doubles (value split at 10,000 fen). */
function capacity(valueFen: number, rateBp: number): number {
  const q = Math.floor(valueFen / 10_000);
  return q * rateBp + Math.floor(((valueFen - q * 10_000) * rateBp) / 10_000);
}

const TYPE_INDEX: Record<PledgeIpType, number> = {
  invention: 0,
  utility_model: 1,
  design: 2,
  trademark: 3,
};

interface AssetFacts {
  bit: number;
  type: number;
  tm: boolean;
  statusOk: boolean;
  expired: boolean;
  years: number;
  age: number;
  formalUsable: boolean;
  hasIndicative: boolean;
  /** Value lent on when eligible: the valid formal value, else the indicative one. */
  value: number;
  knownStrict: number;
  knownLoose: number;
}

/**
 * Every active product that the request matches or misses by one rule. `firm` is the request's
 * copy of the firm (region_bit, industry_bit, flags_mask); assets as the engine sees them today.
 */
export function classifyProducts(
  cols: ProductColumns,
  request: FinancingRequest,
  firm: { regionBit: number; industryBit: number; flagsMask: number },
  assets: readonly OfferedAsset[],
  today: string,
): Classified[] {
  const A = request.amountFen;
  const T = request.termMonths;
  const R = request.maxRateBp;
  const notFlags = 7 & ~firm.flagsMask;
  let offeredMask = 0;
  let statusMask = 0;
  let pledgedMask = 0;
  let expiredMask = 0;
  let noValueMask = 0;
  let indicativeOnlyMask = 0;
  const minYears = [Infinity, Infinity, Infinity, Infinity];
  let minAge = Infinity;
  let hasTrademark = false;
  const facts: AssetFacts[] = [];
  const live: AssetFacts[] = [];
  for (const a of assets) {
    const type = TYPE_INDEX[a.ipType];
    const bit = IP_TYPE_BITS[a.ipType];
    const tm = a.ipType === "trademark";
    const formalUsable =
      a.formalValueFen !== null && a.formalValidUntil !== null && a.formalValidUntil >= today;
    const statusOk = tm ? a.status === "registered" : a.status === "granted";
    const expired = a.remainingYears <= 0;
    const fact: AssetFacts = {
      bit,
      type,
      tm,
      statusOk,
      expired,
      // The engine compares the whole calendar years left with the product's whole-year minimum.
      years: a.wholeYearsLeft,
      age: a.wholeYearsRegistered ?? -1,
      formalUsable,
      hasIndicative: a.indicativeValueFen !== null,
      value: formalUsable ? a.formalValueFen! : (a.indicativeValueFen ?? 0),
      knownStrict: formalUsable
        ? a.formalValueFen!
        : (a.formalValueFen ?? a.indicativeValueFen ?? 0),
      knownLoose: formalUsable
        ? a.formalValueFen!
        : (a.indicativeValueFen ?? a.formalValueFen ?? 0),
    };
    facts.push(fact);
    offeredMask |= bit;
    if (!statusOk) statusMask |= bit;
    if (a.pledged) pledgedMask |= bit;
    if (expired) expiredMask |= bit;
    else minYears[type] = Math.min(minYears[type], fact.years);
    if (tm) {
      hasTrademark = true;
      minAge = Math.min(minAge, fact.age);
    }
    if (!formalUsable) {
      if (a.indicativeValueFen === null) noValueMask |= bit;
      else indicativeOnlyMask |= bit;
    }
    // A pledged asset is never eligible (the engine's asset_pledged).
    if (statusOk && !a.pledged && !expired && (formalUsable || fact.hasIndicative)) {
      live.push(fact);
    }
  }

  const out: Classified[] = [];
  for (let i = 0; i < cols.n; i++) {
    const amountBelow = cols.minAmount[i] > A;
    const amountAbove = cols.maxAmount[i] < A;
    const termBelow = cols.minTerm[i] > T;
    const termAbove = cols.maxTerm[i] < T;
    const rate = cols.minRate[i] > R;
    const quota = cols.quota[i] < A;
    const rf =
      +(cols.allRegions[i] === 0 && (cols.regionMask[i] & firm.regionBit) === 0) +
      +(cols.allIndustries[i] === 0 && (cols.industryMask[i] & firm.industryBit) === 0) +
      +((cols.requiredFlags[i] & notFlags) !== 0) +
      +amountBelow +
      +amountAbove +
      +termBelow +
      +termAbove +
      +rate +
      +quota;
    if (rf > 1) continue;
    const mask = cols.typesMask[i];
    const requiresFormal = cols.requiresFormal[i] === 1;
    const tmAge = cols.tmAge[i];
    let collateral: number;
    let nEligible = 0;
    let cap = 0;
    const accepted = (mask & offeredMask) !== 0;
    if (!accepted) collateral = 1;
    else {
      for (const a of live) {
        if ((mask & a.bit) === 0) continue;
        if (cols.minYears[a.type][i] > a.years) continue;
        if (!a.formalUsable && requiresFormal) continue;
        if (a.tm && tmAge !== 0 && tmAge > a.age) continue;
        nEligible++;
        cap += capacity(a.value, cols.rate[a.type][i]);
      }
      if (nEligible > 0) collateral = cap < A ? 1 : 0;
      else if (rf === 1)
        collateral = 1; // at least one asset rule failed: two failures anyway
      else {
        let remainingProblem = false;
        for (let t = 0; t < 4; t++) {
          if ((mask & (1 << t)) !== 0 && cols.minYears[t][i] > minYears[t]) remainingProblem = true;
        }
        let potential = 0;
        for (const a of facts) {
          if ((mask & a.bit) === 0) continue;
          potential += capacity(
            requiresFormal ? a.knownStrict : a.knownLoose,
            cols.rate[a.type][i],
          );
        }
        collateral =
          +((mask & statusMask) !== 0) +
          +((mask & pledgedMask) !== 0) +
          +((mask & expiredMask) !== 0) +
          +remainingProblem +
          +(hasTrademark && (mask & 8) !== 0 && tmAge > 0 && tmAge > minAge) +
          +((mask & noValueMask) !== 0 || ((mask & indicativeOnlyMask) !== 0 && requiresFormal)) +
          +(potential < A);
      }
    }
    const failed = rf + collateral;
    if (failed > 1) continue;
    let kind = K_CATEGORICAL;
    let num = cap;
    if (rf === 1) {
      if (amountBelow) [kind, num] = [K_AMOUNT_BELOW, cols.minAmount[i]];
      else if (amountAbove) [kind, num] = [K_AMOUNT_ABOVE, cols.maxAmount[i]];
      else if (termBelow) [kind, num] = [K_TERM_BELOW, cols.minTerm[i]];
      else if (termAbove) [kind, num] = [K_TERM_ABOVE, cols.maxTerm[i]];
      else if (rate) [kind, num] = [K_RATE, cols.minRate[i]];
      else if (quota) [kind, num] = [K_QUOTA, cols.quota[i]];
      else [kind, num] = [K_CATEGORICAL, 0];
    } else if (failed === 1) {
      kind = accepted && nEligible > 0 ? K_CAPACITY : K_CATEGORICAL;
    }
    out.push({
      id: cols.id[i],
      near: failed === 1,
      kind,
      num,
      effBp: cols.effBp[i],
      riskBp: cols.riskBp[i],
      minTerm: cols.minTerm[i],
      maxTerm: cols.maxTerm[i],
    });
  }
  return out;
}
