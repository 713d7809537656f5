/**
 * The admin pages' models: the audit log read (paged, the page clamped to the pages that exist)
 * and its page over HTTP; the invitation, whose role follows from the organisation's kind.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { listAuditLog, writeAudit } from "../../app/models/audit.server";
import { UserFacingError } from "../../app/models/errors";
import { inviteMember } from "../../app/models/invitation.server";
import { requestAs, useActors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

describe(`admin models (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  describe("listAuditLog", () => {
    let total = 0;
    beforeAll(async () => {
      for (let i = 1; i <= 7; i++) {
        await writeAudit(t.db, {
          actorUserId: actors.admin.userId,
          orgId: actors.admin.orgId,
          action: "test.entry",
          entityType: "test",
          entityId: i,
          toState: `s${i}`,
        });
      }
      total = Number(
        (
          await t.db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    });

    it("pages newest first, with the actor's e-mail", async () => {
      const first = await listAuditLog(t.db, { page: 1, pageSize: 3 });
      expect(first.total).toBe(total);
      expect(first.pages).toBe(Math.ceil(total / 3));
      expect(first.page).toBe(1);
      expect(first.rows.map((r) => r.entity_id)).toEqual(["7", "6", "5"]);
      expect(first.rows[0]).toMatchObject({
        action: "test.entry",
        entity_type: "test",
        to_state: "s7",
        actorEmail: actors.admin.email,
      });
      const second = await listAuditLog(t.db, { page: 2, pageSize: 3 });
      expect(second.rows.map((r) => r.entity_id)).toEqual(["4", "3", "2"]);
    });

    it.each([
      ["past the end", 1e20, "last"],
      ["just past the end", 999, "last"],
      ["zero", 0, 1],
      ["negative", -3, 1],
      ["not a number", Number.NaN, 1],
      ["a fraction", 2.7, 2],
    ] as const)("clamps a page number %s (%s) to a page that exists", async (_, page, want) => {
      const list = await listAuditLog(t.db, { page, pageSize: 3 });
      const expected = want === "last" ? list.pages : want;
      expect(list.page).toBe(expected);
      const direct = await listAuditLog(t.db, { page: expected, pageSize: 3 });
      expect(list.rows).toEqual(direct.rows);
      expect(list.rows.length).toBeGreaterThan(0);
    });

    it("serves a page number past the end as the last page over HTTP, not a 500", async () => {
      const huge = await requestAs(app, actors, "admin", "/admin/audit?page=99999999999999999999");
      expect(huge.status).toBe(200);
      const html = await huge.text();
      expect(html).toContain('data-testid="audit-table"');
      const last = Math.max(1, Math.ceil(total / 50));
      expect(html).toMatch(new RegExp(`第\\s*${last}\\s*/\\s*${last}\\s*页`));
      for (const q of ["abc", "-1", "0", "1e400"]) {
        const res = await requestAs(app, actors, "admin", `/admin/audit?page=${q}`);
        expect(res.status, q).toBe(200);
        await res.body?.cancel();
      }
    });
  });

  describe("inviteMember", () => {
    const invitation = (email: string) =>
      t.db
        .selectFrom("invitations")
        .select(["org_id", "role", "display_name"])
        .where("email", "=", email)
        .executeTakeFirst();

    it.each([
      ["bankX", "bank_officer"],
      ["valuer", "valuer"],
      ["alliance", "alliance"],
      ["admin", "admin"],
    ] as const)("invites into %s's organisation as %s", async (who, role) => {
      const email = `invitee.${who}@admin-models.test`;
      const { orgId, token } = await inviteMember(t.db, {
        target: { orgId: actors[who].orgId },
        email,
        displayName: "受邀人",
        invitedBy: actors.admin.userId,
      });
      expect(orgId).toBe(actors[who].orgId);
      expect(token.length).toBeGreaterThan(20);
      expect(await invitation(email)).toEqual({ org_id: orgId, role, display_name: "受邀人" });
    });

    it("creates a new organisation with the invitation, audited", async () => {
      const email = "invitee.new@admin-models.test";
      const { orgId } = await inviteMember(t.db, {
        target: { newOrg: { kind: "alliance", name: "新联盟成员", allianceKind: "insurer" } },
        email,
        displayName: "新成员",
        invitedBy: actors.admin.userId,
      });
      const org = await t.db
        .selectFrom("organisations")
        .select(["kind", "name", "alliance_kind"])
        .where("id", "=", orgId)
        .executeTakeFirstOrThrow();
      expect(org).toEqual({ kind: "alliance", name: "新联盟成员", alliance_kind: "insurer" });
      expect((await invitation(email))?.role).toBe("alliance");
      const audit = await t.db
        .selectFrom("audit_log")
        .select("action")
        .where("org_id", "=", orgId)
        .orderBy("id")
        .execute();
      expect(audit.map((a) => a.action)).toEqual(["organisation.create", "invitation.create"]);
    });

    it.each([
      ["a firm", () => actors.firmA.orgId],
      ["an organisation that does not exist", () => 987_654],
    ])("refuses to invite into %s, on the organisation field", async (_, orgId) => {
      const email = `invitee.refused.${orgId()}@admin-models.test`;
      const err = await inviteMember(t.db, {
        target: { orgId: orgId() },
        email,
        displayName: "某人",
        invitedBy: actors.admin.userId,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserFacingError);
      expect(err).toMatchObject({ key: "auth:errors.required", field: "orgId" });
      expect(await invitation(email)).toBeUndefined();
    });
  });
});
