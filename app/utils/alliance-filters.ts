import type { IpType } from "../../db/schema";
import { defaultPeriod, isDrillStage, type DrillStage } from "../domain/analytics";
import {
  FIRM_FLAGS,
  isIndustrySection,
  type FirmFlag,
  type IndustrySection,
} from "../domain/industry";
import { isIpType, isIsoDate } from "../domain/ip";
import { isRegionCode, type RegionCode } from "../domain/regions";

/**
 * The alliance review's filters as they travel in the URL (a GET form, so every view and every
 * drill-down link can be bookmarked and shared). Shared by the loaders and the components that
 * build the drill-down links: the same parse and the same serialisation on both sides.
 *
 *   from, to      China business days (default: 1 January of this year … today)
 *   region        a 盟市 code
 *   bank          a bank's organisation id, or "others" (bank officers: every bank but theirs)
 *   ipType        invention | utility_model | design | trademark
 *   industry      GB/T 4754 section A–T
 *   flag          repeated: high_tech | specialised | tech_sme (all must hold)
 *   stage, page   the drill-down's figure and page
 */

/**
 * The "every bank but mine" choice of a bank officer. It lives here, not in alliance.server.ts: a
 * value imported from a .server module is undefined in the browser bundle, so a page comparing
 * against it rendered differently on the server and the client (hydration errors #418/#423/#425).
 */
export const OTHER_BANKS = "others" as const;

export type BankFilter = number | typeof OTHER_BANKS | null;

export interface ReviewFilters {
  from: string;
  to: string;
  region: RegionCode | null;
  bank: BankFilter;
  ipType: IpType | null;
  industry: IndustrySection | null;
  flags: FirmFlag[];
}

export interface ParsedReviewQuery {
  filters: ReviewFilters;
  /** Translation keys of the problems, by field; the defaults stand in for a bad value. */
  errors: Partial<Record<"from" | "to", string>>;
  stage: DrillStage | null;
  page: number;
}

export function parseReviewQuery(params: URLSearchParams, today: string): ParsedReviewQuery {
  const errors: ParsedReviewQuery["errors"] = {};
  const def = defaultPeriod(today);
  const date = (key: "from" | "to", fallback: string) => {
    const v = params.get(key)?.trim();
    if (!v) return fallback;
    if (isIsoDate(v)) return v;
    errors[key] = "alliance:errors.badDate";
    return fallback;
  };
  let from = date("from", def.from);
  let to = date("to", def.to);
  if (from > to) {
    errors.to = "alliance:errors.periodOrder";
    from = def.from;
    to = def.to;
  }
  const region = params.get("region");
  const bankRaw = params.get("bank");
  const ipType = params.get("ipType");
  const industry = params.get("industry");
  const bank: BankFilter =
    bankRaw === OTHER_BANKS
      ? OTHER_BANKS
      : bankRaw && /^[1-9]\d{0,9}$/.test(bankRaw)
        ? Number(bankRaw)
        : null;
  const flags = [...new Set(params.getAll("flag"))].filter((f): f is FirmFlag =>
    (FIRM_FLAGS as readonly string[]).includes(f),
  );
  const stageRaw = params.get("stage");
  const pageRaw = Number(params.get("page"));
  return {
    filters: {
      from,
      to,
      region: isRegionCode(region) ? region : null,
      bank,
      ipType: isIpType(ipType) ? ipType : null,
      industry: isIndustrySection(industry) ? industry : null,
      flags: flags.sort(),
    },
    errors,
    stage: isDrillStage(stageRaw) ? stageRaw : null,
    page: Number.isInteger(pageRaw) && pageRaw >= 1 ? pageRaw : 1,
  };
}

/** The query string for these filters, plus `extra` (stage, page, a changed filter…). */
export function reviewSearch(
  f: ReviewFilters,
  extra: Partial<Record<"stage" | "page" | "region" | "bank" | "ipType", string | number>> = {},
): string {
  const p = new URLSearchParams();
  p.set("from", f.from);
  p.set("to", f.to);
  const region = extra.region ?? f.region;
  const bank = extra.bank ?? f.bank;
  const ipType = extra.ipType ?? f.ipType;
  if (region) p.set("region", String(region));
  if (bank !== null && bank !== undefined) p.set("bank", String(bank));
  if (ipType) p.set("ipType", String(ipType));
  if (f.industry) p.set("industry", f.industry);
  for (const flag of f.flags) p.append("flag", flag);
  if (extra.stage !== undefined) p.set("stage", String(extra.stage));
  if (extra.page !== undefined) p.set("page", String(extra.page));
  return p.toString();
}
