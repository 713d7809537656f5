import type { OrgKind, Role } from "../../db/schema";
import { normaliseEmail } from "../domain/account";
import {
  checkRemoval,
  invitationStatus,
  mayGrantTeamAdmin,
  mayManageTeam,
  TEAM_ROLE_BY_ORG_KIND,
} from "../domain/team";
import type { Db } from "../utils/db.server";
import { fromDbInstant, toDbInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { UserFacingError } from "./errors";
import { createInvitation, resendInvitation, revokeInvitation } from "./invitation.server";

/**
 * Team members (app/domain/team.ts): a firm's users and a bank's team admins invite colleagues
 * into their own organisation, see who is active, and remove members. Every query is scoped to the
 * actor's organisation: another organisation's user or invitation is "not found".
 */

export interface TeamActor {
  userId: number;
  orgId: number;
  role: Role;
  orgKind: OrgKind;
  teamAdmin: boolean;
  orgName: string;
  displayName: string;
}

/** The actor as the team pages need them, read fresh (a revoked right applies at once). */
export async function getTeamActor(db: Db, userId: number): Promise<TeamActor> {
  const u = await db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .select([
      "users.id",
      "users.org_id",
      "users.role",
      "users.team_admin",
      "users.display_name",
      "organisations.kind",
      "organisations.name",
    ])
    .where("users.id", "=", userId)
    .executeTakeFirstOrThrow();
  return {
    userId: u.id,
    orgId: u.org_id,
    role: u.role,
    orgKind: u.kind,
    teamAdmin: u.team_admin === 1,
    orgName: u.name,
    displayName: u.display_name,
  };
}

function requireManager(actor: TeamActor): void {
  if (!mayManageTeam(actor) || !TEAM_ROLE_BY_ORG_KIND[actor.orgKind]) {
    throw new UserFacingError("team:errors.notManager", {}, undefined, 403);
  }
}

export interface TeamMember {
  id: number;
  displayName: string;
  email: string;
  teamAdmin: boolean;
  active: boolean;
  createdAt: string;
  lastSeenAt: string | null;
}

export interface TeamInvitation {
  id: number;
  displayName: string;
  email: string;
  locale: string;
  teamAdmin: boolean;
  expiresAt: string;
  status: "pending" | "expired";
}

export async function getTeam(db: Db, actor: TeamActor, now: Date = new Date()) {
  const members = await db
    .selectFrom("users")
    .leftJoin(
      (eb) =>
        eb
          .selectFrom("sessions")
          .select(["user_id", (e) => e.fn.max("last_seen_at").as("last_seen")])
          .groupBy("user_id")
          .as("s"),
      (join) => join.onRef("s.user_id", "=", "users.id"),
    )
    .select([
      "users.id",
      "users.display_name",
      "users.email",
      "users.team_admin",
      "users.disabled",
      "users.created_at",
      "s.last_seen",
    ])
    .where("users.org_id", "=", actor.orgId)
    .orderBy("users.disabled")
    .orderBy("users.id")
    .limit(500)
    .execute();
  const nowDb = toDbInstant(now);
  const invitations = await db
    .selectFrom("invitations")
    .select(["id", "display_name", "email", "locale", "team_admin", "expires_at", "accepted_at"])
    .where("org_id", "=", actor.orgId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .orderBy("id", "desc")
    .limit(200)
    .execute();
  return {
    members: members.map((m): TeamMember => ({
      id: m.id,
      displayName: m.display_name,
      email: m.email,
      teamAdmin: m.team_admin === 1,
      active: m.disabled === 0,
      createdAt: m.created_at,
      lastSeenAt: m.last_seen ? fromDbInstant(String(m.last_seen)).toISOString() : null,
    })),
    invitations: invitations.map((i): TeamInvitation => ({
      id: i.id,
      displayName: i.display_name,
      email: i.email,
      locale: i.locale,
      teamAdmin: i.team_admin === 1,
      expiresAt: i.expires_at,
      status:
        invitationStatus(
          { acceptedAt: i.accepted_at, revokedAt: null, expiresAt: i.expires_at },
          nowDb,
        ) === "pending"
          ? "pending"
          : "expired",
    })),
    canManage: mayManageTeam(actor) && Boolean(TEAM_ROLE_BY_ORG_KIND[actor.orgKind]),
    canGrantTeamAdmin: mayGrantTeamAdmin(actor),
  };
}

/** Invites a colleague into the actor's own organisation, with the actor's role; mailed. */
export async function inviteColleague(
  db: Db,
  actor: TeamActor,
  input: {
    email: string;
    displayName: string;
    locale: string;
    teamAdmin: boolean;
    origin?: string;
  },
  now: Date = new Date(),
): Promise<number> {
  requireManager(actor);
  const role = TEAM_ROLE_BY_ORG_KIND[actor.orgKind]!;
  const { id } = await createInvitation(
    db,
    {
      orgId: actor.orgId,
      email: normaliseEmail(input.email),
      role,
      displayName: input.displayName,
      invitedBy: actor.userId,
      locale: input.locale,
      teamAdmin: mayGrantTeamAdmin(actor) && input.teamAdmin,
      origin: input.origin,
    },
    now,
  );
  return id;
}

export async function resendTeamInvitation(
  db: Db,
  actor: TeamActor,
  invitationId: number,
  origin?: string,
): Promise<void> {
  requireManager(actor);
  await resendInvitation(db, {
    invitationId,
    actorUserId: actor.userId,
    scope: { kind: "org", orgId: actor.orgId },
    origin,
  });
}

export async function revokeTeamInvitation(
  db: Db,
  actor: TeamActor,
  invitationId: number,
): Promise<void> {
  requireManager(actor);
  await revokeInvitation(db, {
    invitationId,
    actorUserId: actor.userId,
    scope: { kind: "org", orgId: actor.orgId },
  });
}

/**
 * Removes (deactivates) a member of the actor's organisation: they can no longer log in, every
 * session of theirs ends now, their rows and audit history stay. Refused for oneself, for the last
 * active member, and without the explicit confirmation. One transaction, audited.
 */
export async function removeMember(
  db: Db,
  actor: TeamActor,
  input: { userId: number; confirmed: boolean },
): Promise<void> {
  requireManager(actor);
  await db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom("users")
      .select(["id", "email", "disabled", "team_admin"])
      .where("id", "=", input.userId)
      .where("org_id", "=", actor.orgId)
      .executeTakeFirst();
    if (!target) throw new UserFacingError("team:errors.memberNotFound", {}, undefined, 404);
    const active = await trx
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("org_id", "=", actor.orgId)
      .where("disabled", "=", 0)
      .executeTakeFirstOrThrow();
    const refusal = checkRemoval({
      actorUserId: actor.userId,
      target: { id: target.id, disabled: target.disabled === 1 },
      activeMembers: Number(active.n),
      confirmed: input.confirmed,
    });
    if (refusal) {
      throw new UserFacingError(
        `team:errors.${refusal}`,
        {},
        refusal === "notConfirmed" ? "confirm" : undefined,
        409,
      );
    }
    const upd = await trx
      .updateTable("users")
      .set({ disabled: 1, team_admin: 0 })
      .where("id", "=", target.id)
      .where("org_id", "=", actor.orgId)
      .where("disabled", "=", 0)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) {
      throw new UserFacingError("team:errors.alreadyRemoved", {}, undefined, 409);
    }
    const ended = await trx.deleteFrom("sessions").where("user_id", "=", target.id).execute();
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "user.deactivate",
      entityType: "user",
      entityId: target.id,
      fromState: "active",
      toState: "deactivated",
      detail: {
        email: target.email,
        wasTeamAdmin: target.team_admin === 1,
        sessionsEnded: Number(ended[0]?.numDeletedRows ?? 0),
      },
    });
  });
}
