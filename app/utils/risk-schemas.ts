import type { TFunction } from "i18next";
import { z } from "zod";
import { parseYuanToFen } from "../domain/money";
import { parsePercentToBp } from "../domain/percent";
import { CLAIM_DOCUMENTS } from "../domain/risk-sharing/claims";
import { poolRulesProblems } from "../domain/risk-sharing/coverage";
import {
  DISPOSAL_KINDS,
  disposalFieldOf,
  listingProblems,
  saleProblems,
} from "../domain/risk-sharing/disposal";
import type { Message } from "../domain/message";
import { confirmed, date } from "./application-schemas";
import { translateMessage } from "./messages";

/**
 * The risk-sharing forms (docs/domain.md#risk-pools), shared by the browser (conform) and the
 * actions. The pool's rules are checked by the domain's own poolRulesProblems, so a form shows
 * the very refusal the model would give, next to its field; the model checks them again.
 */

const key = z.string().trim().min(8).max(80);

/** Checkboxes: none, one (a string) or several (an array). */
function many<T extends z.ZodTypeAny>(item: T) {
  return z.preprocess(
    (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
    z.array(item),
  );
}

/** A sign the domain should judge ("-5万" is a negative cap, refused with its own message). */
function signed(s: string, parse: (s: string) => number | null): number | null {
  const m = /^[-−－](.*)$/.exec(s.trim());
  const n = parse(m ? m[1] : s);
  return n === null ? null : m ? -n : n;
}

function parsed(t: TFunction, parse: (s: string) => number | null, errorKey: string) {
  return z
    .string({ required_error: t("applications:errors.required") })
    .trim()
    .transform((s, ctx) => {
      const n = signed(s, parse);
      if (n === null) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: t(errorKey) });
        return z.NEVER;
      }
      return n;
    });
}

/** "18.94", "18.94×", "18.94倍" → 189400 bp. */
export function parseMultipleToBp(s: string): number | null {
  const bp = parsePercentToBp(s.replace(/\s*[×xX倍]$/, ""));
  return bp === null ? null : bp * 100;
}

const SHARE_FIELDS = {
  pool: "sharePool",
  insurer: "shareInsurer",
  guarantor: "shareGuarantor",
  bank: "shareBank",
} as const;

/** Where a refusal of the pool's rules shows on the form. */
const FIELD_OF_RULE: Record<string, string> = {
  "risk:validation.sharesNotWhole": "shares",
  "risk:validation.capNotPositive": "perLoanCap",
  "risk:validation.leverageNotPositive": "leverage",
  "risk:validation.interestDaysOutOfRange": "interestDays",
  "risk:validation.noProducts": "productIds",
  "risk:validation.unknownRegions": "regions",
};

/** The form field a model's refusal of a pool belongs to ("" = the top of the form). */
export function poolFieldOf(m: { key: string; params: Readonly<Record<string, unknown>> }) {
  if (m.key === "risk:validation.shareOutOfRange") {
    return SHARE_FIELDS[m.params.party as keyof typeof SHARE_FIELDS] ?? "shares";
  }
  if (m.key === "risk:errors.partyMissing") {
    return m.params.party === "insurer" ? "insurerOrgId" : "guarantorOrgId";
  }
  return FIELD_OF_RULE[m.key] ?? "";
}

const optionalId = z.preprocess(
  (v) => (v === "" || v === undefined ? undefined : v),
  z.coerce.number().int().positive().optional(),
);

export function poolSchema(t: TFunction, locale: string) {
  const percent = parsed(t, parsePercentToBp, "risk:form.percentInvalid");
  return z
    .object({
      name: z
        .string({ required_error: t("risk:form.nameRequired") })
        .trim()
        .min(2, t("risk:form.nameRequired"))
        .max(100, t("risk:form.nameRequired")),
      kind: z.enum(["regional", "county"]),
      sharePool: percent,
      shareInsurer: percent,
      shareGuarantor: percent,
      shareBank: percent,
      insurerOrgId: optionalId,
      guarantorOrgId: optionalId,
      perLoanCap: parsed(t, parseYuanToFen, "applications:errors.yuanInvalid"),
      leverage: parsed(t, parseMultipleToBp, "risk:form.multipleInvalid"),
      interestDays: parsed(
        t,
        (s) => (/^\d{1,4}$/.test(s) ? Number(s) : null),
        "risk:form.daysInvalid",
      ),
      documents: many(z.enum(CLAIM_DOCUMENTS)),
      productIds: many(z.coerce.number().int().positive()),
      regions: many(z.string().trim().max(12)),
    })
    .superRefine((v, ctx) => {
      const problems = poolRulesProblems({
        shares: {
          pool: v.sharePool,
          insurer: v.shareInsurer,
          guarantor: v.shareGuarantor,
          bank: v.shareBank,
        },
        perLoanCapFen: v.perLoanCap,
        leverageMultipleBp: v.leverage,
        interestDaysAllowed: v.interestDays,
        productIds: v.productIds,
        regionCodes: v.regions,
      });
      if (v.shareInsurer > 0 && !v.insurerOrgId) {
        problems.push({ key: "risk:errors.partyMissing", params: { party: "insurer" } });
      }
      if (v.shareGuarantor > 0 && !v.guarantorOrgId) {
        problems.push({ key: "risk:errors.partyMissing", params: { party: "guarantor" } });
      }
      for (const m of problems) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [poolFieldOf(m)],
          message: translateMessage(t, m, locale),
        });
      }
    });
}

export function contributionSchema(t: TFunction) {
  return z.object({
    intent: z.literal("contribute"),
    key,
    funderName: z
      .string({ required_error: t("risk:form.funderRequired") })
      .trim()
      .min(2, t("risk:form.funderRequired"))
      .max(100, t("risk:form.funderRequired")),
    amount: parsed(t, parseYuanToFen, "applications:errors.yuanInvalid"),
    valueDate: date(t),
  });
}

export function claimSchema(t: TFunction) {
  return z.object({
    key,
    claimed: parsed(t, parseYuanToFen, "applications:errors.yuanInvalid"),
    documents: many(z.enum(CLAIM_DOCUMENTS)),
    confirm: confirmed(t),
  });
}

export function decisionSchemas(t: TFunction) {
  return {
    approve_full: z.object({ intent: z.literal("approve_full"), confirm: confirmed(t) }),
    approve_partial: z.object({
      intent: z.literal("approve_partial"),
      approved: parsed(t, parseYuanToFen, "applications:errors.yuanInvalid"),
      confirm: confirmed(t),
    }),
    reject: z.object({
      intent: z.literal("reject"),
      reason: z
        .string({ required_error: t("risk:errors.reasonRequired") })
        .trim()
        .min(2, t("risk:errors.reasonRequired"))
        .max(1000, t("applications:errors.reasonTooLong")),
      confirm: confirmed(t),
    }),
  } as const;
}

export type DecisionIntent = keyof ReturnType<typeof decisionSchemas>;

export function decisionSchema(t: TFunction) {
  const s = decisionSchemas(t);
  return z.discriminatedUnion("intent", [s.approve_full, s.approve_partial, s.reject]);
}

function text(message: string, min: number, max: number) {
  return z.string({ required_error: message }).trim().min(min, message).max(max, message);
}

/** Each refusal of the domain's disposal rules next to the field it is about. */
function disposalIssues(
  ctx: z.RefinementCtx,
  problems: readonly Message[],
  t: TFunction,
  locale: string,
) {
  for (const m of problems) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [disposalFieldOf(m)],
      message: translateMessage(t, m, locale),
    });
  }
}

/** Listing a defaulted loan's pledged IP (docs/domain.md#disposal). */
export function listingSchema(t: TFunction, locale: string) {
  return z
    .object({
      kind: z.enum(DISPOSAL_KINDS),
      title: text(t("risk:dispose.errors.title"), 2, 300),
      summary: text(t("risk:dispose.errors.summary"), 2, 5000),
      appraisal: z.preprocess(
        (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
        parsed(t, parseYuanToFen, "applications:errors.yuanInvalid").optional(),
      ),
      asking: parsed(t, parseYuanToFen, "applications:errors.yuanInvalid"),
      terms: text(t("risk:dispose.errors.terms"), 2, 2000),
      confirm: confirmed(t),
    })
    .superRefine((v, ctx) => {
      disposalIssues(
        ctx,
        listingProblems({ askingFen: v.asking, appraisalFen: v.appraisal ?? null }),
        t,
        locale,
      );
    });
}

/** Recording the sale or licence: the dates the domain checks the sale date against. */
export function proceedsSchema(
  t: TFunction,
  locale: string,
  dates: { listedDate: string; today: string },
) {
  return z
    .object({
      key,
      buyerName: text(t("risk:dispose.errors.buyer"), 2, 200),
      soldDate: date(t),
      proceeds: parsed(t, parseYuanToFen, "applications:errors.yuanInvalid"),
      confirm: confirmed(t),
    })
    .superRefine((v, ctx) => {
      disposalIssues(
        ctx,
        saleProblems({ proceedsFen: v.proceeds, soldDate: v.soldDate, ...dates }),
        t,
        locale,
      );
    });
}

/** 撤回挂牌 on the bank's disposal page: a reason (audited) and the confirmation box. */
export function withdrawDisposalSchema(t: TFunction) {
  return z.object({
    intent: z.literal("withdraw"),
    reason: z
      .string({ required_error: t("risk:errors.withdrawReason") })
      .trim()
      .min(4, t("risk:errors.withdrawReason"))
      .max(1000, t("applications:errors.reasonTooLong")),
    confirm: confirmed(t),
  });
}
