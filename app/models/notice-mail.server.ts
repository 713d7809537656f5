import { isEssentialMail, type MailTemplate } from "../domain/mail";
import { formatMoneyExact } from "../domain/money";
import { absoluteUrl, unsubscribeUrl } from "../utils/mail-links.server";
import type { Executor } from "./ledger.server";
import { enqueueMail } from "./mail.server";

/**
 * Mails a deal event to the active users of an organisation, each in their own language
 * (users.locale) and with their own one-click unsubscribe link. Call it inside the transaction of
 * the change it reports: a rolled-back change leaves no mail behind. Users who unsubscribed
 * (users.mail_opt_out) get no notices; essential mails are not sent through here.
 *
 * `userIds` narrows the recipients (the servicing reminders mail one user per dedupe key).
 */
export async function mailOrganisation(
  db: Executor,
  orgId: number,
  m: {
    template: MailTemplate;
    params: Record<string, string | number>;
    /** Amounts in fen, written in each recipient's convention (元 / ¥). */
    money?: Record<string, number>;
    /** A path in the app, made absolute for the mail as {{url}}. */
    link: string;
    userIds?: number[];
  },
): Promise<number> {
  if (isEssentialMail(m.template)) throw new Error(`${m.template} is not a notice`);
  let q = db
    .selectFrom("users")
    .select(["id", "email", "locale", "display_name"])
    .where("org_id", "=", orgId)
    .where("disabled", "=", 0)
    .where("mail_opt_out", "=", 0);
  if (m.userIds) {
    if (m.userIds.length === 0) return 0;
    q = q.where("id", "in", m.userIds);
  }
  const users = await q.orderBy("id").execute();
  const url = absoluteUrl(m.link);
  for (const u of users) {
    const money = Object.fromEntries(
      Object.entries(m.money ?? {}).map(([k, fen]) => [k, formatMoneyExact(fen, u.locale)]),
    );
    await enqueueMail(db, {
      to: u.email,
      template: m.template,
      params: { ...m.params, ...money, name: u.display_name, url },
      locale: u.locale,
      unsubscribeUrl: unsubscribeUrl(u.id),
    });
  }
  return users.length;
}
