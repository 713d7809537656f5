import { randomBytes } from "node:crypto";
import type { MailStatus } from "../../db/schema";
import { isEssentialMail, mailRetryDelayMs, type MailTemplate } from "../domain/mail";
import type { Db } from "../utils/db.server";
import { getFixedT, isLocale, type Locale } from "../utils/i18n";
import { fromDbInstant, toDbInstant } from "../utils/time";
import type { Executor } from "./ledger.server";

/** One mail, rendered at enqueue time in the recipient's language. */
export interface MailRequest {
  to: string;
  template: MailTemplate;
  params: Record<string, string | number>;
  /** The recipient's language (users.locale); anything else falls back to zh-CN. */
  locale: string;
  /** For non-essential mails: the recipient's unsubscribe link. */
  unsubscribeUrl?: string;
}

/**
 * Queues a mail; it is delivered by the mail worker (app/utils/mailer.server.ts), retried until the
 * SMTP server accepts it. Call it inside the transaction of the change the mail reports, so a mail
 * is queued exactly when the change commits. This is the one way to send mail:
 *
 *   await enqueueMail(trx, { to: user.email, template: "passwordReset", params: { url }, locale: user.locale });
 *
 * New templates: a key in app/domain/mail.ts MAIL_TEMPLATES plus subject/body in
 * app/locales/{zh-CN,en}/mail.json.
 */
export async function enqueueMail(db: Executor, m: MailRequest): Promise<void> {
  const locale: Locale = isLocale(m.locale) ? m.locale : "zh-CN";
  const t = getFixedT(locale);
  const subject = t(`mail:${m.template}.subject`, m.params);
  const footer = isEssentialMail(m.template)
    ? t("mail:footer.essential")
    : m.unsubscribeUrl
      ? t("mail:footer.unsubscribe", { url: m.unsubscribeUrl })
      : "";
  const body = t(`mail:${m.template}.body`, m.params) + (footer ? `\n\n--\n${footer}\n` : "\n");
  const listUnsubscribe =
    !isEssentialMail(m.template) && m.unsubscribeUrl ? m.unsubscribeUrl.slice(0, 500) : null;
  const now = toDbInstant(new Date());
  await db
    .insertInto("mail_queue")
    .values({
      to_email: m.to,
      template: m.template,
      locale,
      subject: subject.slice(0, 255),
      body_text: body,
      status: "pending",
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      list_unsubscribe: listUnsubscribe,
    })
    .execute();
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** A notice's one-click unsubscribe URL: sent as List-Unsubscribe with List-Unsubscribe-Post. */
  listUnsubscribe?: string | null;
}

/** Hands one mail to the SMTP server, or to the development outbox; throws when it fails. */
export type MailSink = {
  kind: "smtp" | "outbox";
  send(mail: OutgoingMail): Promise<void>;
};

/** A claim older than this belongs to a worker that died mid-send; the row is taken over. */
const STALE_CLAIM_MS = 5 * 60 * 1000;

/**
 * Delivers the mails that are due. Each row is claimed by a guarded UPDATE first, so two workers
 * (or two server processes) never send the same mail; a failure puts it back with a later
 * next_attempt_at. Returns how many were delivered.
 */
export async function deliverDueMail(
  db: Db,
  sink: MailSink,
  now: Date = new Date(),
  limit = 20,
): Promise<{ delivered: number; failed: number }> {
  const nowS = toDbInstant(now);
  const staleS = toDbInstant(new Date(now.getTime() - STALE_CLAIM_MS));
  const due = await db
    .selectFrom("mail_queue")
    .select(["id"])
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", nowS)
    .orderBy("id")
    .limit(limit)
    .execute();
  let delivered = 0;
  let failed = 0;
  for (const { id } of due) {
    const token = randomBytes(12).toString("hex");
    const claim = await db
      .updateTable("mail_queue")
      .set({ claimed_by: token, claimed_at: nowS })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_at", "<", staleS)]))
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) continue;
    const row = await db
      .selectFrom("mail_queue")
      .select(["to_email", "subject", "body_text", "attempts", "list_unsubscribe"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    try {
      await sink.send({
        to: row.to_email,
        subject: row.subject,
        text: row.body_text,
        listUnsubscribe: row.list_unsubscribe,
      });
      const status: MailStatus = sink.kind === "smtp" ? "sent" : "outbox";
      await db
        .updateTable("mail_queue")
        .set((eb) => ({
          status,
          sent_at: toDbInstant(new Date()),
          attempts: eb("attempts", "+", 1),
          claimed_by: null,
          last_error: null,
        }))
        .where("id", "=", id)
        .where("claimed_by", "=", token)
        .execute();
      delivered++;
    } catch (e) {
      const attempts = Number(row.attempts) + 1;
      await db
        .updateTable("mail_queue")
        .set({
          attempts,
          next_attempt_at: toDbInstant(new Date(now.getTime() + mailRetryDelayMs(attempts))),
          claimed_by: null,
          last_error: String((e as Error).message ?? e).slice(0, 500),
        })
        .where("id", "=", id)
        .where("claimed_by", "=", token)
        .execute();
      failed++;
    }
  }
  return { delivered, failed };
}

export const OUTBOX_PAGE_SIZE = 30;

/** The newest mails, for the development outbox at /admin/outbox (page clamped). */
export async function listOutbox(db: Db, page: number) {
  const count = await db
    .selectFrom("mail_queue")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const total = Number(count.n);
  const pages = Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const rows = await db
    .selectFrom("mail_queue")
    .select([
      "id",
      "to_email",
      "template",
      "locale",
      "subject",
      "body_text",
      "status",
      "attempts",
      "last_error",
      "created_at",
    ])
    .orderBy("id", "desc")
    .limit(OUTBOX_PAGE_SIZE)
    .offset((current - 1) * OUTBOX_PAGE_SIZE)
    .execute();
  return {
    rows: rows.map((r) => ({ ...r, createdAt: fromDbInstant(r.created_at).toISOString() })),
    page: current,
    pages,
    total,
  };
}
