import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { ReviewFilters } from "../utils/alliance-filters";
import type { Db } from "../utils/db.server";
import { currentTime, fromDbInstant, nowInstant, toDbInstant } from "../utils/time";
import { checkReviewFilters, getReview, type Review } from "./alliance.server";
import { isOfficer, type ReviewViewer } from "./alliance-figures.server";
import { isMysql } from "./matching/load.server";
import { backgroundThread } from "./background/thread.server";
import { refreshRegistry } from "./background/refreshes.server";
import { tuningLimit } from "../utils/env.server";

/**
 * The alliance review's stored figures (decision 025). On a small marketplace getReview's SQL sums
 * take milliseconds and every view computes them. At marketplace scale (10⁵ deals) they take one
 * to two seconds, so a view is answered from `review_snapshots`: the figures computed for the same
 * viewer scope and filters, with the data version they were computed at. When the data have moved
 * since (or the figures are older than REVIEW_MAX_AGE_MS), the view shows them with their time and
 * starts a refresh in the background (one process at a time per combination, by a lease). The
 * first view of a combination waits for its figures, computed off the request thread.
 */

export interface ReviewView {
  review: Review;
  /** True when computed for this view; else `computedAt` says when. */
  live: boolean;
  computedAt: string | null;
  /** The data have moved since `computedAt`: a refresh is running. */
  refreshing: boolean;
}

/** Deals (applications ever created) up to which every view computes the review. */
export const REVIEW_LIVE_DEAL_LIMIT = 20_000;
/** Figures older than this are refreshed when viewed even if no version moved (belt and braces). */
export const REVIEW_MAX_AGE_MS = 10 * 60_000;
/** A refresh that has not finished after this long is presumed dead and may be retaken. */
export const REVIEW_LEASE_MS = 2 * 60_000;
/** Combinations not computed for this long are dropped by the next refresh. */
export const REVIEW_KEEP_MS = 7 * 24 * 3600_000;

const liveDealLimit = () => tuningLimit("ZR_REVIEW_LIVE_DEALS", REVIEW_LIVE_DEAL_LIMIT);

/** Runs a refresh somewhere else than the calling thread (the served app: the background thread). */
export type ReviewRefresher = (
  key: string,
  viewer: ReviewViewer,
  filters: ReviewFilters,
) => Promise<void>;

const refreshes = refreshRegistry<ReviewRefresher>("review");

export function setReviewRefresher(db: Db, refresher: ReviewRefresher | undefined): void {
  refreshes.set(db, refresher);
}

export function reviewRefreshesSettled(): Promise<void> {
  return refreshes.settled();
}

/** A refresher on the background thread, with its own connection to the database at `url`. */
export function workerReviewRefresher(url: string | undefined, dataDir?: string): ReviewRefresher {
  const thread = backgroundThread(url, dataDir);
  return (key, viewer, filters) => thread.run({ kind: "review", key, viewer, filters });
}

/** Whose figures: the review differs only between bank officers (their bank) and everyone else. */
function viewerScope(viewer: ReviewViewer): string {
  return isOfficer(viewer) ? `bank:${viewer.orgId}` : "all";
}

function canonicalFilters(f: ReviewFilters): string {
  return JSON.stringify({
    from: f.from,
    to: f.to,
    region: f.region,
    bank: f.bank,
    ipType: f.ipType,
    industry: f.industry,
    flags: [...f.flags].sort(),
  });
}

export function reviewSnapshotKey(viewer: ReviewViewer, f: ReviewFilters): string {
  return createHash("sha256")
    .update(`${viewerScope(viewer)}\n${canonicalFilters(f)}`)
    .digest("hex");
}

/**
 * What the review reads moves one of these: every state change of a deal, a request, a firm's
 * profile, an organisation or the ledger writes an audit row (the house rule); new deals, requests
 * and ledger entries move their table's largest id as well, audited or not. Four index reads,
 * which also tell how many deals there are (the largest application id).
 */
async function readDataState(db: Db): Promise<{ version: string; deals: number }> {
  const max = (table: "audit_log" | "applications" | "financing_requests" | "ledger_entries") =>
    sql<number | null>`(SELECT MAX(id) FROM ${sql.table(table)})`;
  const r = await sql<Record<string, number | string | null>>`SELECT ${max("audit_log")} AS a,
    ${max("applications")} AS d, ${max("financing_requests")} AS q, ${max("ledger_entries")} AS l`
    .execute(db)
    .then((x) => x.rows[0] ?? {});
  return {
    version: ["a", "d", "q", "l"].map((k) => String(r[k] ?? 0)).join("."),
    deals: Number(r.d ?? 0),
  };
}

/** The data version stored figures are compared against (readDataState). */
export async function reviewDataVersion(db: Db): Promise<string> {
  return (await readDataState(db)).version;
}

/**
 * The review for this viewer and filters: computed now on a small marketplace, else the stored
 * figures (see the module comment). Refuses what the viewer may not ask for before anything else.
 */
export async function reviewForViewer(
  db: Db,
  viewer: ReviewViewer,
  filters: ReviewFilters,
  opts: { liveDealLimit?: number } = {},
): Promise<ReviewView> {
  const { version, deals } = await readDataState(db);
  if (deals <= (opts.liveDealLimit ?? liveDealLimit())) {
    const review = await getReview(db, viewer, filters);
    return { review, live: true, computedAt: null, refreshing: false };
  }
  await checkReviewFilters(db, viewer, filters);
  const key = reviewSnapshotKey(viewer, filters);
  const row = await readRow(db, key);
  if (row?.figures_json == null || row.computed_at === null) {
    // The first view of this combination: wait for its figures, computed off this thread.
    if (await claimRefresh(db, key, viewer, filters)) {
      await refreshes.track(runRefresh(db, key, viewer, filters)).catch((e: unknown) => {
        console.error("alliance review: first computation failed", e);
      });
      const done = await readRow(db, key);
      if (done?.figures_json != null && done.computed_at !== null) {
        return {
          review: JSON.parse(done.figures_json) as Review,
          live: false,
          computedAt: done.computed_at,
          refreshing: false,
        };
      }
    }
    // Another process is computing it (or the refresh failed): compute it here for this view.
    const review = await getReview(db, viewer, filters);
    return { review, live: true, computedAt: null, refreshing: false };
  }
  const now = currentTime().getTime();
  const fresh =
    row.data_version === version &&
    now - fromDbInstant(row.computed_at).getTime() <= REVIEW_MAX_AGE_MS;
  let refreshing = false;
  if (!fresh) {
    refreshing = true;
    if (await claimRefresh(db, key, viewer, filters)) {
      void refreshes.track(
        runRefresh(db, key, viewer, filters).catch((e: unknown) => {
          console.error("alliance review: refresh failed", e);
        }),
      );
    }
  }
  return {
    review: JSON.parse(row.figures_json) as Review,
    live: false,
    computedAt: row.computed_at,
    refreshing,
  };
}

function runRefresh(
  db: Db,
  key: string,
  viewer: ReviewViewer,
  filters: ReviewFilters,
): Promise<void> {
  const refresher = refreshes.get(db);
  if (!refresher) return refreshReviewSnapshot(db, key, viewer, filters);
  // A thread that died mid-refresh cannot end its lease: the failure reported here does.
  return refresher(key, viewer, filters).catch(async (e: unknown) => {
    await endLease(db, key);
    throw e;
  });
}

/** Ends the refresh lease without storing figures, so the next view retries. */
function endLease(db: Db, key: string): Promise<unknown> {
  return db
    .updateTable("review_snapshots")
    .set({ refresh_started_at: null })
    .where("snapshot_key", "=", key)
    .execute()
    .catch(() => undefined);
}

function readRow(db: Db, key: string) {
  return db
    .selectFrom("review_snapshots")
    .select(["figures_json", "data_version", "computed_at", "refresh_started_at"])
    .where("snapshot_key", "=", key)
    .executeTakeFirst();
}

/**
 * Takes the refresh lease of the combination when nobody holds it (or a dead one holds it); the
 * row is created on first use (insert-or-ignore: two processes may race to it).
 */
async function claimRefresh(
  db: Db,
  key: string,
  viewer: ReviewViewer,
  filters: ReviewFilters,
): Promise<boolean> {
  const insert = db.insertInto("review_snapshots").values({
    snapshot_key: key,
    scope: viewerScope(viewer),
    filters_json: canonicalFilters(filters),
  });
  await (isMysql(db) ? insert.ignore() : insert.orIgnore()).execute();
  const token = nowInstant();
  const expired = toDbInstant(new Date(fromDbInstant(token).getTime() - REVIEW_LEASE_MS));
  const r = await db
    .updateTable("review_snapshots")
    .set({ refresh_started_at: token })
    .where("snapshot_key", "=", key)
    .where((eb) =>
      eb.or([eb("refresh_started_at", "is", null), eb("refresh_started_at", "<", expired)]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Computes the review now and stores it with the data version read before computing (data moved
 * meanwhile show as a newer version on the next view, which refreshes again), ending the lease; on
 * failure the lease ends too, so the next view retries. Drops combinations nobody has viewed for
 * REVIEW_KEEP_MS.
 */
export async function refreshReviewSnapshot(
  db: Db,
  key: string,
  viewer: ReviewViewer,
  filters: ReviewFilters,
): Promise<void> {
  try {
    const version = await reviewDataVersion(db);
    const started = performance.now();
    const review = await getReview(db, viewer, filters);
    const ms = Math.round(performance.now() - started);
    const computedAt = nowInstant();
    await db
      .updateTable("review_snapshots")
      .set({
        figures_json: JSON.stringify(review),
        data_version: version,
        computed_at: computedAt,
        compute_ms: ms,
        refresh_started_at: null,
      })
      .where("snapshot_key", "=", key)
      .execute();
    const old = toDbInstant(new Date(fromDbInstant(computedAt).getTime() - REVIEW_KEEP_MS));
    await db
      .deleteFrom("review_snapshots")
      .where("computed_at", "<", old)
      .where("refresh_started_at", "is", null)
      .execute();
  } catch (e) {
    await endLease(db, key);
    throw e;
  }
}
