import { createHash, randomBytes } from "node:crypto";
import type { AllianceKind, OrgKind, Role } from "../../db/schema";
import { invitedRole, ROLES_BY_ORG_KIND } from "../domain/account";
import type { Db } from "../utils/db.server";
import { hashPassword } from "../utils/password.server";
import { nowInstant, toDbInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { isUniqueViolation, UserFacingError } from "./errors";
import { createOrganisation } from "./organisation.server";

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Creates a one-time invitation; returns the raw token, which is shown once and never stored. */
export async function createInvitation(
  db: Db,
  input: { orgId: number; email: string; role: Role; displayName: string; invitedBy: number },
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
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await writeAudit(trx, {
      actorUserId: input.invitedBy,
      orgId: input.orgId,
      action: "invitation.create",
      entityType: "invitation",
      entityId: id,
      toState: "pending",
      detail: { email: input.email, role: input.role },
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
  input: { target: InvitationTarget; email: string; displayName: string; invitedBy: number },
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
  const { token, id } = await createInvitation(
    db,
    { orgId, email: input.email, role, displayName: input.displayName, invitedBy: input.invitedBy },
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
      "organisations.name as orgName",
    ])
    .where("invitations.token_hash", "=", hashToken(token))
    .where("invitations.accepted_at", "is", null)
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
  return db
    .selectFrom("invitations")
    .innerJoin("organisations", "organisations.id", "invitations.org_id")
    .select([
      "invitations.id",
      "invitations.email",
      "invitations.role",
      "invitations.display_name",
      "invitations.expires_at",
      "organisations.name as orgName",
    ])
    .where("invitations.accepted_at", "is", null)
    .where("invitations.expires_at", ">", toDbInstant(now))
    .orderBy("invitations.id", "desc")
    .limit(100)
    .execute();
}
