import { sql } from "kysely";
import {
  evaluateProduct,
  failureGap,
  scoreMatch,
  type FinancingRequest,
} from "../../domain/matching";
import type { LoanProductTerms } from "../../domain/product";
import type { Db } from "../../utils/db.server";
import {
  classifyProducts,
  K_AMOUNT_ABOVE,
  K_AMOUNT_BELOW,
  K_CAPACITY,
  K_CATEGORICAL,
  K_QUOTA,
  K_RATE,
  K_TERM_ABOVE,
  K_TERM_BELOW,
  PRODUCT_COLUMN_NAMES,
  toProductColumns,
  type Classified,
  type ProductColumns,
} from "../../domain/matching/classify";
import { productTermsFromRow } from "../../domain/matching/rows";
import { IN_CHUNK, assertToday, loadRequestsForEngine, type Executor } from "./load.server";
import {
  classifyProductsSql,
  type MatchPageOptions,
  type ProductWithBank,
  type RequestMatchResult,
} from "./firm.server";

// ---------------------------------------------------------------------------------------------
// The in-process product table (firm direction)
// ---------------------------------------------------------------------------------------------

interface ProductTable {
  stamp: string;
  cols: ProductColumns;
}

/** One table per database handle; a handle that goes away takes its table with it. */
const productTables = new WeakMap<object, ProductTable>();

/**
 * loan_products' change stamp: row count, largest id and Σ version. Every write to a product
 * bumps its version — the product model's edits and pauses, and the workflow's quota changes
 * (application.server.ts) — and ids are never reused (AUTOINCREMENT), so any insert, update or
 * delete changes the stamp. One index-only query (loan_products_version, migration 007).
 */
async function productStamp(db: Executor): Promise<string> {
  const r = await sql<{ n: number; m: number; v: number }>`SELECT COUNT(*) AS n,
      COALESCE(MAX(id), 0) AS m, COALESCE(SUM(version), 0) AS v FROM loan_products`.execute(db);
  const row = r.rows[0];
  return `${Number(row.n)}:${Number(row.m)}:${Number(row.v)}`;
}

/**
 * The active products as columns, reloaded (stamp and rows read in one transaction, so they
 * agree) whenever the stamp differs from the one the table was loaded at. The table is never
 * older than the stamp read at the start of the call, which is what a SQL query at that moment
 * would have seen.
 */
async function productColumns(db: Db): Promise<ProductColumns> {
  const stamp = await productStamp(db);
  const cached = productTables.get(db);
  if (cached && cached.stamp === stamp) return cached.cols;
  const table = await db.transaction().execute(async (trx) => {
    const loadedStamp = await productStamp(trx);
    const rows = await trx
      .selectFrom("loan_products")
      .select(PRODUCT_COLUMN_NAMES)
      .where("active", "=", 1)
      .orderBy("id")
      .execute();
    return { stamp: loadedStamp, cols: toProductColumns(rows) };
  });
  productTables.set(db, table);
  return table.cols;
}

/** The engine's gap (failureGap) of a near miss's single failure, from the SQL's numbers. */
function gapOf(c: Classified, request: FinancingRequest): number {
  const amountFen = request.amountFen;
  const termMonths = request.termMonths;
  switch (c.kind) {
    case K_AMOUNT_BELOW:
      return failureGap({ code: "amount_below_min", amountFen, minAmountFen: c.num });
    case K_AMOUNT_ABOVE:
      return failureGap({ code: "amount_above_max", amountFen, maxAmountFen: c.num });
    case K_TERM_BELOW:
      return failureGap({ code: "term_below_min", termMonths, minTermMonths: c.num });
    case K_TERM_ABOVE:
      return failureGap({ code: "term_above_max", termMonths, maxTermMonths: c.num });
    case K_RATE:
      return failureGap({
        code: "rate_above_firm_max",
        minRateBp: c.num,
        firmMaxRateBp: request.maxRateBp,
      });
    case K_QUOTA:
      return failureGap({ code: "quota_short", amountFen, quotaRemainingFen: c.num });
    case K_CAPACITY:
      return failureGap({
        code: "capacity_short",
        capacityFen: c.num,
        amountFen,
        shortfallCapacityFen: amountFen - c.num,
        neededCollateralValueFen: null,
        bestPledgeRateBp: 0,
      });
    default:
      return 1;
  }
}

/** The terms scoreMatch reads, from the SQL's numbers (the rest is never consulted). */
function scoringTerms(c: Classified): LoanProductTerms {
  // effectiveRateBp(eff, 0) = eff: the score sees the same rate after 贴息.
  return {
    minRateBp: c.effBp,
    interestSubsidyBp: 0,
    riskShare: { governmentBp: c.riskBp, insurerBp: 0, guarantorBp: 0 },
    minTermMonths: c.minTerm,
    maxTermMonths: c.maxTerm,
  } as LoanProductTerms;
}

/**
 * Matches and near misses of one request among the active products, in the engine's order
 * (matches: score desc, effective rate asc, id asc; near misses: gap asc, effective rate asc,
 * id asc), exact counts, and the requested slices evaluated by the engine. Null when the request
 * does not exist; the caller checks that it belongs to the user's firm.
 */
export async function findMatchesForRequest(
  db: Executor,
  requestId: number,
  today: string,
  opts: MatchPageOptions = {},
): Promise<RequestMatchResult | null> {
  assertToday(today);
  const useCache = (opts.useCache ?? process.env.ZR_MATCH_CACHE !== "off") && !db.isTransaction;
  // The request and the product table's stamp are read side by side (two pool connections on
  // MySQL).
  const [[loaded], table] = await Promise.all([
    loadRequestsForEngine(db, [requestId], today),
    useCache ? productColumns(db as Db) : Promise.resolve(null),
  ]);
  if (!loaded) return null;
  const { request } = loaded;
  const nearOffset = opts.nearMissOffset ?? 0;
  const nearLimit = opts.nearMissLimit ?? Infinity;
  let classified: Classified[];
  let categoricalCount: number;
  if (table) {
    const cols = table;
    const row = loaded.row;
    classified = classifyProducts(
      cols,
      request,
      { regionBit: row.region_bit, industryBit: row.industry_bit, flagsMask: row.flags_mask },
      loaded.assets,
      today,
    );
    categoricalCount = classified.filter((c) => c.near && c.kind === K_CATEGORICAL).length;
  } else {
    ({ rows: classified, categoricalCount } = await classifyProductsSql(
      db,
      loaded,
      nearOffset + nearLimit,
    ));
  }

  const matches = classified
    .filter((c) => !c.near)
    .map((c) => ({ c, score: scoreMatch(request, scoringTerms(c), c.num).score, eff: c.effBp }))
    .sort((x, y) => y.score - x.score || x.eff - y.eff || x.c.id - y.c.id);
  // Categorical near misses have gap 1, the largest, so the ones read (the first by rate and id)
  // are enough to fill any page the numeric ones leave.
  const nearMisses = classified
    .filter((c) => c.near)
    .map((c) => ({ c, gap: gapOf(c, request), eff: c.effBp }))
    .sort((x, y) => x.gap - y.gap || x.eff - y.eff || x.c.id - y.c.id);
  const nearMissCount =
    nearMisses.filter((x) => x.c.kind !== K_CATEGORICAL).length + categoricalCount;

  const slice = <T>(xs: T[], offset = 0, limit = Infinity) =>
    xs.slice(offset, limit === Infinity ? undefined : offset + limit);
  const pageMatches = slice(matches, opts.matchOffset, opts.matchLimit);
  const pageNear = slice(nearMisses, nearOffset, nearLimit);
  const ids = [...pageMatches, ...pageNear].map((x) => x.c.id);
  const products = new Map<number, ProductWithBank>();
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db
      .selectFrom("loan_products as p")
      .innerJoin("organisations as o", "o.id", "p.bank_org_id")
      .selectAll("p")
      .select("o.name as bank_name")
      .where("p.id", "in", ids.slice(i, i + IN_CHUNK))
      .execute();
    for (const r of rows) products.set(r.id, r);
  }
  const evaluate = (id: number, expected: "match" | "near_miss") => {
    const row = products.get(id);
    if (!row) return [];
    const e = evaluateProduct(request, loaded.firm, loaded.assets, productTermsFromRow(row), today);
    if (e.status !== expected) {
      console.error(
        `matching: product ${id} classified as ${expected} for request ${requestId} by SQL but ${e.status} by the engine`,
      );
    }
    return [e];
  };
  return {
    loaded,
    matches: pageMatches.flatMap((x) => evaluate(x.c.id, "match")),
    nearMisses: pageNear.flatMap((x) => evaluate(x.c.id, "near_miss")),
    matchCount: matches.length,
    nearMissCount,
    products,
  };
}

export async function countActiveProducts(db: Executor): Promise<number> {
  const row = await db
    .selectFrom("loan_products")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("active", "=", 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
