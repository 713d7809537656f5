import type { OrgKind, Role } from "../../db/schema";

/**
 * Team members (issue 11): who may invite colleagues into their own organisation and remove them.
 *
 * - Every firm user manages the firm's team: a firm is a handful of people who all act for it.
 * - In a bank only a team admin (users.team_admin) does: the officer the platform admin invited
 *   first, or one a team admin invited with that right (docs/decisions/015-team-members.md). An
 *   officer who approves loans should not also decide who else can.
 * - Other organisations (valuers, alliance members, the platform) are managed by the platform
 *   admin's invitations.
 *
 * Removal deactivates (users.disabled = 1): the user can no longer log in, their sessions end, and
 * every audit row they wrote keeps pointing at them. Nobody removes themselves (so an
 * organisation always keeps the person who was removing), nor the last active member.
 */

/** The organisation kinds whose users manage their own team, and the role a colleague gets. */
export const TEAM_ROLE_BY_ORG_KIND: Partial<Record<OrgKind, Role>> = {
  firm: "firm",
  bank: "bank_officer",
};

export interface TeamActor {
  role: Role;
  teamAdmin: boolean;
}

/** Whether this user may invite colleagues and remove members of their own organisation. */
export function mayManageTeam(actor: TeamActor): boolean {
  if (actor.role === "firm") return true;
  if (actor.role === "bank_officer") return actor.teamAdmin;
  return false;
}

/** Whether an invitation may hand on the team-admin right (only meaningful in a bank). */
export function mayGrantTeamAdmin(actor: TeamActor): boolean {
  return actor.role === "bank_officer" && actor.teamAdmin;
}

export type RemovalRefusal = "self" | "alreadyRemoved" | "lastMember" | "notConfirmed";

/**
 * Why this removal may not happen, or null when it may. `activeMembers` counts the organisation's
 * active users including the target.
 */
export function checkRemoval(input: {
  actorUserId: number;
  target: { id: number; disabled: boolean };
  activeMembers: number;
  confirmed: boolean;
}): RemovalRefusal | null {
  if (input.target.id === input.actorUserId) return "self";
  if (input.target.disabled) return "alreadyRemoved";
  if (input.activeMembers <= 1) return "lastMember";
  if (!input.confirmed) return "notConfirmed";
  return null;
}

/** The state of an invitation as shown on the team and invitation pages. */
export type InvitationStatus = "pending" | "expired" | "accepted" | "revoked";

export function invitationStatus(
  inv: { acceptedAt: string | null; revokedAt: string | null; expiresAt: string },
  nowDb: string,
): InvitationStatus {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  return inv.expiresAt > nowDb ? "pending" : "expired";
}
