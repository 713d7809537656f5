import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import { passwordWeakness, type PasswordStrengthCheck } from "../domain/password-policy";

// The common-password and common-name lists (about 1 MB) stay on the server: the browser checks
// only the length, the server checks the rest on submit.
zxcvbnOptions.setOptions({
  dictionary: { ...common.dictionary },
  graphs: common.adjacencyGraphs,
});

/**
 * The strength check every form that sets a password uses on the server (registration, invitation,
 * reset, change): zxcvbn-ts's score, plus the e-mail and company name as words it must not lean on.
 */
export const checkPasswordStrength: PasswordStrengthCheck = (password, userInputs) => {
  const inputs = userInputs.filter((s) => s.length > 0).map((s) => s.slice(0, 200));
  const score = zxcvbn(password.slice(0, 200), inputs).score;
  return passwordWeakness(password, score, inputs);
};
