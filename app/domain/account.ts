/** Password policy: length is what matters (NIST SP 800-63B); no composition rules. */
export const MIN_PASSWORD_LENGTH = 10;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
