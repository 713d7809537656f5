/**
 * The mails the platform sends. `essential` mails (account security) go even to users who
 * unsubscribed and carry no unsubscribe link; the others are notices a user may switch off.
 */
export const MAIL_TEMPLATES = {
  accountExists: { essential: true },
  verifyEmail: { essential: true },
  passwordReset: { essential: true },
  passwordChanged: { essential: true },
  twoFactorReset: { essential: true },
  invitation: { essential: true },
  // Deal events (issue 11): notices, each with a one-click unsubscribe.
  applicationSubmitted: { essential: false },
  applicationApproved: { essential: false },
  applicationRejected: { essential: false },
  applicationDisbursed: { essential: false },
  // Appraisal events: the firm's fee is confirmed paid; the valuer signed the report.
  appraisalPaid: { essential: false },
  appraisalSigned: { essential: false },
  instalmentDue: { essential: false },
  repaymentOverdue: { essential: false },
  // Collateral reminders (issue 13): the pledged assets' fees, to the firm and the bank.
  collateralFeeDue: { essential: false },
  collateralFeeGrace: { essential: false },
  collateralLapsed: { essential: false },
} as const satisfies Record<string, { essential: boolean }>;

export type MailTemplate = keyof typeof MAIL_TEMPLATES;

export function isMailTemplate(v: unknown): v is MailTemplate {
  return typeof v === "string" && Object.hasOwn(MAIL_TEMPLATES, v);
}

/** The deal events that mail an organisation, by workflow action (app/domain/application.ts). */
export const APPLICATION_EVENT_MAILS = {
  submit: "applicationSubmitted",
  approve: "applicationApproved",
  reject: "applicationRejected",
  disburse: "applicationDisbursed",
} as const satisfies Record<string, MailTemplate>;

export function applicationEventMail(action: string): MailTemplate | null {
  return Object.hasOwn(APPLICATION_EVENT_MAILS, action)
    ? APPLICATION_EVENT_MAILS[action as keyof typeof APPLICATION_EVENT_MAILS]
    : null;
}

/**
 * Servicing reminders (app/models/servicing/jobs.server.ts) by kind, and the mail that goes with
 * each: every recipient of the in-app reminder (the firm's and the bank's users) also gets it by
 * e-mail, in their own language, with their unsubscribe link.
 */
export const REMINDER_MAILS: Readonly<Record<string, MailTemplate>> = {
  instalmentDue: "instalmentDue",
  overdue: "repaymentOverdue",
  feeDue30: "collateralFeeDue",
  feeDue7: "collateralFeeDue",
  feeGrace: "collateralFeeGrace",
  feeLapsed: "collateralLapsed",
};

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
