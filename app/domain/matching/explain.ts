import { message, type Message } from "../message";
import type { AssetRef, Failure, Reason } from "./types";

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
    case "asset_pledged":
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
