/**
 * The alliance review's stored figures (decision 025), on SQLite and MariaDB (TEST_DB). The test
 * data are small, so the stored path is forced with liveDealLimit: -1. Stored figures must equal
 * getReview's at the time they were computed; a view must refresh exactly when the data version
 * moved or the figures are older than REVIEW_MAX_AGE_MS, never twice at once; a viewer is refused
 * what they may not ask for before anything stored is read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getReview } from "../../app/models/alliance.server";
import type { ReviewViewer } from "../../app/models/alliance-figures.server";
import {
  REVIEW_LEASE_MS,
  REVIEW_MAX_AGE_MS,
  reviewDataVersion,
  reviewForViewer,
  reviewRefreshesSettled,
  reviewSnapshotKey,
  setReviewRefresher,
  workerReviewRefresher,
} from "../../app/models/review-snapshots.server";
import { setProductActive } from "../../app/models/product.server";
import { UserFacingError } from "../../app/models/errors";
import { parseReviewQuery, type ReviewFilters } from "../../app/utils/alliance-filters";
import { currentTime, nowInstant, replayAt, todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import { addOpenRequest, createDealWorld, type DealWorld } from "../support/applications";

const today = todayInChina();
const STORED = { liveDealLimit: -1 };

describe(`the review's stored figures on ${process.env.TEST_DB ?? "sqlite"}`, () => {
  const t = useTestDb();
  let w: DealWorld;
  let admin: ReviewViewer;
  let officer: ReviewViewer;
  const filters = (query = ""): ReviewFilters =>
    parseReviewQuery(new URLSearchParams(query), today).filters;
  const request = (amountFen: number) => addOpenRequest(t.db, w, amountFen, today);
  const row = (viewer: ReviewViewer, f: ReviewFilters) =>
    t.db
      .selectFrom("review_snapshots")
      .selectAll()
      .where("snapshot_key", "=", reviewSnapshotKey(viewer, f))
      .executeTakeFirst();
  const requestsStage = (r: Awaited<ReturnType<typeof getReview>>) =>
    r.funnel.find((s) => s.stage === "requests");

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    admin = { role: "admin", orgId: w.admin.orgId };
    officer = { role: "bank_officer", orgId: w.bankX.orgId };
    await request(10_000_000);
  });

  it("computes every view on a small marketplace, with nothing stored", async () => {
    const got = await reviewForViewer(t.db, admin, filters());
    expect(got).toEqual({
      review: await getReview(t.db, admin, filters()),
      live: true,
      computedAt: null,
      refreshing: false,
    });
    expect(requestsStage(got.review)).toMatchObject({ count: 1, amountFen: 10_000_000 });
    expect(await row(admin, filters())).toBeUndefined();
  });

  it("waits for a combination's first figures, then serves them while the data stand still", async () => {
    const first = await reviewForViewer(t.db, admin, filters(), STORED);
    expect(first.live).toBe(false);
    expect(first.refreshing).toBe(false);
    expect(first.computedAt).not.toBeNull();
    expect(first.review).toEqual(await getReview(t.db, admin, filters()));
    const stored = await row(admin, filters());
    expect(stored).toMatchObject({
      scope: "all",
      data_version: await reviewDataVersion(t.db),
      refresh_started_at: null,
    });

    const second = await reviewForViewer(t.db, admin, filters(), STORED);
    expect(second).toEqual(first);
    await reviewRefreshesSettled();
    expect((await row(admin, filters()))!.computed_at).toBe(stored!.computed_at);
  });

  it("shows the stored figures once the data moved, refreshes behind, and is current next view", async () => {
    const before = await reviewForViewer(t.db, admin, filters(), STORED);
    await request(20_000_000);
    const now = await getReview(t.db, admin, filters());
    expect(requestsStage(now)).toMatchObject({ count: 2, amountFen: 30_000_000 });

    const stale = await reviewForViewer(t.db, admin, filters(), STORED);
    expect(stale).toMatchObject({ review: before.review, refreshing: true });
    expect(requestsStage(stale.review)).toMatchObject({ count: 1 });
    await reviewRefreshesSettled();
    const current = await reviewForViewer(t.db, admin, filters(), STORED);
    expect(current).toMatchObject({ review: now, refreshing: false, live: false });
    expect(current.computedAt! > before.computedAt!).toBe(true);
  });

  it("moves the data version on any audited change, and refreshes old figures anyway", async () => {
    const v0 = await reviewDataVersion(t.db);
    const product = await t.db
      .selectFrom("loan_products")
      .select("version")
      .where("id", "=", w.productY)
      .executeTakeFirstOrThrow();
    await setProductActive(t.db, {
      bankOrgId: w.bankY.orgId,
      userId: w.bankY.userId,
      productId: w.productY,
      expectedVersion: product.version,
      active: false,
    });
    expect(await reviewDataVersion(t.db)).not.toBe(v0);
    expect((await reviewForViewer(t.db, admin, filters(), STORED)).refreshing).toBe(true);
    await reviewRefreshesSettled();
    expect((await reviewForViewer(t.db, admin, filters(), STORED)).refreshing).toBe(false);

    const later = new Date(currentTime().getTime() + REVIEW_MAX_AGE_MS + 1_000);
    const old = await replayAt(later, () => reviewForViewer(t.db, admin, filters(), STORED));
    expect(old.refreshing).toBe(true);
    await reviewRefreshesSettled();
  });

  it("keeps a bank officer's figures apart and refuses another bank before reading any", async () => {
    const own = await reviewForViewer(t.db, officer, filters(), STORED);
    expect(own.review).toEqual(await getReview(t.db, officer, filters()));
    expect(own.review.ownBank).toMatchObject({ id: w.bankX.orgId });
    expect((await row(officer, filters()))!.scope).toBe(`bank:${w.bankX.orgId}`);
    expect(reviewSnapshotKey(officer, filters())).not.toBe(reviewSnapshotKey(admin, filters()));
    // The flags' order does not make another combination.
    expect(reviewSnapshotKey(admin, filters("flag=tech_sme&flag=high_tech"))).toBe(
      reviewSnapshotKey(admin, filters("flag=high_tech&flag=tech_sme")),
    );

    const other = filters(`bank=${w.bankY.orgId}`);
    expect(other.bank).toBe(w.bankY.orgId);
    await expect(reviewForViewer(t.db, officer, other, STORED)).rejects.toBeInstanceOf(
      UserFacingError,
    );
    expect(await row(officer, other)).toBeUndefined();
  });

  it("starts no second refresh while one holds the lease, and retakes a dead one", async () => {
    await request(30_000_000);
    await t.db
      .updateTable("review_snapshots")
      .set({ refresh_started_at: nowInstant() })
      .where("snapshot_key", "=", reviewSnapshotKey(admin, filters()))
      .execute();
    const held = await row(admin, filters());
    const view = await reviewForViewer(t.db, admin, filters(), STORED);
    expect(view.refreshing).toBe(true);
    await reviewRefreshesSettled();
    expect(await row(admin, filters())).toEqual(held);

    const muchLater = new Date(currentTime().getTime() + REVIEW_LEASE_MS + 60_000);
    await replayAt(muchLater, () => reviewForViewer(t.db, admin, filters(), STORED));
    await reviewRefreshesSettled();
    const retaken = await row(admin, filters());
    expect(retaken!.refresh_started_at).toBeNull();
    expect(retaken!.computed_at! > held!.computed_at!).toBe(true);
    expect(JSON.parse(retaken!.figures_json!)).toEqual(await getReview(t.db, admin, filters()));
  });

  it("computes a first view here when its background computation fails, and retries next view", async () => {
    const f = filters("region=150300");
    const errors: unknown[] = [];
    const logged = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    setReviewRefresher(t.db, () => Promise.reject(new Error("background thread down")));
    try {
      const view = await reviewForViewer(t.db, admin, f, STORED);
      expect(view).toEqual({
        review: await getReview(t.db, admin, f),
        live: true,
        computedAt: null,
        refreshing: false,
      });
      expect(errors).toHaveLength(1);
    } finally {
      setReviewRefresher(t.db, undefined);
      console.error = logged;
    }
    // The failed computation left no lease behind: the next view computes and stores the figures.
    expect((await row(admin, f))!.refresh_started_at).toBeNull();
    const next = await reviewForViewer(t.db, admin, f, STORED);
    expect(next).toMatchObject({ live: false, refreshing: false });
    expect((await row(admin, f))!.figures_json).not.toBeNull();
  });

  it("computes on the background thread with its own connection when the server installs one", async () => {
    setReviewRefresher(t.db, workerReviewRefresher(t.url));
    try {
      const f = filters("region=150200");
      const first = await reviewForViewer(t.db, admin, f, STORED);
      expect(first).toMatchObject({ live: false, refreshing: false });
      expect(first.review).toEqual(await getReview(t.db, admin, f));
      expect((await row(admin, f))!.compute_ms).not.toBeNull();
    } finally {
      setReviewRefresher(t.db, undefined);
    }
  });
});
