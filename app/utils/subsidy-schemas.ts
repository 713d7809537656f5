import type { TFunction } from "i18next";
import { z } from "zod";
import type { FirmFlag } from "../domain/industry";
import type { Message } from "../domain/message";
import { parseYuanToFen } from "../domain/money";
import { parsePercentToBp } from "../domain/percent";
import type { SubsidyRules } from "../domain/risk-sharing/subsidy";
import { confirmed, date, reasonText } from "./application-schemas";

/**
 * The subsidy pages' forms (programme set-up, the LPR, a claim decision), built with t() so the
 * messages are in the reader's language; shared by the action and conform's onValidate. Ranges
 * (a share above 100%, a cap of zero) are the domain's checks (subsidyRulesProblems), shown next
 * to their fields by PROGRAMME_FIELDS.
 */

/** Checkboxes: none, one (a string) or several (an array). */
const list = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
    z.array(item),
  );

const checkbox = z
  .literal("on")
  .optional()
  .transform((v) => v === "on");

/** Yuan as typed ("30万", "300000"), a leading minus kept so the domain can say "below zero". */
function signedYuan(t: TFunction) {
  return z
    .string({ required_error: t("applications:errors.required") })
    .trim()
    .transform((s, ctx) => {
      const negative = /^[-−－]/.test(s);
      const fen = parseYuanToFen(negative ? s.slice(1) : s);
      if (fen === null) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: t("applications:errors.yuanInvalid"),
        });
        return z.NEVER;
      }
      return negative ? -fen : fen;
    });
}

function percentBp(t: TFunction, messageKey: string) {
  return z
    .string({ required_error: t("applications:errors.required") })
    .trim()
    .transform((s, ctx) => {
      const bp = parsePercentToBp(s);
      if (bp === null) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: t(messageKey) });
        return z.NEVER;
      }
      return bp;
    });
}

export function programmeSchema(t: TFunction) {
  return z.object({
    name: z
      .string({ required_error: t("risk:programmes.errors.name") })
      .trim()
      .min(2, t("risk:programmes.errors.name"))
      .max(100, t("risk:programmes.errors.name")),
    /** The share of the interest, in % (50 → 5000 bp). */
    share: percentBp(t, "risk:programmes.errors.share"),
    /** The rate basis cap as a multiple of the LPR ("1.5" → 15000 bp); empty: no cap. */
    lprMultiple: z
      .string()
      .trim()
      .optional()
      .transform((s, ctx) => {
        if (!s) return null;
        const hundredths = parsePercentToBp(s);
        if (hundredths === null) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: t("risk:programmes.errors.multiple"),
          });
          return z.NEVER;
        }
        return hundredths * 100;
      }),
    perFirmYearCap: signedYuan(t),
    budget: signedYuan(t),
    windowStart: date(t),
    windowEnd: date(t),
    regions: list(z.string()),
    flags: list(z.string()),
    productIds: list(z.coerce.number().int().positive()),
    firstPledgeOnly: checkbox,
    autoApprove: checkbox,
  });
}

export type ProgrammeForm = z.output<ReturnType<typeof programmeSchema>>;

export function programmeRulesOf(v: ProgrammeForm): SubsidyRules {
  return {
    shareBp: v.share,
    lprMultipleCapBp: v.lprMultiple,
    perFirmYearCapFen: v.perFirmYearCap,
    budgetFen: v.budget,
    windowStart: v.windowStart,
    windowEnd: v.windowEnd,
    regionCodes: v.regions,
    productIds: v.productIds,
    requiredFlags: v.flags as FirmFlag[],
    firstPledgeOnly: v.firstPledgeOnly,
  };
}

/** Which form field each of the domain's programme refusals is about. */
export const PROGRAMME_FIELDS: Record<string, keyof ProgrammeForm> = {
  "risk:validation.subsidyShareOutOfRange": "share",
  "risk:validation.lprMultipleNotPositive": "lprMultiple",
  "risk:validation.capNotPositive": "perFirmYearCap",
  "risk:validation.budgetNotPositive": "budget",
  "risk:validation.windowReversed": "windowEnd",
  "risk:validation.unknownRegions": "regions",
  "risk:validation.unknownFlags": "flags",
};

/** The domain's messages as conform field errors ("" for the form itself). */
export function fieldErrorsOf(
  messages: readonly Message[],
  translate: (m: Message) => string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of messages) (out[PROGRAMME_FIELDS[m.key] ?? ""] ??= []).push(translate(m));
  return out;
}

export function lprSchema(t: TFunction) {
  return z.object({
    effectiveDate: date(t),
    /** The 1-year LPR in % per year ("3.10" → 310 bp). */
    rate: percentBp(t, "risk:lpr.errors.rate"),
  });
}

export function decisionSchema(t: TFunction) {
  return z.discriminatedUnion("intent", [
    z.object({
      intent: z.literal("approve"),
      claimId: z.coerce.number().int().positive(),
      confirm: confirmed(t),
    }),
    z.object({
      intent: z.literal("reject"),
      claimId: z.coerce.number().int().positive(),
      reason: reasonText(t),
      confirm: confirmed(t),
    }),
  ]);
}

/** An insurer's or guarantor's quote for one product, the rate in % of the amount covered. */
export function quoteSchema(t: TFunction) {
  return z.object({
    productId: z.coerce.number().int().positive(),
    rate: percentBp(t, "risk:quotes.errors.rate"),
  });
}

export function bindSchema(t: TFunction) {
  return z.object({
    quoteId: z.coerce.number().int().positive(),
    confirm: confirmed(t),
  });
}
