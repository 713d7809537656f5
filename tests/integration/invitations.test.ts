import { describe, expect, it } from "vitest";
import {
  acceptInvitation,
  createInvitation,
  findOpenInvitation,
} from "../../app/models/invitation.server";
import { createOrganisation } from "../../app/models/organisation.server";
import { UserFacingError } from "../../app/models/errors";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { useActors } from "../support/authz";

describe("invitations", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  it("lets an invited bank officer set a password once, then log in to the bank dashboard", async () => {
    const bank = await createOrganisation(
      t.db,
      { kind: "bank", name: "邀请测试银行" },
      actors.admin.userId,
    );
    const { token } = await createInvitation(t.db, {
      orgId: bank,
      email: "new.officer@bank.test",
      role: "bank_officer",
      displayName: "新客户经理",
      invitedBy: actors.admin.userId,
    });
    const page = await app.fetch(`/invite/${token}`);
    expect(await page.text()).toContain("邀请测试银行");

    const res = await app.fetch(`/invite/${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app.baseURL },
      body: new URLSearchParams({ password: "officer-password-1" }).toString(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/bank");
    const cookie = /(zr_session=[^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];
    expect((await app.fetch("/bank", { headers: { cookie } })).status).toBe(200);

    // The link is single-use.
    const again = await app.fetch(`/invite/${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app.baseURL },
      body: new URLSearchParams({ password: "officer-password-2" }).toString(),
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("邀请链接无效、已使用或已过期");
    const users = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "new.officer@bank.test")
      .execute();
    expect(users).toHaveLength(1);
  });

  it("accepts an invitation exactly once when two submissions race", async () => {
    const valuer = await createOrganisation(
      t.db,
      { kind: "valuer", name: "并发评估所" },
      actors.admin.userId,
    );
    const { token } = await createInvitation(t.db, {
      orgId: valuer,
      email: "race@valuer.test",
      role: "valuer",
      displayName: "并发",
      invitedBy: actors.admin.userId,
    });
    const results = await Promise.allSettled([
      acceptInvitation(t.db, token, "password-one-1"),
      acceptInvitation(t.db, token, "password-two-2"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(UserFacingError);
    const users = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "race@valuer.test")
      .execute();
    expect(users).toHaveLength(1);
  });

  it("expires an invitation after 7 days", async () => {
    const org = await createOrganisation(
      t.db,
      { kind: "alliance", name: "过期联盟", allianceKind: "insurer" },
      actors.admin.userId,
    );
    const created = new Date("2026-01-01T00:00:00Z");
    const { token } = await createInvitation(
      t.db,
      {
        orgId: org,
        email: "late@x.test",
        role: "alliance",
        displayName: "迟到",
        invitedBy: actors.admin.userId,
      },
      created,
    );
    expect(await findOpenInvitation(t.db, token, new Date("2026-01-07T23:59:00Z"))).toBeTruthy();
    expect(await findOpenInvitation(t.db, token, new Date("2026-01-08T00:00:01Z"))).toBeUndefined();
    await expect(
      acceptInvitation(t.db, token, "long-enough-pw", new Date("2026-01-09T00:00:00Z")),
    ).rejects.toThrow(UserFacingError);
  });

  it("refuses a role that does not fit the organisation (a firm role at a bank)", async () => {
    const bank = await createOrganisation(
      t.db,
      { kind: "bank", name: "角色测试银行" },
      actors.admin.userId,
    );
    await expect(
      createInvitation(t.db, {
        orgId: bank,
        email: "r@x.test",
        role: "firm",
        displayName: "x",
        invitedBy: actors.admin.userId,
      }),
    ).rejects.toThrow(UserFacingError);
    expect(
      await t.db.selectFrom("invitations").select("id").where("email", "=", "r@x.test").execute(),
    ).toHaveLength(0);
  });

  it("creates an invitation from the admin page and shows its one-time link", async () => {
    const res = await app.fetch("/admin/invitations", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: app.baseURL,
        cookie: actors.admin.cookie,
      },
      body: new URLSearchParams({
        mode: "new",
        orgKind: "alliance",
        allianceKind: "guarantor",
        orgName: "测试担保公司",
        displayName: "担保联系人",
        email: "guarantor@x.test",
      }).toString(),
    });
    expect(res.status).toBe(200);
    const inv = await t.db
      .selectFrom("invitations")
      .selectAll()
      .where("email", "=", "guarantor@x.test")
      .executeTakeFirstOrThrow();
    expect(inv.role).toBe("alliance");
    const org = await t.db
      .selectFrom("organisations")
      .selectAll()
      .where("id", "=", inv.org_id)
      .executeTakeFirstOrThrow();
    expect(org).toMatchObject({
      kind: "alliance",
      alliance_kind: "guarantor",
      name: "测试担保公司",
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "in", ["invitation.create", "organisation.create"])
      .where("org_id", "=", org.id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["invitation.create", "organisation.create"]);
  });
});
