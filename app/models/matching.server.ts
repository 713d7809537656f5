import { MysqlAdapter, sql, type RawBuilder, type Transaction } from "kysely";
import type { Database, FinancingRequest as RequestRow, LoanProduct } from "../../db/schema";
import {
  evaluateProduct,
  matchRequest,
  scoreMatch,
  type FinancingRequest,
  type FirmProfile,
  type OfferedAsset,
  type ProductEvaluation,
} from "../domain/matching";
import { PLEDGE_IP_TYPES, type LoanProductTerms, type PledgeIpType } from "../domain/product";
import type { RegionCode } from "../domain/regions";
import type { Db } from "../utils/db.server";
import {
  ASSET_ENGINE_COLUMNS,
  collateralColumns,
  expiryThreshold,
  financingRequestFromRow,
  firmProfileFromRequest,
  FLAG_BITS,
  industryBit,
  IP_TYPE_BITS,
  offeredAssetFromRow,
  productTermsFromRow,
  regionBit,
  registrationThreshold,
  type AssetRowForEngine,
} from "./matching-rows";

/**
 * Matching against the database: a SQL prefilter narrows the candidates, the pure engine
 * (app/domain/matching.ts) decides. tests/integration/matching-prefilter.test.ts checks on
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
 */

type Executor = Db | Transaction<Database>;
type Expr = RawBuilder<unknown>;

const BP_SCALE = 10_000;
/** Largest per-asset rounding loss in bp-scaled units: floor(v × r ÷ 10000) ≥ (v × r − 9999) ÷ 10000. */
const MAX_ROUNDING = BP_SCALE - 1;
const IN_CHUNK = 500;

function isMysql(db: Executor): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}

/** An integer inlined into the SQL text: exact BIGINT arithmetic on both engines. */
function int(n: number | bigint): Expr {
  if (typeof n === "number" && !Number.isSafeInteger(n)) {
    throw new RangeError(`not a safe integer: ${n}`);
  }
  return sql.raw(String(n));
}

function str(s: string): Expr {
  // Only dates 'YYYY-MM-DD' and fixed identifiers-like values reach here; checked to be sure.
  if (!/^[0-9A-Za-z_-]*$/.test(s)) throw new RangeError(`unexpected literal: ${s}`);
  return sql.raw(`'${s}'`);
}

/** floor(x ÷ 10000) for a non-negative integer expression. */
function divScale(db: Executor, x: Expr): Expr {
  return isMysql(db) ? sql`((${x}) DIV ${int(BP_SCALE)})` : sql`((${x}) / ${int(BP_SCALE)})`;
}

function sum(parts: Expr[]): Expr {
  return parts.length === 0 ? sql`0` : sql`(${sql.join(parts, sql` + `)})`;
}

const ymd = /^\d{4}-\d{2}-\d{2}$/;
function assertToday(today: string) {
  if (!ymd.test(today)) throw new RangeError(`today must be 'YYYY-MM-DD', got ${today}`);
}

// ---------------------------------------------------------------------------------------------
// Loading requests and assets for the engine
// ---------------------------------------------------------------------------------------------

export interface LoadedRequest {
  row: RequestRow;
  request: FinancingRequest;
  firm: FirmProfile;
  assets: OfferedAsset[];
  assetRows: AssetRowForEngine[];
}

/** Requests with their offered assets (only assets the firm still owns), in the given order. */
export async function loadRequestsForEngine(
  db: Executor,
  requestIds: readonly number[],
  today: string,
): Promise<LoadedRequest[]> {
  const ids = [...new Set(requestIds)];
  const rows: RequestRow[] = [];
  const assetsByRequest = new Map<number, AssetRowForEngine[]>();
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
        .select("fra.request_id")
        .select(ASSET_ENGINE_COLUMNS.map((c) => `a.${c}` as const))
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

// ---------------------------------------------------------------------------------------------
// Firm direction
// ---------------------------------------------------------------------------------------------

export type ProductWithBank = LoanProduct & { bank_name: string };

export interface RequestMatchResult {
  loaded: LoadedRequest;
  matches: ProductEvaluation[];
  nearMisses: ProductEvaluation[];
  /** Products the engine evaluated (the prefilter's candidates). */
  candidateCount: number;
  /** The candidate products by id, for names and terms on the page. */
  products: Map<number, ProductWithBank>;
}

/**
 * Every active product that matches the request, or misses by one rule, in the engine's order.
 * Null when the request does not exist. The caller checks that it belongs to the user's firm.
 */
export async function findMatchesForRequest(
  db: Executor,
  requestId: number,
  today: string,
): Promise<RequestMatchResult | null> {
  assertToday(today);
  const [loaded] = await loadRequestsForEngine(db, [requestId], today);
  if (!loaded) return null;
  const { row, request } = loaded;
  // Upper bounds of usable value per type from the assets just read (not the stored copies).
  const bounds = collateralColumns(loaded.assetRows);
  const amount = int(request.amountFen);
  const term = int(request.termMonths);
  const notFlags = 7 & ~row.flags_mask;
  const rule = (cond: Expr) => sql`(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  const maxCapacityScaled = sum(
    PLEDGE_IP_TYPES.map(
      (t) =>
        sql`(CASE WHEN (p.ip_types_mask & ${int(IP_TYPE_BITS[t])}) <> 0 THEN ${sql.ref(
          `p.pledge_rate_${t}_bp`,
        )} * ${int(bounds[`offered_${t}_fen`])} ELSE 0 END)`,
    ),
  );
  const failures = sum([
    rule(sql`p.all_regions = 0 AND (p.region_mask & ${int(row.region_bit)}) = 0`),
    rule(sql`p.all_industries = 0 AND (p.industry_mask & ${int(row.industry_bit)}) = 0`),
    rule(sql`(p.required_flags_mask & ${int(notFlags)}) <> 0`),
    rule(sql`p.min_amount_fen > ${amount}`),
    rule(sql`p.max_amount_fen < ${amount}`),
    rule(sql`p.min_term_months > ${term}`),
    rule(sql`p.max_term_months < ${term}`),
    rule(sql`p.min_rate_bp > ${int(request.maxRateBp)}`),
    rule(sql`p.quota_remaining_fen < ${amount}`),
    // "IP type not accepted" and "capacity short" exclude each other in the engine: one slot.
    rule(sql`${maxCapacityScaled} < ${int(BigInt(request.amountFen) * BigInt(BP_SCALE))}`),
  ]);
  const rows = await db
    .selectFrom("loan_products as p")
    .innerJoin("organisations as o", "o.id", "p.bank_org_id")
    .selectAll("p")
    .select("o.name as bank_name")
    .where("p.active", "=", 1)
    .where(sql<boolean>`${failures} <= 1`)
    .execute();
  const result = matchRequest(
    request,
    loaded.firm,
    loaded.assets,
    rows.map(productTermsFromRow),
    today,
  );
  return {
    loaded,
    matches: result.matches,
    nearMisses: result.nearMisses,
    candidateCount: rows.length,
    products: new Map(rows.map((r) => [r.id, r])),
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

// ---------------------------------------------------------------------------------------------
// Bank direction
// ---------------------------------------------------------------------------------------------

export interface RequestFilters {
  regionCode?: RegionCode;
  minAmountFen?: number;
  maxAmountFen?: number;
  /** Requests offering at least one asset of this type. */
  ipType?: PledgeIpType;
}

export interface PipelineRow {
  requestId: number;
  firmOrgId: number;
  row: RequestRow;
  evaluation: ProductEvaluation;
}

export interface ProductPipeline {
  product: LoanProduct;
  total: number;
  rows: PipelineRow[];
  page: number;
  pageSize: number;
  pages: number;
}

interface Candidate {
  id: number;
  amountFen: number;
  termMonths: number;
  capLo: number;
  capHi: number;
}

/** The SQL pieces that depend only on the product and the day. */
function productPredicates(db: Executor, p: LoanProductTerms, today: string) {
  const accepted = p.acceptedIpTypes;
  const ageThreshold =
    p.trademarkMinAgeYears > 0 ? registrationThreshold(today, p.trademarkMinAgeYears) : null;
  const upperScaled = sum(
    accepted.map((t) => {
      const col = p.requiresFormalAppraisal ? `r.formal_${t}_fen` : `r.offered_${t}_fen`;
      return sql`${sql.ref(col)} * ${int(p.pledgeRateBp[t])}`;
    }),
  );
  const lowerScaled = sum(
    accepted.map((t) => {
      const conds: Expr[] = [
        sql`${sql.ref(`r.formal_${t}_count`)} > 0`,
        sql`${sql.ref(`r.formal_${t}_expiry_min`)} >= ${str(expiryThreshold(today, p.minRemainingYears[t]))}`,
        sql`${sql.ref(`r.formal_${t}_valid_min`)} >= ${str(today)}`,
      ];
      if (t === "trademark" && ageThreshold !== null) {
        conds.push(sql`r.formal_trademark_registered_max <= ${str(ageThreshold)}`);
      }
      return sql`(CASE WHEN ${sql.join(conds, sql` AND `)} THEN ${sql.ref(`r.formal_${t}_fen`)} * ${int(
        p.pledgeRateBp[t],
      )} - ${int(MAX_ROUNDING)} * ${sql.ref(`r.formal_${t}_count`)} ELSE 0 END)`;
    }),
  );
  // Exact capacity of one offered asset `a` (the engine's eligibility and rounding).
  const value = sql`(CASE WHEN a.formal_value_fen IS NOT NULL AND a.formal_valid_until IS NOT NULL AND a.formal_valid_until >= ${str(
    today,
  )} THEN a.formal_value_fen ${
    p.requiresFormalAppraisal
      ? sql``
      : sql`WHEN a.indicative_value_fen IS NOT NULL THEN a.indicative_value_fen `
  }ELSE NULL END)`;
  const perType = accepted.map((t) => {
    const conds: Expr[] = [
      sql`a.ip_type = ${str(t)}`,
      sql`a.status = ${str(t === "trademark" ? "registered" : "granted")}`,
      sql`a.expiry_date >= ${str(expiryThreshold(today, p.minRemainingYears[t]))}`,
    ];
    if (t === "trademark" && ageThreshold !== null) {
      conds.push(
        sql`a.registration_date IS NOT NULL AND a.registration_date <= ${str(ageThreshold)}`,
      );
    }
    return sql`WHEN ${sql.join(conds, sql` AND `)} THEN ${int(p.pledgeRateBp[t])}`;
  });
  const rate = sql`(CASE ${sql.join(perType, sql` `)} ELSE 0 END)`;
  const assetCapacity =
    accepted.length === 0 ? sql`0` : sql`COALESCE(${divScale(db, sql`${value} * ${rate}`)}, 0)`;
  return { upperScaled, lowerScaled, assetCapacity };
}

/**
 * Every open request matching the product, decided exactly, each with a capacity range
 * [capLo, capHi] (a single value where the exact capacity was computed).
 */
async function matchingCandidates(
  db: Executor,
  p: LoanProductTerms,
  filters: RequestFilters,
  today: string,
): Promise<{ candidates: Candidate[]; exact: (ids: number[]) => Promise<Map<number, number>> }> {
  const preds = productPredicates(db, p, today);
  const exact = async (ids: number[]) => {
    const caps = new Map<number, number>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const rows = await db
        .selectFrom("financing_request_assets as fra")
        .innerJoin("financing_requests as r", "r.id", "fra.request_id")
        .innerJoin("ip_assets as a", (j) =>
          j.onRef("a.id", "=", "fra.asset_id").onRef("a.firm_org_id", "=", "r.firm_org_id"),
        )
        .select("fra.request_id")
        .select(sql<number>`SUM(${preds.assetCapacity})`.as("cap"))
        .where("fra.request_id", "in", chunk)
        .groupBy("fra.request_id")
        .execute();
      for (const r of rows) caps.set(r.request_id, Number(r.cap ?? 0));
    }
    return caps;
  };
  if (!p.active || p.acceptedIpTypes.length === 0) return { candidates: [], exact };

  let amountLo = p.minAmountFen;
  let amountHi = Math.min(p.maxAmountFen, p.quotaRemainingFen);
  if (filters.minAmountFen !== undefined) amountLo = Math.max(amountLo, filters.minAmountFen);
  if (filters.maxAmountFen !== undefined) amountHi = Math.min(amountHi, filters.maxAmountFen);
  if (amountLo > amountHi) return { candidates: [], exact };

  let regions: readonly string[] | null = p.regions === "all" ? null : p.regions;
  if (filters.regionCode) {
    if (regions && !regions.includes(filters.regionCode)) return { candidates: [], exact };
    regions = [filters.regionCode];
  }
  const requiredFlags = p.requiredFlags.reduce((m, f) => m | FLAG_BITS[f], 0);

  let q = db
    .selectFrom("financing_requests as r")
    .where("r.status", "=", "open")
    .where("r.amount_fen", ">=", amountLo)
    .where("r.amount_fen", "<=", amountHi)
    .where("r.term_months", ">=", p.minTermMonths)
    .where("r.term_months", "<=", p.maxTermMonths)
    .where("r.max_rate_bp", ">=", p.minRateBp)
    .where(sql<boolean>`${preds.upperScaled} >= r.amount_fen * ${int(BP_SCALE)}`);
  if (regions) q = q.where("r.region_code", "in", regions);
  if (p.industries !== "all") {
    const mask = p.industries.reduce((m, s) => m | industryBit(s), 0);
    q = q.where(sql<boolean>`(r.industry_bit & ${int(mask)}) <> 0`);
  }
  if (requiredFlags !== 0) {
    q = q.where(sql<boolean>`(r.flags_mask & ${int(requiredFlags)}) = ${int(requiredFlags)}`);
  }
  if (filters.ipType) {
    q = q.where(sql<boolean>`(r.offered_types_mask & ${int(IP_TYPE_BITS[filters.ipType])}) <> 0`);
  }
  const rows = await q
    .select(["r.id", "r.amount_fen", "r.term_months"])
    .select(
      sql<number>`${divScale(db, sql`CASE WHEN ${preds.lowerScaled} > 0 THEN ${preds.lowerScaled} ELSE 0 END`)}`.as(
        "cap_lo",
      ),
    )
    .select(sql<number>`${divScale(db, preds.upperScaled)}`.as("cap_hi"))
    .execute();

  const sure: Candidate[] = [];
  const unsure: Candidate[] = [];
  for (const r of rows) {
    const c: Candidate = {
      id: r.id,
      amountFen: Number(r.amount_fen),
      termMonths: r.term_months,
      capLo: Number(r.cap_lo),
      capHi: Number(r.cap_hi),
    };
    (c.capLo >= c.amountFen ? sure : unsure).push(c);
  }
  const caps = await exact(unsure.map((c) => c.id));
  for (const c of unsure) {
    const cap = caps.get(c.id) ?? 0;
    if (cap >= c.amountFen) sure.push({ ...c, capLo: cap, capHi: cap });
  }
  return { candidates: sure, exact };
}

/** Exact number of open requests the product matches (no page). */
export async function countRequestsForProduct(
  db: Executor,
  productId: number,
  today: string,
  filters: RequestFilters = {},
): Promise<number> {
  assertToday(today);
  const row = await db
    .selectFrom("loan_products")
    .selectAll()
    .where("id", "=", productId)
    .executeTakeFirst();
  if (!row) return 0;
  const { candidates } = await matchingCandidates(db, productTermsFromRow(row), filters, today);
  return candidates.length;
}

/**
 * The open requests a product matches, best first (the engine's order: score desc, request id
 * asc), one page of them evaluated by the engine, and the exact total. With `bankOrgId`, a
 * product of another bank reads as missing (null).
 */
export async function findRequestsForProduct(
  db: Executor,
  productId: number,
  opts: { page?: number; pageSize?: number; filters?: RequestFilters; bankOrgId?: number },
  today: string,
): Promise<ProductPipeline | null> {
  assertToday(today);
  const page = Math.max(1, opts.page ?? 1);
  const pageSize = Math.max(1, opts.pageSize ?? 20);
  let pq = db.selectFrom("loan_products").selectAll().where("id", "=", productId);
  if (opts.bankOrgId !== undefined) pq = pq.where("bank_org_id", "=", opts.bankOrgId);
  const product = await pq.executeTakeFirst();
  if (!product) return null;
  const terms = productTermsFromRow(product);
  const { candidates, exact } = await matchingCandidates(db, terms, opts.filters ?? {}, today);
  const total = candidates.length;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const base = { product, total, page, pageSize, pages };
  const want = page * pageSize;
  if (total === 0 || (page - 1) * pageSize >= total) return { ...base, rows: [] };

  const score = (c: Candidate, cap: number) =>
    scoreMatch(
      {
        id: c.id,
        firmOrgId: 0,
        amountFen: c.amountFen,
        termMonths: c.termMonths,
        maxRateBp: 0,
        offeredAssetIds: [],
      },
      terms,
      cap,
    ).score;
  const scored = candidates.map((c) => {
    const lo = score(c, c.capLo);
    // Headroom is full at twice the amount: above it the score no longer depends on capacity.
    const hi = c.capHi === c.capLo || c.capLo >= 2 * c.amountFen ? lo : score(c, c.capHi);
    return { c, lo, hi };
  });
  // The `want`-th best lower bound: a request whose upper bound is below it cannot be on the page.
  let threshold = -Infinity;
  if (scored.length >= want) {
    const los = scored.map((s) => s.lo).sort((a, b) => b - a);
    threshold = los[want - 1];
  }
  const contenders = scored.filter((s) => s.hi >= threshold);
  const caps = await exact(contenders.filter((s) => s.lo !== s.hi).map((s) => s.c.id));
  const ranked = contenders
    .map((s) => {
      const cap = caps.get(s.c.id);
      return { id: s.c.id, score: cap === undefined ? s.lo : score(s.c, cap) };
    })
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice((page - 1) * pageSize, want);

  const loaded = await loadRequestsForEngine(
    db,
    ranked.map((r) => r.id),
    today,
  );
  const rows = loaded.map((l): PipelineRow => {
    const evaluation = evaluateProduct(l.request, l.firm, l.assets, terms, today);
    if (evaluation.status !== "match") {
      // The stored collateral summary disagrees with the assets: someone changed an asset
      // without refreshRequestCollateralBounds. Show the engine's verdict; log the cause.
      console.error(
        `matching: request ${l.row.id} is counted as a match of product ${productId} but the engine says ${evaluation.status}; its collateral summary is stale`,
      );
    }
    return { requestId: l.row.id, firmOrgId: l.row.firm_org_id, row: l.row, evaluation };
  });
  return { ...base, rows };
}
