/**
 * The mails the platform sends. `essential` mails (account security) go even to users who
 * unsubscribed and carry no unsubscribe link; the others are notices a user may switch off.
 */
export const MAIL_TEMPLATES = {
  accountExists: { essential: true },
  verifyEmail: { essential: true },
  passwordReset: { essential: true },
  passwordChanged: { essential: true },
  invitation: { essential: true },
} as const satisfies Record<string, { essential: boolean }>;

export type MailTemplate = keyof typeof MAIL_TEMPLATES;

export function isEssentialMail(template: MailTemplate): boolean {
  return MAIL_TEMPLATES[template].essential;
}

export const MAIL_FIRST_RETRY_MS = 60 * 1000;
export const MAIL_MAX_RETRY_MS = 60 * 60 * 1000;

/**
 * When to try again after the n-th failed delivery: 1, 2, 4, … minutes, at most an hour. A mail is
 * never given up on: an outage of a day still delivers when the server is back.
 */
export function mailRetryDelayMs(failedAttempts: number): number {
  const n = Math.max(1, Math.trunc(failedAttempts));
  if (n > 10) return MAIL_MAX_RETRY_MS;
  return Math.min(MAIL_MAX_RETRY_MS, MAIL_FIRST_RETRY_MS * 2 ** (n - 1));
}
