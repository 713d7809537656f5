import { createHmac, randomBytes } from "node:crypto";
import type { Role, User } from "../../db/schema";
import { getDb, type Db } from "./db.server";
import { requiredRoles, TWO_FACTOR_POLICY_SETTING } from "../domain/two-factor";
import { getEnv, isDeployment } from "./env.server";
import { fromDbInstant, nowInstant, toDbInstant } from "./time";

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Write last_seen_at at most this often, so every page view is not a write. */
const TOUCH_EVERY_MS = 60 * 1000;

export type SessionUser = Pick<User, "id" | "org_id" | "email" | "role" | "display_name"> & {
  orgKind: string;
  orgName: string;
  /** False for a self-registered firm until it opens the verification link (issue 11). */
  emailVerified: boolean;
  /** Enrolled in two-factor authentication: every session of this user passed a code. */
  twoFactorEnabled: boolean;
  /** The admin's policy requires two-factor authentication of this user's role. */
  twoFactorRequired: boolean;
};

/** The browser's User-Agent as stored with a session: control characters out, at most 255. */
export function sessionUserAgent(request: Request): string | null {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const ua = (request.headers.get("user-agent") ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return ua ? ua.slice(0, 255) : null;
}

/** Over HTTPS the cookie is `__Host-` prefixed and Secure; plain http://localhost gets a plain name. */
export function isSecureRequest(request: Request): boolean {
  const proto = request.headers.get("x-forwarded-proto");
  return new URL(request.url).protocol === "https:" || proto === "https";
}

export function sessionCookieName(request: Request): string {
  return isSecureRequest(request) ? "__Host-zr_session" : "zr_session";
}

export function hashToken(token: string): string {
  return createHmac("sha256", getEnv().SESSION_SECRET).update(token).digest("hex");
}

/** The address just registered, offered back on the log-in form (register.tsx). */
export const REGISTERED_EMAIL_COOKIE = "zr_registered_email";

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function serializeSessionCookie(request: Request, value: string, maxAgeSeconds: number): string {
  const attrs = [
    `${sessionCookieName(request)}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (isSecureRequest(request)) attrs.push("Secure");
  return attrs.join("; ");
}

/** Creates a fresh session row (rotating away any session the request carried). */
export async function createUserSession(
  request: Request,
  userId: number,
  ip: string | null,
  db: Db = getDb(),
): Promise<string> {
  const old = readCookie(request, sessionCookieName(request));
  if (old) await db.deleteFrom("sessions").where("id", "=", hashToken(old)).execute();
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  await db
    .insertInto("sessions")
    .values({
      id: hashToken(token),
      user_id: userId,
      created_at: toDbInstant(now),
      last_seen_at: toDbInstant(now),
      expires_at: toDbInstant(new Date(now.getTime() + SESSION_ABSOLUTE_MS)),
      ip,
      user_agent: sessionUserAgent(request),
    })
    .execute();
  return serializeSessionCookie(request, token, SESSION_ABSOLUTE_MS / 1000);
}

/** The stored id (hash) of the session this request carries, or null. */
export function currentSessionId(request: Request): string | null {
  const token = readCookie(request, sessionCookieName(request));
  return token ? hashToken(token) : null;
}

export async function destroyUserSession(request: Request, db: Db = getDb()): Promise<string> {
  const token = readCookie(request, sessionCookieName(request));
  if (token) await db.deleteFrom("sessions").where("id", "=", hashToken(token)).execute();
  return serializeSessionCookie(request, "", 0);
}

/** The logged-in user, or null when there is no live session (idle or absolute expiry). */
export async function getSessionUser(
  request: Request,
  db: Db = getDb(),
  now: Date = new Date(),
): Promise<SessionUser | null> {
  const token = readCookie(request, sessionCookieName(request));
  if (!token) return null;
  const id = hashToken(token);
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .leftJoin("user_totp", "user_totp.user_id", "users.id")
    .select([
      "sessions.last_seen_at",
      "sessions.expires_at",
      "users.id",
      "users.org_id",
      "users.email",
      "users.role",
      "users.display_name",
      "users.disabled",
      "users.email_verified",
      "organisations.kind as orgKind",
      "organisations.name as orgName",
      "user_totp.enabled_at as totpEnabledAt",
      (eb) =>
        eb
          .selectFrom("settings")
          .select("value")
          .where("name", "=", TWO_FACTOR_POLICY_SETTING)
          .as("twoFactorPolicy"),
    ])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
  if (!row) return null;
  const lastSeen = fromDbInstant(row.last_seen_at).getTime();
  const expired =
    fromDbInstant(row.expires_at).getTime() <= now.getTime() ||
    now.getTime() - lastSeen > SESSION_IDLE_MS ||
    row.disabled === 1;
  if (expired) {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return null;
  }
  if (now.getTime() - lastSeen > TOUCH_EVERY_MS) {
    await db
      .updateTable("sessions")
      .set({ last_seen_at: nowInstant() })
      .where("id", "=", id)
      .execute();
  }
  return {
    id: row.id,
    org_id: row.org_id,
    email: row.email,
    role: row.role as Role,
    display_name: row.display_name,
    orgKind: row.orgKind,
    orgName: row.orgName,
    emailVerified: Number(row.email_verified) === 1,
    twoFactorEnabled: row.totpEnabledAt !== null,
    twoFactorRequired: requiredRoles(row.twoFactorPolicy, isDeployment()).includes(
      row.role as Role,
    ),
  };
}
