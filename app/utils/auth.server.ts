import { redirect } from "@remix-run/node";
import type { Role } from "../../db/schema";
import { normaliseEmail } from "../domain/account";
import { safeRedirectPath } from "../domain/redirect";
import {
  admitCodeAttempt,
  admitLoginAttempt,
  recordAccountFailure,
  recordCodeSuccess,
  recordLoginSuccess,
} from "../models/login-throttle.server";
import {
  auditCodeCheck,
  checkSecondFactor,
  getTwoFactorPolicy,
  hasTwoFactor,
  isRememberedDevice,
  rememberDevice,
} from "../models/two-factor.server";
export { normaliseEmail };
import { getDb, type Db } from "./db.server";
import { getDummyHash, verifyPassword } from "./password.server";
import { createUserSession, getSessionUser, type SessionUser } from "./session.server";
import {
  clearPendingLoginCookie,
  deviceCookie,
  pendingLoginCookie,
  readDeviceToken,
  type PendingLogin,
} from "./two-factor.server";
import { REMEMBER_DEVICE_MS } from "../domain/two-factor";
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

/**
 * After a right password: a user with two-factor authentication gets a short signed pending
 * state and the code form (unless this device was remembered for them); everyone else a session.
 * A user whose role must use it but who has none (never enrolled, or an admin reset it) starts at
 * enrolment, and goes on to their destination afterwards. Where to go afterwards is decided here,
 * once, through safeRedirect.
 */
export async function passwordAccepted(
  request: Request,
  user: { userId: number; role: Role },
  redirectTo: string | undefined,
  ip: string | null,
  db: Db = getDb(),
): Promise<Response> {
  const to = safeRedirect(redirectTo, DASHBOARD_BY_ROLE[user.role]);
  const enrolled = await hasTwoFactor(db, user.userId);
  if (enrolled && !(await isRememberedDevice(db, user.userId, readDeviceToken(request)))) {
    return redirect("/login/two-factor", {
      headers: { "Set-Cookie": pendingLoginCookie(request, user.userId, to) },
    });
  }
  const cookie = await createUserSession(request, user.userId, ip, db);
  const mustEnrol = !enrolled && (await getTwoFactorPolicy(db)).roles.includes(user.role);
  const next = mustEnrol
    ? `/account/two-factor?required=1&redirectTo=${encodeURIComponent(to)}`
    : to;
  return redirect(next, { headers: { "Set-Cookie": cookie } });
}

export type SecondStepResult =
  | { ok: true; response: Response; method: "totp" | "recovery"; recoveryCodesLeft?: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMs: number };

/**
 * The code after the password: throttled like a password (its own (account, address) key and the
 * address key, app/domain/login-throttle.ts), a wrong code counts toward the account's alert, and
 * only a right, unspent code creates the session.
 */
export async function verifySecondStep(
  request: Request,
  pending: PendingLogin,
  code: string,
  rememberThisDevice: boolean,
  ip: string,
  db: Db = getDb(),
  now: Date = new Date(),
): Promise<SecondStepResult> {
  const user = await db
    .selectFrom("users")
    .select(["id", "org_id", "email", "disabled"])
    .where("id", "=", pending.userId)
    .executeTakeFirst();
  if (!user || user.disabled !== 0) return { ok: false, reason: "invalid" };
  const admission = await admitCodeAttempt(db, user.email, ip, now);
  if (!admission.ok) {
    return { ok: false, reason: "throttled", retryAfterMs: admission.retryAfterMs };
  }
  const check = await checkSecondFactor(db, user.id, code, now);
  await auditCodeCheck(db, user, check, "login");
  if (!check.ok) {
    await recordAccountFailure(db, user, now);
    return { ok: false, reason: "invalid" };
  }
  await recordCodeSuccess(db, user.email, ip);
  const headers = new Headers();
  headers.append("Set-Cookie", await createUserSession(request, user.id, ip, db));
  headers.append("Set-Cookie", clearPendingLoginCookie(request));
  if (rememberThisDevice) {
    const token = await rememberDevice(db, user, request.headers.get("user-agent"), now);
    headers.append("Set-Cookie", deviceCookie(request, token, REMEMBER_DEVICE_MS));
  }
  return {
    ok: true,
    response: redirect(pending.redirectTo, { headers }),
    method: check.method,
    recoveryCodesLeft: check.method === "recovery" ? check.recoveryCodesLeft : undefined,
  };
}
