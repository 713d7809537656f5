import { createHash, randomBytes } from "node:crypto";
import { normaliseEmail } from "../domain/account";
import type { EmailTokenPurpose } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { hashPassword } from "../utils/password.server";
import { toDbInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { enqueueMail } from "./mail.server";

export const RESET_TOKEN_MS = 30 * 60 * 1000;
/** Reset mails per account per hour: enough for a person, useless for flooding an inbox. */
export const RESET_MAILS_PER_HOUR = 3;

/** Tokens are stored as SHA-256: 32 random bytes need no slow hash, and a leaked table opens nothing. */
export function hashEmailToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Stores a new single-use e-mail token (its hash only) for `purpose`, valid `ttlMs` from `now`,
 * and returns the token for the link. Reset and verification links share it.
 */
export async function issueEmailToken(
  trx: Pick<Db, "insertInto">,
  userId: number,
  purpose: EmailTokenPurpose,
  ttlMs: number,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await trx
    .insertInto("email_tokens")
    .values({
      user_id: userId,
      purpose,
      token_hash: hashEmailToken(token),
      created_at: toDbInstant(now),
      expires_at: toDbInstant(new Date(now.getTime() + ttlMs)),
      used_at: null,
    })
    .execute();
  return token;
}

/**
 * Mails a reset link when the address belongs to an active account and it has not had
 * RESET_MAILS_PER_HOUR links this hour. Returns nothing either way, so the caller cannot tell
 * (docs/decisions/009-throttling-and-two-factor.md).
 */
export async function requestPasswordReset(
  db: Db,
  emailInput: string,
  origin: string,
  now: Date = new Date(),
): Promise<void> {
  const email = normaliseEmail(emailInput);
  const user = await db
    .selectFrom("users")
    .select(["id", "org_id", "email", "locale"])
    .where("email", "=", email)
    .where("disabled", "=", 0)
    .executeTakeFirst();
  if (!user) return;
  await db.transaction().execute(async (trx) => {
    const recent = await trx
      .selectFrom("email_tokens")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", user.id)
      .where("purpose", "=", "reset")
      .where("created_at", ">", toDbInstant(new Date(now.getTime() - 3600_000)))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= RESET_MAILS_PER_HOUR) return;
    const token = await issueEmailToken(trx, user.id, "reset", RESET_TOKEN_MS, now);
    await enqueueMail(trx, {
      to: user.email,
      template: "passwordReset",
      params: { url: `${origin}/reset-password/${token}` },
      locale: user.locale,
    });
    await writeAudit(trx, {
      actorUserId: null,
      orgId: user.org_id,
      action: "auth.reset_requested",
      entityType: "user",
      entityId: user.id,
    });
  });
}

/** Whether a token is still usable (for drawing the form; the reset itself checks again). */
export async function isResetTokenUsable(db: Db, token: string, now = new Date()) {
  const row = await db
    .selectFrom("email_tokens")
    .select("id")
    .where("token_hash", "=", hashEmailToken(token))
    .where("purpose", "=", "reset")
    .where("used_at", "is", null)
    .where("expires_at", ">", toDbInstant(now))
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Sets a new password with a reset token: the token is spent by a guarded update (so it works
 * once, even under concurrent use), and every session of the user ends.
 */
export async function resetPassword(
  db: Db,
  token: string,
  newPassword: string,
  now: Date = new Date(),
): Promise<boolean> {
  const passwordHash = await hashPassword(newPassword);
  return db.transaction().execute(async (trx) => {
    const hash = hashEmailToken(token);
    const row = await trx
      .selectFrom("email_tokens")
      .innerJoin("users", "users.id", "email_tokens.user_id")
      .select(["email_tokens.id", "users.id as userId", "users.org_id"])
      .where("email_tokens.token_hash", "=", hash)
      .where("email_tokens.purpose", "=", "reset")
      .executeTakeFirst();
    if (!row) return false;
    const spent = await trx
      .updateTable("email_tokens")
      .set({ used_at: toDbInstant(now) })
      .where("id", "=", row.id)
      .where("used_at", "is", null)
      .where("expires_at", ">", toDbInstant(now))
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) return false;
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("id", "=", row.userId)
      .execute();
    await trx.deleteFrom("sessions").where("user_id", "=", row.userId).execute();
    // Any other reset link still in the mailbox is void now.
    await trx
      .updateTable("email_tokens")
      .set({ used_at: toDbInstant(now) })
      .where("user_id", "=", row.userId)
      .where("purpose", "=", "reset")
      .where("used_at", "is", null)
      .execute();
    await writeAudit(trx, {
      actorUserId: row.userId,
      orgId: row.org_id,
      action: "auth.password_reset",
      entityType: "user",
      entityId: row.userId,
    });
    return true;
  });
}
