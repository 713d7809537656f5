import { createHmac, timingSafeEqual } from "node:crypto";
import { getEnv } from "./env.server";

/**
 * Links inside mails. Mails are written outside any request (the servicing job, a transition deep
 * in a model), so the origin is APP_ORIGIN, else the local server.
 */
export function mailOrigin(): string {
  const env = getEnv();
  return (env.APP_ORIGIN ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
}

export function absoluteUrl(path: string): string {
  return `${mailOrigin()}${path.startsWith("/") ? path : `/${path}`}`;
}

function signature(userId: number): string {
  return createHmac("sha256", getEnv().SESSION_SECRET)
    .update(`unsubscribe:${userId}`)
    .digest("base64url")
    .slice(0, 32);
}

/**
 * The signed, login-free unsubscribe token of one user: "<id>.<hmac>". It only ever switches that
 * user's notice mails off (or on again), so it needs no expiry; changing SESSION_SECRET voids it.
 */
export function unsubscribeToken(userId: number): string {
  return `${userId}.${signature(userId)}`;
}

/** The user a token was signed for, or null for anything forged or malformed. */
export function verifyUnsubscribeToken(token: string): number | null {
  const m = /^([1-9]\d{0,9})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const userId = Number(m[1]);
  const want = Buffer.from(signature(userId));
  const got = Buffer.from(m[2]);
  return want.length === got.length && timingSafeEqual(want, got) ? userId : null;
}

export function unsubscribeUrl(userId: number): string {
  return absoluteUrl(`/unsubscribe/${unsubscribeToken(userId)}`);
}
