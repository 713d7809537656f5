import type { TFunction } from "i18next";
import { z } from "zod";
import { isIsoDate } from "../domain/ip";
import { parseYuanToFen } from "../domain/money";
import { parsePercentToBp } from "../domain/percent";
import { REPAYMENT_METHODS } from "../domain/servicing/schedule";

/**
 * The deal forms' schemas, built with t() so messages are in the reader's language, and shared by
 * the server (parseWithZod in the action) and the browser (conform's onValidate).
 */

export function yuan(t: TFunction) {
  return z
    .string({ required_error: t("applications:errors.required") })
    .trim()
    .transform((s, ctx) => {
      const fen = parseYuanToFen(s);
      if (fen === null || fen <= 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: t("applications:errors.yuanInvalid"),
        });
        return z.NEVER;
      }
      return fen;
    });
}

export function percent(t: TFunction) {
  return z.string({ required_error: t("applications:errors.required") }).transform((s, ctx) => {
    const bp = parsePercentToBp(s);
    // A loan rate is never negative; the product's own range is the domain's check.
    if (bp === null || bp < 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: t("applications:errors.rateInvalid") });
      return z.NEVER;
    }
    return bp;
  });
}

export function months(t: TFunction) {
  return z.coerce
    .number({
      required_error: t("applications:errors.required"),
      invalid_type_error: t("applications:errors.termInvalid"),
    })
    .int(t("applications:errors.termInvalid"))
    .positive(t("applications:errors.termInvalid"))
    .max(360, t("applications:errors.termInvalid"));
}

export function date(t: TFunction) {
  return z
    .string({ required_error: t("applications:errors.required") })
    .trim()
    .refine(isIsoDate, t("applications:errors.badDate"));
}

export function confirmed(t: TFunction) {
  return z.literal("on", {
    errorMap: () => ({ message: t("applications:common.confirmRequired") }),
  });
}

const version = z.coerce.number().int().positive();

/** Checkboxes named assetIds: none, one (a string) or several (an array). */
const assetIds = z.preprocess(
  (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive()),
);

export function draftSchema(t: TFunction) {
  return z.object({
    intent: z.enum(["create", "edit"]),
    version: version.optional(),
    amount: yuan(t),
    termMonths: months(t),
    rate: percent(t),
    assetIds,
  });
}

export function reasonText(t: TFunction) {
  return z
    .string({ required_error: t("applications:errors.reasonRequired") })
    .trim()
    .min(2, t("applications:errors.reasonRequired"))
    .max(1000, t("applications:errors.reasonTooLong"));
}

export function optionalReason(t: TFunction) {
  return z.string().trim().max(1000, t("applications:errors.reasonTooLong")).optional();
}

export function commentSchema(t: TFunction) {
  return z.object({
    intent: z.literal("comment"),
    body: z
      .string({ required_error: t("applications:errors.commentRequired") })
      .trim()
      .min(1, t("applications:errors.commentRequired"))
      .max(2000, t("applications:errors.commentTooLong", { max: 2000 })),
    documentRequest: z.literal("on").optional(),
  });
}

/** One schema per bank action; each form validates with its own, the action with the union. */
export function bankSchemas(t: TFunction) {
  return {
    start_review: z.object({ intent: z.literal("start_review"), version }),
    approve: z.object({
      intent: z.literal("approve"),
      version,
      amount: yuan(t),
      rate: percent(t),
      termMonths: months(t),
      // The form always sends one (a select of the product's methods); left out, the model takes
      // the product's first offered method.
      repaymentMethod: z
        .enum(REPAYMENT_METHODS, {
          errorMap: () => ({ message: t("servicing:refusals.methodNotOffered") }),
        })
        .optional(),
      confirm: confirmed(t),
    }),
    reject: z.object({
      intent: z.literal("reject"),
      version,
      reason: reasonText(t),
      confirm: confirmed(t),
    }),
    register_pledge: z.object({
      intent: z.literal("register_pledge"),
      version,
      regNumber: z
        .string({ required_error: t("applications:errors.regNumberInvalid") })
        .trim()
        .min(4, t("applications:errors.regNumberInvalid"))
        .max(64, t("applications:errors.regNumberInvalid")),
      regDate: date(t),
    }),
    disburse: z.object({
      intent: z.literal("disburse"),
      version,
      amount: yuan(t),
      valueDate: date(t),
      confirm: confirmed(t),
    }),
    // Repayments are posted on the loan page (/bank/loans/:id); the default is recorded on its day
    // with the loss, through the same model as there (recordLoanDefault).
    default: z.object({
      intent: z.literal("default"),
      version,
      reason: reasonText(t),
      confirm: confirmed(t),
    }),
  } as const;
}

/** Everything the bank's application page posts: a comment or one workflow step, by intent. */
export function bankActionSchema(t: TFunction) {
  const s = bankSchemas(t);
  return z.discriminatedUnion("intent", [
    commentSchema(t),
    s.start_review,
    s.approve,
    s.reject,
    s.register_pledge,
    s.disburse,
    s.default,
  ]);
}

export function firmSchemas(t: TFunction) {
  return {
    submit: z.object({ intent: z.literal("submit"), version }),
    withdraw: z.object({
      intent: z.literal("withdraw"),
      version,
      reason: optionalReason(t),
      confirm: confirmed(t),
    }),
  } as const;
}

/** Everything the firm's application page posts: a comment, the draft's edit, submit, withdraw. */
export function firmActionSchema(t: TFunction) {
  const s = firmSchemas(t);
  return z.discriminatedUnion("intent", [
    commentSchema(t),
    draftSchema(t).extend({ intent: z.literal("edit") }),
    s.submit,
    s.withdraw,
  ]);
}

export const BANK_INTENTS = [
  "start_review",
  "approve",
  "reject",
  "register_pledge",
  "disburse",
  "default",
] as const;
export type BankIntent = (typeof BANK_INTENTS)[number];
