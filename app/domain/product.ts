import { FIRM_FLAGS, isIndustrySection, type FirmFlag, type IndustrySection } from "./industry";
import { message, type Message } from "./message";
import { isRegionCode, type RegionCode } from "./regions";
import { isRepaymentMethod, type RepaymentMethod } from "./servicing/schedule";

/**
 * A bank's IP-pledge loan product (docs/domain.md#products) and the checks a
 * bank officer's input must pass before it is saved. Pure: no I/O.
 */

/**
 * The IP types a product can take as collateral. app/domain/ip.ts (written in parallel) defines
 * the same union as its IpType; this local name avoids a file conflict until the two are unified.
 * Software copyright is a later extension (docs/domain.md#ip-types), so it is not here.
 */
export const PLEDGE_IP_TYPES = ["invention", "utility_model", "design", "trademark"] as const;
export type PledgeIpType = (typeof PLEDGE_IP_TYPES)[number];

export function isPledgeIpType(v: unknown): v is PledgeIpType {
  return typeof v === "string" && (PLEDGE_IP_TYPES as readonly string[]).includes(v);
}

/** 100% in basis points: pledge rates, risk shares and the interest subsidy are shares of it. */
export const BP_PER_WHOLE = 10_000;
/**
 * Upper bound for an annual loan rate. Today's SME pledge loans sit near LPR + 0–150 bp (≈ 3–5%);
 * 30% is far above any lawful bank loan and only catches typing mistakes (e.g. 385 typed as 38500).
 */
export const MAX_ANNUAL_RATE_BP = 3_000;
/** 30 years: longer than any pledge loan, short enough to catch a term typed in days. */
export const MAX_TERM_MONTHS = 360;
/** An invention patent's full term (the longest protection a pledged patent can have left). */
export const MAX_MIN_REMAINING_YEARS = 20;
/** Trademarks renew every 10 years without limit; 50 years of age only catches typing mistakes. */
export const MAX_TRADEMARK_MIN_AGE_YEARS = 50;
export const MAX_PRODUCT_NAME_LENGTH = 100;

/** 风险分担: shares of a default loss carried by others than the bank, each in bp of the loss. */
export interface RiskShare {
  /** Government risk-compensation pool (风险补偿资金池). */
  governmentBp: number;
  insurerBp: number;
  /** 融资担保 (financing guarantee company). */
  guarantorBp: number;
}

export interface LoanProductTerms {
  id: number;
  bankOrgId: number;
  name: string;
  minAmountFen: number;
  maxAmountFen: number;
  minTermMonths: number;
  maxTermMonths: number;
  /** Annual nominal rate range in bp. */
  minRateBp: number;
  maxRateBp: number;
  /** 质押率 = loan ÷ collateral value, per IP type, 0–10000 bp (0–100%). */
  pledgeRateBp: Record<PledgeIpType, number>;
  acceptedIpTypes: readonly PledgeIpType[];
  /** Minimum remaining protection in years per IP type; 0 means any unexpired right. */
  minRemainingYears: Record<PledgeIpType, number>;
  /** Minimum years since a trademark's registration (banks often ask ≥ 3). */
  trademarkMinAgeYears: number;
  regions: readonly RegionCode[] | "all";
  /** GB/T 4754 sections (门类) A–T. */
  industries: readonly IndustrySection[] | "all";
  requiredFlags: readonly FirmFlag[];
  /**
   * When false, an indicative (instant) valuation may stand in for a formal appraisal while
   * matching, so a firm sees the product before paying a valuer. A pledge itself always needs a
   * formal value valid on the approval day (docs/domain.md#approval); that check is the workflow's.
   */
  requiresFormalAppraisal: boolean;
  /** 总额度 and what is left of it. */
  quotaTotalFen: number;
  quotaRemainingFen: number;
  riskShare: RiskShare;
  /** 贴息: share of the interest the government refunds, in bp of 100%. */
  interestSubsidyBp: number;
  /**
   * The repayment methods the product offers (decision 010); the bank picks one of them at
   * approval. Left out means all four (the column's default for products older than the choice).
   */
  repaymentMethods?: readonly RepaymentMethod[];
  active: boolean;
}

export function riskShareTotalBp(share: RiskShare): number {
  return share.governmentBp + share.insurerBp + share.guarantorBp;
}

/**
 * The rate a firm effectively pays after 贴息: minRateBp × (1 − subsidyBp / 10000), rounded half up
 * to a whole bp (e.g. 385 bp with 30% 贴息 = 269.5 → 270 bp). Uses the product's minimum rate,
 * the best rate it advertises; the rate actually granted is fixed at approval.
 */
export function effectiveRateBp(rateBp: number, interestSubsidyBp: number): number {
  return Math.floor(
    (rateBp * (BP_PER_WHOLE - interestSubsidyBp) + BP_PER_WHOLE / 2) / BP_PER_WHOLE,
  );
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

export type ProductErrorCode =
  | "required"
  | "too_long"
  | "not_integer"
  | "not_positive"
  | "out_of_range"
  | "amount_min_gt_max"
  | "term_min_gt_max"
  | "rate_min_gt_max"
  | "ip_types_required"
  | "pledge_rate_zero_for_accepted_type"
  | "unknown_value"
  | "duplicate_value"
  | "regions_required"
  | "industries_required"
  | "repayment_methods_required"
  | "quota_remaining_gt_total"
  | "risk_share_total_gt_100";

/** What a range's numbers measure, so a message can show 3.00% rather than 300. */
export type ProductValueUnit = "fen" | "bp" | "months" | "years";

export type ProductErrorParams = Record<string, string | number>;

export interface ProductFieldError {
  /** Dotted path of the field, e.g. "maxAmountFen", "pledgeRateBp.invention", "regions". */
  field: string;
  code: ProductErrorCode;
  params: ProductErrorParams;
}

/**
 * Every problem with a product's terms, in field order; an empty list means the terms can be
 * saved. Codes (not sentences) so the form shows them next to the field in the user's language
 * via productErrorMessage.
 */
export function validateProductTerms(input: LoanProductTerms): ProductFieldError[] {
  const errors: ProductFieldError[] = [];
  const add = (field: string, code: ProductErrorCode, params: ProductErrorParams = {}) =>
    errors.push({ field, code, params });

  /** Whole number within [min, max]; returns whether it was, so pair checks can be skipped. */
  const intInRange = (
    field: string,
    v: number,
    min: number,
    max: number,
    unit: ProductValueUnit,
  ) => {
    if (!Number.isSafeInteger(v)) {
      add(field, "not_integer");
      return false;
    }
    if (v < min || v > max) {
      add(field, "out_of_range", { min, max, unit });
      return false;
    }
    return true;
  };

  const name = input.name.trim();
  if (name === "") add("name", "required");
  else if ([...name].length > MAX_PRODUCT_NAME_LENGTH) {
    add("name", "too_long", { max: MAX_PRODUCT_NAME_LENGTH });
  }

  const amountOk = [input.minAmountFen, input.maxAmountFen].map((v, i) => {
    const field = i === 0 ? "minAmountFen" : "maxAmountFen";
    if (!Number.isSafeInteger(v)) {
      add(field, "not_integer");
      return false;
    }
    if (v <= 0) {
      add(field, "not_positive");
      return false;
    }
    return true;
  });
  if (amountOk[0] && amountOk[1] && input.minAmountFen > input.maxAmountFen) {
    add("maxAmountFen", "amount_min_gt_max", {
      minAmountFen: input.minAmountFen,
      maxAmountFen: input.maxAmountFen,
    });
  }

  const minTermOk = intInRange("minTermMonths", input.minTermMonths, 1, MAX_TERM_MONTHS, "months");
  const maxTermOk = intInRange("maxTermMonths", input.maxTermMonths, 1, MAX_TERM_MONTHS, "months");
  if (minTermOk && maxTermOk && input.minTermMonths > input.maxTermMonths) {
    add("maxTermMonths", "term_min_gt_max", {
      minTermMonths: input.minTermMonths,
      maxTermMonths: input.maxTermMonths,
    });
  }

  const minRateOk = intInRange("minRateBp", input.minRateBp, 0, MAX_ANNUAL_RATE_BP, "bp");
  const maxRateOk = intInRange("maxRateBp", input.maxRateBp, 0, MAX_ANNUAL_RATE_BP, "bp");
  if (minRateOk && maxRateOk && input.minRateBp > input.maxRateBp) {
    add("maxRateBp", "rate_min_gt_max", { minRateBp: input.minRateBp, maxRateBp: input.maxRateBp });
  }

  if (input.acceptedIpTypes.length === 0) add("acceptedIpTypes", "ip_types_required");
  const seenTypes = new Set<string>();
  for (const t of input.acceptedIpTypes) {
    if (!isPledgeIpType(t)) add("acceptedIpTypes", "unknown_value", { value: String(t) });
    else if (seenTypes.has(t)) add("acceptedIpTypes", "duplicate_value", { value: t });
    seenTypes.add(t);
  }

  for (const t of PLEDGE_IP_TYPES) {
    const field = `pledgeRateBp.${t}`;
    const ok = intInRange(field, input.pledgeRateBp[t], 0, BP_PER_WHOLE, "bp");
    // An accepted type lending 0% would show the product as open to that IP and then never match.
    if (ok && input.pledgeRateBp[t] === 0 && input.acceptedIpTypes.includes(t)) {
      add(field, "pledge_rate_zero_for_accepted_type", { ipType: t });
    }
  }

  for (const t of PLEDGE_IP_TYPES) {
    const v = input.minRemainingYears[t];
    if (!Number.isFinite(v) || v < 0 || v > MAX_MIN_REMAINING_YEARS) {
      add(`minRemainingYears.${t}`, "out_of_range", {
        min: 0,
        max: MAX_MIN_REMAINING_YEARS,
        unit: "years",
      });
    }
  }
  const tmAge = input.trademarkMinAgeYears;
  if (!Number.isFinite(tmAge) || tmAge < 0 || tmAge > MAX_TRADEMARK_MIN_AGE_YEARS) {
    add("trademarkMinAgeYears", "out_of_range", {
      min: 0,
      max: MAX_TRADEMARK_MIN_AGE_YEARS,
      unit: "years",
    });
  }

  checkList(input.regions, "regions", "regions_required", isRegionCode, add);
  checkList(input.industries, "industries", "industries_required", isIndustrySection, add);
  const seenFlags = new Set<string>();
  for (const f of input.requiredFlags) {
    if (!(FIRM_FLAGS as readonly string[]).includes(f)) {
      add("requiredFlags", "unknown_value", { value: String(f) });
    } else if (seenFlags.has(f)) add("requiredFlags", "duplicate_value", { value: f });
    seenFlags.add(f);
  }

  const totalOk = intInRange(
    "quotaTotalFen",
    input.quotaTotalFen,
    0,
    Number.MAX_SAFE_INTEGER,
    "fen",
  );
  const remainingOk = intInRange(
    "quotaRemainingFen",
    input.quotaRemainingFen,
    0,
    Number.MAX_SAFE_INTEGER,
    "fen",
  );
  if (totalOk && remainingOk && input.quotaRemainingFen > input.quotaTotalFen) {
    add("quotaRemainingFen", "quota_remaining_gt_total", {
      quotaRemainingFen: input.quotaRemainingFen,
      quotaTotalFen: input.quotaTotalFen,
    });
  }

  const shares = [
    intInRange("riskShare.governmentBp", input.riskShare.governmentBp, 0, BP_PER_WHOLE, "bp"),
    intInRange("riskShare.insurerBp", input.riskShare.insurerBp, 0, BP_PER_WHOLE, "bp"),
    intInRange("riskShare.guarantorBp", input.riskShare.guarantorBp, 0, BP_PER_WHOLE, "bp"),
  ];
  const totalShareBp = riskShareTotalBp(input.riskShare);
  // Others can carry at most the whole loss; above 100% someone would profit from a default.
  if (shares.every(Boolean) && totalShareBp > BP_PER_WHOLE) {
    add("riskShare", "risk_share_total_gt_100", { totalBp: totalShareBp });
  }

  intInRange("interestSubsidyBp", input.interestSubsidyBp, 0, BP_PER_WHOLE, "bp");

  if (input.repaymentMethods !== undefined) {
    if (input.repaymentMethods.length === 0) add("repaymentMethods", "repayment_methods_required");
    const seenMethods = new Set<string>();
    for (const m of input.repaymentMethods) {
      if (!isRepaymentMethod(m)) add("repaymentMethods", "unknown_value", { value: String(m) });
      else if (seenMethods.has(m)) add("repaymentMethods", "duplicate_value", { value: m });
      seenMethods.add(m);
    }
  }
  return errors;
}

function checkList(
  list: readonly string[] | "all",
  field: string,
  emptyCode: ProductErrorCode,
  isKnown: (v: unknown) => boolean,
  add: (field: string, code: ProductErrorCode, params?: ProductErrorParams) => void,
): void {
  // 'all' is the explicit "no restriction"; an empty list would silently match nobody.
  if (list === "all") return;
  if (list.length === 0) add(field, emptyCode);
  const seen = new Set<string>();
  for (const v of list) {
    if (!isKnown(v)) add(field, "unknown_value", { value: String(v) });
    else if (seen.has(v)) add(field, "duplicate_value", { value: v });
    seen.add(v);
  }
}

/**
 * The sentence shown next to a field for a validation error, as a message the form words
 * (app/locales/…/products.json `validation`): a range names its bounds in the field's unit.
 */
export function productErrorMessage(code: ProductErrorCode, params: ProductErrorParams): Message {
  const key = `products:validation.${code}`;
  if (code === "out_of_range") {
    const unit = params.unit;
    if (unit === "fen" || unit === "bp" || unit === "months" || unit === "years") {
      const suffix = { fen: "Fen", bp: "Bp", months: "Months", years: "Years" }[unit];
      return message(`${key}.${unit}`, {
        [`min${suffix}`]: Number(params.min),
        [`max${suffix}`]: Number(params.max),
      });
    }
    return message(`${key}.plain`, { min: params.min ?? "", max: params.max ?? "" });
  }
  if (code === "pledge_rate_zero_for_accepted_type") {
    return message(key, { pledgeIpType: String(params.ipType) });
  }
  return message(key, params);
}
