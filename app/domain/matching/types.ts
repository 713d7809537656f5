import type { FirmFlag, IndustrySection } from "../industry";
import type { PledgeIpType } from "../product";
import type { RegionCode } from "../regions";
import type { LeastCollateral } from "./least-collateral";

/** The engine's vocabulary: what it reads (request, firm, assets) and what it answers. */

export type { PledgeIpType } from "../product";

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
  /** Years of protection left on the evaluation day (days ÷ 365.25): for the sentences. */
  remainingYears: number;
  /**
   * Whole calendar years of protection left on the evaluation day: the largest N with day + N
   * years ≤ expiry (wholeYearsBetween; 0 when less than a year is left). A product's minimum
   * remaining protection is compared with this, never with the decimal (docs/domain.md#years-left).
   */
  wholeYearsLeft: number;
  /** Trademarks: years since registration (days ÷ 365.25), for the sentences. Null for patents
   * or when unknown. */
  ageYears: number | null;
  /**
   * Trademarks: whole calendar years since registration, the largest N with registration + N
   * years ≤ the evaluation day; a product's minimum age is compared with this. Null for patents or
   * when the registration date is unknown.
   */
  wholeYearsRegistered: number | null;
  formalValueFen: number | null;
  /** Last day (inclusive) the formal appraisal is valid: 12 months from signing ('YYYY-MM-DD'). */
  formalValidUntil: string | null;
  /** Central value of the instant indicative valuation. */
  indicativeValueFen: number | null;
  /**
   * A pledge lock holds the asset (pledge_locks: an approved application's pledge, or a defaulted
   * loan's not yet released, docs/domain.md#pledge-locks): it cannot be pledged to another loan.
   */
  pledged: boolean;
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

export interface AssetRef {
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
  | (AssetRef & { code: "asset_pledged" })
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

/** The four groups a request's products are shown in, in this order (docs/domain.md#matching). */
export const MATCH_STATES = ["ready", "needs_appraisal", "near_miss", "not_suitable"] as const;
export type MatchState = (typeof MATCH_STATES)[number];
/** The states a bank's pipeline lists (a request the product cannot serve is not shown). */
export const BANK_STATES = ["ready", "needs_appraisal", "near_miss"] as const;
export type BankState = (typeof BANK_STATES)[number];

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
  /** Rules only: all pass on the values usable today (formal, or indicative when allowed). */
  status: MatchStatus;
  /** What the firm can do: see evaluateProduct. */
  state: MatchState;
  /** near_miss / not_suitable of a product requiring a formal appraisal: rules failed on
   * indicative values (the ones the state counts); otherwise `failures` is that list. */
  stateFailures?: Failure[];
  /** needs_appraisal only: the assets to order a formal appraisal for. */
  appraisalAssetIds?: number[];
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
