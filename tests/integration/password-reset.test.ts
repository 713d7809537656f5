/**
 * Password reset over HTTP on the built app: the same answer for known and unknown addresses, a
 * single-use hashed token valid 30 minutes, throttled mails, and every session ended by a reset.
 */
import { describe, expect, it } from "vitest";
import { hashEmailToken, RESET_MAILS_PER_HOUR } from "../../app/models/password-reset.server";
import { toDbInstant } from "../../app/utils/time";
import { ACTOR_PASSWORD, loginCookie, useActors } from "../support/authz";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

describe("password reset", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const post = (path: string, data: Record<string, string>) =>
    app.fetch(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app.baseURL },
      body: new URLSearchParams(data).toString(),
    });

  /** The page without what differs per response anyway (CSP nonces). */
  const stable = (html: string) => html.replace(/nonce="[^"]*"/g, 'nonce=""');

  const lastResetUrl = async (email: string) => {
    const row = await t.db
      .selectFrom("mail_queue")
      .select("body_text")
      .where("to_email", "=", email)
      .where("template", "=", "passwordReset")
      .orderBy("id", "desc")
      .executeTakeFirst();
    const m = row && /\/reset-password\/([A-Za-z0-9_-]+)/.exec(row.body_text);
    return m ? m[1] : null;
  };

  it("is linked from the log-in page", async () => {
    expect(await (await app.fetch("/login")).text()).toContain('href="/forgot-password"');
  });

  it("answers a known and an unknown address with the same status and body", async () => {
    const known = await post("/forgot-password", { email: actors.bankX.email });
    const unknown = await post("/forgot-password", { email: "nobody@nowhere.test" });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    const a = stable(await known.text());
    expect(a).toContain("如果该邮箱已注册，重设链接已发出");
    expect(stable(await unknown.text())).toBe(a);
    expect(await lastResetUrl(actors.bankX.email)).not.toBeNull();
    expect(await lastResetUrl("nobody@nowhere.test")).toBeNull();
  });

  it("resets once with the mailed token, stores only its hash and ends every session", async () => {
    const email = actors.valuer.email;
    const cookie = await loginCookie(app, email);
    expect((await app.fetch("/valuer", { headers: { cookie } })).status).toBe(200);
    await post("/forgot-password", { email });
    const token = (await lastResetUrl(email))!;
    const stored = await t.db
      .selectFrom("email_tokens")
      .select("token_hash")
      .where("user_id", "=", actors.valuer.userId)
      .execute();
    expect(stored.map((r) => r.token_hash)).toContain(hashEmailToken(token));
    expect(stored.map((r) => r.token_hash)).not.toContain(token);

    expect((await app.fetch(`/reset-password/${token}`)).status).toBe(200);
    const done = await post(`/reset-password/${token}`, { password: "a-brand-new-password" });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/login?reset=1");
    // The old session is gone; the old password no longer works; the new one does.
    expect((await app.fetch("/valuer", { headers: { cookie } })).status).toBe(302);
    await expect(loginCookie(app, email, ACTOR_PASSWORD)).rejects.toThrow(/login failed/);
    expect(await loginCookie(app, email, "a-brand-new-password")).toMatch(/zr_session=/);

    // Used once: a second use is refused and changes nothing.
    const again = await post(`/reset-password/${token}`, { password: "yet-another-password" });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("此链接无效、已使用或已过期");
    expect(await loginCookie(app, email, "a-brand-new-password")).toMatch(/zr_session=/);
  });

  it("refuses a token after 30 minutes", async () => {
    const email = actors.alliance.email;
    await post("/forgot-password", { email });
    const token = (await lastResetUrl(email))!;
    await t.db
      .updateTable("email_tokens")
      .set({ expires_at: toDbInstant(new Date(Date.now() - 1000)) })
      .where("token_hash", "=", hashEmailToken(token))
      .execute();
    const res = await post(`/reset-password/${token}`, { password: "a-brand-new-password" });
    expect(res.status).toBe(400);
    expect(await loginCookie(app, email)).toMatch(/zr_session=/);
  });

  it(`mails at most ${RESET_MAILS_PER_HOUR} links an hour to one account, answering the same`, async () => {
    const email = actors.firmB.email;
    const bodies = new Set<string>();
    for (let i = 0; i < RESET_MAILS_PER_HOUR + 2; i++) {
      const res = await post("/forgot-password", { email });
      expect(res.status).toBe(200);
      bodies.add(stable(await res.text()));
    }
    expect(bodies.size).toBe(1);
    const mails = await t.db
      .selectFrom("mail_queue")
      .select("id")
      .where("to_email", "=", email)
      .where("template", "=", "passwordReset")
      .execute();
    expect(mails).toHaveLength(RESET_MAILS_PER_HOUR);
  });
});
