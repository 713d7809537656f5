import type { Db } from "../../utils/db.server";
import { backgroundThread } from "../background/thread.server";
import { refreshRegistry } from "../background/refreshes.server";
import { tuningLimit } from "../../utils/env.server";
import { fromDbInstant, nowInstant, toDbInstant, currentTime } from "../../utils/time";
import { countRequestStatesForProducts, type BankState } from "./bank.server";
import { assertToday, isMysql } from "./load.server";

/**
 * The bank pipeline's counts (decision 024). The engine judges every open request against each
 * product (countRequestStatesForProducts); on a small marketplace that takes milliseconds and the
 * pipeline counts live, on every view. At marketplace scale (10⁵ open requests) it takes seconds
 * for a page of products, so the counts come from `pipeline_counts`, which a refresh in the
 * background fills: a view that finds a product's counts older than PIPELINE_MAX_AGE_MS, from
 * another day or another version of the product starts one (one process at a time per product,
 * by a lease) and shows the stored counts with the time they were computed. The product's own
 * page always judges live, so the bank can see the current list behind any count.
 */

export type StateCounts = Record<BankState, number>;

export interface PipelineProduct {
  id: number;
  version: number;
  active: boolean;
}

export interface PipelineCount {
  /** Null while the first refresh of the product has not finished. */
  counts: StateCounts | null;
  /** True when judged now for this view; else `computedAt` says when. */
  live: boolean;
  computedAt: string | null;
  /** A refresh is running or was started by this view (the stored counts are not current). */
  refreshing: boolean;
}

/** Stored counts older than this are refreshed when viewed. */
export const PIPELINE_MAX_AGE_MS = 60_000;
/**
 * Open requests × active products on the page up to which the page judges live: about 0.1 s of
 * engine work on this project's 2-core reference machine.
 */
export const PIPELINE_LIVE_PAIR_LIMIT = 20_000;
/** PIPELINE_LIVE_PAIR_LIMIT, or ZR_PIPELINE_LIVE_PAIRS (a faster machine may judge more live). */
const livePairLimit = () => tuningLimit("ZR_PIPELINE_LIVE_PAIRS", PIPELINE_LIVE_PAIR_LIMIT);

/** A refresh that has not finished after this long is presumed dead (crash) and may be retaken. */
export const PIPELINE_LEASE_MS = 2 * 60_000;

const ZERO = (): StateCounts => ({ ready: 0, needs_appraisal: 0, near_miss: 0 });

/** Runs a refresh somewhere else than the calling thread (the served app: a worker thread). */
export type PipelineRefresher = (ids: number[], today: string) => Promise<void>;

const refreshes = refreshRegistry<PipelineRefresher>("pipeline");

/** Refreshes of `db`'s counts go to `refresher` (undefined: back to this thread). */
export function setPipelineRefresher(db: Db, refresher: PipelineRefresher | undefined): void {
  refreshes.set(db, refresher);
}

export function pipelineRefreshesSettled(): Promise<void> {
  return refreshes.settled();
}

export async function pipelineCountsForProducts(
  db: Db,
  products: readonly PipelineProduct[],
  today: string,
  opts: { livePairLimit?: number } = {},
): Promise<Map<number, PipelineCount>> {
  assertToday(today);
  const out = new Map<number, PipelineCount>();
  const active = products.filter((p) => p.active);
  // A paused product serves no request: zero, known without judging anything.
  for (const p of products) {
    if (!p.active)
      out.set(p.id, { counts: ZERO(), live: true, computedAt: null, refreshing: false });
  }
  if (active.length === 0) return out;

  const open = await db
    .selectFrom("financing_requests")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  if (Number(open.n) * active.length <= (opts.livePairLimit ?? livePairLimit())) {
    const live = await countRequestStatesForProducts(
      db,
      active.map((p) => p.id),
      today,
    );
    for (const p of active) {
      out.set(p.id, {
        counts: live.get(p.id) ?? ZERO(),
        live: true,
        computedAt: null,
        refreshing: false,
      });
    }
    return out;
  }

  const stored = new Map(
    (
      await db
        .selectFrom("pipeline_counts")
        .selectAll()
        .where(
          "product_id",
          "in",
          active.map((p) => p.id),
        )
        .execute()
    ).map((r) => [r.product_id, r]),
  );
  const now = currentTime().getTime();
  const stale: PipelineProduct[] = [];
  for (const p of active) {
    const row = stored.get(p.id);
    const done = row && row.as_of_day !== null && row.computed_at !== null;
    const fresh =
      done &&
      row.as_of_day === today &&
      Number(row.product_version) === p.version &&
      now - fromDbInstant(row.computed_at!).getTime() <= PIPELINE_MAX_AGE_MS;
    const running =
      row?.refresh_started_at != null &&
      now - fromDbInstant(row.refresh_started_at).getTime() < PIPELINE_LEASE_MS;
    if (!fresh) stale.push(p);
    out.set(p.id, {
      counts: done
        ? { ready: row.ready, needs_appraisal: row.needs_appraisal, near_miss: row.near_miss }
        : null,
      live: false,
      computedAt: done ? row.computed_at : null,
      refreshing: !fresh || running,
    });
  }
  if (stale.length > 0) {
    const claimed = await claimRefresh(
      db,
      stale.map((p) => p.id),
    );
    if (claimed.length > 0) {
      const refresher = refreshes.get(db);
      const started = refresher
        ? refresher(claimed, today)
        : refreshPipelineCounts(db, claimed, today);
      void refreshes.track(
        started.catch((e: unknown) => {
          console.error("pipeline counts: refresh failed", e);
        }),
      );
    }
  }
  return out;
}

/**
 * Takes the refresh lease of the products that have none (or a dead one); returns the ids this
 * call took. Rows are created on first use (insert-or-ignore: two processes may race to it).
 */
async function claimRefresh(db: Db, ids: readonly number[]): Promise<number[]> {
  const insert = db.insertInto("pipeline_counts").values(ids.map((id) => ({ product_id: id })));
  await (isMysql(db) ? insert.ignore() : insert.orIgnore()).execute();
  // The claim is read back by the instant written: two processes claiming in the same millisecond
  // would both refresh, which only repeats the work.
  const token = nowInstant();
  const expired = toDbInstant(new Date(fromDbInstant(token).getTime() - PIPELINE_LEASE_MS));
  await db
    .updateTable("pipeline_counts")
    .set({ refresh_started_at: token })
    .where("product_id", "in", [...ids])
    .where((eb) =>
      eb.or([eb("refresh_started_at", "is", null), eb("refresh_started_at", "<", expired)]),
    )
    .execute();
  const mine = await db
    .selectFrom("pipeline_counts")
    .select("product_id")
    .where("product_id", "in", [...ids])
    .where("refresh_started_at", "=", token)
    .execute();
  return mine.map((r) => r.product_id);
}

/** Lets the event loop serve other requests between chunks of engine work. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Judges the products now and stores their counts for `today`, with the product versions read
 * before judging (a product changed meanwhile is refreshed again on its next view), and ends the
 * lease. On failure the lease ends too, so the next view retries.
 */
export async function refreshPipelineCounts(
  db: Db,
  ids: readonly number[],
  today: string,
): Promise<void> {
  try {
    const versions = await db
      .selectFrom("loan_products")
      .select(["id", "version"])
      .where("id", "in", [...ids])
      .execute();
    const started = performance.now();
    const counts = await countRequestStatesForProducts(db, ids, today, { pause });
    const ms = Math.round(performance.now() - started);
    const computedAt = nowInstant();
    await db.transaction().execute(async (trx) => {
      for (const v of versions) {
        const c = counts.get(v.id) ?? ZERO();
        await trx
          .updateTable("pipeline_counts")
          .set({
            ...c,
            as_of_day: today,
            product_version: v.version,
            computed_at: computedAt,
            compute_ms: ms,
            refresh_started_at: null,
          })
          .where("product_id", "=", v.id)
          .execute();
      }
    });
  } catch (e) {
    await db
      .updateTable("pipeline_counts")
      .set({ refresh_started_at: null })
      .where("product_id", "in", [...ids])
      .execute()
      .catch(() => undefined);
    throw e;
  }
}

/**
 * A refresher on the background thread (../background/worker.ts) with its own connection to the
 * database at `url` (a DATABASE_URL; unset: the default file under `dataDir`).
 */
export function workerPipelineRefresher(
  url: string | undefined,
  dataDir?: string,
): PipelineRefresher {
  const thread = backgroundThread(url, dataDir);
  return (ids, today) => thread.run({ kind: "pipeline", ids: [...ids], today });
}
