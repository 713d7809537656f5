/**
 * Accounts a person keeps (issue 11), over HTTP on the built app: password change, e-mail
 * verification and the submit gate, registration with a taken address, and the sessions page.
 */
import { describe, expect, it } from "vitest";
import { createApplicationDraft, submitApplication } from "../../app/models/application.server";
import { REGISTRATION_MAILS_PER_HOUR } from "../../app/models/account.server";
import { buildUscc } from "../../app/domain/uscc";
import { ACTOR_PASSWORD, loginCookie, useActors } from "../support/authz";
import { addAsset, addProduct, countRows } from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
const FIREFOX_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

describe(`accounts (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const post = (path: string, data: Record<string, string>, headers: Record<string, string> = {}) =>
    app.fetch(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: app.baseURL,
        ...headers,
      },
      body: new URLSearchParams(data).toString(),
    });

  const loginAs = async (email: string, password: string, ua: string) => {
    const res = await post("/login", { email, password }, { "user-agent": ua });
    const m = /(zr_session=[^;]+)/.exec(res.headers.get("set-cookie") ?? "");
    if (res.status !== 302 || !m) throw new Error(`login failed ${res.status}`);
    return m[1];
  };

  const mails = (email: string, template: string) =>
    t.db
      .selectFrom("mail_queue")
      .select(["body_text", "subject"])
      .where("to_email", "=", email)
      .where("template", "=", template)
      .orderBy("id")
      .execute();

  const audits = (action: string, userId: number) =>
    t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", action)
      .where("entity_id", "=", String(userId))
      .execute();

  const firm = (n: number, email: string, password = "lantern-orchard-velvet-42") => ({
    companyName: `锡林郭勒测试${n}科技有限公司`,
    uscc: buildUscc("152501", `MA0Q${String(n).padStart(4, "0")}`),
    regionCode: "152500",
    industrySection: "C",
    contactName: "赵测试",
    email,
    password,
  });

  describe("password change", () => {
    it("needs the current password and a strong new one; refusals change nothing", async () => {
      const email = actors.bankY.email;
      const cookie = actors.bankY.cookie;
      const auditBefore = await countRows(t.db, "audit_log");
      const cases: [Record<string, string>, RegExp][] = [
        [
          { currentPassword: "wrong-current-pass", password: "lantern-orchard-velvet-42" },
          /当前密码不正确/,
        ],
        [{ currentPassword: ACTOR_PASSWORD, password: "password123" }, /太常见/],
        [{ currentPassword: ACTOR_PASSWORD, password: "qwertyuiop" }, /太常见/],
        [
          { currentPassword: ACTOR_PASSWORD, password: "my-banky-secret-99" },
          /不能包含您的邮箱或企业名称/,
        ],
        [
          { currentPassword: ACTOR_PASSWORD, password: "测试银行Y很安全的密码啊" },
          /不能包含您的邮箱或企业名称/,
        ],
        [{ currentPassword: ACTOR_PASSWORD, password: "short" }, /至少需要 10 个字符/],
      ];
      for (const [data, message] of cases) {
        const res = await post("/account/password", data, { cookie });
        expect(res.status, JSON.stringify(data)).toBe(400);
        expect(await res.text()).toMatch(message);
      }
      expect(await countRows(t.db, "audit_log")).toBe(auditBefore);
      expect(await mails(email, "passwordChanged")).toHaveLength(0);
      expect(await loginCookie(app, email)).toMatch(/zr_session=/);
    });

    it("ends every other session, keeps this one, mails the owner and audits", async () => {
      const email = actors.alliance.email;
      const here = await loginAs(email, ACTOR_PASSWORD, FIREFOX_WINDOWS);
      const other = await loginAs(email, ACTOR_PASSWORD, CHROME_ANDROID);
      const res = await post(
        "/account/password",
        { currentPassword: ACTOR_PASSWORD, password: "lantern-orchard-velvet-42" },
        { cookie: here },
      );
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('data-testid="password-changed"');
      expect((await app.fetch("/alliance", { headers: { cookie: here } })).status).toBe(200);
      expect((await app.fetch("/alliance", { headers: { cookie: other } })).status).toBe(302);
      expect(
        (await app.fetch("/alliance", { headers: { cookie: actors.alliance.cookie } })).status,
      ).toBe(302);
      const sent = await mails(email, "passwordChanged");
      expect(sent).toHaveLength(1);
      expect(sent[0].subject).toBe("您的知融密码已修改");
      const rows = await audits("auth.password_changed", actors.alliance.userId);
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0].detail_json ?? "{}")).toMatchObject({ sessionsEnded: 2 });
      await expect(loginCookie(app, email)).rejects.toThrow(/login failed/);
      expect(await loginCookie(app, email, "lantern-orchard-velvet-42")).toMatch(/zr_session=/);
    });

    it("refuses a common password on registration and reset too", async () => {
      const reg = await post("/register", firm(1, "common@accounts.test", "1234567890"));
      expect(reg.status).toBe(400);
      expect(await reg.text()).toMatch(/太常见/);
      const personal = await post(
        "/register",
        firm(2, "lanternfish@accounts.test", "lanternfish-2026!"),
      );
      expect(personal.status).toBe(400);
      expect(await personal.text()).toMatch(/不能包含您的邮箱或企业名称/);
    });
  });

  describe("registration and e-mail verification", () => {
    it("a taken e-mail answers exactly like a new one and mails the owner instead", async () => {
      const fresh = await post("/register", firm(3, "fresh@accounts.test"), {
        "x-forwarded-for": "10.70.0.1",
      });
      const users = Number(
        (
          await t.db
            .selectFrom("users")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
      const taken = await post("/register", firm(4, actors.firmB.email), {
        "x-forwarded-for": "10.70.0.2",
      });
      expect(taken.status).toBe(fresh.status);
      expect(taken.status).toBe(302);
      expect(taken.headers.get("location")).toBe(fresh.headers.get("location"));
      // The only cookie is the address typed, offered back on the log-in form: same shape for both.
      const shape = (r: Response) => (r.headers.get("set-cookie") ?? "").replace(/=[^;]*/, "=…");
      expect(shape(taken)).toBe(shape(fresh));
      expect(shape(fresh)).toMatch(/^zr_registered_email=…; Path=\/; Max-Age=600; HttpOnly/);
      const login = await app.fetch("/login?registered=1", {
        headers: { cookie: (fresh.headers.get("set-cookie") ?? "").split(";")[0] },
      });
      expect(await login.text()).toContain('value="fresh@accounts.test"');
      expect(await taken.text()).toBe(await fresh.text());
      const usersAfter = Number(
        (
          await t.db
            .selectFrom("users")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(usersAfter).toBe(users);
      expect(await mails(actors.firmB.email, "accountExists")).toHaveLength(1);
      expect(await mails(actors.firmB.email, "verifyEmail")).toHaveLength(0);
      expect(await mails("fresh@accounts.test", "verifyEmail")).toHaveLength(1);
      // At most a few such mails an hour, the answer unchanged.
      for (let i = 0; i < REGISTRATION_MAILS_PER_HOUR + 1; i++) {
        const again = await post("/register", firm(10 + i, actors.firmB.email), {
          "x-forwarded-for": `10.70.1.${i}`,
        });
        expect(again.status).toBe(302);
      }
      expect(await mails(actors.firmB.email, "accountExists")).toHaveLength(
        REGISTRATION_MAILS_PER_HOUR,
      );
    });

    it("an unverified firm can log in and prepare, cannot submit, and can after the link", async () => {
      const email = "verify-me@accounts.test";
      expect(
        (await post("/register", firm(20, email), { "x-forwarded-for": "10.70.2.1" })).status,
      ).toBe(302);
      const user = await t.db
        .selectFrom("users")
        .select(["id", "org_id", "email_verified"])
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      expect(user.email_verified).toBe(0);
      const cookie = await loginCookie(app, email, "lantern-orchard-velvet-42");
      expect(await (await app.fetch("/firm", { headers: { cookie } })).text()).toContain(
        'data-testid="verify-banner"',
      );

      const product = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
      const asset = await addAsset(t.db, user.org_id, { valueFen: 800_000_000 });
      const { applicationId } = await createApplicationDraft(t.db, {
        firmOrgId: user.org_id,
        userId: user.id,
        productId: product,
        requestId: null,
        amountFen: 10_000_000,
        termMonths: 12,
        rateBp: 400,
        assetIds: [asset],
      });
      const http = await post(
        `/firm/applications/${applicationId}`,
        { intent: "submit", version: "1" },
        { cookie },
      );
      expect(http.status).toBe(403);
      expect(await http.text()).toMatch(/请先验证您的邮箱/);
      const state = await t.db
        .selectFrom("applications")
        .select("state")
        .where("id", "=", applicationId)
        .executeTakeFirstOrThrow();
      expect(state.state).toBe("draft");

      // Resend: once now is too soon after registration (throttled), the answer says so.
      const resend = await post("/account", { intent: "resend" }, { cookie });
      expect(resend.status).toBe(429);

      const body = (await mails(email, "verifyEmail"))[0].body_text;
      const token = /\/account\/verify-email\/([A-Za-z0-9_-]+)/.exec(body)![1];
      expect((await app.fetch(`/account/verify-email/${token}`)).status).toBe(200);
      const verified = await post(`/account/verify-email/${token}`, {}, { cookie });
      expect(verified.status).toBe(302);
      expect(verified.headers.get("location")).toBe("/account?verified=1");
      expect((await post(`/account/verify-email/${token}`, {})).status).toBe(400);
      expect(await audits("auth.email_verified", user.id)).toHaveLength(1);
      expect(await (await app.fetch("/firm", { headers: { cookie } })).text()).not.toContain(
        'data-testid="verify-banner"',
      );
      await submitApplication(
        t.db,
        { userId: user.id, orgId: user.org_id },
        { applicationId, version: 1 },
      );
    });
  });

  describe("sessions page", () => {
    it("lists this user's sessions with their devices, ends one and then all others, audited", async () => {
      const email = actors.valuer.email;
      const here = await loginAs(email, ACTOR_PASSWORD, FIREFOX_WINDOWS);
      const phone = await loginAs(email, ACTOR_PASSWORD, CHROME_ANDROID);
      const page = await (
        await app.fetch("/account/sessions", { headers: { cookie: here } })
      ).text();
      expect(page).toContain("Firefox · Windows");
      expect(page).toContain("Chrome · Android");
      expect(page.match(/data-current="1"/g)).toHaveLength(1);
      const keys = [...page.matchAll(/name="key" value="([0-9a-f]{24})"/g)].map((m) => m[1]);
      expect(keys.length).toBeGreaterThanOrEqual(2);

      // Another user cannot end these sessions.
      const foreign = await post(
        "/account/sessions",
        { intent: "end", key: keys[0] },
        { cookie: actors.firmA.cookie },
      );
      expect(foreign.status).toBe(404);

      const phoneKey = keys.find((k) => page.indexOf(k) > page.indexOf("Chrome · Android"))!;
      const end = await post(
        "/account/sessions",
        { intent: "end", key: phoneKey },
        { cookie: here },
      );
      expect(end.status).toBe(200);
      expect((await app.fetch("/valuer", { headers: { cookie: phone } })).status).toBe(302);
      expect((await app.fetch("/valuer", { headers: { cookie: here } })).status).toBe(200);
      expect(await audits("auth.session_ended", actors.valuer.userId)).toHaveLength(1);

      const all = await post("/account/sessions", { intent: "endOthers" }, { cookie: here });
      expect(all.status).toBe(200);
      expect(
        (await app.fetch("/valuer", { headers: { cookie: actors.valuer.cookie } })).status,
      ).toBe(302);
      expect((await app.fetch("/valuer", { headers: { cookie: here } })).status).toBe(200);
      expect(await audits("auth.sessions_ended", actors.valuer.userId)).toHaveLength(1);
    });
  });
});
