import { describe, expect, it } from "vitest";
import { groupNav, NAV_BY_ROLE } from "../../app/components/AppShell";
import zh from "../../app/locales/zh-CN/common.json";
import en from "../../app/locales/en/common.json";

describe("the navigation's groups (phone menu)", () => {
  it("groups the admin's items as 运营 / 账户 / 系统, in that order, keeping each item once", () => {
    const groups = groupNav(NAV_BY_ROLE.admin);
    expect(groups.map((g) => g.group)).toEqual(["ops", "accounts", "system"]);
    expect(groups.flatMap((g) => g.items)).toHaveLength(NAV_BY_ROLE.admin.length);
    expect(groups[0].items[0].to).toBe("/admin");
  });

  it("keeps every other role in one group", () => {
    for (const role of ["firm", "bank_officer", "valuer", "alliance"] as const) {
      expect(groupNav(NAV_BY_ROLE[role]).map((g) => g.group)).toEqual(["work"]);
    }
  });

  it("names every group and the menu in both languages", () => {
    for (const nav of [zh.nav, en.nav]) {
      expect(nav.menu).toBeTruthy();
      for (const g of ["public", "work", "ops", "accounts", "system"] as const) {
        expect(nav.groups[g]).toBeTruthy();
      }
    }
  });
});
