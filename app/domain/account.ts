import type { OrgKind, Role } from "../../db/schema";

/** Password policy: length is what matters (NIST SP 800-63B); no composition rules. */
export const MIN_PASSWORD_LENGTH = 10;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Which roles an organisation kind may hold. */
export const ROLES_BY_ORG_KIND: Readonly<Record<OrgKind, readonly Role[]>> = {
  firm: ["firm"],
  bank: ["bank_officer"],
  valuer: ["valuer"],
  alliance: ["alliance"],
  platform: ["admin"],
};

/**
 * The role an invitation gives in an organisation of this kind. Firms are never invited: they
 * register themselves with their USCC, so a firm has no invitee role.
 */
export function invitedRole(kind: OrgKind): Role | null {
  return kind === "firm" ? null : ROLES_BY_ORG_KIND[kind][0];
}
