import type { TFunction } from "i18next";
import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "../domain/account";

/**
 * A new password as every form that sets one checks it (registration, invitation, reset): the
 * same bounds and the same translated messages on each.
 */
export function newPasswordField(t: TFunction) {
  return z
    .string({ required_error: t("auth:errors.required") })
    .min(MIN_PASSWORD_LENGTH, t("auth:errors.passwordShort", { min: MIN_PASSWORD_LENGTH }))
    .max(200);
}
