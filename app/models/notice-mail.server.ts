import type { AppraisalOrder } from "../../db/schema";
import { orderNumber } from "../domain/appraisal";
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

/**
 * Mails the firm that an appraisal order moved: its fee is confirmed paid (by Stripe or by the
 * admin for a bank transfer), or the valuer signed the report. Inside the change's transaction.
 */
export async function mailAppraisalOrderEvent(
  db: Executor,
  order: Pick<AppraisalOrder, "id" | "firm_org_id" | "created_at" | "fee_fen">,
  template: "appraisalPaid" | "appraisalSigned",
): Promise<number> {
  return mailOrganisation(db, order.firm_org_id, {
    template,
    params: { number: orderNumber(order.id, order.created_at) },
    money: { fee: Number(order.fee_fen) },
    link: `/firm/appraisals/${order.id}`,
  });
}
