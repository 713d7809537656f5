import type { FinancingRequestsTable, IpAsset, LoanProduct } from "../../../db/schema";
import { addDays, addYearsClamped, daysBetween, DAYS_PER_YEAR, wholeYearsBetween } from "../ip";
import { isWithinValidity } from "../valuation/formal";
import {
  FIRM_FLAGS,
  INDUSTRY_CODES,
  isIndustrySection,
  type FirmFlag,
  type IndustrySection,
} from "../industry";
import type { AssetStatus, FinancingRequest, FirmProfile, OfferedAsset } from "./types";
import { PLEDGE_IP_TYPES, type LoanProductTerms, type PledgeIpType } from "../product";
import { isRegionCode, REGION_CODES, type RegionCode } from "../regions";
import { methodsInMask, repaymentMethodsMask } from "../servicing/schedule";

/**
 * Conversions between database rows and the matching engine's types, and the bit layout of the
 * mask columns (see db/migrations/2026_11_27_003_products_requests.ts). Pure, so the seed
 * scripts, the models and the tests all encode a product or a request the same way.
 */

/** bit 1 invention, 2 utility model, 4 design, 8 trademark (loan_products.ip_types_mask). */
export const IP_TYPE_BITS: Readonly<Record<PledgeIpType, number>> = {
  invention: 1,
  utility_model: 2,
  design: 4,
  trademark: 8,
};
/** bit 1 high-tech, 2 专精特新, 4 科技型中小企业 (flags_mask, required_flags_mask). */
export const FLAG_BITS: Readonly<Record<FirmFlag, number>> = {
  high_tech: 1,
  specialised: 2,
  tech_sme: 4,
};
export const ALL_REGIONS_MASK = 2 ** REGION_CODES.length - 1;
export const ALL_INDUSTRIES_MASK = 2 ** INDUSTRY_CODES.length - 1;

/** Bit i for the i-th 盟市 in code order; 0 for a code outside Inner Mongolia (or none). */
export function regionBit(code: string | null | undefined): number {
  const i = REGION_CODES.indexOf(code as RegionCode);
  return i < 0 ? 0 : 2 ** i;
}

export function industryBit(section: string | null | undefined): number {
  const i = INDUSTRY_CODES.indexOf(section as IndustrySection);
  return i < 0 ? 0 : 2 ** i;
}

export function maskOf<T extends string>(values: readonly T[], all: readonly T[]): number {
  let mask = 0;
  for (const v of values) {
    const i = all.indexOf(v);
    if (i >= 0) mask |= 2 ** i;
  }
  return mask;
}

export function valuesOfMask<T extends string>(mask: number, all: readonly T[]): T[] {
  return all.filter((_, i) => Math.floor(mask / 2 ** i) % 2 === 1);
}

export function flagsMask(flags: readonly FirmFlag[]): number {
  return flags.reduce((m, f) => m | FLAG_BITS[f], 0);
}

export function flagsOfMask(mask: number): FirmFlag[] {
  return FIRM_FLAGS.filter((f) => (mask & FLAG_BITS[f]) !== 0);
}

export function ipTypesMask(types: readonly PledgeIpType[]): number {
  return types.reduce((m, t) => m | IP_TYPE_BITS[t], 0);
}

export function ipTypesOfMask(mask: number): PledgeIpType[] {
  return PLEDGE_IP_TYPES.filter((t) => (mask & IP_TYPE_BITS[t]) !== 0);
}

/** A loan_products row as the engine's terms. */
export function productTermsFromRow(row: LoanProduct): LoanProductTerms {
  return {
    id: row.id,
    bankOrgId: row.bank_org_id,
    name: row.name,
    minAmountFen: Number(row.min_amount_fen),
    maxAmountFen: Number(row.max_amount_fen),
    minTermMonths: row.min_term_months,
    maxTermMonths: row.max_term_months,
    minRateBp: row.min_rate_bp,
    maxRateBp: row.max_rate_bp,
    pledgeRateBp: {
      invention: row.pledge_rate_invention_bp,
      utility_model: row.pledge_rate_utility_model_bp,
      design: row.pledge_rate_design_bp,
      trademark: row.pledge_rate_trademark_bp,
    },
    acceptedIpTypes: ipTypesOfMask(row.ip_types_mask),
    minRemainingYears: {
      invention: row.min_remaining_invention_years,
      utility_model: row.min_remaining_utility_model_years,
      design: row.min_remaining_design_years,
      trademark: row.min_remaining_trademark_years,
    },
    trademarkMinAgeYears: row.trademark_min_age_years,
    regions: row.all_regions ? "all" : valuesOfMask(row.region_mask, REGION_CODES),
    industries: row.all_industries ? "all" : valuesOfMask(row.industry_mask, INDUSTRY_CODES),
    requiredFlags: flagsOfMask(row.required_flags_mask),
    requiresFormalAppraisal: row.requires_formal_appraisal === 1,
    quotaTotalFen: Number(row.quota_total_fen),
    quotaRemainingFen: Number(row.quota_remaining_fen),
    riskShare: {
      governmentBp: row.risk_government_bp,
      insurerBp: row.risk_insurer_bp,
      guarantorBp: row.risk_guarantor_bp,
    },
    interestSubsidyBp: row.interest_subsidy_bp,
    repaymentMethods: methodsInMask(row.repayment_methods_mask),
    active: row.active === 1,
  };
}

/** The terms as loan_products columns (everything but ids, name/description and bookkeeping). */
export function productTermColumns(terms: Omit<LoanProductTerms, "id" | "bankOrgId" | "name">) {
  return {
    min_amount_fen: terms.minAmountFen,
    max_amount_fen: terms.maxAmountFen,
    min_term_months: terms.minTermMonths,
    max_term_months: terms.maxTermMonths,
    min_rate_bp: terms.minRateBp,
    max_rate_bp: terms.maxRateBp,
    pledge_rate_invention_bp: terms.pledgeRateBp.invention,
    pledge_rate_utility_model_bp: terms.pledgeRateBp.utility_model,
    pledge_rate_design_bp: terms.pledgeRateBp.design,
    pledge_rate_trademark_bp: terms.pledgeRateBp.trademark,
    ip_types_mask: ipTypesMask(terms.acceptedIpTypes),
    min_remaining_invention_years: terms.minRemainingYears.invention,
    min_remaining_utility_model_years: terms.minRemainingYears.utility_model,
    min_remaining_design_years: terms.minRemainingYears.design,
    min_remaining_trademark_years: terms.minRemainingYears.trademark,
    trademark_min_age_years: terms.trademarkMinAgeYears,
    all_regions: terms.regions === "all" ? 1 : 0,
    // "All" stores the full mask too, so a plain mask test agrees with the all_* flag.
    region_mask: terms.regions === "all" ? ALL_REGIONS_MASK : maskOf(terms.regions, REGION_CODES),
    all_industries: terms.industries === "all" ? 1 : 0,
    industry_mask:
      terms.industries === "all" ? ALL_INDUSTRIES_MASK : maskOf(terms.industries, INDUSTRY_CODES),
    required_flags_mask: flagsMask(terms.requiredFlags),
    requires_formal_appraisal: terms.requiresFormalAppraisal ? 1 : 0,
    quota_total_fen: terms.quotaTotalFen,
    quota_remaining_fen: terms.quotaRemainingFen,
    risk_government_bp: terms.riskShare.governmentBp,
    risk_insurer_bp: terms.riskShare.insurerBp,
    risk_guarantor_bp: terms.riskShare.guarantorBp,
    interest_subsidy_bp: terms.interestSubsidyBp,
    ...(terms.repaymentMethods
      ? { repayment_methods_mask: repaymentMethodsMask(terms.repaymentMethods) }
      : {}),
    active: terms.active ? 1 : 0,
  };
}

/** The firm columns a request copies when it is written (region, industry, flags). */
export interface RequestFirmColumns {
  region_code: string;
  region_bit: number;
  industry_bit: number;
  flags_mask: number;
}

export function requestFirmColumns(org: {
  region_code: string | null;
  industry_section: string | null;
  flag_high_tech: number;
  flag_specialised: number;
  flag_tech_sme: number;
}): RequestFirmColumns {
  const flags: FirmFlag[] = [];
  if (org.flag_high_tech) flags.push("high_tech");
  if (org.flag_specialised) flags.push("specialised");
  if (org.flag_tech_sme) flags.push("tech_sme");
  return {
    region_code: org.region_code ?? "",
    region_bit: regionBit(org.region_code),
    industry_bit: industryBit(org.industry_section),
    flags_mask: flagsMask(flags),
  };
}

type RequestRowForEngine = Pick<
  FinancingRequestsTable,
  "firm_org_id" | "region_code" | "industry_bit" | "flags_mask"
> & {
  id: number;
  amount_fen: number;
  term_months: number;
  max_rate_bp: number;
};

/**
 * The firm as the request saw it. Both matching directions read the firm's region, industry and
 * flags from the request's copies, so the SQL prefilter (which only sees those columns) and the
 * engine always judge the same firm.
 */
export function firmProfileFromRequest(row: RequestRowForEngine): FirmProfile {
  const i = Math.log2(row.industry_bit);
  const section = Number.isInteger(i) ? INDUSTRY_CODES[i] : undefined;
  return {
    orgId: row.firm_org_id,
    regionCode: isRegionCode(row.region_code) ? row.region_code : null,
    industrySection: section && isIndustrySection(section) ? section : null,
    flags: flagsOfMask(row.flags_mask),
  };
}

export function financingRequestFromRow(
  row: RequestRowForEngine,
  offeredAssetIds: readonly number[],
): FinancingRequest {
  return {
    id: row.id,
    firmOrgId: row.firm_org_id,
    amountFen: Number(row.amount_fen),
    termMonths: row.term_months,
    maxRateBp: row.max_rate_bp,
    offeredAssetIds,
  };
}

export type AssetRowForEngine = Pick<
  IpAsset,
  | "id"
  | "ip_type"
  | "title"
  | "number"
  | "status"
  | "expiry_date"
  | "registration_date"
  | "formal_value_fen"
  | "formal_valid_until"
  | "indicative_value_fen"
>;

/** Columns to select from ip_assets for the engine (and for the collateral summary). */
export const ASSET_ENGINE_COLUMNS = [
  "id",
  "ip_type",
  "title",
  "number",
  "status",
  "expiry_date",
  "registration_date",
  "formal_value_fen",
  "formal_valid_until",
  "indicative_value_fen",
] as const;

const nullableNumber = (v: number | null) => (v === null ? null : Number(v));

/**
 * An asset row with the application whose pledge lock holds it (pledge_locks.application_id,
 * NULL when free): what offeredAssetFromRow needs, so no caller can forget the lock.
 */
export type AssetRowWithLock = AssetRowForEngine & { locked_by: number | null };

/**
 * An ip_assets row as seen on `today`: remaining protection in whole calendar years (the largest
 * N with today + N years ≤ expiry, what a product's minimum is compared with) and as days to
 * expiry ÷ 365.25 for the sentences (never negative; 0 on and after the expiry day); a
 * trademark's age likewise, in whole calendar years since registration for the rule and as days
 * since registration ÷ 365.25 for the sentences; pledged while a pledge lock holds it.
 */
export function offeredAssetFromRow(row: AssetRowWithLock, today: string): OfferedAsset {
  const days = daysBetween(today, row.expiry_date);
  return {
    id: row.id,
    ipType: row.ip_type,
    title: row.title,
    number: row.number,
    // Statuses beyond the engine's list (invalidated, cancelled…) are not pledgeable either; the
    // engine explains them by name.
    status: row.status as AssetStatus,
    remainingYears: Math.max(0, days / DAYS_PER_YEAR),
    wholeYearsLeft: wholeYearsBetween(today, row.expiry_date),
    ageYears:
      row.ip_type === "trademark" && row.registration_date
        ? daysBetween(row.registration_date, today) / DAYS_PER_YEAR
        : null,
    wholeYearsRegistered:
      row.ip_type === "trademark" && row.registration_date
        ? wholeYearsBetween(row.registration_date, today)
        : null,
    formalValueFen: nullableNumber(row.formal_value_fen),
    formalValidUntil: row.formal_valid_until,
    indicativeValueFen: nullableNumber(row.indicative_value_fen),
    pledged: row.locked_by !== null,
  };
}

/**
 * The earliest expiry date an asset may have to pass "remaining protection ≥ years" on `today`:
 * today + years calendar years, exactly where the engine's wholeYearsLeft ≥ years draws the line
 * (a minimum is whole years; a fraction would be rounded up, as the engine's comparison of whole
 * years does), and at least one day left, to be in force at all.
 */
export function expiryThreshold(today: string, years: number): string {
  const whole = Math.ceil(years);
  return whole <= 0 ? addDays(today, 1) : addYearsClamped(today, whole);
}

/**
 * The latest registration date a trademark may have to be at least `years` old on `today`: the
 * latest R with R + years calendar years ≤ today, where the engine's wholeYearsRegistered ≥ years
 * draws the line. today − years years, then a day later while that still qualifies: on 2025-02-28
 * a mark registered on 2024-02-29 is one year old (2024-02-29 + 1 year = 2025-02-28).
 */
export function registrationThreshold(today: string, years: number): string {
  const whole = Math.max(0, Math.ceil(years));
  let r = addYearsClamped(today, -whole);
  while (addYearsClamped(addDays(r, 1), whole) <= today) r = addDays(r, 1);
  return r;
}

export function isPledgeableStatus(ipType: PledgeIpType, status: string): boolean {
  return ipType === "trademark" ? status === "registered" : status === "granted";
}

/** Sorts after every real date: a trademark without a registration date is never "old enough". */
export const UNKNOWN_REGISTRATION = "9999-12-31";

export type CollateralColumns = Record<
  | `offered_${PledgeIpType}_fen`
  | `formal_${PledgeIpType}_fen`
  | `formal_${PledgeIpType}_count`
  | "offered_types_mask",
  number
> &
  Record<
    `formal_${PledgeIpType}_expiry_min` | `formal_${PledgeIpType}_valid_min`,
    string | null
  > & {
    formal_trademark_registered_max: string | null;
  };

/**
 * The collateral summary a request row carries for the prefilter (migration 007), from its
 * offered assets as they are on `today` (the day it is written): per IP type the upper bound
 * Σ max(formal, indicative) over every offered asset, and over the pledgeable assets whose formal
 * appraisal is valid on `today` their Σ formal value, count, earliest expiry, earliest
 * valid-until and (trademarks) latest registration. Leaving out appraisals already expired keeps
 * one stale report from disabling the lower bound of the others; as days pass, the stored
 * earliest valid-until tells the prefilter when the lower bound no longer holds.
 */
export function collateralColumns(
  today: string,
  assets: ReadonlyArray<
    Pick<
      AssetRowForEngine,
      | "ip_type"
      | "status"
      | "expiry_date"
      | "registration_date"
      | "formal_value_fen"
      | "formal_valid_until"
      | "indicative_value_fen"
    >
  >,
): CollateralColumns {
  const c = {
    offered_types_mask: 0,
    formal_trademark_registered_max: null,
  } as CollateralColumns;
  for (const t of PLEDGE_IP_TYPES) {
    c[`offered_${t}_fen`] = 0;
    c[`formal_${t}_fen`] = 0;
    c[`formal_${t}_count`] = 0;
    c[`formal_${t}_expiry_min`] = null;
    c[`formal_${t}_valid_min`] = null;
  }
  const min = (a: string | null, b: string) => (a === null || b < a ? b : a);
  for (const a of assets) {
    const t = a.ip_type;
    const formal = a.formal_value_fen === null ? null : Number(a.formal_value_fen);
    const indicative = a.indicative_value_fen === null ? null : Number(a.indicative_value_fen);
    c.offered_types_mask |= IP_TYPE_BITS[t];
    c[`offered_${t}_fen`] += Math.max(formal ?? 0, indicative ?? 0);
    if (formal === null || !isPledgeableStatus(t, a.status)) continue;
    if (!isWithinValidity(a.formal_valid_until, today)) continue;
    c[`formal_${t}_fen`] += formal;
    c[`formal_${t}_count`] += 1;
    c[`formal_${t}_expiry_min`] = min(c[`formal_${t}_expiry_min`], a.expiry_date);
    c[`formal_${t}_valid_min`] = min(c[`formal_${t}_valid_min`], a.formal_valid_until);
    if (t === "trademark") {
      const reg = a.registration_date ?? UNKNOWN_REGISTRATION;
      const prev = c.formal_trademark_registered_max;
      c.formal_trademark_registered_max = prev === null || reg > prev ? reg : prev;
    }
  }
  return c;
}
