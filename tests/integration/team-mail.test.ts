/**
 * Team members and notice mail (issue 11): invite by mail in the invitee's language, accept,
 * remove (sessions end, audit kept), cross-organisation refusals, the bank's team-admin right, and
 * the signed one-click unsubscribe that stops deal-event mails.
 */
import { describe, expect, it } from "vitest";
import { disburseApplication, getApplicationRow } from "../../app/models/application.server";
import { acceptInvitation } from "../../app/models/invitation.server";
import { mailOrganisation } from "../../app/models/notice-mail.server";
import { unsubscribeToken } from "../../app/utils/mail-links.server";
import { todayInChina } from "../../app/utils/time";
import { addAsset, createDealWorld, driveTo, newApplication } from "../support/applications";
import { loginCookie, useActors } from "../support/authz";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

describe("team members and notice mail", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const post = (cookie: string | null, path: string, body: Record<string, string>) =>
    app.fetch(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: app.baseURL,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(body).toString(),
    });

  const mailsTo = (email: string) =>
    t.db.selectFrom("mail_queue").selectAll().where("to_email", "=", email).orderBy("id").execute();

  it("a firm user invites a colleague by mail in English; the colleague joins the same firm", async () => {
    const res = await post(actors.firmA.cookie, "/team", {
      intent: "invite",
      displayName: "Colleague A",
      email: "Colleague.A@firm.test",
      locale: "en",
    });
    expect(res.status).toBe(200);
    const [mail] = await mailsTo("colleague.a@firm.test");
    expect(mail.locale).toBe("en");
    expect(mail.subject).toContain("invites you to Zhirong");
    expect(mail.body_text).toMatch(/before \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Beijing time\)/);
    const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail.body_text)![1];
    const { userId } = await acceptInvitation(t.db, token, "colleague-password-1");
    const u = await t.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(u).toMatchObject({ org_id: actors.firmA.orgId, role: "firm", locale: "en" });
  });

  it("resend replaces the link; revoke voids it", async () => {
    await post(actors.firmA.cookie, "/team", {
      intent: "invite",
      displayName: "Second",
      email: "second@firm.test",
      locale: "zh-CN",
    });
    const inv = await t.db
      .selectFrom("invitations")
      .selectAll()
      .where("email", "=", "second@firm.test")
      .executeTakeFirstOrThrow();
    // Firm B cannot touch firm A's invitation.
    expect(
      (await post(actors.firmB.cookie, "/team", { intent: "revoke", id: String(inv.id) })).status,
    ).toBe(404);
    expect(
      (await post(actors.firmA.cookie, "/team", { intent: "resend", id: String(inv.id) })).status,
    ).toBe(200);
    const mails = await mailsTo("second@firm.test");
    expect(mails).toHaveLength(2);
    expect(mails[1].body_text).toContain("请在");
    const first = /\/invite\/([A-Za-z0-9_-]+)/.exec(mails[0].body_text)![1];
    const second = /\/invite\/([A-Za-z0-9_-]+)/.exec(mails[1].body_text)![1];
    await expect(acceptInvitation(t.db, first, "some-password-12")).rejects.toThrow();
    expect(
      (await post(actors.firmA.cookie, "/team", { intent: "revoke", id: String(inv.id) })).status,
    ).toBe(200);
    await expect(acceptInvitation(t.db, second, "some-password-12")).rejects.toThrow();
  });

  it("removal needs confirmation, ends the member's sessions, keeps their audit rows, and is refused across firms and for oneself", async () => {
    const colleague = await t.db
      .selectFrom("users")
      .select(["id", "email"])
      .where("email", "=", "colleague.a@firm.test")
      .executeTakeFirstOrThrow();
    const cookie = await loginCookie(app, colleague.email, "colleague-password-1");
    expect((await app.fetch("/team", { headers: { cookie } })).status).toBe(200);
    const id = String(colleague.id);
    expect(
      (await post(actors.firmB.cookie, "/team", { intent: "remove", userId: id, confirm: "yes" }))
        .status,
    ).toBe(404);
    expect(
      (await post(actors.firmA.cookie, "/team", { intent: "remove", userId: id })).status,
    ).toBe(409);
    expect(
      (
        await post(actors.firmA.cookie, "/team", {
          intent: "remove",
          userId: String(actors.firmA.userId),
          confirm: "yes",
        })
      ).status,
    ).toBe(409);
    expect(
      (await post(actors.firmA.cookie, "/team", { intent: "remove", userId: id, confirm: "yes" }))
        .status,
    ).toBe(200);
    const after = await app.fetch("/team", { headers: { cookie } });
    expect(after.status).toBe(302);
    const sessions = await t.db
      .selectFrom("sessions")
      .select("id")
      .where("user_id", "=", colleague.id)
      .execute();
    expect(sessions).toHaveLength(0);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("actor_user_id", "=", colleague.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain("invitation.accept");
    // Now firm A has one active member again: the last one cannot be removed (not even by itself).
    expect(
      (
        await post(actors.firmA.cookie, "/team", {
          intent: "remove",
          userId: String(actors.firmA.userId),
          confirm: "yes",
        })
      ).status,
    ).toBe(409);
  });

  it("a bank officer without the team-admin right cannot invite; with it they can", async () => {
    const body = {
      intent: "invite",
      displayName: "Officer",
      email: "officer@bankx.test",
      locale: "zh-CN",
    };
    expect((await post(actors.bankX.cookie, "/team", body)).status).toBe(403);
    await t.db
      .updateTable("users")
      .set({ team_admin: 1 })
      .where("id", "=", actors.bankX.userId)
      .execute();
    expect((await post(actors.bankX.cookie, "/team", body)).status).toBe(200);
    // Valuers and the alliance have no team page.
    expect((await app.fetch("/team", { headers: { cookie: actors.valuer.cookie } })).status).toBe(
      403,
    );
  });

  it("the language switch sets users.locale; notices carry an unsubscribe link that works without log-in", async () => {
    const sw = await post(actors.firmB.cookie, "/set-language", { locale: "en", redirectTo: "/" });
    expect(sw.status).toBe(302);
    const u = await t.db
      .selectFrom("users")
      .select("locale")
      .where("id", "=", actors.firmB.userId)
      .executeTakeFirstOrThrow();
    expect(u.locale).toBe("en");

    await mailOrganisation(t.db, actors.firmB.orgId, {
      template: "applicationApproved",
      params: { id: 42 },
      money: { amount: 12_345_600 },
      link: "/firm/applications/42",
    });
    const [notice] = await mailsTo(actors.firmB.email);
    expect(notice.subject).toBe("Your loan application #42 is approved");
    expect(notice.body_text).toContain("¥123,456.00");
    expect(notice.body_text).toContain("/firm/applications/42");
    const token = unsubscribeToken(actors.firmB.userId);
    expect(notice.list_unsubscribe).toContain(`/unsubscribe/${token}`);
    expect(notice.body_text).toContain(`/unsubscribe/${token}`);

    // A forged token is not found; opening the real one changes nothing.
    expect((await app.fetch(`/unsubscribe/${actors.firmB.userId}.${"x".repeat(32)}`)).status).toBe(
      404,
    );
    expect((await app.fetch(`/unsubscribe/${token}`)).status).toBe(200);
    // RFC 8058 one-click POST from a mail provider's server: no cookie, no Origin.
    const res = await app.fetch(`/unsubscribe/${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);
    const after = await t.db
      .selectFrom("users")
      .select("mail_opt_out")
      .where("id", "=", actors.firmB.userId)
      .executeTakeFirstOrThrow();
    expect(after.mail_opt_out).toBe(1);
    expect(
      await mailOrganisation(t.db, actors.firmB.orgId, {
        template: "applicationRejected",
        params: { id: 43, reason: "x" },
        link: "/firm/applications/43",
      }),
    ).toBe(0);
    expect(await mailsTo(actors.firmB.email)).toHaveLength(1);
  });

  it("a rolled-back change leaves no mail", async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await mailOrganisation(trx, actors.firmA.orgId, {
          template: "applicationDisbursed",
          params: { id: 99 },
          money: { amount: 100 },
          link: "/firm/applications/99",
        });
        throw new Error("the transition failed after its mail was queued");
      }),
    ).rejects.toThrow("transition failed");
    expect(await mailsTo(actors.firmA.email)).toHaveLength(0);
  });
});

describe("deal-event mails from real transitions", () => {
  const t = useTestDb();

  it("mails the bank on submit and the firm on approval and disbursement; a rolled-back disbursement mails nothing", async () => {
    const w = await createDealWorld(t.db);
    const a1 = await addAsset(t.db, w.firmA.orgId, { valueFen: 80_000_000 });
    const a2 = await addAsset(t.db, w.firmA.orgId, { ipType: "trademark", valueFen: 20_000_000 });
    const id = await newApplication(t.db, w, { assetIds: [a2, a1], amountFen: 25_000_000 });
    const count = (template: string) =>
      t.db
        .selectFrom("mail_queue")
        .select(["to_email", "locale", "subject", "body_text"])
        .where("template", "=", template)
        .where("body_text", "like", `%/applications/${id}%`)
        .execute();
    await driveTo(t.db, w, id, "submitted");
    const submitted = await count("applicationSubmitted");
    // Every active officer of bank X (two), none of the firm.
    expect(submitted.length).toBe(2);
    expect(submitted[0].body_text).toContain(`/bank/applications/${id}`);
    await t.db
      .updateTable("users")
      .set({ locale: "en" })
      .where("id", "=", w.firmA.userId)
      .execute();
    await driveTo(t.db, w, id, "pledge_registered");
    const approved = await count("applicationApproved");
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({ locale: "en" });
    expect(approved[0].subject).toBe(`Your loan application #${id} is approved`);
    const app = await getApplicationRow(t.db, id);
    await expect(
      disburseApplication(
        t.db,
        w.bankX,
        {
          applicationId: id,
          version: app!.version,
          amountFen: Number(app!.approved_amount_fen),
          valueDate: todayInChina(),
        },
        {
          afterLedgerInsert: () => {
            throw new Error("crash inside the disbursement transaction");
          },
        },
      ),
    ).rejects.toThrow("crash inside");
    expect(await count("applicationDisbursed")).toHaveLength(0);
    await disburseApplication(t.db, w.bankX, {
      applicationId: id,
      version: app!.version,
      amountFen: Number(app!.approved_amount_fen),
      valueDate: todayInChina(),
    });
    expect(await count("applicationDisbursed")).toHaveLength(1);
  });
});
