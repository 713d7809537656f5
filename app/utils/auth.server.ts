import { redirect } from "@remix-run/node";
import type { Role } from "../../db/schema";
import { normaliseEmail } from "../domain/account";
import { safeRedirectPath } from "../domain/redirect";
import {
  admitLoginAttempt,
  recordAccountFailure,
  recordLoginSuccess,
} from "../models/login-throttle.server";
export { normaliseEmail };
import { getDb, type Db } from "./db.server";
import { getDummyHash, verifyPassword } from "./password.server";
import { getSessionUser, type SessionUser } from "./session.server";
import { toDbInstant } from "./time";

export const DASHBOARD_BY_ROLE: Record<Role, string> = {
  firm: "/firm",
  bank_officer: "/bank",
  valuer: "/valuer",
  alliance: "/alliance",
  admin: "/admin",
};

/** Only same-site paths are followed after log-in (no open redirect): docs in domain/redirect. */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/",
): string {
  return safeRedirectPath(to, fallback);
}

export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  return getSessionUser(request);
}

/** Sends an anonymous visitor to log in and back again. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getSessionUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return user;
}

export type LoginResult =
  | { ok: true; userId: number; role: Role }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMs: number };

/**
 * Checks a password behind the throttle (app/domain/login-throttle.ts): delays grow per
 * (account, address) and per address; failures per account only alert the admin, so nobody can
 * lock the owner out from elsewhere. Unknown user and wrong password give the same answer and take
 * the same time.
 */
export async function verifyLogin(
  emailInput: string,
  password: string,
  ip: string,
  db: Db = getDb(),
  now: Date = new Date(),
): Promise<LoginResult> {
  const email = normaliseEmail(emailInput);
  const admission = await admitLoginAttempt(db, email, ip, now);
  if (!admission.ok) {
    return { ok: false, reason: "throttled", retryAfterMs: admission.retryAfterMs };
  }
  const user = await db
    .selectFrom("users")
    .select(["id", "org_id", "email", "password_hash", "role", "disabled"])
    .where("email", "=", email)
    .executeTakeFirst();
  const good = user
    ? user.disabled === 0 && (await verifyPassword(user.password_hash, password))
    : (await verifyPassword(await getDummyHash(), password)) && false;
  await db
    .insertInto("login_attempts")
    .values({ email, ip, succeeded: good ? 1 : 0, attempted_at: toDbInstant(now) })
    .execute();
  if (!good || !user) {
    if (user) await recordAccountFailure(db, user, now);
    return { ok: false, reason: "invalid" };
  }
  await recordLoginSuccess(db, email, ip);
  return { ok: true, userId: user.id, role: user.role as Role };
}

/** Old attempts are only needed for the throttle window; trimmed opportunistically. */
export async function pruneLoginAttempts(db: Db = getDb()): Promise<void> {
  const cutoff = toDbInstant(new Date(Date.now() - 24 * 3600_000));
  await db.deleteFrom("login_attempts").where("attempted_at", "<", cutoff).execute();
}
