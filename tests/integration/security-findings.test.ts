/**
 * The security findings of issue 11, probed over HTTP on the built app: open redirects, header
 * injection, the log-in throttle (exact under concurrency, never locking the owner out), the
 * X-Forwarded-For default and unbounded page numbers.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ACCOUNT_ALERT_AT, FREE_FAILURES } from "../../app/domain/login-throttle";
import { createApp, loadBuild } from "../../scripts/server";
import { ACTOR_PASSWORD, useActors } from "../support/authz";
import { createDb, useTestDb } from "../support/db";
import { BUILD_DIR, useAppServer } from "../support/http";

describe("security findings", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const login = (
    data: Record<string, string>,
    ip: string,
    extra: { search?: string; cookie?: string } = {},
  ) =>
    app.fetch(`/login${extra.search ?? ""}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: app.baseURL,
        "x-forwarded-for": ip,
        ...(extra.cookie ? { cookie: extra.cookie } : {}),
      },
      body: new URLSearchParams(data).toString(),
    });

  const throttleRow = (key: string) =>
    t.db
      .selectFrom("login_throttle")
      .selectAll()
      .where("throttle_key", "=", key)
      .executeTakeFirst();

  describe("redirect after log-in", () => {
    const cases: [string, string][] = [
      ["a tab inside the path", "/\t/evil.example/phish"],
      ["a newline inside the path", "/\n/evil.example/phish"],
      ["CR/LF", "/firm\r\nSet-Cookie: evil=1"],
      ["a protocol-relative URL", "//evil.example/"],
    ];
    for (const [what, to] of cases) {
      it(`goes to the dashboard instead of following ${what}`, async () => {
        const res = await login(
          { email: actors.valuer.email, password: ACTOR_PASSWORD, redirectTo: to },
          "10.20.0.1",
        );
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe("/valuer");
        expect(res.headers.get("set-cookie") ?? "").not.toMatch(/evil=/);
      });
    }

    it("follows a same-site path", async () => {
      const res = await login(
        { email: actors.valuer.email, password: ACTOR_PASSWORD, redirectTo: "/valuer/orders?x=1" },
        "10.20.0.1",
      );
      expect(res.headers.get("location")).toBe("/valuer/orders?x=1");
    });
  });

  describe("log-in throttle", () => {
    it(`admits exactly ${FREE_FAILURES.pair} of 30 concurrent wrong passwords for one pair`, async () => {
      const ip = "10.30.0.1";
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          login({ email: actors.firmA.email, password: `wrong-${i}-password` }, ip),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 400)).toHaveLength(FREE_FAILURES.pair);
      expect(statuses.filter((s) => s === 429)).toHaveLength(30 - FREE_FAILURES.pair);
      const pair = await throttleRow(`pair:${actors.firmA.email}|${ip}`);
      expect(pair?.failures).toBe(FREE_FAILURES.pair);
      const attempts = await t.db
        .selectFrom("login_attempts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("email", "=", actors.firmA.email)
        .where("ip", "=", ip)
        .executeTakeFirstOrThrow();
      expect(Number(attempts.n)).toBe(FREE_FAILURES.pair);
    });

    it("never locks the owner out, however many wrong passwords come from other addresses", async () => {
      const email = actors.bankX.email;
      for (let i = 0; i < 40; i++) {
        const r = await login({ email, password: `guess-${i}-password` }, `10.40.${i}.9`);
        expect(r.status).toBe(400);
      }
      const owner = await login({ email, password: ACTOR_PASSWORD }, "10.41.0.1");
      expect(owner.status).toBe(302);
    });

    it(`alerts the admin once at ${ACCOUNT_ALERT_AT} failures on one account, still admitting the owner`, async () => {
      const email = actors.bankY.email;
      const guesses = Array.from({ length: ACCOUNT_ALERT_AT + 5 }, (_, i) => i);
      // Concurrent guesses from many addresses: the alert must still be sent exactly once.
      const results = await Promise.all(
        guesses.map((i) => login({ email, password: `guess-${i}-password` }, `10.50.${i}.7`)),
      );
      expect(results.every((r) => r.status === 400)).toBe(true);
      const acct = await throttleRow(`acct:${email}`);
      expect(acct?.failures).toBe(ACCOUNT_ALERT_AT + 5);
      const alerts = await t.db
        .selectFrom("audit_log")
        .select("entity_id")
        .where("action", "=", "auth.account_under_attack")
        .execute();
      expect(alerts).toEqual([{ entity_id: String(actors.bankY.userId) }]);
      const notes = await t.db
        .selectFrom("notifications")
        .select(["kind", "params_json"])
        .where("user_id", "=", actors.admin.userId)
        .where("kind", "=", "accountUnderAttack")
        .execute();
      expect(notes).toHaveLength(1);
      expect(JSON.parse(notes[0].params_json)).toMatchObject({ email });
      expect((await login({ email, password: ACTOR_PASSWORD }, "10.51.0.1")).status).toBe(302);
    });
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY is set", async () => {
    const saved = process.env.TRUST_PROXY;
    delete process.env.TRUST_PROXY;
    const bare = createApp(await loadBuild(BUILD_DIR));
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const s = bare.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/login`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: base,
          "x-forwarded-for": "203.0.113.77",
        },
        body: new URLSearchParams({ email: "xff@nowhere.test", password: "whatever-123" }),
      });
      expect(res.status).toBe(400);
      const rows = await t.db
        .selectFrom("login_attempts")
        .select("ip")
        .where("email", "=", "xff@nowhere.test")
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0].ip).not.toContain("203.0.113.77");
      expect(rows[0].ip).toMatch(/127\.0\.0\.1/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (saved !== undefined) process.env.TRUST_PROXY = saved;
    }
  });

  it("answers a huge or negative page number of the audit log with a page, not a 500", async () => {
    for (const page of ["99999999999999999999", "-5", "1e308", "NaN"]) {
      const res = await app.fetch(`/admin/audit?page=${page}`, {
        headers: { cookie: actors.admin.cookie },
      });
      expect(res.status).toBe(200);
    }
  });

  it("keeps a concurrent counter exact on a second connection pool too", async () => {
    // 30 concurrent wrong passwords through a wide pool (MariaDB really runs them in parallel).
    const big = createDb(t.url, { poolSize: 40 });
    try {
      const { verifyLogin } = await import("../../app/utils/auth.server");
      const ip = "10.60.0.1";
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          verifyLogin(actors.alliance.email, "wrong-password-x", ip, big.db),
        ),
      );
      expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(
        FREE_FAILURES.pair,
      );
      const pair = await throttleRow(`pair:${actors.alliance.email}|${ip}`);
      expect(pair?.failures).toBe(FREE_FAILURES.pair);
    } finally {
      await big.db.destroy();
    }
  });
});
