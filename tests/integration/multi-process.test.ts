import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressSummary } from "../../app/domain/progress";
import { FREE_FAILURES } from "../../app/domain/login-throttle";
import { admitLoginAttempt } from "../../app/models/login-throttle.server";
import { PUBLIC_CACHE_CHANNEL } from "../../app/models/public-version.server";
import {
  createEventBus,
  getEventBus,
  setEventBus,
  type EventBus,
} from "../../app/utils/event-bus.server";
import { createApp, loadBuild } from "../../scripts/server";
import { addAsset, createDealWorld, driveTo, newApplication } from "../support/applications";
import { ACTOR_PASSWORD, useActors } from "../support/authz";
import { useTestDb } from "../support/db";
import { startAppServer, useAppServer, type AppServer } from "../support/http";
import { createRedis, getRedis, setRedis } from "../../app/utils/redis.server";
import { ensureRedisServer, type RedisTestServer } from "../support/redis";

/**
 * Several processes (issue 15): this test process plays one server, a second event bus with its
 * own Redis connections plays another process, and a second app instance on the same database
 * plays another worker.
 */
describe("more than one process", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let redis: RedisTestServer;
  let other: EventBus;
  const previousPoll = process.env.PROGRESS_POLL_MS;

  beforeAll(async () => {
    redis = await ensureRedisServer();
    // Polls far apart: what arrives in these tests came through the bus.
    process.env.PROGRESS_POLL_MS = "600000";
    await setEventBus(createEventBus(redis.url));
    other = createEventBus(redis.url);
  });
  afterAll(async () => {
    if (previousPoll === undefined) delete process.env.PROGRESS_POLL_MS;
    else process.env.PROGRESS_POLL_MS = previousPoll;
    await other?.close();
    await setEventBus(undefined);
    await redis?.stop();
  });

  it("delivers another process's progress event to this process's SSE subscriber", async () => {
    expect(getEventBus().kind).toBe("redis");
    // A disbursed loan, so the running total has its rollup row.
    const w = await createDealWorld(t.db);
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId)],
      amountFen: 1_000_000,
    });
    await driveTo(t.db, w, id, "disbursed");
    const controller = new AbortController();
    const res = await app.fetch("/events/progress", { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const nextSummary = async (): Promise<ProgressSummary> => {
      for (;;) {
        const m = /event: progress\nid: [^\n]*\ndata: ([^\n]*)\n\n/.exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return JSON.parse(m[1]) as ProgressSummary;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextSummary();
    await getEventBus().subscribed("progress");

    // The other process commits (here: moves the rollup) and announces it on its bus.
    await t.db
      .updateTable("disbursement_rollups")
      .set({ amount_fen: sql`amount_fen + 12345` })
      .where("dimension", "=", "total")
      .execute();
    const started = Date.now();
    other.publish("progress");
    const pushed = await Promise.race([
      (async () => {
        for (;;) {
          const s = await nextSummary();
          if (s.financedFen !== first.financedFen) return s;
        }
      })(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("no push within 3 s")), 3000),
      ),
    ]);
    expect(pushed.financedFen).toBe(first.financedFen + 12345);
    expect(Date.now() - started).toBeLessThan(3000);
    controller.abort();
    await reader.cancel().catch(() => {});
    await t.db
      .updateTable("disbursement_rollups")
      .set({ amount_fen: sql`amount_fen - 12345` })
      .where("dimension", "=", "total")
      .execute();
  });

  it("clears every instance's public page cache when another process invalidates", async () => {
    const build = await loadBuild();
    const second = createApp(build);
    await getEventBus().subscribed(PUBLIC_CACHE_CHANNEL);
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const s = second.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const { port } = server.address() as import("node:net").AddressInfo;
      const get = () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      await get();
      await get();
      const before = { ...second.publicCache.stats };
      expect(before.hits).toBeGreaterThan(0);
      other.publish(PUBLIC_CACHE_CHANNEL);
      const until = Date.now() + 3000;
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        await get();
        if (second.publicCache.stats.misses > before.misses) break;
        if (Date.now() > until) throw new Error("the cache was not cleared");
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("counts log-in failures once across two app instances on the same database", async () => {
    const second: AppServer = await startAppServer();
    try {
      const email = actors.firmA.email;
      const ip = `10.77.${Math.floor(Math.random() * 200)}.1`;
      const post = (on: AppServer, password: string) =>
        on.fetch("/login", {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            origin: on.baseURL,
            "x-forwarded-for": ip,
          },
          body: new URLSearchParams({ email, password }).toString(),
        });
      // Five wrong passwords, alternating between the two "workers".
      for (let i = 0; i < 5; i++) {
        const r = await post(i % 2 ? second : app, `wrong-${randomUUID()}`);
        expect(r.status).toBe(400);
      }
      // Both now refuse the pair, though neither saw five failures itself.
      expect((await post(app, ACTOR_PASSWORD)).status).toBe(429);
      expect((await post(second, ACTOR_PASSWORD)).status).toBe(429);
    } finally {
      await second.close();
    }
  });

  describe("the log-in throttle with REDIS_URL", () => {
    const ip = () => `10.78.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const post = (on: AppServer, email: string, password: string, from: string) =>
      on.fetch("/login", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: on.baseURL,
          "x-forwarded-for": from,
        },
        body: new URLSearchParams({ email, password }).toString(),
      });
    const throttleRows = async (from: string) =>
      (
        await t.db
          .selectFrom("login_throttle")
          .select("throttle_key")
          .where("throttle_key", "like", `%${from}`)
          .execute()
      ).map((r) => r.throttle_key);
    afterAll(async () => {
      await setRedis(undefined);
    });

    it("counts in Redis across two app instances, writing no throttle row", async () => {
      await setRedis(createRedis(redis.url));
      const second: AppServer = await startAppServer();
      try {
        const email = actors.firmB.email;
        const from = ip();
        for (let i = 0; i < FREE_FAILURES.pair; i++) {
          const r = await post(i % 2 ? second : app, email, `wrong-${randomUUID()}`, from);
          expect(r.status).toBe(400);
        }
        expect((await post(app, email, ACTOR_PASSWORD, from)).status).toBe(429);
        const refused = await post(second, email, ACTOR_PASSWORD, from);
        expect(refused.status).toBe(429);
        expect(refused.headers.get("retry-after")).toMatch(/^(29|30)$/);
        expect(await throttleRows(from)).toEqual([]);
        const key = `zr:throttle:pair:${email}|${from}`;
        expect(await getRedis()!.hget(key, "f")).toBe(String(FREE_FAILURES.pair));
        // The owner at another address is not refused.
        expect((await post(second, email, ACTOR_PASSWORD, ip())).status).toBe(302);
      } finally {
        await second.close();
      }
    });

    it(`admits exactly ${FREE_FAILURES.pair} of 30 concurrent guesses made through two connections`, async () => {
      // Two connections play two processes; Redis runs each admission script alone.
      const a = createRedis(redis.url);
      const b = createRedis(redis.url);
      try {
        const email = `racer-${randomUUID()}@nowhere.test`;
        const from = ip();
        const now = new Date();
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            admitLoginAttempt(t.db, email, from, now, i % 2 ? a : b),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(FREE_FAILURES.pair);
        expect(await throttleRows(from)).toEqual([]);
        // A window later the pair counts from one again.
        const later = new Date(now.getTime() + 16 * 60_000);
        expect(await admitLoginAttempt(t.db, email, from, later, b)).toEqual({ ok: true });
        expect(await a.hget(`zr:throttle:pair:${email}|${from}`, "f")).toBe("1");
      } finally {
        a.disconnect();
        b.disconnect();
      }
    });

    it("lets two attempts from one address through whatever order their clocks ran in", async () => {
      // Two log-ins at once from one address: the one whose clock read later counts first. A free
      // failure must not block the other for the few ms between the two readings.
      const a = createRedis(redis.url);
      try {
        for (const store of [null, a]) {
          const from = ip();
          const t0 = Date.now();
          const later = await admitLoginAttempt(
            t.db,
            `a-${randomUUID()}@nowhere.test`,
            from,
            new Date(t0 + 5),
            store,
          );
          const earlier = await admitLoginAttempt(
            t.db,
            `b-${randomUUID()}@nowhere.test`,
            from,
            new Date(t0),
            store,
          );
          expect([later, earlier], store ? "Redis" : "database").toEqual([
            { ok: true },
            { ok: true },
          ]);
        }
      } finally {
        a.disconnect();
      }
    });

    it("counts in the database when Redis does not answer, so guesses stay throttled", async () => {
      const errors = console.error;
      console.error = () => {};
      try {
        // Nothing listens on port 1: every command fails and the throttle falls back.
        await setRedis(createRedis("redis://127.0.0.1:1"));
        const email = actors.firmA.email;
        const from = ip();
        for (let i = 0; i < FREE_FAILURES.pair; i++) {
          expect((await post(app, email, `wrong-${randomUUID()}`, from)).status).toBe(400);
        }
        expect((await post(app, email, ACTOR_PASSWORD, from)).status).toBe(429);
        expect(await throttleRows(from)).toEqual([`ip:${from}`, `pair:${email}|${from}`].sort());
      } finally {
        await setRedis(undefined);
        console.error = errors;
      }
    });
  });
});
