import type { TFunction } from "i18next";
import { z } from "zod";
import { isIsoDate } from "../domain/ip";
import { LEGAL_EVENT_TYPES } from "../domain/servicing/legal-events";
import { date, yuan } from "./application-schemas";

/**
 * The collateral page's forms (docs/domain.md#collateral-monitoring), one schema per intent,
 * shared by the browser (conform) and the action (parseWithZod). Amounts are typed in 元 and
 * kept in fen; dates are the business dates on the receipt or the notice.
 */

const assetId = z.coerce.number().int().positive();

export function collateralSchemas(t: TFunction) {
  return {
    fee: z.object({
      intent: z.literal("fee"),
      assetId,
      feeYear: z.coerce
        .number({
          required_error: t("collateral:errors.feeYear"),
          invalid_type_error: t("collateral:errors.feeYear"),
        })
        .int(t("collateral:errors.feeYear"))
        .min(1, t("collateral:errors.feeYear"))
        .max(30, t("collateral:errors.feeYear")),
      paidDate: date(t),
      amount: yuan(t),
      receiptNumber: z
        .string({ required_error: t("collateral:errors.receipt") })
        .trim()
        .min(2, t("collateral:errors.receipt"))
        .max(64, t("collateral:errors.receipt")),
    }),
    confirm: z.object({
      intent: z.literal("confirm"),
      assetId,
      paymentId: z.coerce.number().int().positive(),
    }),
    legal: z.object({
      intent: z.literal("legal"),
      assetId,
      eventType: z.enum(LEGAL_EVENT_TYPES, {
        errorMap: () => ({ message: t("collateral:errors.eventType") }),
      }),
      eventDate: date(t),
      noticeDate: z
        .string()
        .trim()
        .optional()
        .refine(
          (v) => v === undefined || v === "" || isIsoDate(v),
          t("applications:errors.badDate"),
        )
        .transform((v) => (v ? v : null)),
      note: z
        .string()
        .trim()
        .max(1000, t("applications:errors.reasonTooLong"))
        .optional()
        .transform((v) => (v ? v : null)),
    }),
  } as const;
}

export type CollateralIntent = keyof ReturnType<typeof collateralSchemas>;

export function collateralActionSchema(t: TFunction) {
  const s = collateralSchemas(t);
  return z.discriminatedUnion("intent", [s.fee, s.confirm, s.legal]);
}

/** One legal event typed on the import page (bank or admin): the asset by its number. */
export function singleEventSchema(t: TFunction, today: string) {
  return collateralSchemas(t)
    .legal.omit({ intent: true, assetId: true })
    .extend({
      intent: z.literal("single"),
      number: z
        .string({ required_error: t("collateral:errors.number") })
        .trim()
        .min(1, t("collateral:errors.number"))
        .max(40, t("collateral:errors.number")),
    })
    .superRefine((v, ctx) => {
      if (v.eventDate > today) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["eventDate"],
          message: t("collateral:refusals.eventInFuture", { date: today }),
        });
      }
      if (v.noticeDate !== null && v.noticeDate > today) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["noticeDate"],
          message: t("collateral:refusals.eventInFuture", { date: today }),
        });
      }
    });
}
