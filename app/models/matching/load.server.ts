import { MysqlAdapter, sql, type RawBuilder, type Transaction } from "kysely";
import type { Database, FinancingRequest as RequestRow } from "../../../db/schema";
import { type FinancingRequest, type FirmProfile, type OfferedAsset } from "../../domain/matching";
import type { Db } from "../../utils/db.server";
import {
  ASSET_ENGINE_COLUMNS,
  financingRequestFromRow,
  firmProfileFromRequest,
  offeredAssetFromRow,
  type AssetRowWithLock,
} from "../../domain/matching/rows";

/**
 * Matching against the database: a SQL prefilter narrows the candidates, the pure engine
 * (app/domain/matching/) decides. tests/integration/matching-prefilter.test.ts checks on
 * generated data that both directions return exactly what the engine returns over every product
 * and every open request.
 *
 * Firm direction (one request → every active product): the SQL counts, per product, the rules it
 * can see failing (region, industry, flags, amount, term, rate, quota, and "the offered collateral
 * cannot cover the amount even at its largest value") and drops a product only when two or more
 * fail. The engine counts each failed rule once and calls a product with one failure a near miss,
 * so no match or near miss is ever dropped.
 *
 * Bank direction (one product → every open request, first page + exact total): the SQL decides
 * each request from the columns a request carries (migration 007): the row rules exactly, and the
 * capacity rule by a lower and an upper bound; requests between the bounds get their exact
 * capacity from a per-asset query. Scores are the engine's (scoreMatch); a request's score is
 * known to lie between its scores at the two bounds, so only requests that could reach the page
 * need their exact capacity. The engine then evaluates the page's requests for the reasons shown.
 *
 * Pledge locks (docs/domain.md#pledge-locks) are read when matching, never stored in a summary:
 * an asset a lock holds is not eligible (the engine's asset_pledged, from the `locked_by` the
 * loaders join in), lends nothing in the exact per-asset capacity, and takes the lower bound away
 * from every request offering it. The stored upper bounds count it, so they stay upper bounds, and
 * taking or releasing a lock has nothing to refresh.
 */

export type Executor = Db | Transaction<Database>;
export type Expr = RawBuilder<unknown>;

export const BP_SCALE = 10_000;
/** Largest per-asset rounding loss in bp-scaled units: floor(v × r ÷ 10000) ≥ (v × r − 9999) ÷ 10000. */
export const MAX_ROUNDING = BP_SCALE - 1;
export const IN_CHUNK = 500;
/** Eligible-asset count and capacity share one integer: capacity × PACK + count. */
export const PACK = 64;

export function isMysql(db: Executor): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}

/** An integer inlined into the SQL text: exact BIGINT arithmetic on both engines. */
export function int(n: number | bigint): Expr {
  if (typeof n === "number" && !Number.isSafeInteger(n)) {
    throw new RangeError(`not a safe integer: ${n}`);
  }
  return sql.raw(String(n));
}

export function str(s: string): Expr {
  // Only dates 'YYYY-MM-DD' and fixed identifiers-like values reach here; checked to be sure.
  if (!/^[0-9A-Za-z_-]*$/.test(s)) throw new RangeError(`unexpected literal: ${s}`);
  return sql.raw(`'${s}'`);
}

/** floor(x ÷ n) for a non-negative integer expression and a positive integer n. */
export function divBy(db: Executor, x: Expr, n: number): Expr {
  return isMysql(db) ? sql`((${x}) DIV ${int(n)})` : sql`((${x}) / ${int(n)})`;
}

/** floor(x ÷ 10000) for a non-negative integer expression. */
export function divScale(db: Executor, x: Expr): Expr {
  return divBy(db, x, BP_SCALE);
}

/**
 * Runs a query whose result is built with group_concat. MySQL cuts group_concat at 1,024 bytes by
 * default (with only a warning), so the limit is lifted on the connection that runs it.
 */
export async function groupConcat<T>(db: Executor, query: RawBuilder<T>): Promise<T | undefined> {
  if (!isMysql(db)) return (await query.execute(db)).rows[0];
  const run = async (conn: Executor) => {
    await sql`SET SESSION group_concat_max_len = 1073741824`.execute(conn);
    return (await query.execute(conn)).rows[0];
  };
  return db.isTransaction ? run(db) : (db as Db).connection().execute(run);
}

/** String concatenation: `||` on SQLite, CONCAT() on MySQL (where `||` means OR). */
export function concat(db: Executor, parts: Expr[]): Expr {
  return isMysql(db)
    ? sql`CONCAT(${sql.join(parts, sql`, `)})`
    : sql`(${sql.join(parts, sql` || `)})`;
}

export function sum(parts: Expr[]): Expr {
  return parts.length === 0 ? sql`0` : sql`(${sql.join(parts, sql` + `)})`;
}

const ymd = /^\d{4}-\d{2}-\d{2}$/;
export function assertToday(today: string) {
  if (!ymd.test(today)) throw new RangeError(`today must be 'YYYY-MM-DD', got ${today}`);
}

// ---------------------------------------------------------------------------------------------
// Loading requests and assets for the engine
// ---------------------------------------------------------------------------------------------

export interface LoadedRequest {
  today: string;
  row: RequestRow;
  request: FinancingRequest;
  firm: FirmProfile;
  assets: OfferedAsset[];
  assetRows: AssetRowWithLock[];
}

/**
 * Requests with their offered assets (only assets the firm still owns), in the given order, each
 * asset with the pledge lock that holds it, if any (the engine's asset_pledged).
 */
export async function loadRequestsForEngine(
  db: Executor,
  requestIds: readonly number[],
  today: string,
): Promise<LoadedRequest[]> {
  const ids = [...new Set(requestIds)];
  const rows: RequestRow[] = [];
  const assetsByRequest = new Map<number, AssetRowWithLock[]>();
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = ids.slice(i, i + IN_CHUNK);
    const [reqs, assets] = await Promise.all([
      db.selectFrom("financing_requests").selectAll().where("id", "in", chunk).execute(),
      db
        .selectFrom("financing_request_assets as fra")
        .innerJoin("financing_requests as r", "r.id", "fra.request_id")
        .innerJoin("ip_assets as a", (j) =>
          j.onRef("a.id", "=", "fra.asset_id").onRef("a.firm_org_id", "=", "r.firm_org_id"),
        )
        .leftJoin("pledge_locks as pl", "pl.asset_id", "a.id")
        .select("fra.request_id")
        .select(ASSET_ENGINE_COLUMNS.map((c) => `a.${c}` as const))
        .select("pl.application_id as locked_by")
        .where("fra.request_id", "in", chunk)
        .orderBy("fra.request_id")
        .orderBy("a.id")
        .execute(),
    ]);
    rows.push(...reqs);
    for (const a of assets) {
      const list = assetsByRequest.get(a.request_id) ?? [];
      list.push(a);
      assetsByRequest.set(a.request_id, list);
    }
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const assetRows = assetsByRequest.get(id) ?? [];
    return [
      {
        today,
        row,
        request: financingRequestFromRow(
          row,
          assetRows.map((a) => a.id),
        ),
        firm: firmProfileFromRequest(row),
        assets: assetRows.map((a) => offeredAssetFromRow(a, today)),
        assetRows,
      },
    ];
  });
}
