/**
 * Two-factor authentication where money moves, and when it is lost (docs/decisions/014-two-factor.md,
 * 016-accounts.md), over HTTP: a bank officer whose role must use it is refused approving and
 * disbursing until enrolled, and nothing changes; once enrolled the same posts go through. An
 * admin resets a user's lost second factor (confirmation and reason, audited, every session ended,
 * the user mailed in their language), and the user's next log-in starts at enrolment.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  createApplicationDraft,
  getApplicationRow,
  startReview,
  submitApplication,
} from "../../app/models/application.server";
import {
  pendingEnrolmentSecret,
  rememberDevice,
  setTwoFactorPolicy,
} from "../../app/models/two-factor.server";
import { totpCodeAt } from "../../app/utils/two-factor.server";
import { todayInChina } from "../../app/utils/time";
import { ACTOR_PASSWORD, requestAs, useActors } from "../support/authz";
import { addAsset, addProduct, countRows } from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import type { Role } from "../../db/schema";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const post = (values: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: FORM,
  body: new URLSearchParams(values).toString(),
});

describe(`two-factor where money moves, and its reset by an admin, on ${testDbKind()}`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let productX = 0;
  /** Under review at bank X (version 3). */
  let toApprove = 0;
  /** Pledge registered at bank X (version 5). */
  let toDisburse = 0;

  const firmA = () => ({ userId: actors.firmA.userId, orgId: actors.firmA.orgId });
  const bankX = () => ({ userId: actors.bankX.userId, orgId: actors.bankX.orgId });
  const approveBody = () =>
    post({
      intent: "approve",
      version: "3",
      amount: "100000",
      rate: "3.85",
      termMonths: "12",
      confirm: "on",
    });
  const disburseBody = () =>
    post({
      intent: "disburse",
      version: "5",
      amount: "100000",
      valueDate: todayInChina(),
      confirm: "on",
    });

  async function underReview(): Promise<number> {
    const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 100_000_000 });
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId: productX,
      requestId: null,
      amountFen: 10_000_000,
      termMonths: 12,
      rateBp: 385,
      assetIds: [asset],
    });
    await submitApplication(t.db, firmA(), { applicationId, version: 1 });
    await startReview(t.db, bankX(), { applicationId, version: 2 });
    return applicationId;
  }

  let policyVersion: string | null = null;
  async function requireOf(roles: Role[]) {
    await setTwoFactorPolicy(t.db, { userId: null, orgId: null }, roles, policyVersion);
    policyVersion = (
      await t.db
        .selectFrom("settings")
        .select("updated_at")
        .where("name", "=", "two_factor_required_roles")
        .executeTakeFirstOrThrow()
    ).updated_at;
  }
  const rows = async (table: "user_totp" | "recovery_codes" | "trusted_devices" | "sessions") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("user_id", "=", actors.bankX.userId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    productX = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    toApprove = await underReview();
    toDisburse = await underReview();
    // Approved and registered through the page while nobody must use a second factor.
    const approved = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/applications/${toDisburse}`,
      approveBody(),
    );
    expect(approved.status).toBe(302);
    const registered = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/applications/${toDisburse}`,
      post({
        intent: "register_pledge",
        version: "4",
        regNumber: "Y2026000123",
        regDate: todayInChina(),
      }),
    );
    expect(registered.status).toBe(302);
    expect((await getApplicationRow(t.db, toDisburse))!.state).toBe("pledge_registered");
  });

  it("refuses approving and disbursing to a bank officer without a second factor, with a clear message, changing nothing", async () => {
    await requireOf(["bank_officer"]);
    const audit = await countRows(t.db, "audit_log");
    const ledger = await countRows(t.db, "ledger_entries");

    const approve = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/applications/${toApprove}`,
      approveBody(),
    );
    expect(approve.status).toBe(302);
    expect(approve.headers.get("location")).toBe("/account/two-factor?required=1");
    const disburse = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/applications/${toDisburse}`,
      disburseBody(),
    );
    expect(disburse.status).toBe(302);
    expect(disburse.headers.get("location")).toBe("/account/two-factor?required=1");

    const a = (await getApplicationRow(t.db, toApprove))!;
    expect([a.state, a.version]).toEqual(["under_review", 3]);
    const d = (await getApplicationRow(t.db, toDisburse))!;
    expect([d.state, d.version]).toEqual(["pledge_registered", 5]);
    expect(await countRows(t.db, "audit_log")).toBe(audit);
    expect(await countRows(t.db, "ledger_entries")).toBe(ledger);

    // Where they are sent says why, in their language.
    const page = await requestAs(app, actors, "bankX", "/account/two-factor?required=1");
    const html = await page.text();
    expect(html).toContain('data-testid="two-factor-required"');
    expect(html).toContain("您的角色须启用两步验证后，才能审批、放款");
    // Reading stays open.
    expect((await requestAs(app, actors, "bankX", `/bank/applications/${toApprove}`)).status).toBe(
      200,
    );
  });

  it("lets the same officer approve and disburse once enrolled", async () => {
    expect(
      (await requestAs(app, actors, "bankX", "/account/two-factor", post({ intent: "start" })))
        .status,
    ).toBe(302);
    const secret = (await pendingEnrolmentSecret(t.db, actors.bankX.userId))!;
    const confirmed = await requestAs(
      app,
      actors,
      "bankX",
      "/account/two-factor",
      post({ intent: "confirm", code: totpCodeAt(secret, new Date()) }),
    );
    expect(confirmed.status).toBe(200);

    const approve = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/applications/${toApprove}`,
      approveBody(),
    );
    expect(approve.status).toBe(302);
    expect(approve.headers.get("location")).toBe(`/bank/applications/${toApprove}`);
    expect((await getApplicationRow(t.db, toApprove))!.state).toBe("approved");

    const ledger = await countRows(t.db, "ledger_entries");
    const disburse = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/applications/${toDisburse}`,
      disburseBody(),
    );
    expect(disburse.status).toBe(302);
    expect((await getApplicationRow(t.db, toDisburse))!.state).toBe("disbursed");
    expect(await countRows(t.db, "ledger_entries")).toBeGreaterThan(ledger);
  });

  it("lets an admin reset a lost second factor only with a reason and the confirmation", async () => {
    await rememberDevice(t.db, { id: actors.bankX.userId, org_id: actors.bankX.orgId }, "test");
    await t.db
      .updateTable("users")
      .set({ locale: "en" })
      .where("id", "=", actors.bankX.userId)
      .execute();
    const list = await requestAs(app, actors, "admin", "/admin/users?q=BANKX");
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain(actors.bankX.email);
    expect(listHtml).not.toContain(actors.bankY.email);
    expect(listHtml).toContain(`data-testid="reset-${actors.bankX.userId}"`);
    const confirmPage = await requestAs(
      app,
      actors,
      "admin",
      `/admin/users?q=bankx&reset=${actors.bankX.userId}`,
    );
    expect(await confirmPage.text()).toContain('data-testid="reset-confirm"');

    const audit = await countRows(t.db, "audit_log");
    const path = "/admin/users";
    const base = { intent: "reset", userId: String(actors.bankX.userId) };
    const unconfirmed = await requestAs(
      app,
      actors,
      "admin",
      path,
      post({ ...base, reason: "Called back on the number on file" }),
    );
    expect(unconfirmed.status).toBe(400);
    const noReason = await requestAs(
      app,
      actors,
      "admin",
      path,
      post({ ...base, reason: "lost", confirm: "yes" }),
    );
    expect(noReason.status).toBe(400);
    // Not by the officer themself, nor by a bank officer of the same bank.
    expect(
      (
        await requestAs(
          app,
          actors,
          "bankX",
          path,
          post({ ...base, reason: "Called back on file", confirm: "yes" }),
        )
      ).status,
    ).toBe(403);
    expect(await rows("user_totp")).toBe(1);
    expect(await rows("recovery_codes")).toBe(10);
    expect(await countRows(t.db, "audit_log")).toBe(audit);
  });

  it("resets: secret, codes, devices and every session gone, audited with the reason, the user mailed in their language", async () => {
    expect(await rows("sessions")).toBeGreaterThan(0);
    const reason = "Phone lost; identity confirmed by call-back, ticket 4711";
    const res = await requestAs(
      app,
      actors,
      "admin",
      "/admin/users",
      post({ intent: "reset", userId: String(actors.bankX.userId), reason, confirm: "yes" }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-testid="reset-done"');
    expect(await rows("user_totp")).toBe(0);
    expect(await rows("recovery_codes")).toBe(0);
    expect(await rows("trusted_devices")).toBe(0);
    expect(await rows("sessions")).toBe(0);
    const loggedOut = await requestAs(app, actors, "bankX", "/bank");
    expect(loggedOut.status).toBe(302);
    expect(loggedOut.headers.get("location")).toMatch(/^\/login/);

    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "auth.two_factor_reset_by_admin")
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(actors.admin.userId);
    expect(audit.entity_id).toBe(String(actors.bankX.userId));
    expect(audit.org_id).toBe(actors.bankX.orgId);
    expect(audit.reason).toBe(reason);
    expect(JSON.parse(audit.detail_json!)).toMatchObject({
      recoveryCodesDeleted: 10,
      devicesForgotten: 1,
    });

    const mail = await t.db
      .selectFrom("mail_queue")
      .selectAll()
      .where("to_email", "=", actors.bankX.email)
      .where("template", "=", "twoFactorReset")
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0].locale).toBe("en");
    expect(mail[0].subject).toBe("Your Zhirong two-factor authentication was reset");
    expect(mail[0].list_unsubscribe).toBeNull();

    // Nothing left to reset; and never the admin's own.
    const again = await requestAs(
      app,
      actors,
      "admin",
      "/admin/users",
      post({ intent: "reset", userId: String(actors.bankX.userId), reason, confirm: "yes" }),
    );
    expect(again.status).toBe(409);
    const self = await requestAs(
      app,
      actors,
      "admin",
      "/admin/users",
      post({ intent: "reset", userId: String(actors.admin.userId), reason, confirm: "yes" }),
    );
    expect(self.status).toBe(409);
    const unknown = await requestAs(
      app,
      actors,
      "admin",
      "/admin/users",
      post({ intent: "reset", userId: "99999999", reason, confirm: "yes" }),
    );
    expect(unknown.status).toBe(404);
    expect(
      await t.db
        .selectFrom("audit_log")
        .select("id")
        .where("action", "=", "auth.two_factor_reset_by_admin")
        .execute(),
    ).toHaveLength(1);
  });

  it("sends the officer to enrol again at the next log-in, the password still working", async () => {
    const res = await app.fetch("/login", {
      method: "POST",
      headers: { ...FORM, origin: app.baseURL },
      body: new URLSearchParams({ email: actors.bankX.email, password: ACTOR_PASSWORD }).toString(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/account/two-factor?required=1&redirectTo=%2Fbank");
    const session = /(zr_session=[^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];
    const page = await app.fetch(res.headers.get("location")!, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-testid="two-factor-required"');
    // Recording a repayment on the loan page is held back too, and records nothing.
    const ledger = await countRows(t.db, "ledger_entries");
    const repay = await app.fetch(`/bank/loans/${toDisburse}`, {
      method: "POST",
      headers: { ...FORM, origin: app.baseURL, cookie: session },
      body: new URLSearchParams({
        intent: "repay",
        key: crypto.randomUUID(),
        amount: "1000",
        valueDate: todayInChina(),
      }).toString(),
    });
    expect(repay.status).toBe(302);
    expect(repay.headers.get("location")).toBe("/account/two-factor?required=1");
    expect(await countRows(t.db, "ledger_entries")).toBe(ledger);
    // Roles that need no second factor log in as before.
    await requireOf([]);
    const firm = await app.fetch("/login", {
      method: "POST",
      headers: { ...FORM, origin: app.baseURL },
      body: new URLSearchParams({ email: actors.bankX.email, password: ACTOR_PASSWORD }).toString(),
    });
    expect(firm.headers.get("location")).toBe("/bank");
  });
});
