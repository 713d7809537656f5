import { describe, expect, it } from "vitest";
import { invitedRole, ROLES_BY_ORG_KIND } from "../../app/domain/account";

describe("invitedRole", () => {
  it.each([
    ["bank", "bank_officer"],
    ["valuer", "valuer"],
    ["alliance", "alliance"],
    ["platform", "admin"],
    ["firm", null],
  ] as const)("an organisation of kind %s invites as %s", (kind, role) => {
    expect(invitedRole(kind)).toBe(role);
  });

  it("gives only a role the organisation kind may hold", () => {
    for (const kind of ["bank", "valuer", "alliance", "platform"] as const) {
      expect(ROLES_BY_ORG_KIND[kind]).toContain(invitedRole(kind));
    }
  });
});
