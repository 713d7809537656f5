import { redirect } from "@remix-run/node";
import type { Role } from "../../db/schema";
import { normaliseEmail } from "../domain/account";
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

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_WINDOW = 10;

/** Only same-site relative paths are followed after log-in (no open redirect). */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback = "/",
): string {
  if (
    typeof to !== "string" ||
    !to.startsWith("/") ||
    to.startsWith("//") ||
    to.startsWith("/\\")
  ) {
    return fallback;
  }
  return to;
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
  { ok: true; userId: number; role: Role } | { ok: false; reason: "invalid" | "throttled" };

/**
 * Checks a password with the throttle: at most MAX_FAILURES_PER_WINDOW failures per account and
 * per IP in LOGIN_WINDOW_MS. Unknown user and wrong password give the same answer and take the
 * same time.
 */
export async function verifyLogin(
  emailInput: string,
  password: string,
  ip: string,
  db: Db = getDb(),
  now: Date = new Date(),
): Promise<LoginResult> {
  const email = normaliseEmail(emailInput);
  const since = toDbInstant(new Date(now.getTime() - LOGIN_WINDOW_MS));
  const [byEmail, byIp] = await Promise.all([
    db
      .selectFrom("login_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("email", "=", email)
      .where("succeeded", "=", 0)
      .where("attempted_at", ">", since)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("login_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("ip", "=", ip)
      .where("succeeded", "=", 0)
      .where("attempted_at", ">", since)
      .executeTakeFirstOrThrow(),
  ]);
  if (Number(byEmail.n) >= MAX_FAILURES_PER_WINDOW || Number(byIp.n) >= MAX_FAILURES_PER_WINDOW) {
    return { ok: false, reason: "throttled" };
  }
  const user = await db
    .selectFrom("users")
    .select(["id", "password_hash", "role", "disabled"])
    .where("email", "=", email)
    .executeTakeFirst();
  const good = user
    ? user.disabled === 0 && (await verifyPassword(user.password_hash, password))
    : (await verifyPassword(await getDummyHash(), password)) && false;
  await db
    .insertInto("login_attempts")
    .values({ email, ip, succeeded: good ? 1 : 0, attempted_at: toDbInstant(now) })
    .execute();
  if (!good || !user) return { ok: false, reason: "invalid" };
  return { ok: true, userId: user.id, role: user.role as Role };
}

/** Old attempts are only needed for the throttle window; trimmed opportunistically. */
export async function pruneLoginAttempts(db: Db = getDb()): Promise<void> {
  const cutoff = toDbInstant(new Date(Date.now() - 24 * 3600_000));
  await db.deleteFrom("login_attempts").where("attempted_at", "<", cutoff).execute();
}
