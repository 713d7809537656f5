/**
 * The bank pipeline's stored counts (decision 024), on SQLite and MariaDB (TEST_DB). The test data
 * are small, so the stored path is forced with livePairLimit: 0. The counts must equal the live
 * judgement (countRequestStatesForProducts) once refreshed, and a view must refresh exactly when
 * the stored counts are from another day, another product version or older than a minute — never
 * two refreshes of a product at once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  countRequestStatesForProducts,
  PIPELINE_LEASE_MS,
  PIPELINE_MAX_AGE_MS,
  pipelineCountsForProducts,
  pipelineRefreshesSettled,
  setPipelineRefresher,
  workerPipelineRefresher,
} from "../../app/models/matching.server";
import { setProductActive } from "../../app/models/product.server";
import { addDays } from "../../app/domain/ip";
import { currentTime, nowInstant, replayAt, todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import { addOpenRequest, createDealWorld, type DealWorld } from "../support/applications";

const today = todayInChina();
const STORED = { livePairLimit: 0 };

describe(`pipeline counts on ${process.env.TEST_DB ?? "sqlite"}`, () => {
  const t = useTestDb();
  let w: DealWorld;
  const products = async () => {
    const rows = await t.db
      .selectFrom("loan_products")
      .select(["id", "version", "active"])
      .where("id", "in", [w.productX, w.productY])
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ id: r.id, version: r.version, active: r.active === 1 }));
  };
  const live = async () => {
    const ids = (await products()).filter((p) => p.active).map((p) => p.id);
    return countRequestStatesForProducts(t.db, ids, today);
  };
  const request = (amountFen: number) => addOpenRequest(t.db, w, amountFen, today);
  const storedRow = (id: number) =>
    t.db.selectFrom("pipeline_counts").selectAll().where("product_id", "=", id).executeTakeFirst();

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    await request(10_000_000);
    await request(20_000_000);
  });

  it("counts live on a small marketplace, with nothing stored", async () => {
    const got = await pipelineCountsForProducts(t.db, await products(), today);
    const expected = await live();
    expect([...expected.values()].some((c) => c.ready + c.needs_appraisal > 0)).toBe(true);
    for (const [id, c] of expected) {
      expect(got.get(id)).toEqual({ counts: c, live: true, computedAt: null, refreshing: false });
    }
    expect(await storedRow(w.productX)).toBeUndefined();
  });

  it("stores the engine's counts in the background and serves them until they are stale", async () => {
    const first = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    expect(first.get(w.productX)).toMatchObject({ counts: null, live: false, refreshing: true });
    await pipelineRefreshesSettled();
    const expected = await live();
    const second = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    for (const [id, c] of expected) {
      expect(second.get(id)).toMatchObject({ counts: c, live: false, refreshing: false });
      expect(second.get(id)!.computedAt).not.toBeNull();
    }
    const row = await storedRow(w.productX);
    expect(row).toMatchObject({ as_of_day: today, refresh_started_at: null });

    // A new request inside the minute: the stored counts stand (and say when they are from).
    await request(30_000_000);
    const after = await live();
    expect(after.get(w.productX)).not.toEqual(expected.get(w.productX));
    const third = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    expect(third.get(w.productX)).toMatchObject({
      counts: expected.get(w.productX),
      refreshing: false,
    });
    await pipelineRefreshesSettled();
    expect((await storedRow(w.productX))!.computed_at).toBe(row!.computed_at);

    // Older than the minute: shown as they are, refreshed behind, current on the next view.
    const later = new Date(currentTime().getTime() + PIPELINE_MAX_AGE_MS + 1_000);
    const stale = await replayAt(later, async () =>
      pipelineCountsForProducts(t.db, await products(), today, STORED),
    );
    expect(stale.get(w.productX)).toMatchObject({
      counts: expected.get(w.productX),
      refreshing: true,
    });
    await pipelineRefreshesSettled();
    const fresh = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    expect(fresh.get(w.productX)).toMatchObject({
      counts: after.get(w.productX),
      refreshing: false,
    });
  });

  it("refreshes a product whose version changed, and on a new day", async () => {
    await request(40_000_000);
    const expected = await live();
    // Pausing and resuming bumps the version twice: the stored counts are of an older version.
    const [x] = await products();
    await setProductActive(t.db, {
      bankOrgId: w.bankX.orgId,
      userId: w.bankX.userId,
      productId: x.id,
      expectedVersion: x.version,
      active: false,
    });
    const paused = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    expect(paused.get(w.productX)).toEqual({
      counts: { ready: 0, needs_appraisal: 0, near_miss: 0 },
      live: true,
      computedAt: null,
      refreshing: false,
    });
    await setProductActive(t.db, {
      bankOrgId: w.bankX.orgId,
      userId: w.bankX.userId,
      productId: x.id,
      expectedVersion: x.version + 1,
      active: true,
    });
    const edited = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    expect(edited.get(w.productX)).toMatchObject({ refreshing: true });
    expect(edited.get(w.productY)).toMatchObject({ refreshing: false });
    await pipelineRefreshesSettled();
    const current = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    expect(current.get(w.productX)).toMatchObject({
      counts: expected.get(w.productX),
      refreshing: false,
    });
    expect((await storedRow(w.productX))!.product_version).toBe(x.version + 2);

    const tomorrow = addDays(today, 1);
    const nextDay = await pipelineCountsForProducts(t.db, await products(), tomorrow, STORED);
    expect(nextDay.get(w.productX)).toMatchObject({ refreshing: true });
    expect(nextDay.get(w.productY)).toMatchObject({ refreshing: true });
    await pipelineRefreshesSettled();
    expect((await storedRow(w.productY))!.as_of_day).toBe(tomorrow);
  });

  it("starts no second refresh while one holds the lease, and retakes a dead one", async () => {
    const later = new Date(currentTime().getTime() + PIPELINE_MAX_AGE_MS + 1_000);
    await t.db
      .updateTable("pipeline_counts")
      .set({ refresh_started_at: nowInstant() })
      .where("product_id", "=", w.productX)
      .execute();
    const before = await storedRow(w.productX);
    await replayAt(later, async () =>
      pipelineCountsForProducts(t.db, await products(), today, STORED),
    );
    await pipelineRefreshesSettled();
    // productY was refreshed; productX's lease was held by "another process": untouched.
    expect(await storedRow(w.productX)).toEqual(before);
    expect((await storedRow(w.productY))!.computed_at! > before!.computed_at!).toBe(true);

    // A lease older than PIPELINE_LEASE_MS is a crashed refresh: the next view takes it over.
    const muchLater = new Date(currentTime().getTime() + PIPELINE_LEASE_MS + 60_000);
    await replayAt(muchLater, async () =>
      pipelineCountsForProducts(t.db, await products(), today, STORED),
    );
    await pipelineRefreshesSettled();
    const retaken = await storedRow(w.productX);
    expect(retaken!.refresh_started_at).toBeNull();
    expect(retaken!.computed_at! > before!.computed_at!).toBe(true);
  });

  it("refreshes on a worker thread with its own connection when the server installs one", async () => {
    await request(50_000_000);
    const expected = await live();
    setPipelineRefresher(t.db, workerPipelineRefresher(t.url));
    try {
      const later = new Date(currentTime().getTime() + PIPELINE_LEASE_MS + 120_000);
      const view = await replayAt(later, async () =>
        pipelineCountsForProducts(t.db, await products(), today, STORED),
      );
      expect(view.get(w.productX)).toMatchObject({ refreshing: true });
      await pipelineRefreshesSettled();
    } finally {
      setPipelineRefresher(t.db, undefined);
    }
    const after = await pipelineCountsForProducts(t.db, await products(), today, STORED);
    for (const [id, c] of expected) {
      expect(after.get(id)).toMatchObject({ counts: c, refreshing: false });
    }
  });
});
