import type { Transaction } from "kysely";
import type { Database, Role } from "../../db/schema";
import { sql } from "kysely";
import {
  adminResetRefusal,
  USER_LIST_LIMIT,
  classifySecondFactor,
  isFreshStep,
  REMEMBER_DEVICE_MS,
  requiredRoles,
  serializeRequiredRoles,
  TWO_FACTOR_POLICY_SETTING,
} from "../domain/two-factor";
import type { Db } from "../utils/db.server";
import { isDeployment } from "../utils/env.server";
import { verifyPassword } from "../utils/password.server";
import { fromDbInstant, nowInstant, toDbInstant } from "../utils/time";
import {
  decryptTotpSecret,
  encryptTotpSecret,
  hashDeviceToken,
  hashRecoveryCode,
  matchTotp,
  newDeviceToken,
  newRecoveryCodes,
  newTotpSecret,
} from "../utils/two-factor.server";
import { writeAudit } from "./audit.server";
import { enqueueMail } from "./mail.server";
import { ConflictError, UserFacingError } from "./errors";

/**
 * Two-factor authentication (docs/decisions/014-two-factor.md): enrolment, the check of a code at
 * log-in (TOTP, never the same time step twice; or a recovery code, each once), recovery codes,
 * remembered devices, disabling, and the admin's per-role policy. Every change is audited.
 */

export interface TwoFactorUser {
  id: number;
  org_id: number;
}

type Q = Db | Transaction<Database>;

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  /** An enrolment was started and waits for its first code. */
  pending: boolean;
  recoveryCodesLeft: number;
  rememberedDevices: number;
}

export async function getTwoFactorStatus(
  db: Db,
  userId: number,
  now: Date = new Date(),
): Promise<TwoFactorStatus> {
  const row = await db
    .selectFrom("user_totp")
    .select(["enabled_at"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  const codes = await db
    .selectFrom("recovery_codes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  const devices = await db
    .selectFrom("trusted_devices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("expires_at", ">", toDbInstant(now))
    .executeTakeFirstOrThrow();
  const enabled = Boolean(row?.enabled_at);
  return {
    enabled,
    enabledAt: row?.enabled_at ?? null,
    pending: Boolean(row) && !enabled,
    recoveryCodesLeft: enabled ? Number(codes.n) : 0,
    rememberedDevices: enabled ? Number(devices.n) : 0,
  };
}

/** Whether the user has confirmed two-factor authentication. */
export async function hasTwoFactor(db: Q, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom("user_totp")
    .select("enabled_at")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Boolean(row?.enabled_at);
}

/**
 * Starts (or restarts) an enrolment: a new secret, encrypted, not yet enabled. Refused when two-
 * factor authentication is already on (disable it first).
 */
export async function startEnrolment(db: Db, user: TwoFactorUser): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("user_totp")
      .select("enabled_at")
      .where("user_id", "=", user.id)
      .executeTakeFirst();
    if (row?.enabled_at) throw new UserFacingError("security:errors.alreadyEnabled");
    await trx.deleteFrom("user_totp").where("user_id", "=", user.id).execute();
    await trx
      .insertInto("user_totp")
      .values({
        user_id: user.id,
        secret_enc: encryptTotpSecret(newTotpSecret(), user.id),
        created_at: nowInstant(),
        enabled_at: null,
        last_step: null,
      })
      .execute();
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.two_factor_enrolment_started",
      entityType: "user",
      entityId: user.id,
    });
  });
}

/** The secret of an enrolment waiting for its first code, for the QR code; else null. */
export async function pendingEnrolmentSecret(db: Db, userId: number): Promise<string | null> {
  const row = await db
    .selectFrom("user_totp")
    .select(["secret_enc", "enabled_at"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!row || row.enabled_at) return null;
  return decryptTotpSecret(row.secret_enc, userId);
}

export async function cancelEnrolment(db: Db, user: TwoFactorUser): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .deleteFrom("user_totp")
      .where("user_id", "=", user.id)
      .where("enabled_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) return;
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.two_factor_enrolment_cancelled",
      entityType: "user",
      entityId: user.id,
    });
  });
}

async function replaceRecoveryCodes(trx: Transaction<Database>, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes();
  const now = nowInstant();
  await trx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  await trx
    .insertInto("recovery_codes")
    .values(
      codes.map((c) => ({
        user_id: userId,
        code_hash: hashRecoveryCode(c),
        created_at: now,
        used_at: null,
      })),
    )
    .execute();
  return codes;
}

/**
 * Confirms an enrolment with the first code from the app: two-factor authentication is on, ten
 * recovery codes are made (returned once, stored hashed) and every other session of the user ends
 * (they were opened with the password alone). The code's time step is spent.
 */
export async function confirmEnrolment(
  db: Db,
  user: TwoFactorUser,
  code: string,
  keepSessionId: string | null,
  now: Date = new Date(),
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("user_totp")
      .select(["secret_enc", "enabled_at"])
      .where("user_id", "=", user.id)
      .executeTakeFirst();
    if (!row) throw new ConflictError("security:errors.noEnrolment");
    if (row.enabled_at) throw new UserFacingError("security:errors.alreadyEnabled");
    const secret = decryptTotpSecret(row.secret_enc, user.id);
    const input = classifySecondFactor(code);
    const step = secret && input.kind === "totp" ? matchTotp(secret, input.code, now) : null;
    if (step === null) throw new UserFacingError("security:errors.codeWrong", {}, "code");
    const res = await trx
      .updateTable("user_totp")
      .set({ enabled_at: toDbInstant(now), last_step: step })
      .where("user_id", "=", user.id)
      .where("enabled_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    const codes = await replaceRecoveryCodes(trx, user.id);
    let ended = trx.deleteFrom("sessions").where("user_id", "=", user.id);
    if (keepSessionId) ended = ended.where("id", "!=", keepSessionId);
    const endedRes = await ended.executeTakeFirst();
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.two_factor_enabled",
      entityType: "user",
      entityId: user.id,
      detail: { recoveryCodes: codes.length, otherSessionsEnded: Number(endedRes.numDeletedRows) },
    });
    return codes;
  });
}

export type CodeCheck =
  | { ok: true; method: "totp" }
  | { ok: true; method: "recovery"; recoveryCodesLeft: number }
  | { ok: false; reason: "wrong" | "replayed" | "not_enrolled" };

/**
 * Checks a second factor for an enrolled user and spends it: a TOTP code's time step must be
 * later than the last one accepted (a guarded update, so two concurrent uses of one code accept
 * one), a recovery code is marked used by a guarded update (so it works once).
 */
export async function checkSecondFactor(
  db: Q,
  userId: number,
  typed: string,
  now: Date = new Date(),
): Promise<CodeCheck> {
  const row = await db
    .selectFrom("user_totp")
    .select(["secret_enc", "enabled_at", "last_step"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!row?.enabled_at) return { ok: false, reason: "not_enrolled" };
  const input = classifySecondFactor(typed);
  if (input.kind === "totp") {
    const secret = decryptTotpSecret(row.secret_enc, userId);
    const step = secret ? matchTotp(secret, input.code, now) : null;
    if (step === null) return { ok: false, reason: "wrong" };
    const lastStep = row.last_step === null ? null : Number(row.last_step);
    if (!isFreshStep(lastStep, step)) return { ok: false, reason: "replayed" };
    const res = await db
      .updateTable("user_totp")
      .set({ last_step: step })
      .where("user_id", "=", userId)
      .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1
      ? { ok: true, method: "totp" }
      : { ok: false, reason: "replayed" };
  }
  if (input.kind === "recovery") {
    const res = await db
      .updateTable("recovery_codes")
      .set({ used_at: toDbInstant(now) })
      .where("user_id", "=", userId)
      .where("code_hash", "=", hashRecoveryCode(input.code))
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return { ok: false, reason: "wrong" };
    const left = await db
      .selectFrom("recovery_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    return { ok: true, method: "recovery", recoveryCodesLeft: Number(left.n) };
  }
  return { ok: false, reason: "wrong" };
}

/** Audits the outcome of a second-factor check made at log-in or to confirm a change. */
export async function auditCodeCheck(
  db: Q,
  user: TwoFactorUser,
  check: CodeCheck,
  context: "login" | "regenerate" | "disable",
): Promise<void> {
  if (check.ok && check.method === "totp") return; // an ordinary log-in; the session row records it
  await writeAudit(db, {
    actorUserId: user.id,
    orgId: user.org_id,
    action: check.ok ? "auth.recovery_code_used" : "auth.two_factor_failed",
    entityType: "user",
    entityId: user.id,
    detail: check.ok
      ? { context, recoveryCodesLeft: check.recoveryCodesLeft }
      : { context, reason: check.reason },
  });
}

/** New recovery codes (the old ones stop working), after a code proves the user holds the app. */
export async function regenerateRecoveryCodes(
  db: Db,
  user: TwoFactorUser,
  code: string,
  now: Date = new Date(),
): Promise<string[]> {
  const result = await db.transaction().execute(async (trx) => {
    const check = await checkSecondFactor(trx, user.id, code, now);
    if (!check.ok) return { check, codes: null };
    const codes = await replaceRecoveryCodes(trx, user.id);
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.recovery_codes_regenerated",
      entityType: "user",
      entityId: user.id,
      detail: { method: check.method },
    });
    return { check, codes };
  });
  if (!result.codes) {
    await auditCodeCheck(db, user, result.check, "regenerate");
    throw new UserFacingError("security:errors.codeWrong", {}, "code");
  }
  return result.codes;
}

/**
 * Turns two-factor authentication off: needs the password and a code (TOTP or recovery). The
 * secret, the recovery codes and the remembered devices are deleted.
 */
export async function disableTwoFactor(
  db: Db,
  user: TwoFactorUser,
  password: string,
  code: string,
  now: Date = new Date(),
): Promise<void> {
  const account = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", user.id)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(account.password_hash, password))) {
    await writeAudit(db, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.two_factor_failed",
      entityType: "user",
      entityId: user.id,
      detail: { context: "disable", reason: "password" },
    });
    throw new UserFacingError("security:errors.passwordWrong", {}, "password");
  }
  const check = await db.transaction().execute(async (trx) => {
    const c = await checkSecondFactor(trx, user.id, code, now);
    if (!c.ok) return c;
    await trx.deleteFrom("user_totp").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("recovery_codes").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("trusted_devices").where("user_id", "=", user.id).execute();
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.two_factor_disabled",
      entityType: "user",
      entityId: user.id,
      detail: { method: c.method },
    });
    return c;
  });
  if (!check.ok) {
    await auditCodeCheck(db, user, check, "disable");
    throw new UserFacingError("security:errors.codeWrong", {}, "code");
  }
}

// ---- remembered devices ------------------------------------------------------------------------

/** Remembers this device for the user (REMEMBER_DEVICE_MS); returns the cookie's token. */
export async function rememberDevice(
  db: Db,
  user: TwoFactorUser,
  userAgent: string | null,
  now: Date = new Date(),
): Promise<string> {
  const token = newDeviceToken();
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("trusted_devices")
      .where("user_id", "=", user.id)
      .where("expires_at", "<=", toDbInstant(now))
      .execute();
    await trx
      .insertInto("trusted_devices")
      .values({
        user_id: user.id,
        token_hash: hashDeviceToken(token),
        created_at: toDbInstant(now),
        expires_at: toDbInstant(new Date(now.getTime() + REMEMBER_DEVICE_MS)),
        user_agent: userAgent ? userAgent.slice(0, 255) : null,
      })
      .execute();
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.device_remembered",
      entityType: "user",
      entityId: user.id,
      detail: { days: REMEMBER_DEVICE_MS / 86_400_000 },
    });
  });
  return token;
}

/** This device was remembered for this user and the 30 days have not run out. */
export async function isRememberedDevice(
  db: Db,
  userId: number,
  token: string | undefined,
  now: Date = new Date(),
): Promise<boolean> {
  if (!token) return false;
  const row = await db
    .selectFrom("trusted_devices")
    .select("id")
    .where("token_hash", "=", hashDeviceToken(token))
    .where("user_id", "=", userId)
    .where("expires_at", ">", toDbInstant(now))
    .executeTakeFirst();
  return Boolean(row);
}

export async function forgetDevices(db: Db, user: TwoFactorUser): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .deleteFrom("trusted_devices")
      .where("user_id", "=", user.id)
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    await writeAudit(trx, {
      actorUserId: user.id,
      orgId: user.org_id,
      action: "auth.devices_forgotten",
      entityType: "user",
      entityId: user.id,
      detail: { devices: n },
    });
    return n;
  });
}

// ---- the per-role policy -----------------------------------------------------------------------

export interface TwoFactorPolicy {
  roles: Role[];
  /** null while no admin has chosen (the default for this mode applies). */
  updatedAt: string | null;
}

export async function getTwoFactorPolicy(db: Db): Promise<TwoFactorPolicy> {
  const row = await db
    .selectFrom("settings")
    .select(["value", "updated_at"])
    .where("name", "=", TWO_FACTOR_POLICY_SETTING)
    .executeTakeFirst();
  return { roles: requiredRoles(row?.value, isDeployment()), updatedAt: row?.updated_at ?? null };
}

/**
 * The admin's choice of roles that must use two-factor authentication, checked against the
 * version the form was drawn from.
 */
export async function setTwoFactorPolicy(
  db: Db | Transaction<Database>,
  actor: { userId: number | null; orgId: number | null },
  roles: readonly Role[],
  expectedUpdatedAt: string | null,
): Promise<void> {
  const write = async (trx: Transaction<Database>) => {
    const current = await trx
      .selectFrom("settings")
      .select(["value", "updated_at"])
      .where("name", "=", TWO_FACTOR_POLICY_SETTING)
      .executeTakeFirst();
    if ((current?.updated_at ?? null) !== expectedUpdatedAt) throw new ConflictError();
    const value = serializeRequiredRoles(roles);
    let now = nowInstant();
    if (current && now <= current.updated_at) {
      now = toDbInstant(
        new Date(new Date(current.updated_at.replace(" ", "T") + "Z").getTime() + 1),
      );
    }
    if (current) {
      const res = await trx
        .updateTable("settings")
        .set({ value, updated_at: now })
        .where("name", "=", TWO_FACTOR_POLICY_SETTING)
        .where("updated_at", "=", current.updated_at)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    } else {
      await trx
        .insertInto("settings")
        .values({ name: TWO_FACTOR_POLICY_SETTING, value, updated_at: now })
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "settings.two_factor_policy",
      entityType: "setting",
      entityId: TWO_FACTOR_POLICY_SETTING,
      detail: {
        from: requiredRoles(current?.value, isDeployment()),
        to: JSON.parse(value) as Role[],
      },
    });
  };
  if ("isTransaction" in db && db.isTransaction) {
    await write(db as Transaction<Database>);
  } else {
    await (db as Db).transaction().execute(write);
  }
}

/** How many active users of each role have two-factor authentication on (for the policy page). */
export async function countEnrolledByRole(db: Db): Promise<Partial<Record<Role, number>>> {
  const rows = await db
    .selectFrom("user_totp")
    .innerJoin("users", "users.id", "user_totp.user_id")
    .select(["users.role", (eb) => eb.fn.countAll<number>().as("n")])
    .where("user_totp.enabled_at", "is not", null)
    .where("users.disabled", "=", 0)
    .groupBy("users.role")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.role, Number(r.n)]));
}

// ---- the admin's view and reset of users' second factors -----------------------------------------

export interface UserSecondFactorRow {
  id: number;
  displayName: string;
  email: string;
  role: Role;
  orgName: string;
  disabled: boolean;
  /** "on": confirmed; "pending": set-up started, no code yet; "off": nothing stored. */
  twoFactor: "on" | "pending" | "off";
  enabledAt: string | null;
}

/**
 * Users for the admin's account list (/admin/users), found by a piece of their e-mail address or
 * name (case-insensitive; `instr` exists on both databases and needs no LIKE escaping), at most
 * USER_LIST_LIMIT of them, with their second-factor state.
 */
export async function listUsersForAdmin(db: Db, query: string): Promise<UserSecondFactorRow[]> {
  const q = query.trim().toLowerCase();
  let rows = db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .leftJoin("user_totp", "user_totp.user_id", "users.id")
    .select([
      "users.id",
      "users.display_name",
      "users.email",
      "users.role",
      "users.disabled",
      "organisations.name as org_name",
      "user_totp.user_id as totp_user",
      "user_totp.enabled_at",
    ])
    .orderBy("users.email")
    .limit(USER_LIST_LIMIT);
  if (q) {
    rows = rows.where((eb) =>
      eb.or([
        eb(sql`instr(lower(users.email), ${q})`, ">", 0),
        eb(sql`instr(lower(users.display_name), ${q})`, ">", 0),
      ]),
    );
  }
  return (await rows.execute()).map((r) => ({
    id: r.id,
    displayName: r.display_name,
    email: r.email,
    role: r.role,
    orgName: r.org_name,
    disabled: Number(r.disabled) === 1,
    twoFactor: r.enabled_at ? "on" : r.totp_user !== null ? "pending" : "off",
    enabledAt: r.enabled_at ? fromDbInstant(r.enabled_at).toISOString() : null,
  }));
}

/**
 * An admin resets the second factor of a user who lost it (phone and recovery codes): the secret,
 * the recovery codes and the remembered devices are deleted and every session of the user ends,
 * in one transaction with the audit row (the admin's reason) and a mail to the user in their
 * language. Their password still works; if their role must use two-factor authentication, the
 * next log-in sends them to enrol again. Refused for the admin's own account and for a user with
 * nothing to reset (docs/decisions/016-accounts.md).
 */
export async function resetTwoFactorByAdmin(
  db: Db,
  admin: TwoFactorUser,
  input: { userId: number; reason: string },
  now: Date = new Date(),
): Promise<{ email: string; sessionsEnded: number }> {
  return db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom("users")
      .leftJoin("user_totp", "user_totp.user_id", "users.id")
      .select([
        "users.id",
        "users.org_id",
        "users.email",
        "users.locale",
        "user_totp.user_id as totp_user",
        "user_totp.enabled_at",
      ])
      .where("users.id", "=", input.userId)
      .executeTakeFirst();
    if (!target) throw new UserFacingError("security:adminReset.notFound", {}, undefined, 404);
    const refusal = adminResetRefusal(admin.id, {
      id: target.id,
      hasEnrolment: target.totp_user !== null,
    });
    if (refusal)
      throw new UserFacingError(`security:adminReset.refused.${refusal}`, {}, undefined, 409);
    const gone = await trx
      .deleteFrom("user_totp")
      .where("user_id", "=", target.id)
      .executeTakeFirst();
    // Two admins resetting at once: the second finds nothing left to delete.
    if (Number(gone.numDeletedRows) !== 1) throw new ConflictError();
    const codes = await trx
      .deleteFrom("recovery_codes")
      .where("user_id", "=", target.id)
      .executeTakeFirst();
    const devices = await trx
      .deleteFrom("trusted_devices")
      .where("user_id", "=", target.id)
      .executeTakeFirst();
    const sessions = await trx
      .deleteFrom("sessions")
      .where("user_id", "=", target.id)
      .executeTakeFirst();
    await enqueueMail(trx, {
      to: target.email,
      template: "twoFactorReset",
      params: {
        email: target.email,
        time: now.toISOString().slice(0, 16).replace("T", " ") + " UTC",
      },
      locale: target.locale,
    });
    const sessionsEnded = Number(sessions.numDeletedRows);
    await writeAudit(trx, {
      actorUserId: admin.id,
      orgId: target.org_id,
      action: "auth.two_factor_reset_by_admin",
      entityType: "user",
      entityId: target.id,
      fromState: target.enabled_at ? "on" : "pending",
      toState: "off",
      reason: input.reason,
      detail: {
        adminOrgId: admin.org_id,
        recoveryCodesDeleted: Number(codes.numDeletedRows),
        devicesForgotten: Number(devices.numDeletedRows),
        sessionsEnded,
      },
    });
    return { email: target.email, sessionsEnded };
  });
}
