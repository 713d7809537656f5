import type { Role } from "../../db/schema";

/**
 * Two-factor authentication, the pure parts (docs/decisions/014-two-factor.md): TOTP parameters
 * (RFC 6238: SHA-1, 6 digits, 30-second steps, one step either side for clock drift), one-time
 * recovery codes, the replay rule, and which roles an admin requires it of.
 */

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now: a phone whose clock is up to 30 s off still works. */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = "知融 Zhirong";

export const RECOVERY_CODE_COUNT = 10;
/** 31 symbols without 0/O, 1/I/L: 10 of them are about 50 bits, typed from paper without doubt. */
export const RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const RECOVERY_CODE_LENGTH = 10;

/** Between a right password and the code: a signed pending state, not a session. */
export const PENDING_LOGIN_MS = 5 * 60 * 1000;
/** "Remember this device": at most 30 days (issue 11). */
export const REMEMBER_DEVICE_MS = 30 * 24 * 3600 * 1000;

/** The settings row holding the roles that must use two-factor authentication. */
export const TWO_FACTOR_POLICY_SETTING = "two_factor_required_roles";
/** What a deployment requires until an admin says otherwise: those who move money. */
export const DEPLOYMENT_REQUIRED_ROLES: readonly Role[] = ["admin", "bank_officer"];
export const POLICY_ROLES: readonly Role[] = [
  "firm",
  "bank_officer",
  "valuer",
  "alliance",
  "admin",
];

function isRole(v: unknown): v is Role {
  return typeof v === "string" && (POLICY_ROLES as readonly string[]).includes(v);
}

/**
 * The roles that must use two-factor authentication. An admin's choice is stored as a JSON list;
 * while there is none, a deployment (NODE_ENV=production, DEMO≠1) requires it of admins and bank
 * officers, and the demo, development and tests of nobody. A damaged value fails closed (the
 * deployment default).
 */
export function requiredRoles(stored: string | null | undefined, deployment: boolean): Role[] {
  if (stored === null || stored === undefined) {
    return deployment ? [...DEPLOYMENT_REQUIRED_ROLES] : [];
  }
  try {
    const parsed: unknown = JSON.parse(stored);
    if (Array.isArray(parsed) && parsed.every(isRole)) {
      return POLICY_ROLES.filter((r) => parsed.includes(r));
    }
  } catch {
    // fall through
  }
  return [...DEPLOYMENT_REQUIRED_ROLES];
}

export function serializeRequiredRoles(roles: readonly Role[]): string {
  return JSON.stringify(POLICY_ROLES.filter((r) => roles.includes(r)));
}

export type SecondFactorInput =
  { kind: "totp"; code: string } | { kind: "recovery"; code: string } | { kind: "invalid" };

/**
 * What a person typed in the code box: six digits are a TOTP code, ten symbols of the recovery
 * alphabet (spaces, dashes and case ignored) a recovery code, anything else neither.
 */
export function classifySecondFactor(input: string): SecondFactorInput {
  const compact = input.replace(/[\s-]/g, "").toUpperCase();
  if (new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(compact)) return { kind: "totp", code: compact };
  if (
    compact.length === RECOVERY_CODE_LENGTH &&
    [...compact].every((c) => RECOVERY_ALPHABET.includes(c))
  ) {
    return { kind: "recovery", code: compact };
  }
  return { kind: "invalid" };
}

/**
 * A recovery code from RECOVERY_CODE_LENGTH random bytes (the caller draws them), shown as
 * XXXXX-XXXXX. Rejection of bytes ≥ 248 keeps every symbol equally likely; the caller passes
 * more bytes than needed and this takes what it can use, or returns null to ask for more.
 */
export function recoveryCodeFromBytes(bytes: Uint8Array): string | null {
  const n = RECOVERY_ALPHABET.length;
  const limit = 256 - (256 % n);
  let out = "";
  for (const b of bytes) {
    if (b >= limit) continue;
    out += RECOVERY_ALPHABET[b % n];
    if (out.length === RECOVERY_CODE_LENGTH) return `${out.slice(0, 5)}-${out.slice(5)}`;
  }
  return null;
}

/** The 30-second step a Unix time (ms) falls in. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

/**
 * A code matched at `step` may be accepted only if no code at this step or a later one was
 * accepted before: so a code seen over a shoulder, or sent twice, is refused within its window.
 */
export function isFreshStep(lastAcceptedStep: number | null, step: number): boolean {
  return lastAcceptedStep === null || step > lastAcceptedStep;
}

/** At most this many users on the admin's account list (/admin/users); search to narrow it. */
export const USER_LIST_LIMIT = 50;

/** The reason an admin gives for resetting someone's second factor (kept in the audit row). */
export const ADMIN_RESET_REASON_MIN = 10;
export const ADMIN_RESET_REASON_MAX = 500;

export type AdminResetRefusal = "self" | "notEnrolled" | null;

/**
 * May an admin reset this user's lost second factor? Not their own (they would use their own
 * recovery codes, or another admin, so one stolen admin session cannot strip its own account's
 * factor), and only when there is something to reset (an enrolment, confirmed or started).
 */
export function adminResetRefusal(
  adminUserId: number,
  target: { id: number; hasEnrolment: boolean },
): AdminResetRefusal {
  if (target.id === adminUserId) return "self";
  if (!target.hasEnrolment) return "notEnrolled";
  return null;
}
