/**
 * Two-factor authentication end to end over HTTP (docs/decisions/014-two-factor.md): enrolment
 * with a first code, the second log-in step, a recovery code working once, a TOTP code refused on
 * replay, the throttle, the per-role requirement in the permission guards, and disabling.
 */
import { describe, expect, it } from "vitest";
import { pendingEnrolmentSecret, setTwoFactorPolicy } from "../../app/models/two-factor.server";
import { totpCodeAt } from "../../app/utils/two-factor.server";
import { ACTOR_PASSWORD, requestAs, useActors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe(`two-factor authentication on ${testDbKind()}`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let secret = "";
  let recoveryCodes: string[] = [];

  const post = (path: string, values: Record<string, string>, cookie?: string) =>
    app.fetch(path, {
      method: "POST",
      headers: { ...FORM, origin: app.baseURL, ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(values).toString(),
    });
  const cookiePair = (res: Response, name: string) => {
    for (const c of res.headers.getSetCookie()) {
      const m = new RegExp(`^(${name}=[^;]+)`).exec(c);
      if (m && !/Max-Age=0/.test(c)) return m[1];
    }
    return null;
  };
  /** Password step for bank X: returns the pending cookie (and checks no session was made). */
  const passwordStep = async () => {
    const res = await post("/login", { email: actors.bankX.email, password: ACTOR_PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login/two-factor");
    expect(cookiePair(res, "zr_session")).toBeNull();
    const pending = cookiePair(res, "zr_2fa");
    expect(pending).not.toBeNull();
    return pending!;
  };
  const auditCount = async (action: string) =>
    Number(
      (
        await t.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("action", "=", action)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("enrols with a QR code and a first code, storing the secret encrypted and the codes hashed", async () => {
    const start = await requestAs(app, actors, "bankX", "/account/two-factor", {
      method: "POST",
      headers: FORM,
      body: "intent=start",
    });
    expect(start.status).toBe(302);
    const page = await requestAs(app, actors, "bankX", "/account/two-factor");
    const html = await page.text();
    expect(html).toContain("data:image/svg+xml;base64,");
    secret = (await pendingEnrolmentSecret(t.db, actors.bankX.userId))!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const stored = await t.db
      .selectFrom("user_totp")
      .selectAll()
      .where("user_id", "=", actors.bankX.userId)
      .executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(secret);
    expect(stored.enabled_at).toBeNull();

    // A wrong first code changes nothing.
    const wrong = await requestAs(app, actors, "bankX", "/account/two-factor", {
      method: "POST",
      headers: FORM,
      body: "intent=confirm&code=000000",
    });
    expect(wrong.status).toBe(400);

    const ok = await requestAs(app, actors, "bankX", "/account/two-factor", {
      method: "POST",
      headers: FORM,
      body: `intent=confirm&code=${totpCodeAt(secret, new Date())}`,
    });
    expect(ok.status).toBe(200);
    const shown = await ok.text();
    recoveryCodes = [...shown.matchAll(/data-testid="recovery-code">([A-Z0-9-]+)</g)].map(
      (m) => m[1],
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const rows = await t.db
      .selectFrom("recovery_codes")
      .select("code_hash")
      .where("user_id", "=", actors.bankX.userId)
      .execute();
    expect(rows).toHaveLength(10);
    for (const r of rows) expect(recoveryCodes).not.toContain(r.code_hash);
    expect(await auditCount("auth.two_factor_enabled")).toBe(1);
    // The session that enrolled is kept.
    const still = await requestAs(app, actors, "bankX", "/account/two-factor");
    expect(still.status).toBe(200);
  });

  it("asks for a code after the password, and refuses the same code twice", async () => {
    const pending = await passwordStep();
    const wrong = await post("/login/two-factor", { code: "123456" }, pending);
    expect(wrong.status).toBe(400);
    expect(cookiePair(wrong, "zr_session")).toBeNull();

    // The enrolment spent the current step: the next step's code (within the window) is fresh.
    const code = totpCodeAt(secret, new Date(Date.now() + 30_000));
    const ok = await post("/login/two-factor", { code }, pending);
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/bank");
    const session = cookiePair(ok, "zr_session");
    expect(session).not.toBeNull();
    expect((await app.fetch("/bank", { headers: { cookie: session! } })).status).toBe(200);

    const again = await post("/login/two-factor", { code }, await passwordStep());
    expect(again.status).toBe(400);
    expect(cookiePair(again, "zr_session")).toBeNull();
  });

  it("refuses the code step without a validly signed pending state", async () => {
    const res = await post("/login/two-factor", { code: "123456" }, "zr_2fa=forged.signature");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?expired=1");
  });

  it("accepts each recovery code once", async () => {
    const first = await post(
      "/login/two-factor",
      { code: recoveryCodes[0].toLowerCase() },
      await passwordStep(),
    );
    expect(first.status).toBe(302);
    expect(cookiePair(first, "zr_session")).not.toBeNull();
    const second = await post(
      "/login/two-factor",
      { code: recoveryCodes[0] },
      await passwordStep(),
    );
    expect(second.status).toBe(400);
    const page = await requestAs(app, actors, "bankX", "/account/two-factor");
    expect(await page.text()).toMatch(/recovery-codes-left[^>]*>[^<]*9/);
    expect(await auditCount("auth.recovery_code_used")).toBe(1);
  });

  it("throttles wrong codes like wrong passwords", async () => {
    await t.db.deleteFrom("login_throttle").execute();
    const pending = await passwordStep();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await post("/login/two-factor", { code: "000000" }, pending)).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    // Even the right code waits out the delay.
    const right = totpCodeAt(secret, new Date(Date.now() + 30_000));
    expect((await post("/login/two-factor", { code: right }, pending)).status).toBe(429);
    await t.db.deleteFrom("login_throttle").execute();
  });

  it("sends users whose role must use it to enrolment before money-moving actions", async () => {
    expect((await requestAs(app, actors, "admin", "/admin/ledger")).status).toBe(200);
    await setTwoFactorPolicy(t.db, { userId: null, orgId: null }, ["admin", "bank_officer"], null);
    const res = await requestAs(app, actors, "admin", "/admin/ledger");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(
      "/account/two-factor?required=1&redirectTo=%2Fadmin%2Fledger",
    );
    // Pages that move no money stay open.
    expect((await requestAs(app, actors, "admin", "/admin/audit")).status).toBe(200);
    // The enrolled bank officer is not held back.
    expect((await requestAs(app, actors, "bankX", "/bank/applications")).status).toBe(200);
    const policy = await t.db
      .selectFrom("settings")
      .select("updated_at")
      .where("name", "=", "two_factor_required_roles")
      .executeTakeFirstOrThrow();
    await setTwoFactorPolicy(t.db, { userId: null, orgId: null }, [], policy.updated_at);
    expect((await requestAs(app, actors, "admin", "/admin/ledger")).status).toBe(200);
  });

  it("turns off only with the password and a code", async () => {
    const wrongPassword = await requestAs(app, actors, "bankX", "/account/two-factor", {
      method: "POST",
      headers: FORM,
      body: new URLSearchParams({
        intent: "disable",
        password: "not-the-password",
        code: recoveryCodes[1],
      }).toString(),
    });
    expect(wrongPassword.status).toBe(400);
    const ok = await requestAs(app, actors, "bankX", "/account/two-factor", {
      method: "POST",
      headers: FORM,
      body: new URLSearchParams({
        intent: "disable",
        password: ACTOR_PASSWORD,
        code: recoveryCodes[1],
      }).toString(),
    });
    expect(ok.status).toBe(302);
    const left = await t.db
      .selectFrom("user_totp")
      .select("user_id")
      .where("user_id", "=", actors.bankX.userId)
      .execute();
    expect(left).toHaveLength(0);
    expect(await auditCount("auth.two_factor_disabled")).toBe(1);
    // The password alone logs in again.
    const login = await post("/login", { email: actors.bankX.email, password: ACTOR_PASSWORD });
    expect(login.headers.get("location")).toBe("/bank");
  });
});
