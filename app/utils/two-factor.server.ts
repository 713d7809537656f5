import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import {
  PENDING_LOGIN_MS,
  RECOVERY_CODE_COUNT,
  RECOVERY_CODE_LENGTH,
  recoveryCodeFromBytes,
  TOTP_DIGITS,
  TOTP_ISSUER,
  TOTP_PERIOD_S,
  TOTP_WINDOW,
  totpStep,
} from "../domain/two-factor";
import { getEnv } from "./env.server";
import { isSecureRequest, readCookie } from "./session.server";

/**
 * The cryptography of two-factor authentication (docs/decisions/014-two-factor.md). TOTP itself is
 * the `otpauth` library's (RFC 6238); this file keeps the secret encrypted at rest, hashes the
 * recovery codes, and signs the short pending state between the password and the code. Every key
 * is derived from SESSION_SECRET with HKDF, one per purpose, so none is the session secret itself.
 */

function derivedKey(purpose: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", getEnv().SESSION_SECRET, "zhirong-two-factor", `zhirong:${purpose}:v1`, 32),
  );
}

const SECRET_PREFIX = "v1.";

/** AES-256-GCM; the user id is the associated data, so a ciphertext moved to another user fails. */
export function encryptTotpSecret(base32: string, userId: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derivedKey("totp-secret"), iv);
  cipher.setAAD(Buffer.from(`user:${userId}`));
  const body = Buffer.concat([cipher.update(base32, "utf8"), cipher.final()]);
  return SECRET_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The base32 secret, or null when it cannot be decrypted (another SESSION_SECRET, tampering). */
export function decryptTotpSecret(stored: string, userId: number): string | null {
  if (!stored.startsWith(SECRET_PREFIX)) return null;
  try {
    const raw = Buffer.from(stored.slice(SECRET_PREFIX.length), "base64url");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      derivedKey("totp-secret"),
      raw.subarray(0, 12),
    );
    decipher.setAAD(Buffer.from(`user:${userId}`));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/** 160 random bits, the RFC 4226 recommendation for HMAC-SHA-1. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(base32: string, label = ""): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(base32),
  });
}

/** The time step the code matches (within ±TOTP_WINDOW of now), or null. */
export function matchTotp(base32: string, code: string, now: Date): number | null {
  const delta = totp(base32).validate({
    token: code,
    timestamp: now.getTime(),
    window: TOTP_WINDOW,
  });
  return delta === null ? null : totpStep(now.getTime()) + delta;
}

/** The code an authenticator app shows at `now` (tests, and nothing else, need it). */
export function totpCodeAt(base32: string, now: Date): string {
  return totp(base32).generate({ timestamp: now.getTime() });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function otpauthUri(base32: string, accountEmail: string): string {
  return totp(base32, accountEmail).toString();
}

/** The QR code as an SVG data URL, drawn on the server (the CSP allows data: images). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/** The secret grouped in fours, for typing into an app by hand. */
export function groupSecret(base32: string): string {
  return base32.replace(/(.{4})(?=.)/g, "$1 ");
}

/** Ten fresh recovery codes, shown once as XXXXX-XXXXX. */
export function newRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) {
    const code = recoveryCodeFromBytes(randomBytes(RECOVERY_CODE_LENGTH * 2));
    if (code) codes.add(code);
  }
  return [...codes];
}

/**
 * A recovery code at rest: HMAC-SHA-256 under a key derived from SESSION_SECRET. Fifty random bits
 * need no slow hash once the table alone is useless without the key; checking a code is one
 * indexed lookup instead of ten Argon2 runs.
 */
export function hashRecoveryCode(normalised: string): string {
  return createHmac("sha256", derivedKey("recovery-code"))
    .update(normalised.replace(/-/g, "").toUpperCase())
    .digest("hex");
}

/** A remembered device's cookie holds 32 random bytes; the table holds their SHA-256. */
export function hashDeviceToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newDeviceToken(): string {
  return randomBytes(32).toString("base64url");
}

// ---- cookies ---------------------------------------------------------------------------------

function cookie(request: Request, name: string, value: string, maxAgeS: number): string {
  const attrs = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeS}`];
  if (isSecureRequest(request)) attrs.push("Secure");
  return attrs.join("; ");
}

export function pendingCookieName(request: Request): string {
  return isSecureRequest(request) ? "__Host-zr_2fa" : "zr_2fa";
}

export function deviceCookieName(request: Request): string {
  return isSecureRequest(request) ? "__Host-zr_device" : "zr_device";
}

export interface PendingLogin {
  userId: number;
  /** Where to go once the code is right (already checked by safeRedirect). */
  redirectTo: string;
  expiresAt: number;
}

function sign(payload: string): string {
  return createHmac("sha256", derivedKey("pending-login")).update(payload).digest("base64url");
}

/**
 * The state between a right password and the code: who, where to, until when, signed. It is not
 * a session (no row, nothing but the code form accepts it) and lasts PENDING_LOGIN_MS.
 */
export function pendingLoginCookie(
  request: Request,
  userId: number,
  redirectTo: string,
  now: Date = new Date(),
): string {
  const payload = Buffer.from(
    JSON.stringify({
      u: userId,
      r: redirectTo,
      e: now.getTime() + PENDING_LOGIN_MS,
      n: randomBytes(8).toString("base64url"),
    }),
  ).toString("base64url");
  return cookie(
    request,
    pendingCookieName(request),
    `${payload}.${sign(payload)}`,
    PENDING_LOGIN_MS / 1000,
  );
}

export function clearPendingLoginCookie(request: Request): string {
  return cookie(request, pendingCookieName(request), "", 0);
}

/** The pending log-in the request carries, if its signature is right and it has not expired. */
export function readPendingLogin(request: Request, now: Date = new Date()): PendingLogin | null {
  const value = readCookie(request, pendingCookieName(request));
  if (!value) return null;
  const dot = value.indexOf(".");
  if (dot < 0) return null;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      u?: unknown;
      r?: unknown;
      e?: unknown;
    };
    if (typeof data.u !== "number" || typeof data.r !== "string" || typeof data.e !== "number") {
      return null;
    }
    if (data.e <= now.getTime()) return null;
    return { userId: data.u, redirectTo: data.r, expiresAt: data.e };
  } catch {
    return null;
  }
}

export function deviceCookie(request: Request, token: string, maxAgeMs: number): string {
  return cookie(request, deviceCookieName(request), token, Math.floor(maxAgeMs / 1000));
}

export function readDeviceToken(request: Request): string | undefined {
  return readCookie(request, deviceCookieName(request));
}
