import { sql } from "kysely";
import type { LoanProduct } from "../../../db/schema";
import { type ProductEvaluation } from "../../domain/matching";
import type { PledgeIpType } from "../../domain/product";
import {
  K_AMOUNT_ABOVE,
  K_AMOUNT_BELOW,
  K_CAPACITY,
  K_CATEGORICAL,
  K_QUOTA,
  K_RATE,
  K_TERM_ABOVE,
  K_TERM_BELOW,
  type Classified,
} from "../../domain/matching/classify";
import { IP_TYPE_BITS } from "../../domain/matching/rows";
import {
  PACK,
  concat,
  divBy,
  divScale,
  groupConcat,
  int,
  sum,
  type Executor,
  type Expr,
  type LoadedRequest,
} from "./load.server";

// ---------------------------------------------------------------------------------------------
// Firm direction
// ---------------------------------------------------------------------------------------------

export type ProductWithBank = LoanProduct & { bank_name: string };

/** What the firm's match page shows at once (the benchmark measures the same page). */
export const MATCH_PAGE_SIZE = 10;
export const NEAR_MISS_PAGE_SIZE = 10;

export interface MatchPageOptions {
  /**
   * Classify with the in-process product table (default) or in SQL. The table is reloaded
   * whenever loan_products changed (see productColumns), so both give the same answer.
   */
  useCache?: boolean;
  /** Matches to skip and to return (default: all). */
  matchOffset?: number;
  matchLimit?: number;
  nearMissOffset?: number;
  nearMissLimit?: number;
}

export interface RequestMatchResult {
  loaded: LoadedRequest;
  /** The requested slice of the matches, in the engine's order, evaluated by the engine. */
  matches: ProductEvaluation[];
  nearMisses: ProductEvaluation[];
  matchCount: number;
  nearMissCount: number;
  /** The products on this page by id, for names and terms. */
  products: Map<number, ProductWithBank>;
}

/**
 * Classifies every active product for one request in SQL, exactly as the engine's rules would:
 * the row rules from the product's columns, the asset rules from the offered assets inlined as
 * constants (each asset's remaining whole years, trademark age, whether its formal value is valid
 * today…), folded per IP type where the engine's answer does not depend on the single asset.
 * Returns the matches and near misses (products with one failed rule) with what ranking needs;
 * the engine evaluates only the products that end up on the page.
 *
 * Cost: one pass over the active products; the cheap row rules run first and the collateral
 * expressions only for products failing at most one of them.
 */
export async function classifyProductsSql(
  db: Executor,
  loaded: LoadedRequest,
  categoricalWanted: number,
): Promise<{ rows: Classified[]; categoricalCount: number }> {
  const { row, request, assets, today } = loaded;
  const A = request.amountFen;
  const amount = int(A);
  const term = int(request.termMonths);
  const notFlags = 7 & ~row.flags_mask;
  const FALSE = sql`0 = 1`;
  const b = (cond: Expr) => sql`(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  const or = (xs: Expr[]) => (xs.length === 0 ? FALSE : sql`(${sql.join(xs, sql` OR `)})`);
  const hasType = (mask: number) => sql`(p.ip_types_mask & ${int(mask)}) <> 0`;
  const rowRules = {
    amountBelow: sql`p.min_amount_fen > ${amount}`,
    amountAbove: sql`p.max_amount_fen < ${amount}`,
    termBelow: sql`p.min_term_months > ${term}`,
    termAbove: sql`p.max_term_months < ${term}`,
    rate: sql`p.min_rate_bp > ${int(request.maxRateBp)}`,
    quota: sql`p.quota_remaining_fen < ${amount}`,
    region: sql`p.all_regions = 0 AND (p.region_mask & ${int(row.region_bit)}) = 0`,
    industry: sql`p.all_industries = 0 AND (p.industry_mask & ${int(row.industry_bit)}) = 0`,
    flags: sql`(p.required_flags_mask & ${int(notFlags)}) <> 0`,
  };
  const rowFailures = sum(Object.values(rowRules).map(b));

  // Each asset, reduced to what the product-dependent rules look at.
  let offeredMask = 0;
  let statusMask = 0; // types with an asset not granted (patents) / registered (trademarks)
  let pledgedMask = 0; // types with an asset held by a pledge lock (pledge_locks)
  let expiredMask = 0; // types with an asset whose protection is over
  let noValueMask = 0; // types with an asset without any usable value
  let indicativeOnlyMask = 0; // types with an asset valued only by an indicative estimate
  const minYears: Partial<Record<PledgeIpType, number>> = {}; // fewest whole years left (unexpired)
  let minAge: number | null = null; // youngest trademark, whole years (-1 if unknown)
  const capacityTerms: Array<{ eligible: Expr; capacity: Expr }> = [];
  const eligibleConds: Expr[] = [];
  const potentialStrict: Expr[] = [];
  const potentialLoose: Expr[] = [];
  for (const a of assets) {
    const t = a.ipType;
    const bit = IP_TYPE_BITS[t];
    offeredMask |= bit;
    const rate = sql.ref(`p.pledge_rate_${t}_bp`);
    const accepted = hasType(bit);
    const formalUsable =
      a.formalValueFen !== null && a.formalValidUntil !== null && a.formalValidUntil >= today;
    // The engine's "known value" of an ineligible asset: usable value, else formal, else indicative.
    const knownStrict = formalUsable
      ? a.formalValueFen!
      : (a.formalValueFen ?? a.indicativeValueFen ?? 0);
    const knownLoose = formalUsable
      ? a.formalValueFen!
      : (a.indicativeValueFen ?? a.formalValueFen ?? 0);
    potentialStrict.push(
      sql`CASE WHEN ${accepted} THEN ${divScale(db, sql`${int(knownStrict)} * ${rate}`)} ELSE 0 END`,
    );
    potentialLoose.push(
      sql`CASE WHEN ${accepted} THEN ${divScale(db, sql`${int(knownLoose)} * ${rate}`)} ELSE 0 END`,
    );
    // The engine checks every rule of every asset, so each problem is recorded independently.
    const statusOk = t === "trademark" ? a.status === "registered" : a.status === "granted";
    if (!statusOk) statusMask |= bit;
    if (a.pledged) pledgedMask |= bit;
    const expired = a.remainingYears <= 0;
    if (expired) expiredMask |= bit;
    // The engine compares the whole calendar years left with the product's minimum (integers).
    const years = a.wholeYearsLeft;
    if (!expired) minYears[t] = Math.min(minYears[t] ?? Infinity, years);
    const age = a.wholeYearsRegistered ?? -1;
    if (t === "trademark") minAge = Math.min(minAge ?? Infinity, age);
    if (!formalUsable) {
      if (a.indicativeValueFen === null) noValueMask |= bit;
      else indicativeOnlyMask |= bit;
    }
    // Eligible under a product: only assets that some product could take.
    if (!statusOk || a.pledged || expired || (!formalUsable && a.indicativeValueFen === null)) {
      continue;
    }
    const conds: Expr[] = [
      accepted,
      sql`${sql.ref(`p.min_remaining_${t}_years`)} <= ${int(years)}`,
    ];
    if (!formalUsable) conds.push(sql`p.requires_formal_appraisal = 0`);
    if (t === "trademark") {
      conds.push(sql`(p.trademark_min_age_years = 0 OR p.trademark_min_age_years <= ${int(age)})`);
    }
    const eligible = sql`(${sql.join(conds, sql` AND `)})`;
    const value = formalUsable ? a.formalValueFen! : a.indicativeValueFen!;
    eligibleConds.push(eligible);
    capacityTerms.push({ eligible, capacity: divScale(db, sql`${int(value)} * ${rate}`) });
  }
  const remainingProblem = or(
    (Object.entries(minYears) as Array<[PledgeIpType, number]>).map(
      ([t, y]) =>
        sql`(${hasType(IP_TYPE_BITS[t])} AND ${sql.ref(`p.min_remaining_${t}_years`)} > ${int(y)})`,
    ),
  );
  const ageProblem =
    minAge === null
      ? FALSE
      : sql`(${hasType(IP_TYPE_BITS.trademark)} AND p.trademark_min_age_years > 0 AND p.trademark_min_age_years > ${int(minAge)})`;
  const valueProblem = or([
    ...(noValueMask ? [hasType(noValueMask)] : []),
    ...(indicativeOnlyMask
      ? [sql`(${hasType(indicativeOnlyMask)} AND p.requires_formal_appraisal = 1)`]
      : []),
  ]);
  // The engine's failures when no offered asset is eligible: each asset rule once, plus capacity
  // short if even the assets' known values would not cover the amount.
  const assetCodes = sum([
    b(statusMask ? hasType(statusMask) : FALSE),
    b(pledgedMask ? hasType(pledgedMask) : FALSE),
    b(expiredMask ? hasType(expiredMask) : FALSE),
    b(remainingProblem),
    b(ageProblem),
    b(valueProblem),
    b(
      sql`(CASE WHEN p.requires_formal_appraisal = 1 THEN ${sum(potentialStrict)} ELSE ${sum(potentialLoose)} END) < ${amount}`,
    ),
  ]);
  const hasEligible = or(eligibleConds);
  // The failing row rule of a near miss, named from the inner query's columns (x.*).
  const xRules = {
    amountBelow: sql`x.min_amount_fen > ${amount}`,
    amountAbove: sql`x.max_amount_fen < ${amount}`,
    termBelow: sql`x.min_term > ${term}`,
    termAbove: sql`x.max_term < ${term}`,
    rate: sql`x.min_rate_bp > ${int(request.maxRateBp)}`,
    quota: sql`x.quota_remaining_fen < ${amount}`,
  };
  const kindRow = sql`CASE WHEN ${xRules.amountBelow} THEN ${int(K_AMOUNT_BELOW)} WHEN ${xRules.amountAbove} THEN ${int(K_AMOUNT_ABOVE)} WHEN ${xRules.termBelow} THEN ${int(K_TERM_BELOW)} WHEN ${xRules.termAbove} THEN ${int(K_TERM_ABOVE)} WHEN ${xRules.rate} THEN ${int(K_RATE)} WHEN ${xRules.quota} THEN ${int(K_QUOTA)} ELSE ${int(K_CATEGORICAL)} END`;
  const numRow = sql`CASE WHEN ${xRules.amountBelow} THEN x.min_amount_fen WHEN ${xRules.amountAbove} THEN x.max_amount_fen WHEN ${xRules.termBelow} THEN x.min_term WHEN ${xRules.termAbove} THEN x.max_term WHEN ${xRules.rate} THEN x.min_rate_bp WHEN ${xRules.quota} THEN x.quota_remaining_fen ELSE 0 END`;

  // Eligible count and capacity in one sum: Σ (capacity × PACK + 1) over eligible assets, when
  // that stays exact (fewer than PACK assets, total below 2⁵³); else two sums.
  const totalValue = assets.reduce(
    (t, a) => t + Math.max(a.formalValueFen ?? 0, a.indicativeValueFen ?? 0),
    0,
  );
  const packed = capacityTerms.length < PACK && totalValue * PACK < 2 ** 52;
  const eligibleColumns = packed
    ? sql`${sum(
        capacityTerms.map(
          (term) =>
            sql`CASE WHEN ${term.eligible} THEN ${term.capacity} * ${int(PACK)} + 1 ELSE 0 END`,
        ),
      )} AS packed_cap`
    : sql`${b(hasEligible)} AS elig, ${sum(
        capacityTerms.map(
          (term) => sql`CASE WHEN ${term.eligible} THEN ${term.capacity} ELSE 0 END`,
        ),
      )} AS cap`;
  const xElig = packed ? sql`(x.packed_cap % ${int(PACK)}) > 0` : sql`x.elig = 1`;
  const xCap = packed ? divBy(db, sql`x.packed_cap`, PACK) : sql`x.cap`;

  // Inner query: one row per product failing at most one row rule, each expression computed
  // once (the LIMIT keeps both engines from merging it into the outer query).
  const inner = sql`SELECT p.id AS id,
      ${rowFailures} AS rf,
      (p.min_rate_bp * (10000 - p.interest_subsidy_bp) + 5000) AS eff_scaled,
      p.risk_government_bp + p.risk_insurer_bp + p.risk_guarantor_bp AS risk,
      p.min_term_months AS min_term,
      p.max_term_months AS max_term,
      p.min_amount_fen, p.max_amount_fen, p.min_rate_bp, p.quota_remaining_fen,
      ${b(hasType(offeredMask))} AS acc,
      ${eligibleColumns},
      CASE WHEN ${hasEligible} THEN 0 ELSE ${assetCodes} END AS codes
    FROM loan_products p
    WHERE p.active = 1 AND ${rowFailures} <= 1
    LIMIT 1000000000`;
  const failed = sql`x.rf + CASE WHEN x.acc = 0 THEN 1 WHEN ${xElig} THEN (CASE WHEN ${xCap} < ${amount} THEN 1 ELSE 0 END) ELSE x.codes END`;
  const classified = sql`SELECT x.id, ${failed} AS failed,
      CASE WHEN x.rf = 1 THEN ${kindRow} WHEN x.acc = 1 AND ${xElig} THEN ${int(K_CAPACITY)} ELSE ${int(K_CATEGORICAL)} END AS kind,
      CASE WHEN x.rf = 1 THEN ${numRow} ELSE ${xCap} END AS num,
      ${divScale(db, sql`x.eff_scaled`)} AS eff, x.risk, x.min_term, x.max_term
    FROM (${inner}) x
    WHERE ${failed} <= 1`;
  // The result comes back as one row of two strings (group_concat), not one row per product:
  // thousands of near misses are common, and reading each as a row costs more than matching it.
  // Categorical near misses (gap 1, ordered by effective rate and id) need only their id and
  // rate; the others carry what ranking needs.
  const sep = sql.raw("':'");
  const isCategorical = sql`y.failed = 1 AND y.kind = ${int(K_CATEGORICAL)}`;
  const query = sql<{ detail: string | null; categorical: string | null }>`SELECT
      group_concat(CASE WHEN ${isCategorical} THEN NULL ELSE ${concat(db, [
        sql`y.id`,
        sep,
        sql`y.failed`,
        sep,
        sql`y.kind`,
        sep,
        sql`y.num`,
        sep,
        sql`y.eff`,
        sep,
        sql`y.risk`,
        sep,
        sql`y.min_term`,
        sep,
        sql`y.max_term`,
      ])} END) AS detail,
      group_concat(CASE WHEN ${isCategorical} THEN ${concat(db, [sql`y.id`, sep, sql`y.eff`])} END) AS categorical
    FROM (${classified}) y`;
  const out = await groupConcat(db, query);
  const rows: Classified[] = [];
  for (const entry of out?.detail ? out.detail.split(",") : []) {
    const [id, failed, kind, num, eff, risk, minTerm, maxTerm] = entry.split(":").map(Number);
    rows.push({ id, near: failed === 1, kind, num, effBp: eff, riskBp: risk, minTerm, maxTerm });
  }
  let categoricalCount = 0;
  const categorical: Array<{ id: number; eff: number }> = [];
  for (const entry of out?.categorical ? out.categorical.split(",") : []) {
    const [id, eff] = entry.split(":").map(Number);
    categoricalCount++;
    categorical.push({ id, eff });
  }
  // Only the first `categoricalWanted` (by rate, then id) can reach a page.
  categorical.sort((a, b) => a.eff - b.eff || a.id - b.id);
  for (const c of categorical.slice(0, Math.max(0, categoricalWanted))) {
    rows.push({
      id: c.id,
      near: true,
      kind: K_CATEGORICAL,
      num: 0,
      effBp: c.eff,
      riskBp: 0,
      minTerm: 0,
      maxTerm: 0,
    });
  }
  return { rows, categoricalCount };
}
