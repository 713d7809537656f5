import { describe, expect, it } from "vitest";
import { buildUscc, usccCheckChar } from "../../app/domain/uscc";
import { toDbInstant } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { ACTOR_PASSWORD, loginCookie, useActors } from "../support/authz";

const form = (data: Record<string, string>) => new URLSearchParams(data).toString();

describe("firm registration, log-in, sessions and CSRF", () => {
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
      body: form(data),
    });

  const counts = async () => {
    const [o, u] = await Promise.all([
      t.db
        .selectFrom("organisations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
      t.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ]);
    return { orgs: Number(o.n), users: Number(u.n) };
  };

  const validFirm = (over: Record<string, string> = {}) => ({
    companyName: "包头测试稀土科技有限公司",
    uscc: buildUscc("150203", "MA0N1234"),
    regionCode: "150200",
    industrySection: "C",
    flagHighTech: "on",
    contactName: "王建国",
    email: "wang@register.test",
    password: "a-long-password",
    ...over,
  });

  describe("registration", () => {
    it("registers a firm with a valid USCC, sends it to log in and records the audit row", async () => {
      const before = await counts();
      const res = await post("/register", validFirm());
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/login?registered=1");
      expect(await counts()).toEqual({ orgs: before.orgs + 1, users: before.users + 1 });
      const org = await t.db
        .selectFrom("organisations")
        .selectAll()
        .where("uscc", "=", validFirm().uscc)
        .executeTakeFirstOrThrow();
      expect(org).toMatchObject({
        kind: "firm",
        region_code: "150200",
        flag_high_tech: 1,
        flag_specialised: 0,
      });
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "firm.register")
        .where("entity_id", "=", String(org.id))
        .execute();
      expect(audit).toHaveLength(1);
    });

    const bad: [string, string, RegExp][] = [
      ["too short", "91150203MA0N1234", /应为 18 位，您输入了 16 位/],
      ["an illegal letter", "91150203MA0N1234I" + "0", /第 17 位“I”不是合法字符/],
      [
        "a wrong check character",
        (() => {
          const good = buildUscc("150203", "MA0N5432");
          return good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
        })(),
        /第 18 位校验码与前 17 位不符/,
      ],
      [
        "a letter in the area code",
        (() => {
          const first17 = "9115010AMA0N5432" + "7";
          return first17 + usccCheckChar(first17);
        })(),
        /第 3–8 位“15010A”不是有效的行政区划代码/,
      ],
      [
        "a wrong organisation-code check character",
        "91150203MA0N12345" + usccCheckChar("91150203MA0N12345"),
        /第 9–17 位组织机构代码“MA0N12345”校验不符/,
      ],
    ];
    for (const [what, uscc, message] of bad) {
      it(`refuses a USCC with ${what} with a specific message and writes nothing`, async () => {
        const before = await counts();
        const res = await post(
          "/register",
          validFirm({ uscc, email: `bad-${what.length}@register.test` }),
        );
        expect(res.status).toBe(400);
        expect(await res.text()).toMatch(message);
        expect(await counts()).toEqual(before);
      });
    }

    it("refuses a USCC that is already registered without saying who holds it", async () => {
      const before = await counts();
      const res = await post(
        "/register",
        validFirm({ email: "someone-else@register.test", companyName: "另一家公司有限公司" }),
      );
      expect(res.status).toBe(400);
      const body = await res.text();
      expect(body).toMatch(/该统一社会信用代码已注册/);
      expect(body).not.toContain("包头测试稀土科技有限公司");
      expect(await counts()).toEqual(before);
    });

    it("refuses a short password; an e-mail already in use looks like success and creates nothing", async () => {
      const before = await counts();
      const short = await post(
        "/register",
        validFirm({
          uscc: buildUscc("150600", "MA0X0001"),
          email: "x@register.test",
          password: "short",
        }),
      );
      expect(short.status).toBe(400);
      expect(await short.text()).toMatch(/密码至少需要 10 个字符/);
      const taken = await post(
        "/register",
        validFirm({ uscc: buildUscc("150600", "MA0X0002"), email: "wang@register.test" }),
      );
      expect(taken.status).toBe(302);
      expect(taken.headers.get("location")).toBe("/login?registered=1");
      expect(await counts()).toEqual(before);
    });
  });

  describe("log-in and the throttle", () => {
    it("gives the same generic message for an unknown user and a wrong password", async () => {
      const unknown = await post(
        "/login",
        { email: "nobody@nowhere.test", password: "whatever-123" },
        { "x-forwarded-for": "10.9.0.1" },
      );
      const wrong = await post(
        "/login",
        { email: actors.firmA.email, password: "wrong-password" },
        { "x-forwarded-for": "10.9.0.2" },
      );
      expect(unknown.status).toBe(400);
      expect(wrong.status).toBe(400);
      const a = await unknown.text();
      const b = await wrong.text();
      expect(a).toContain("邮箱或密码不正确");
      expect(b).toContain("邮箱或密码不正确");
    });

    it("delays an (account, address) pair after 5 failures, even with the right password", async () => {
      const email = actors.firmB.email;
      const ip = { "x-forwarded-for": "10.9.1.1" };
      for (let i = 0; i < 5; i++) {
        const r = await post("/login", { email, password: `wrong-${i}-xxxxx` }, ip);
        expect(r.status).toBe(400);
      }
      const delayed = await post("/login", { email, password: ACTOR_PASSWORD }, ip);
      expect(delayed.status).toBe(429);
      expect(delayed.headers.get("retry-after")).toMatch(/^(29|30)$/);
      expect(await delayed.text()).toMatch(/登录尝试过于频繁，请 (29|30) 秒后再试/);
      // The owner at another address is not affected.
      const owner = await post(
        "/login",
        { email, password: ACTOR_PASSWORD },
        { "x-forwarded-for": "10.9.1.2" },
      );
      expect(owner.status).toBe(302);
    });

    it("delays an address after 20 failures across different accounts", async () => {
      const ip = { "x-forwarded-for": "10.66.0.1" };
      for (let i = 0; i < 20; i++) {
        const r = await post(
          "/login",
          { email: `guess${i}@nowhere.test`, password: "guess-password" },
          ip,
        );
        expect(r.status).toBe(400);
      }
      const blocked = await post(
        "/login",
        { email: actors.bankX.email, password: ACTOR_PASSWORD },
        ip,
      );
      expect(blocked.status).toBe(429);
      const otherIp = await post(
        "/login",
        { email: actors.bankX.email, password: ACTOR_PASSWORD },
        { "x-forwarded-for": "10.66.0.2" },
      );
      expect(otherIp.status).toBe(302);
    });

    it("starts the pair's count again after 15 quiet minutes", async () => {
      const email = actors.firmB.email;
      const old = toDbInstant(new Date(Date.now() - 16 * 60 * 1000));
      await t.db
        .updateTable("login_throttle")
        .set({ last_failure_at: old, blocked_until: old })
        .where("throttle_key", "=", "pair:" + email + "|10.9.1.1")
        .execute();
      const res = await post(
        "/login",
        { email, password: ACTOR_PASSWORD },
        { "x-forwarded-for": "10.9.1.1" },
      );
      expect(res.status).toBe(302);
    });
  });

  describe("sessions", () => {
    it("sets an HttpOnly, SameSite=Lax cookie without Secure over plain http", async () => {
      const res = await post("/login", { email: actors.valuer.email, password: ACTOR_PASSWORD });
      const c = res.headers.get("set-cookie") ?? "";
      expect(c).toMatch(/^zr_session=/);
      expect(c).toMatch(/HttpOnly/);
      expect(c).toMatch(/SameSite=Lax/);
      expect(c).toMatch(/Path=\//);
      expect(c).not.toMatch(/Secure/);
    });

    it("uses a __Host- prefixed Secure cookie over HTTPS", async () => {
      const res = await post(
        "/login",
        { email: actors.valuer.email, password: ACTOR_PASSWORD },
        { "x-forwarded-proto": "https" },
      );
      const c = res.headers.get("set-cookie") ?? "";
      expect(c).toMatch(/^__Host-zr_session=/);
      expect(c).toMatch(/; Secure/);
      expect(c).toMatch(/HttpOnly/);
      expect(c).not.toMatch(/Domain=/);
    });

    it("rotates the session on log-in and deletes it on log-out", async () => {
      const first = await loginCookie(app, actors.alliance.email);
      const sessionsBefore = await t.db
        .selectFrom("sessions")
        .select("id")
        .where("user_id", "=", actors.alliance.userId)
        .execute();
      const res = await app.fetch("/login", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: app.baseURL,
          cookie: first,
        },
        body: form({ email: actors.alliance.email, password: ACTOR_PASSWORD }),
      });
      expect(res.status).toBe(302);
      const second = /(zr_session=[^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];
      expect(second).not.toBe(first);
      const sessionsAfter = await t.db
        .selectFrom("sessions")
        .select("id")
        .where("user_id", "=", actors.alliance.userId)
        .execute();
      expect(sessionsAfter).toHaveLength(sessionsBefore.length); // old one gone, new one added
      // The old cookie no longer opens the dashboard; the new one does.
      expect((await app.fetch("/alliance", { headers: { cookie: first } })).status).toBe(302);
      expect((await app.fetch("/alliance", { headers: { cookie: second } })).status).toBe(200);
      const out = await app.fetch("/logout", {
        method: "POST",
        headers: { origin: app.baseURL, cookie: second },
      });
      expect(out.status).toBe(302);
      expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
      expect((await app.fetch("/alliance", { headers: { cookie: second } })).status).toBe(302);
      const left = await t.db
        .selectFrom("sessions")
        .select("id")
        .where("user_id", "=", actors.alliance.userId)
        .execute();
      expect(left).toHaveLength(sessionsBefore.length - 1);
    });

    it("expires a session after 30 minutes idle", async () => {
      const cookie = await loginCookie(app, actors.bankY.email);
      expect((await app.fetch("/bank", { headers: { cookie } })).status).toBe(200);
      await t.db
        .updateTable("sessions")
        .set({ last_seen_at: toDbInstant(new Date(Date.now() - 31 * 60 * 1000)) })
        .where("user_id", "=", actors.bankY.userId)
        .execute();
      const res = await app.fetch("/bank", { headers: { cookie } });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fbank");
    });

    it("expires a session 12 hours after log-in even when active", async () => {
      const cookie = await loginCookie(app, actors.bankY.email);
      await t.db
        .updateTable("sessions")
        .set({
          created_at: toDbInstant(new Date(Date.now() - 13 * 3600 * 1000)),
          expires_at: toDbInstant(new Date(Date.now() - 3600 * 1000)),
        })
        .where("user_id", "=", actors.bankY.userId)
        .execute();
      expect((await app.fetch("/bank", { headers: { cookie } })).status).toBe(302);
    });
  });

  describe("cross-site requests", () => {
    it("refuses a POST from another origin with 403 and writes nothing", async () => {
      const before = await counts();
      const res = await post(
        "/register",
        validFirm({ uscc: buildUscc("150100", "MA0Y0009"), email: "csrf@register.test" }),
        { origin: "http://evil.example" },
      );
      expect(res.status).toBe(403);
      expect(await counts()).toEqual(before);
    });

    it("refuses a cross-site POST that only carries Sec-Fetch-Site", async () => {
      const res = await app.fetch("/logout", {
        method: "POST",
        headers: { "sec-fetch-site": "cross-site", cookie: actors.admin.cookie },
      });
      expect(res.status).toBe(403);
      expect((await app.fetch("/admin", { headers: { cookie: actors.admin.cookie } })).status).toBe(
        200,
      );
    });

    it("refuses Origin: null", async () => {
      const res = await post(
        "/login",
        { email: "x@y.test", password: "whatever-123" },
        { origin: "null" },
      );
      expect(res.status).toBe(403);
    });
  });

  describe("language", () => {
    it("serves zh-CN by default and English when the browser prefers it", async () => {
      const zh = await app.fetch("/", { headers: { "accept-language": "zh-CN,zh;q=0.9" } });
      const zhHtml = await zh.text();
      expect(zhHtml).toContain('<html lang="zh-CN"');
      expect(zhHtml).toContain("<title>内蒙古知识产权质押融资服务平台 · 知融</title>");
      const en = await app.fetch("/", { headers: { "accept-language": "en-GB,en;q=0.9" } });
      expect(await en.text()).toContain('<html lang="en"');
    });

    it("remembers the language chosen with the switch in a cookie", async () => {
      const res = await app.fetch("/set-language", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: app.baseURL },
        body: form({ locale: "en", redirectTo: "/login" }),
      });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/login");
      const cookie = /(zr_lng=[^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];
      const page = await app.fetch("/login", { headers: { cookie, "accept-language": "zh-CN" } });
      const html = await page.text();
      expect(html).toContain('<html lang="en"');
      expect(html).toContain("Log in");
      expect(html).toContain("<title>Log in · Zhirong</title>");
    });

    for (const to of ["//evil.example/", "/\t/evil.example/phish", "/login\r\nX-Injected: 1"]) {
      it(`does not follow ${JSON.stringify(to)} after switching language`, async () => {
        const res = await app.fetch("/set-language", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: app.baseURL },
          body: form({ locale: "en", redirectTo: to }),
        });
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe("/");
        expect(res.headers.get("x-injected")).toBeNull();
      });
    }
  });

  it("serves 404 pages in both languages", async () => {
    const zh = await app.fetch("/no-such-page");
    expect(zh.status).toBe(404);
    expect(await zh.text()).toContain("页面不存在");
    const en = await app.fetch("/no-such-page", { headers: { "accept-language": "en" } });
    expect(await en.text()).toContain("Page not found");
  });
});
