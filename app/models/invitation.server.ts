import { createHash, randomBytes } from "node:crypto";
import type { AllianceKind, OrgKind, Role } from "../../db/schema";
import { invitedRole, ROLES_BY_ORG_KIND } from "../domain/account";
import type { Db } from "../utils/db.server";
import { hashPassword } from "../utils/password.server";
import { nowInstant, toDbInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { formatInstant } from "../domain/dates";
import { mailOrigin } from "../utils/mail-links.server";
import type { Executor } from "./ledger.server";
import { isUniqueViolation, UserFacingError } from "./errors";
import { enqueueMail } from "./mail.server";
import { createOrganisation } from "./organisation.server";

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface InvitationInput {
  orgId: number;
  email: string;
  role: Role;
  displayName: string;
  invitedBy: number;
  /** The language of the invitation mail and of the new user's mails; zh-CN when left out. */
  locale?: string;
  /** The accepted user may manage the organisation's team (a bank's team admin). */
  teamAdmin?: boolean;
  /** The origin of the accept link; APP_ORIGIN (or the local server) when left out. */
  origin?: string;
}

/**
 * Mails the invitation link (in the invitation's language, with its expiry) inside the caller's
 * transaction, so the mail exists exactly when the invitation does.
 */
async function mailInvitation(
  trx: Executor,
  invitationId: number,
  token: string,
  origin: string | undefined,
): Promise<void> {
  const inv = await trx
    .selectFrom("invitations")
    .innerJoin("organisations", "organisations.id", "invitations.org_id")
    .innerJoin("users", "users.id", "invitations.invited_by")
    .select([
      "invitations.email",
      "invitations.display_name",
      "invitations.locale",
      "invitations.expires_at",
      "organisations.name as orgName",
      "users.display_name as inviter",
    ])
    .where("invitations.id", "=", invitationId)
    .executeTakeFirstOrThrow();
  await enqueueMail(trx, {
    to: inv.email,
    template: "invitation",
    params: {
      name: inv.display_name,
      inviter: inv.inviter,
      org: inv.orgName,
      url: `${(origin ?? mailOrigin()).replace(/\/+$/, "")}/invite/${token}`,
      expires: formatInstant(inv.expires_at),
    },
    locale: inv.locale,
  });
}

/**
 * Creates a one-time invitation and mails its link to the invitee; returns the raw token, which is
 * never stored (only its hash is).
 */
export async function createInvitation(
  db: Db,
  input: InvitationInput,
  now: Date = new Date(),
): Promise<{ token: string; id: number }> {
  const org = await db
    .selectFrom("organisations")
    .select(["id", "kind"])
    .where("id", "=", input.orgId)
    .executeTakeFirst();
  if (!org) throw new UserFacingError("auth:errors.required", {}, "orgId");
  if (!ROLES_BY_ORG_KIND[org.kind].includes(input.role)) {
    throw new UserFacingError("auth:admin.roleMismatch", {}, "role");
  }
  const existing = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", input.email)
    .executeTakeFirst();
  if (existing) throw new UserFacingError("auth:errors.emailTaken", {}, "email");
  const open = await db
    .selectFrom("invitations")
    .select("id")
    .where("email", "=", input.email)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", toDbInstant(now))
    .executeTakeFirst();
  if (open) throw new UserFacingError("team:errors.alreadyInvited", {}, "email");
  const token = randomBytes(32).toString("base64url");
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .insertInto("invitations")
      .values({
        token_hash: hashToken(token),
        email: input.email,
        org_id: input.orgId,
        role: input.role,
        display_name: input.displayName,
        invited_by: input.invitedBy,
        created_at: toDbInstant(now),
        expires_at: toDbInstant(new Date(now.getTime() + INVITATION_TTL_MS)),
        locale: input.locale === "en" ? "en" : "zh-CN",
        team_admin: input.teamAdmin ? 1 : 0,
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await mailInvitation(trx, id, token, input.origin);
    await writeAudit(trx, {
      actorUserId: input.invitedBy,
      orgId: input.orgId,
      action: "invitation.create",
      entityType: "invitation",
      entityId: id,
      toState: "pending",
      detail: { email: input.email, role: input.role, teamAdmin: Boolean(input.teamAdmin) },
    });
    return { token, id };
  });
}

/** Who is invited where: an organisation that exists, or one the admin creates with the invitation. */
export type InvitationTarget =
  | { orgId: number }
  | { newOrg: { kind: Exclude<OrgKind, "firm">; name: string; allianceKind: AllianceKind | null } };

/**
 * The admin's invitation: creates the organisation first when it is new, then invites the person
 * with the role that organisation's kind gives (`invitedRole`). A firm, or an organisation that
 * does not exist, is refused on the organisation field.
 */
export async function inviteMember(
  db: Db,
  input: {
    target: InvitationTarget;
    email: string;
    displayName: string;
    invitedBy: number;
    locale?: string;
    origin?: string;
  },
  now: Date = new Date(),
): Promise<{ token: string; id: number; orgId: number }> {
  const orgId =
    "orgId" in input.target
      ? input.target.orgId
      : await createOrganisation(db, input.target.newOrg, input.invitedBy);
  const org = await db
    .selectFrom("organisations")
    .select("kind")
    .where("id", "=", orgId)
    .executeTakeFirst();
  const role = org ? invitedRole(org.kind) : null;
  if (!role) throw new UserFacingError("auth:errors.required", {}, "orgId");
  // The platform admin appoints a bank's people: whom it invites may manage the bank's team.
  const { token, id } = await createInvitation(
    db,
    {
      orgId,
      email: input.email,
      role,
      displayName: input.displayName,
      invitedBy: input.invitedBy,
      locale: input.locale,
      origin: input.origin,
      teamAdmin: org?.kind === "bank",
    },
    now,
  );
  return { token, id, orgId };
}

/** A pending, unexpired invitation for this token, with its organisation's name. */
export async function findOpenInvitation(db: Db, token: string, now: Date = new Date()) {
  return db
    .selectFrom("invitations")
    .innerJoin("organisations", "organisations.id", "invitations.org_id")
    .select([
      "invitations.id",
      "invitations.email",
      "invitations.role",
      "invitations.display_name",
      "invitations.org_id",
      "invitations.locale",
      "invitations.team_admin",
      "organisations.name as orgName",
    ])
    .where("invitations.token_hash", "=", hashToken(token))
    .where("invitations.accepted_at", "is", null)
    .where("invitations.revoked_at", "is", null)
    .where("invitations.expires_at", ">", toDbInstant(now))
    .executeTakeFirst();
}

/**
 * Accepts an invitation exactly once: the conditional UPDATE on accepted_at IS NULL is the guard,
 * so two tabs submitting at once create one user.
 */
export async function acceptInvitation(
  db: Db,
  token: string,
  password: string,
  now: Date = new Date(),
) {
  const inv = await findOpenInvitation(db, token, now);
  if (!inv) throw new UserFacingError("auth:invite.invalid");
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction().execute(async (trx) => {
      const upd = await trx
        .updateTable("invitations")
        .set({ accepted_at: toDbInstant(now) })
        .where("id", "=", inv.id)
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(upd.numUpdatedRows) !== 1) throw new UserFacingError("auth:invite.invalid");
      const res = await trx
        .insertInto("users")
        .values({
          org_id: inv.org_id,
          email: inv.email,
          password_hash: passwordHash,
          role: inv.role,
          display_name: inv.display_name,
          created_at: nowInstant(),
          locale: inv.locale === "en" ? "en" : "zh-CN",
          team_admin: inv.team_admin ? 1 : 0,
        })
        .executeTakeFirstOrThrow();
      const userId = Number(res.insertId);
      await writeAudit(trx, {
        actorUserId: userId,
        orgId: inv.org_id,
        action: "invitation.accept",
        entityType: "invitation",
        entityId: inv.id,
        fromState: "pending",
        toState: "accepted",
      });
      return { userId, role: inv.role };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new UserFacingError("auth:errors.emailTaken", {}, "password");
    throw e;
  }
}

export async function listPendingInvitations(db: Db, now: Date = new Date()) {
  return (
    db
      .selectFrom("invitations")
      .innerJoin("organisations", "organisations.id", "invitations.org_id")
      .select([
        "invitations.id",
        "invitations.email",
        "invitations.role",
        "invitations.display_name",
        "invitations.expires_at",
        "invitations.locale",
        "organisations.name as orgName",
      ])
      .where("invitations.accepted_at", "is", null)
      .where("invitations.revoked_at", "is", null)
      // Expired ones stay listed for a month, so they can be sent again.
      .where("invitations.expires_at", ">", toDbInstant(new Date(now.getTime() - 30 * 86400_000)))
      .orderBy("invitations.id", "desc")
      .limit(100)
      .execute()
  );
}

/**
 * Which invitations an actor may resend or revoke: the platform admin any; a team manager only
 * their own organisation's (another organisation's invitation is "not found").
 */
export type InvitationScope = { kind: "any" } | { kind: "org"; orgId: number };

async function loadChangeable(db: Executor, id: number, scope: InvitationScope) {
  let q = db
    .selectFrom("invitations")
    .select(["id", "org_id", "email", "accepted_at", "revoked_at"])
    .where("id", "=", id);
  if (scope.kind === "org") q = q.where("org_id", "=", scope.orgId);
  const inv = await q.executeTakeFirst();
  if (!inv) throw new UserFacingError("team:errors.invitationNotFound", {}, undefined, 404);
  if (inv.accepted_at || inv.revoked_at) {
    throw new UserFacingError("team:errors.invitationClosed", {}, undefined, 409);
  }
  return inv;
}

/**
 * Sends an open (or expired) invitation again with a new link and a new 7-day expiry; the old link
 * stops working. Audited.
 */
export async function resendInvitation(
  db: Db,
  input: { invitationId: number; actorUserId: number; scope: InvitationScope; origin?: string },
  now: Date = new Date(),
): Promise<void> {
  const token = randomBytes(32).toString("base64url");
  await db.transaction().execute(async (trx) => {
    const inv = await loadChangeable(trx, input.invitationId, input.scope);
    const upd = await trx
      .updateTable("invitations")
      .set({
        token_hash: hashToken(token),
        expires_at: toDbInstant(new Date(now.getTime() + INVITATION_TTL_MS)),
      })
      .where("id", "=", inv.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) {
      throw new UserFacingError("team:errors.invitationClosed", {}, undefined, 409);
    }
    await mailInvitation(trx, inv.id, token, input.origin);
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: inv.org_id,
      action: "invitation.resend",
      entityType: "invitation",
      entityId: inv.id,
      fromState: "pending",
      toState: "pending",
      detail: { email: inv.email },
    });
  });
}

/** Withdraws an invitation that was not accepted yet: its link stops working. Audited. */
export async function revokeInvitation(
  db: Db,
  input: { invitationId: number; actorUserId: number; scope: InvitationScope },
  now: Date = new Date(),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const inv = await loadChangeable(trx, input.invitationId, input.scope);
    const upd = await trx
      .updateTable("invitations")
      .set({ revoked_at: toDbInstant(now) })
      .where("id", "=", inv.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) {
      throw new UserFacingError("team:errors.invitationClosed", {}, undefined, 409);
    }
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: inv.org_id,
      action: "invitation.revoke",
      entityType: "invitation",
      entityId: inv.id,
      fromState: "pending",
      toState: "revoked",
      detail: { email: inv.email },
    });
  });
}
