import { compareMatches, compareNearMisses } from "./evaluate";
import { MATCH_STATES, type Failure, type MatchState, type ProductEvaluation } from "./types";

/**
 * The firm's match page: every active product in exactly one of the four states, and — when
 * nothing is ready — the single change that opens the most products (docs/domain.md#matching).
 */

export type MatchSort = "score" | "rate";

/**
 * The one change a firm can make, with the number of products it would move to ready or
 * subject-to-appraisal. Counted from each product's own failures, one product at a time: a change
 * is credited to a product only when it is that product's single failed rule.
 */
export type SingleChange =
  | { kind: "appraisal"; products: number; assetIds: number[] }
  | { kind: "collateral"; products: number; collateralValueFen: number }
  | { kind: "smaller_amount"; products: number; amountFen: number }
  | { kind: "larger_amount"; products: number; amountFen: number }
  | { kind: "longer_term"; products: number; termMonths: number }
  | { kind: "shorter_term"; products: number; termMonths: number }
  | { kind: "higher_rate"; products: number; rateBp: number };

export type ProductStates = Record<MatchState, ProductEvaluation[]>;

function byRate(a: ProductEvaluation, b: ProductEvaluation): number {
  return a.effectiveRateBp - b.effectiveRateBp || a.productId - b.productId;
}

/** Groups evaluations by state; within a group by 匹配度 (or effective rate when asked). */
export function groupByState(
  evaluations: readonly ProductEvaluation[],
  sort: MatchSort = "score",
): ProductStates {
  const groups = Object.fromEntries(MATCH_STATES.map((s) => [s, []])) as unknown as ProductStates;
  for (const e of evaluations) groups[e.state].push(e);
  const ready = sort === "rate" ? byRate : compareMatches;
  groups.ready.sort(ready);
  groups.needs_appraisal.sort(ready);
  groups.near_miss.sort(sort === "rate" ? byRate : compareNearMisses);
  groups.not_suitable.sort(
    (a, b) => stateFailures(a).length - stateFailures(b).length || byRate(a, b),
  );
  return groups;
}

/** The failed rules that put a product in its state (see evaluateProduct). */
export function stateFailures(e: ProductEvaluation): Failure[] {
  return e.stateFailures ?? e.failures;
}

/** Null when some product is ready, or when no single change opens any product. */
export function bestSingleChange(groups: ProductStates): SingleChange | null {
  if (groups.ready.length > 0) return null;
  const options: SingleChange[] = [];
  if (groups.needs_appraisal.length > 0) {
    const ids = new Set<number>();
    for (const e of groups.needs_appraisal) for (const id of e.appraisalAssetIds ?? []) ids.add(id);
    options.push({
      kind: "appraisal",
      products: groups.needs_appraisal.length,
      assetIds: [...ids].sort((a, b) => a - b),
    });
  }
  // Each change is sized to open every product counted for it (the largest collateral, the
  // smallest maximum amount, …); products whose single failure is of another kind are unaffected.
  const tally = (
    values: number[],
    pick: (xs: number[]) => number,
    build: (n: number, v: number) => SingleChange,
  ) => {
    if (values.length > 0) options.push(build(values.length, pick(values)));
  };
  const collateral: number[] = [];
  const smaller: number[] = [];
  const larger: number[] = [];
  const longer: number[] = [];
  const shorter: number[] = [];
  const rate: number[] = [];
  for (const e of groups.near_miss) {
    const f = stateFailures(e)[0];
    if (!f) continue;
    if (f.code === "capacity_short" && f.neededCollateralValueFen !== null) {
      collateral.push(f.neededCollateralValueFen);
    } else if (f.code === "amount_above_max") smaller.push(f.maxAmountFen);
    else if (f.code === "amount_below_min") larger.push(f.minAmountFen);
    else if (f.code === "term_below_min") longer.push(f.minTermMonths);
    else if (f.code === "term_above_max") shorter.push(f.maxTermMonths);
    else if (f.code === "rate_above_firm_max") rate.push(f.minRateBp);
  }
  const max = (xs: number[]) => Math.max(...xs);
  const min = (xs: number[]) => Math.min(...xs);
  tally(collateral, max, (products, collateralValueFen) => ({
    kind: "collateral",
    products,
    collateralValueFen,
  }));
  tally(smaller, min, (products, amountFen) => ({
    kind: "smaller_amount",
    products,
    amountFen,
  }));
  tally(larger, max, (products, amountFen) => ({
    kind: "larger_amount",
    products,
    amountFen,
  }));
  tally(longer, max, (products, termMonths) => ({
    kind: "longer_term",
    products,
    termMonths,
  }));
  tally(shorter, min, (products, termMonths) => ({
    kind: "shorter_term",
    products,
    termMonths,
  }));
  tally(rate, max, (products, rateBp) => ({ kind: "higher_rate", products, rateBp }));
  if (options.length === 0) return null;
  // Most products first; an appraisal wins ties (it changes nothing about the request itself).
  return options.reduce((best, o) => (o.products > best.products ? o : best));
}
