import type { TFunction } from "i18next";
import { z } from "zod";
import {
  checkPatent,
  checkTrademark,
  type AssetProblem,
  type PatentRecord,
  type TrademarkRecord,
} from "../domain/asset";
import { IMPORT_CELL_CODES, type ImportProblem } from "../domain/asset-import";
import type { ValuationFormInputs } from "../domain/asset-valuation";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { parseYuanToFen } from "../domain/money";
import { patentNumberProblemMessage } from "../domain/patent";
import { parsePercentToBp } from "../domain/percent";
import { trademarkNumberProblemMessage } from "../domain/trademark";
import { translateMessage } from "./messages";
import {
  VALUATION_LIMITS,
  type PatentValueIndicators,
  type Rating,
  type StabilityEvidence,
} from "../domain/valuation";

/**
 * The zod schemas of the asset forms. Shared by the browser (conform's onValidate) and the server
 * (the route action), so this module must stay free of server-only imports. Every field is read
 * as an optional string and all rules run in one pass (asset.ts), so the person sees every problem
 * at once, each next to its field and in their language.
 */

/** One message for one problem of a form field or an import cell. */
export function assetProblemMessage(
  t: TFunction,
  locale: string,
  p: AssetProblem | ImportProblem,
): string {
  if (p.code === "patent_number") {
    return translateMessage(t, patentNumberProblemMessage(p.problem), locale);
  }
  if (p.code === "trademark_number") {
    return translateMessage(t, trademarkNumberProblemMessage(p.problem), locale);
  }
  const params = "params" in p ? (p.params ?? {}) : {};
  if (p.code === "filing_year_mismatch" && "pct" in params && params.pct) {
    return t("assets:errors.filing_year_mismatch_pct", params);
  }
  return t(`assets:errors.${p.code}`, params);
}

/** The message for one problem of one import line (file-only problems first, then form rules). */
export function importProblemMessage(t: TFunction, locale: string, p: ImportProblem): string {
  if (IMPORT_CELL_CODES.has(p.code)) {
    const params: Record<string, unknown> = { ...("params" in p ? p.params : {}) };
    if (p.code === "kind_mismatch") params.kind = ipTypeLabel(t, p.params.kind);
    return t(`assets:import.errors.${p.code}`, params);
  }
  return assetProblemMessage(t, locale, p);
}

function addProblems(
  ctx: z.RefinementCtx,
  t: TFunction,
  locale: string,
  problems: readonly AssetProblem[],
) {
  for (const p of problems) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [p.field],
      message: assetProblemMessage(t, locale, p),
    });
  }
}

const optionalText = z.string().optional();

/** Whole numbers typed into a text box: "" → null, "12" → 12, anything else → NaN (a problem). */
function toCount(v: string | undefined): number | null {
  if (v === undefined || v.trim() === "") return null;
  return /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : Number.NaN;
}

export interface PatentFormValue {
  record: PatentRecord;
  version?: number;
}

export function patentFormSchema(t: TFunction, locale: string, today: string) {
  return z
    .object({
      number: optionalText,
      title: optionalText,
      status: optionalText,
      filingDate: optionalText,
      grantDate: optionalText,
      ipcClass: optionalText,
      claimsCount: optionalText,
      coOwned: z.boolean().optional(),
      version: z.number().int().positive().optional(),
    })
    .transform((raw, ctx): PatentFormValue => {
      const r = checkPatent({ ...raw, claimsCount: toCount(raw.claimsCount) }, today);
      if (!r.ok) {
        addProblems(ctx, t, locale, r.problems);
        return z.NEVER;
      }
      return { record: r.value, version: raw.version };
    });
}

export interface TrademarkFormValue {
  record: TrademarkRecord;
  version?: number;
}

export function trademarkFormSchema(t: TFunction, locale: string, today: string) {
  return z
    .object({
      number: optionalText,
      title: optionalText,
      status: optionalText,
      niceClass: optionalText,
      trademarkKind: optionalText,
      geoIndication: z.boolean().optional(),
      wellKnown: z.boolean().optional(),
      registrationDate: optionalText,
      renewals: optionalText,
      version: z.number().int().positive().optional(),
    })
    .transform((raw, ctx): TrademarkFormValue => {
      const r = checkTrademark(
        { ...raw, niceClass: toCount(raw.niceClass), renewals: toCount(raw.renewals) ?? 0 },
        today,
      );
      if (!r.ok) {
        addProblems(ctx, t, locale, r.problems);
        return z.NEVER;
      }
      return { record: r.value, version: raw.version };
    });
}

/** Confirmation of a delete: the version the person saw. */
export const deleteAssetSchema = z.object({ version: z.number().int().positive() });

// ---------------------------------------------------------------------------------------------
// The indicative valuation form
// ---------------------------------------------------------------------------------------------

export const STABILITY_OPTIONS = [
  "challenged",
  "untested",
  "evaluation_report",
  "upheld",
] as const satisfies readonly StabilityEvidence[];

export const RATING_FIELDS = [
  "advancement",
  "nonSubstitutability",
  "maturity",
  "marketSize",
  "marketShare",
  "policyFit",
] as const;

/** Parsed form values; see asset-valuation.ts for how they become a valuation request. */
export type ValuationFormValue = ValuationFormInputs;

export function valuationFormSchema(t: TFunction, ipType: IpType) {
  const required = { required_error: t("assets:valuation.errors.required") };
  const percent = (limits: { min: number; max: number }) =>
    z.string(required).transform((s, ctx) => {
      const bp = parsePercentToBp(s);
      if (bp === null) {
        ctx.addIssue({ code: "custom", message: t("assets:valuation.errors.percent") });
        return z.NEVER;
      }
      if (bp < limits.min || bp > limits.max) {
        ctx.addIssue({
          code: "custom",
          message: t("assets:valuation.errors.percentRange", {
            min: limits.min / 100,
            max: limits.max / 100,
          }),
        });
        return z.NEVER;
      }
      return bp;
    });
  const rating = z
    .number({ ...required, invalid_type_error: t("assets:valuation.errors.rating") })
    .int()
    .min(1, t("assets:valuation.errors.rating"))
    .max(5, t("assets:valuation.errors.rating"));
  const life = VALUATION_LIMITS.economicLifeYears;
  const isPatent = ipType !== "trademark";
  return z
    .object({
      revenue: z.string(required).transform((s, ctx) => {
        const fen = parseYuanToFen(s);
        if (fen === null) {
          ctx.addIssue({ code: "custom", message: t("assets:valuation.errors.money") });
          return z.NEVER;
        }
        return fen;
      }),
      firmRevenue: z
        .string()
        .optional()
        .transform((s, ctx) => {
          if (s === undefined || s.trim() === "") return null;
          const fen = parseYuanToFen(s);
          if (fen === null) {
            ctx.addIssue({ code: "custom", message: t("assets:valuation.errors.money") });
            return z.NEVER;
          }
          return fen;
        }),
      growth: percent(VALUATION_LIMITS.growthBp),
      royalty: percent(VALUATION_LIMITS.royaltyRateBp),
      discountRate: percent(VALUATION_LIMITS.discountRateBp),
      tax: percent(VALUATION_LIMITS.taxRateBp),
      share: percent(VALUATION_LIMITS.attributionShareBp),
      life: z
        .number({ ...required, invalid_type_error: t("assets:valuation.errors.life", life) })
        .min(life.min, t("assets:valuation.errors.life", life))
        .max(life.max, t("assets:valuation.errors.life", life))
        // One decimal at most: the horizon is shown to 0.1 year.
        .refine(
          (v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-6,
          t("assets:valuation.errors.life", life),
        ),
      scorePvd: z.boolean().optional(),
      claims: z
        .number({ invalid_type_error: t("assets:valuation.errors.count") })
        .int(t("assets:valuation.errors.count"))
        .min(0, t("assets:valuation.errors.count"))
        .max(999, t("assets:valuation.errors.count"))
        .optional(),
      family: z
        .number({ invalid_type_error: t("assets:valuation.errors.family") })
        .int(t("assets:valuation.errors.family"))
        .min(1, t("assets:valuation.errors.family"))
        .max(200, t("assets:valuation.errors.family"))
        .optional(),
      coOwners: z
        .number({ invalid_type_error: t("assets:valuation.errors.count") })
        .int(t("assets:valuation.errors.count"))
        .min(0, t("assets:valuation.errors.count"))
        .max(50, t("assets:valuation.errors.count"))
        .optional(),
      stability: z.enum(STABILITY_OPTIONS).optional(),
      advancement: rating.optional(),
      nonSubstitutability: rating.optional(),
      maturity: rating.optional(),
      marketSize: rating.optional(),
      marketShare: rating.optional(),
      policyFit: rating.optional(),
    })
    .transform((v, ctx): ValuationFormValue => {
      let indicators: PatentValueIndicators | null = null;
      if (isPatent && v.scorePvd) {
        const missing = (["family", "coOwners", "stability", ...RATING_FIELDS] as const).filter(
          (f) => v[f] === undefined,
        );
        for (const f of missing) {
          ctx.addIssue({
            code: "custom",
            path: [f],
            message: t("assets:valuation.errors.required"),
          });
        }
        if (missing.length > 0) return z.NEVER;
        indicators = {
          claimCount: ipType === "design" ? null : (v.claims ?? null),
          familyJurisdictions: v.family!,
          coOwners: v.coOwners!,
          stability: v.stability!,
          advancement: v.advancement! as Rating,
          nonSubstitutability: v.nonSubstitutability! as Rating,
          maturity: v.maturity! as Rating,
          marketSize: v.marketSize! as Rating,
          marketShare: v.marketShare! as Rating,
          policyFit: v.policyFit! as Rating,
        };
      }
      return {
        year1RevenueFen: v.revenue,
        growthBp: v.growth,
        royaltyRateBp: v.royalty,
        discountRateBp: v.discountRate,
        taxRateBp: v.tax,
        attributionShareBp: v.share,
        economicLifeYears: v.life,
        indicators,
        firmAnnualRevenueFen: v.firmRevenue,
      };
    });
}
