import type { TFunction } from "i18next";
import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "../domain/account";
import type { PasswordStrengthCheck } from "../domain/password-policy";

/**
 * A new password as every form that sets one checks it (registration, invitation, reset, change):
 * the same bounds and the same translated messages on each. This part runs in the browser too.
 */
export function newPasswordField(t: TFunction) {
  return z
    .string({ required_error: t("auth:errors.required") })
    .min(MIN_PASSWORD_LENGTH, t("auth:errors.passwordShort", { min: MIN_PASSWORD_LENGTH }))
    .max(200);
}

/**
 * The server half of the new-password rule: the strength check (common passwords, the account's
 * own e-mail or company name; app/domain/password-policy.ts). Add it to a form schema in the
 * action, passing `checkPasswordStrength` from app/utils/password-strength.server.ts:
 *
 *   schema.superRefine(strongPassword(t, checkPasswordStrength, (v) => [v.email, v.companyName]))
 *
 * It checks the field `password` (or `field`) only when it is a string that passed its bounds.
 */
export function strongPassword<T extends Record<string, unknown>>(
  t: TFunction,
  check: PasswordStrengthCheck,
  userInputs: (value: T) => readonly unknown[] = () => [],
  field: keyof T & string = "password",
) {
  return (value: T, ctx: z.RefinementCtx) => {
    const password = value[field];
    if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH) return;
    const inputs = userInputs(value).filter((s): s is string => typeof s === "string");
    const weakness = check(password, inputs);
    if (weakness) {
      ctx.addIssue({
        path: [field],
        code: z.ZodIssueCode.custom,
        message: t(`auth:errors.password.${weakness}`),
      });
    }
  };
}
