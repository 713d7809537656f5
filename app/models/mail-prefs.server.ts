import type { Db } from "../utils/db.server";
import { isLocale } from "../utils/i18n";
import { writeAudit } from "./audit.server";

/**
 * A user's mail preferences: the language their mails are written in (follows the language they
 * last chose in the top bar) and whether they get deal-event notices at all. Security mails —
 * password reset, address verification, invitations — ignore the opt-out.
 */

/** Records the language a logged-in user switched to; nothing when it is already theirs. */
export async function setUserLocale(db: Db, userId: number, locale: string): Promise<boolean> {
  if (!isLocale(locale)) return false;
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["org_id", "locale"])
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!user || user.locale === locale) return false;
    const upd = await trx
      .updateTable("users")
      .set({ locale })
      .where("id", "=", userId)
      .where("locale", "=", user.locale)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) return false;
    await writeAudit(trx, {
      actorUserId: userId,
      orgId: user.org_id,
      action: "user.locale",
      entityType: "user",
      entityId: userId,
      fromState: user.locale,
      toState: locale,
    });
    return true;
  });
}

export interface MailPrefs {
  email: string;
  optedOut: boolean;
}

export async function getMailPrefs(db: Db, userId: number): Promise<MailPrefs | null> {
  const u = await db
    .selectFrom("users")
    .select(["email", "mail_opt_out"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return u ? { email: u.email, optedOut: u.mail_opt_out === 1 } : null;
}

/**
 * Switches a user's deal-event notices off (or on again). Idempotent: a second one-click POST
 * changes nothing and writes no second audit row. `actorUserId` is null for the login-free link.
 */
export async function setMailOptOut(
  db: Db,
  userId: number,
  optOut: boolean,
  actorUserId: number | null = null,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["org_id"])
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!user) return false;
    const upd = await trx
      .updateTable("users")
      .set({ mail_opt_out: optOut ? 1 : 0 })
      .where("id", "=", userId)
      .where("mail_opt_out", "=", optOut ? 0 : 1)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) return false;
    await writeAudit(trx, {
      actorUserId,
      orgId: user.org_id,
      action: optOut ? "user.mail_opt_out" : "user.mail_opt_in",
      entityType: "user",
      entityId: userId,
      fromState: optOut ? "subscribed" : "unsubscribed",
      toState: optOut ? "unsubscribed" : "subscribed",
    });
    return true;
  });
}
