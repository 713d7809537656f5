import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { normaliseEmail } from "../domain/account";
import { describeUserAgent, type DeviceLabel } from "../domain/user-agent";
import type { Db } from "../utils/db.server";
import { hashPassword } from "../utils/password.server";
import { SESSION_IDLE_MS } from "../utils/session.server";
import { fromDbInstant, toDbInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { UserFacingError } from "./errors";
import { ensureRow } from "./login-throttle.server";
import { enqueueMail } from "./mail.server";
import { registerFirm, type FirmRegistration } from "./organisation.server";
import { hashEmailToken, issueEmailToken } from "./password-reset.server";

// Accounts a person keeps (issue 11): password change, e-mail verification, registration that
// does not tell a visitor who is registered, and the sessions page.

export const VERIFY_TOKEN_MS = 24 * 3600_000;
/** Verification mails per account per hour (the first one at registration included). */
export const VERIFY_MAILS_PER_HOUR = 3;
/** At least this long between two verification mails, so a double click sends one. */
export const VERIFY_RESEND_GAP_MS = 60_000;
/** Mails to one address caused by registrations (verification or "already registered") per hour. */
export const REGISTRATION_MAILS_PER_HOUR = 3;
/** Registrations (new or not) accepted from one client address per hour. */
export const REGISTRATIONS_PER_IP_HOUR = 20;

type Trx = Transaction<Database>;

interface MailUser {
  id: number;
  org_id: number;
  email: string;
  display_name: string;
  locale: string;
}

/** Queues a fresh verification link (valid 24 hours); call inside the transaction. */
async function issueVerification(trx: Trx, user: MailUser, origin: string, now: Date) {
  const token = await issueEmailToken(trx, user.id, "verify", VERIFY_TOKEN_MS, now);
  await enqueueMail(trx, {
    to: user.email,
    template: "verifyEmail",
    params: { name: user.display_name, url: `${origin}/account/verify-email/${token}` },
    locale: user.locale,
  });
}

async function mailsToSince(trx: Trx | Db, email: string, templates: string[], since: Date) {
  const row = await trx
    .selectFrom("mail_queue")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("to_email", "=", email)
    .where("template", "in", templates)
    .where("created_at", ">", toDbInstant(since))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Counts one registration from a client address; false when the address already made
 * REGISTRATIONS_PER_IP_HOUR within the hour. One guarded UPDATE, so concurrent requests are
 * counted exactly (the same counter table as the log-in throttle, key `reg:<ip>`).
 */
export async function admitRegistration(db: Db, ip: string, now = new Date()): Promise<boolean> {
  const key = `reg:${ip}`.slice(0, 320);
  await ensureRow(db, key);
  const nowS = toDbInstant(now);
  const windowStart = toDbInstant(new Date(now.getTime() - 3600_000));
  const res = await db
    .updateTable("login_throttle")
    .set((eb) => ({
      failures: eb
        .case()
        .when("last_failure_at", "<", windowStart)
        .then(1)
        .else(eb("failures", "+", 1))
        .end(),
      last_failure_at: eb
        .case()
        .when("last_failure_at", "<", windowStart)
        .then(nowS)
        .else(eb.ref("last_failure_at"))
        .end(),
    }))
    .where("throttle_key", "=", key)
    .where((eb) =>
      eb.or([
        eb("last_failure_at", "<", windowStart),
        eb("failures", "<", REGISTRATIONS_PER_IP_HOUR),
      ]),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Self-registration of a firm. To the visitor it always ends the same way (so the form cannot
 * tell who is registered): a new address gets an unverified account and a verification link; an
 * address that already has an account gets a mail telling its owner someone tried, and nothing is
 * created. Both paths hash the password, so they take about the same time. The USCC check stays
 * visible (organisations, not people) and is done by the caller before this.
 */
export async function registerFirmAccount(
  db: Db,
  r: FirmRegistration & { locale: string },
  origin: string,
  now = new Date(),
): Promise<{ created: boolean }> {
  const email = normaliseEmail(r.email);
  const owner = await db
    .selectFrom("users")
    .select(["id", "org_id", "email", "locale"])
    .where("email", "=", email)
    .executeTakeFirst();
  if (!owner) {
    try {
      await registerFirm(
        db,
        { ...r, email },
        {
          emailVerified: false,
          within: async (trx, ids) => {
            if (r.locale !== "zh-CN") {
              await trx
                .updateTable("users")
                .set({ locale: r.locale })
                .where("id", "=", ids.userId)
                .execute();
            }
            const recent = await mailsToSince(
              trx,
              email,
              ["verifyEmail", "accountExists"],
              new Date(now.getTime() - 3600_000),
            );
            if (recent >= REGISTRATION_MAILS_PER_HOUR) return;
            await issueVerification(
              trx,
              {
                id: ids.userId,
                org_id: ids.orgId,
                email,
                display_name: r.contactName,
                locale: r.locale,
              },
              origin,
              now,
            );
          },
        },
      );
      return { created: true };
    } catch (e) {
      // A concurrent registration took the address after our look-up: treat it as taken.
      if (!(e instanceof UserFacingError && e.field === "email")) throw e;
    }
  } else {
    // The same work as creating the account, so the two answers take about the same time.
    await hashPassword(r.password);
  }
  const user =
    owner ??
    (await db
      .selectFrom("users")
      .select(["id", "org_id", "email", "locale"])
      .where("email", "=", email)
      .executeTakeFirstOrThrow());
  await db.transaction().execute(async (trx) => {
    const recent = await mailsToSince(
      trx,
      email,
      ["verifyEmail", "accountExists"],
      new Date(now.getTime() - 3600_000),
    );
    if (recent >= REGISTRATION_MAILS_PER_HOUR) return;
    await enqueueMail(trx, {
      to: user.email,
      template: "accountExists",
      params: {
        email: user.email,
        loginUrl: `${origin}/login`,
        resetUrl: `${origin}/forgot-password`,
      },
      locale: user.locale,
    });
    await writeAudit(trx, {
      actorUserId: null,
      orgId: user.org_id,
      action: "auth.register_existing_email",
      entityType: "user",
      entityId: user.id,
    });
  });
  return { created: false };
}

export type ResendOutcome = "sent" | "alreadyVerified" | "throttled";

/** Another verification link, at most VERIFY_MAILS_PER_HOUR an hour and one a minute. */
export async function resendVerification(
  db: Db,
  userId: number,
  origin: string,
  now = new Date(),
): Promise<ResendOutcome> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "org_id", "email", "display_name", "locale", "email_verified"])
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    if (Number(user.email_verified) === 1) return "alreadyVerified";
    const recent = await trx
      .selectFrom("email_tokens")
      .select(["created_at"])
      .where("user_id", "=", userId)
      .where("purpose", "=", "verify")
      .where("created_at", ">", toDbInstant(new Date(now.getTime() - 3600_000)))
      .orderBy("created_at", "desc")
      .execute();
    const last = recent[0] ? fromDbInstant(recent[0].created_at).getTime() : 0;
    if (recent.length >= VERIFY_MAILS_PER_HOUR || now.getTime() - last < VERIFY_RESEND_GAP_MS) {
      return "throttled";
    }
    await issueVerification(trx, user, origin, now);
    await writeAudit(trx, {
      actorUserId: userId,
      orgId: user.org_id,
      action: "auth.verification_sent",
      entityType: "user",
      entityId: userId,
    });
    return "sent";
  });
}

/** Whether a verification link is still usable (for drawing its page). */
export async function isVerifyTokenUsable(db: Db, token: string, now = new Date()) {
  const row = await db
    .selectFrom("email_tokens")
    .select("id")
    .where("token_hash", "=", hashEmailToken(token))
    .where("purpose", "=", "verify")
    .where("used_at", "is", null)
    .where("expires_at", ">", toDbInstant(now))
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Marks the address verified with a mailed link: the token is spent by a guarded update (works
 * once), and the other links of the user are void. False for an unknown, used or expired link.
 */
export async function verifyEmailToken(db: Db, token: string, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("email_tokens")
      .innerJoin("users", "users.id", "email_tokens.user_id")
      .select(["email_tokens.id", "users.id as userId", "users.org_id"])
      .where("email_tokens.token_hash", "=", hashEmailToken(token))
      .where("email_tokens.purpose", "=", "verify")
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
      .updateTable("email_tokens")
      .set({ used_at: toDbInstant(now) })
      .where("user_id", "=", row.userId)
      .where("purpose", "=", "verify")
      .where("used_at", "is", null)
      .execute();
    const changed = await trx
      .updateTable("users")
      .set({ email_verified: 1 })
      .where("id", "=", row.userId)
      .where("email_verified", "=", 0)
      .executeTakeFirst();
    await writeAudit(trx, {
      actorUserId: row.userId,
      orgId: row.org_id,
      action: "auth.email_verified",
      entityType: "user",
      entityId: row.userId,
      fromState: Number(changed.numUpdatedRows) === 1 ? "unverified" : "verified",
      toState: "verified",
    });
    return true;
  });
}

/** The verified flag of one user (the gate on submitting applications reads it in its transaction). */
export async function isEmailVerified(db: Db | Trx, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("email_verified")
    .where("id", "=", userId)
    .executeTakeFirst();
  return Number(row?.email_verified) === 1;
}

/**
 * Sets a new password for a logged-in user whose current password the caller has checked: every
 * other session of the user ends, unused reset links are void, the owner is mailed, and the change
 * is audited, in one transaction. Returns how many other sessions ended.
 */
export async function changePassword(
  db: Db,
  user: { id: number; org_id: number },
  newPassword: string,
  currentSessionId: string,
  now = new Date(),
): Promise<{ sessionsEnded: number }> {
  const passwordHash = await hashPassword(newPassword);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("users")
      .select(["email", "locale"])
      .where("id", "=", user.id)
      .where("disabled", "=", 0)
      .executeTakeFirst();
    if (!row) throw new UserFacingError("common:errors.conflict", {}, undefined, 409);
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash })
      .where("id", "=", user.id)
      .execute();
    const ended = await trx
      .deleteFrom("sessions")
      .where("user_id", "=", user.id)
      .where("id", "!=", currentSessionId)
      .executeTakeFirst();
    await trx
      .updateTable("email_tokens")
      .set({ used_at: toDbInstant(now) })
      .where("user_id", "=", user.id)
      .where("purpose", "=", "reset")
      .where("used_at", "is", null)
      .execute();
    await enqueueMail(trx, {
      to: row.email,
      template: "passwordChanged",
      params: { email: row.email, time: now.toISOString().slice(0, 16).replace("T", " ") + " UTC" },
      locale: row.locale,
    });
    const sessionsEnded = Number(ended.numDeletedRows);
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.password_changed",
      entityType: "user",
      entityId: user.id,
      detail: { sessionsEnded },
    });
    return { sessionsEnded };
  });
}

/** A session as its owner sees it; `key` names it in forms without giving away its id. */
export interface SessionView {
  key: string;
  device: DeviceLabel;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** The public name of a session: a hash of its stored id (which is itself a hash of the cookie). */
export function sessionKey(sessionId: string): string {
  return createHash("sha256").update(`session-key:${sessionId}`).digest("hex").slice(0, 24);
}

function liveSessions(db: Db | Trx, userId: number, now: Date) {
  return db
    .selectFrom("sessions")
    .select(["id", "ip", "user_agent", "created_at", "last_seen_at"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", toDbInstant(now))
    .where("last_seen_at", ">", toDbInstant(new Date(now.getTime() - SESSION_IDLE_MS)))
    .orderBy("last_seen_at", "desc")
    .execute();
}

/** The user's live sessions, the current one first. */
export async function listSessions(
  db: Db,
  userId: number,
  currentSessionId: string | null,
  now = new Date(),
): Promise<SessionView[]> {
  const rows = await liveSessions(db, userId, now);
  return rows
    .map((r) => ({
      key: sessionKey(r.id),
      device: describeUserAgent(r.user_agent),
      ip: r.ip,
      createdAt: fromDbInstant(r.created_at).toISOString(),
      lastSeenAt: fromDbInstant(r.last_seen_at).toISOString(),
      current: r.id === currentSessionId,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** Ends one of the user's other sessions, named by its key; 404 when it is not theirs or gone. */
export async function endSession(
  db: Db,
  user: { id: number; org_id: number },
  key: string,
  currentSessionId: string | null,
  now = new Date(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const rows = await liveSessions(trx, user.id, now);
    const target = rows.find((r) => sessionKey(r.id) === key && r.id !== currentSessionId);
    if (!target) throw new UserFacingError("account:sessions.gone", {}, undefined, 404);
    const res = await trx
      .deleteFrom("sessions")
      .where("id", "=", target.id)
      .where("user_id", "=", user.id)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) {
      throw new UserFacingError("account:sessions.gone", {}, undefined, 404);
    }
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.session_ended",
      entityType: "user",
      entityId: user.id,
      detail: { device: describeUserAgent(target.user_agent), ip: target.ip },
    });
  });
}

/** Ends every session of the user except this one; returns how many ended (0 writes nothing). */
export async function endOtherSessions(
  db: Db,
  user: { id: number; org_id: number },
  currentSessionId: string,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .deleteFrom("sessions")
      .where("user_id", "=", user.id)
      .where("id", "!=", currentSessionId)
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    if (n > 0) {
      await writeAudit(trx, {
        actorUserId: user.id,
        orgId: user.org_id,
        action: "auth.sessions_ended",
        entityType: "user",
        entityId: user.id,
        detail: { count: n },
      });
    }
    return n;
  });
}
