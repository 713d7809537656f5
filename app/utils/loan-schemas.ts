import type { TFunction } from "i18next";
import { z } from "zod";
import { RISK_CLASSES } from "../domain/servicing/classification";
import { confirmed, date, reasonText, yuan } from "./application-schemas";

/**
 * The bank's loan page forms (docs/domain.md#servicing), one schema per intent, shared by the
 * browser (conform) and the action (parseWithZod). The idempotency key comes with the page, so a
 * double click or a retry of one rendering posts once.
 */

const key = z.string().trim().min(8).max(80);

export function loanSchemas(t: TFunction) {
  return {
    repay: z.object({
      intent: z.literal("repay"),
      key,
      amount: yuan(t),
      valueDate: date(t),
    }),
    settle: z.object({
      intent: z.literal("settle"),
      key,
      valueDate: date(t),
      confirm: confirmed(t),
    }),
    reverse: z.object({
      intent: z.literal("reverse"),
      entryId: z.coerce.number().int().positive(),
      reason: reasonText(t),
      confirm: confirmed(t),
    }),
    classify: z.object({
      intent: z.literal("classify"),
      riskClass: z.enum(RISK_CLASSES, {
        errorMap: () => ({ message: t("servicing:form.classRequired") }),
      }),
      reason: reasonText(t),
    }),
    default: z.object({
      intent: z.literal("default"),
      reason: reasonText(t),
      confirm: confirmed(t),
    }),
    /** 解除质押: a defaulted loan's pledge, released by the bank (docs/domain.md#pledge-locks). */
    release: z.object({
      intent: z.literal("release"),
      reason: reasonText(t),
      confirm: confirmed(t),
    }),
  } as const;
}

export type LoanIntent = keyof ReturnType<typeof loanSchemas>;

export function loanActionSchema(t: TFunction) {
  const s = loanSchemas(t);
  return z.discriminatedUnion("intent", [
    s.repay,
    s.settle,
    s.reverse,
    s.classify,
    s.default,
    s.release,
  ]);
}
