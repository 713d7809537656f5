/**
 * What makes a new password acceptable (issue 11): at least MIN_PASSWORD_LENGTH characters
 * (app/domain/account.ts), not among the commonest passwords (a zxcvbn score of at least
 * MIN_PASSWORD_SCORE, "safely unguessable"), and not built on the account's own e-mail or company
 * name. The score comes from zxcvbn-ts (app/utils/password-strength.server.ts); the rules here are
 * pure so they can be tested without its dictionaries.
 */

/** zxcvbn scores 0–4; 3 means about 10^8 guesses or more. */
export const MIN_PASSWORD_SCORE = 3;

export type PasswordWeakness = "common" | "personal";

/** Checks a password against the words of its own account (e-mail, company and contact names). */
export type PasswordStrengthCheck = (
  password: string,
  userInputs: readonly string[],
) => PasswordWeakness | null;

/** Lower case, without spaces and the punctuation people put between words. */
function fold(s: string): string {
  return s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s._\-@+]/g, "");
}

/**
 * The pieces of an account's words that a password must not contain: the whole e-mail, its local
 * part, and each name, when at least four characters long (shorter ones occur by chance). For a
 * Chinese company name, the name without its legal-form suffix is a piece too.
 */
export function personalPieces(userInputs: readonly string[]): string[] {
  const pieces = new Set<string>();
  for (const raw of userInputs) {
    const s = raw.trim();
    if (!s) continue;
    const at = s.indexOf("@");
    if (at > 0) pieces.add(fold(s.slice(0, at)));
    pieces.add(fold(s));
    const bare = s.replace(/(股份)?有限(责任)?公司$/, "");
    if (bare !== s) pieces.add(fold(bare));
  }
  return [...pieces].filter((p) => [...p].length >= 4);
}

/** Why a password is refused, or null when it is fine (the length is checked separately). */
export function passwordWeakness(
  password: string,
  score: number,
  userInputs: readonly string[],
): PasswordWeakness | null {
  const folded = fold(password);
  if (personalPieces(userInputs).some((p) => folded.includes(p))) return "personal";
  if (score < MIN_PASSWORD_SCORE) return "common";
  return null;
}
