import { ratioBp } from "../analytics/statistics";
import { daysBetween } from "../ip";
import { leverageBp, leverageLimitFen } from "./coverage";

/**
 * What risk sharing and 贴息 did, as the public report and the alliance review show it
 * (docs/domain.md#risk-figures). Pure: the model sums the rows in SQL, these say what each
 * figure means. Every figure is one of these over sums the drill-down (/report/risk) lists.
 */

/** The measures of /report/risk: each lists the loans or entries one figure was summed from. */
export const RISK_MEASURES = [
  "pool_exposure",
  "pool_balance",
  "claims_paid",
  "recovered",
  "subsidies",
  "effective_rate",
  "npl",
] as const;
export type RiskMeasure = (typeof RISK_MEASURES)[number];

export interface RiskDrillFilter {
  pool?: number;
  programme?: number;
  region?: string;
  product?: number;
  /** npl only: loans with (true) or without (false) risk sharing. */
  shared?: boolean;
}

/** The drill-down's address for one figure. */
export function riskDrillHref(measure: RiskMeasure, filter: RiskDrillFilter = {}): string {
  const q = new URLSearchParams({ measure });
  if (filter.pool !== undefined) q.set("pool", String(filter.pool));
  if (filter.programme !== undefined) q.set("programme", String(filter.programme));
  if (filter.region) q.set("region", filter.region);
  if (filter.product !== undefined) q.set("product", String(filter.product));
  if (filter.shared !== undefined) q.set("shared", filter.shared ? "1" : "0");
  return `/report/risk?${q.toString()}`;
}

// ---- pools: leverage and usage ----

export interface PoolPosition {
  contributedFen: number;
  /** Σ of the pool's ledger: contributions − its part of payouts + its part of recoveries. */
  balanceFen: number;
  /** Σ of the active reservations: the covered outstanding. */
  exposureFen: number;
  leverageMultipleBp: number;
}

export interface PoolUsage {
  /** balance × multiple, floored: what the pool may carry. */
  limitFen: number;
  /** exposure ÷ balance as a multiple in bp (18.94× = 189400); null when the balance is ≤ 0. */
  leverageBp: number | null;
  /** exposure ÷ limit in bp (how much of the allowed leverage is used); null when the limit is 0. */
  usageBp: number | null;
  headroomFen: number;
}

/**
 * Leverage = covered outstanding ÷ balance; usage = covered outstanding ÷ (balance × cap), both
 * rounded half up. A 1,000万 pool at an 18.94× cap carrying 9,470万: leverage 9.47×, usage 50%.
 */
export function poolUsage(p: PoolPosition): PoolUsage {
  const limitFen = leverageLimitFen(p.balanceFen, p.leverageMultipleBp);
  return {
    limitFen,
    leverageBp: leverageBp(p.exposureFen, p.balanceFen),
    usageBp: ratioBp(p.exposureFen, limitFen),
    headroomFen: Math.max(0, limitFen - p.exposureFen),
  };
}

// ---- the effective rate after 贴息 ----

export interface Repayment {
  valueDate: string;
  /** Principal repaid; negative for a reversal. */
  principalFen: number;
}

/**
 * Principal-days (元·天 in fen) of one loan from its start to `endDate`: Σ outstanding × days,
 * the outstanding falling on each repayment's value date. Written per interval; the model sums
 * the same thing in SQL as P × (E − S) − Σ pᵢ × (E − dᵢ) (every repayment stops its principal
 * earning for the days after it), which is equal term by term.
 * 100万 from 2025-01-01, 40万 repaid on 2025-04-01 (90 days), to 2025-07-01 (91 days more):
 * 100万 × 90 + 60万 × 91 = 1.446亿 元·天.
 */
export function principalDays(
  principalFen: number,
  startDate: string,
  endDate: string,
  repayments: readonly Repayment[],
): number {
  const sorted = [...repayments]
    .filter((r) => r.valueDate <= endDate)
    .sort((a, b) => (a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : 0));
  let outstanding = principalFen;
  let from = startDate;
  let total = 0;
  for (const r of sorted) {
    const to = r.valueDate < from ? from : r.valueDate;
    total += outstanding * daysBetween(from, to);
    outstanding -= r.principalFen;
    from = to;
  }
  if (endDate > from) total += outstanding * daysBetween(from, endDate);
  return total;
}

export interface RateBasis {
  /** Interest the firms paid, net of reversals. */
  interestFen: number;
  /** 贴息 paid back to them for that interest. */
  subsidyFen: number;
  /** Σ principal-days over the same loans and period the interest was paid for. */
  principalDays: number;
}

export interface EffectiveRate {
  /** Interest ÷ principal-days × 360, bp a year: the rate paid before 贴息. */
  grossBp: number | null;
  /** (interest − 贴息) ÷ principal-days × 360, bp a year: the rate paid after 贴息. */
  netBp: number | null;
  /** What 贴息 took off, bp. */
  subsidyBp: number | null;
}

/** Days in the year of an annual rate (日利率 = 年利率 ÷ 360, docs/domain.md#servicing). */
export const RATE_DAYS = 360;

/**
 * The rate firms actually paid, annualised on the day basis of the loans (actual/360):
 * (interest − subsidy) × 360 ÷ principal-days, in bp, rounded half up; null without
 * principal-days. Over the loans that paid interest, each counted from its start to its latest
 * repayment (the interest a repayment pays is for the time up to its value date). Example:
 * 1.446亿 元·天 with 15,665 元 of interest paid (3.90%) and 7,832.50 元 of 贴息 → 1.95% after 贴息.
 */
export function effectiveRate(b: RateBasis): EffectiveRate {
  if (b.principalDays <= 0) return { grossBp: null, netBp: null, subsidyBp: null };
  const rate = (fen: number) => ratioBp(fen * RATE_DAYS, b.principalDays);
  return {
    grossBp: rate(b.interestFen),
    netBp: rate(b.interestFen - b.subsidyFen),
    subsidyBp: rate(b.subsidyFen),
  };
}

// ---- non-performing ratios with and without risk sharing ----

export interface NplCell {
  loans: number;
  /** Outstanding principal of the loans still owing (open or defaulted). */
  outstandingFen: number;
  /** Of which on loans classified 次级/可疑/损失 (defaulted loans included). */
  nonPerformingFen: number;
}

export interface NplRow {
  productId: number;
  /** Loans covered by a pool reservation or a bound insurance or guarantee. */
  shared: NplCell & { ratioBp: number | null };
  unshared: NplCell & { ratioBp: number | null };
}

export const NO_NPL: NplCell = { loans: 0, outstandingFen: 0, nonPerformingFen: 0 };

/**
 * Non-performing ratio = non-performing outstanding ÷ outstanding, bp, half up, per product,
 * separately for loans with risk sharing and without; null where nothing is outstanding. Rows in
 * product order; a product with no loan owing anything is left out.
 */
export function nplByProduct(
  cells: readonly ({ productId: number; shared: boolean } & NplCell)[],
): NplRow[] {
  const rows = new Map<number, { shared: NplCell; unshared: NplCell }>();
  for (const c of cells) {
    const row = rows.get(c.productId) ?? { shared: { ...NO_NPL }, unshared: { ...NO_NPL } };
    const cell = c.shared ? row.shared : row.unshared;
    cell.loans += c.loans;
    cell.outstandingFen += c.outstandingFen;
    cell.nonPerformingFen += c.nonPerformingFen;
    rows.set(c.productId, row);
  }
  const ratio = (c: NplCell) => ({ ...c, ratioBp: ratioBp(c.nonPerformingFen, c.outstandingFen) });
  return [...rows.entries()]
    .filter(([, r]) => r.shared.loans + r.unshared.loans > 0)
    .sort(([a], [b]) => a - b)
    .map(([productId, r]) => ({
      productId,
      shared: ratio(r.shared),
      unshared: ratio(r.unshared),
    }));
}

/**
 * The NPL rows as a bank officer may see them on the alliance review (docs/domain.md#alliance-review):
 * their own bank's products by name, every other bank's products only as one combined row
 * (`others: true`), like the review's other tables.
 */
export function nplForBankOfficer<T extends NplRow & { bankOrgId: number }>(
  rows: readonly T[],
  ownBankOrgId: number,
): (T | (NplRow & { others: true }))[] {
  const own = rows.filter((r) => r.bankOrgId === ownBankOrgId);
  const others = rows.filter((r) => r.bankOrgId !== ownBankOrgId);
  if (others.length === 0) return own;
  return [...own, { productId: 0, others: true, ...combineNpl(others) }];
}

/** Several products' NPL cells summed, the ratios taken of the sums (not averaged). */
export function combineNpl(rows: readonly NplRow[]): Pick<NplRow, "shared" | "unshared"> {
  const sum = (pick: (r: NplRow) => NplCell): NplCell => {
    const total = { ...NO_NPL };
    for (const r of rows) {
      const c = pick(r);
      total.loans += c.loans;
      total.outstandingFen += c.outstandingFen;
      total.nonPerformingFen += c.nonPerformingFen;
    }
    return total;
  };
  const ratio = (c: NplCell) => ({ ...c, ratioBp: ratioBp(c.nonPerformingFen, c.outstandingFen) });
  return { shared: ratio(sum((r) => r.shared)), unshared: ratio(sum((r) => r.unshared)) };
}

/** Products the NPL table of a page names; the CSV and JSON downloads carry every product. */
export const NPL_SHOWN = 20;

/**
 * The NPL table as a page shows it: the `limit` products with the most non-performing principal
 * (then the most outstanding, then product id), in that order, and every other product summed
 * into one row, so the table still adds up to the whole book and a phone is not sent a row per
 * product of the marketplace (thousands at scale). Rows marked `others` (a bank officer's other
 * banks) are not products of the list: they stay, after it.
 */
export function nplShortList<T extends NplRow & { others?: boolean }>(
  rows: readonly T[],
  limit = NPL_SHOWN,
): { rows: T[]; rest: (Pick<NplRow, "shared" | "unshared"> & { products: number }) | null } {
  const fixed = rows.filter((r) => r.others);
  // Keys computed once: thousands of rows at scale.
  const ranked = rows
    .filter((r) => !r.others)
    .map((row) => ({
      row,
      npl: row.shared.nonPerformingFen + row.unshared.nonPerformingFen,
      outstanding: row.shared.outstandingFen + row.unshared.outstandingFen,
    }))
    .sort(
      (a, b) => b.npl - a.npl || b.outstanding - a.outstanding || a.row.productId - b.row.productId,
    )
    .map((k) => k.row);
  const rest = ranked.slice(limit);
  return {
    rows: [...ranked.slice(0, limit), ...fixed],
    rest: rest.length === 0 ? null : { products: rest.length, ...combineNpl(rest) },
  };
}
