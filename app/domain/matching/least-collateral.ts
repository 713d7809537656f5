export interface CollateralCandidate {
  id: number;
  /** The value that gets pledged (locked) if this asset is chosen. */
  valueFen: number;
  /** What the asset lends under the product: floor(value × pledge rate). */
  capacityFen: number;
}

export interface LeastCollateral {
  /** Ascending. */
  assetIds: number[];
  pledgedValueFen: number;
  capacityFen: number;
  /** True when the choice is proven optimal, tie-breaks included. */
  exact: boolean;
}

/** Largest portfolio solved exactly; meet in the middle lists 2 × 2^(n/2) subsets (2²¹ at 40). */
export const LEAST_COLLATERAL_EXACT_MAX_ASSETS = 40;

/**
 * The set of assets to pledge for `amountFen`: Σ capacity ≥ amount with the least Σ value, so the
 * rest of the portfolio stays free for other loans. Ties: fewer assets, then the lexicographically
 * smallest ascending id list. Null when even every asset together does not cover the amount.
 *
 * Exact up to LEAST_COLLATERAL_EXACT_MAX_ASSETS assets with positive capacity (assets lending 0
 * are never chosen). This is a covering knapsack, NP-hard in general and close to subset-sum here
 * because capacity ≈ value × one rate per IP type, which defeats branch-and-bound's fractional
 * bound; meet in the middle has a fixed cost instead:
 *   – cost_i = value_i × (n + 1) + 1, so Σ cost orders sets by (value, then count) exactly;
 *   – split the id-sorted assets into halves A (lower ids) and B; list all 2^|B| subsets of B
 *     sorted by capacity (built by merging, O(2^|B|)), then a suffix pass keeps, for each
 *     capacity threshold, the cheapest subset at or above it (ties: lexicographic key);
 *   – list A's subsets the same way and walk them from the most capacity down; the B threshold
 *     only rises, so one forward pointer finds the cheapest B subset covering the rest.
 * Time O(2^(n/2)), memory 40 bytes × 2^(n/2) (40 MB at 40 assets, freed on return).
 * Beyond the limit (or if value × (n + 1) would exceed 2⁵³) an approximation is used and flagged
 * exact: false: greedy by value per fen of capacity, then drop redundant assets and apply
 * improving one-for-one swaps until none is left, compared with the cheapest single covering
 * asset.
 */
export function chooseLeastCollateral(
  assets: readonly CollateralCandidate[],
  amountFen: number,
): LeastCollateral | null {
  if (!Number.isSafeInteger(amountFen)) {
    throw new RangeError(`amountFen not an integer: ${amountFen}`);
  }
  const ids = new Set<number>();
  for (const a of assets) {
    if (ids.has(a.id)) throw new RangeError(`asset ${a.id} listed twice`);
    ids.add(a.id);
    if (!Number.isSafeInteger(a.valueFen) || a.valueFen < 0) {
      throw new RangeError(`asset ${a.id}: valueFen must be a non-negative integer`);
    }
    if (!Number.isSafeInteger(a.capacityFen) || a.capacityFen < 0) {
      throw new RangeError(`asset ${a.id}: capacityFen must be a non-negative integer`);
    }
  }
  if (amountFen <= 0) return { assetIds: [], pledgedValueFen: 0, capacityFen: 0, exact: true };
  const items = assets.filter((a) => a.capacityFen > 0).sort((a, b) => a.id - b.id);
  const totalCapacity = items.reduce((s, a) => s + a.capacityFen, 0);
  if (totalCapacity < amountFen) return null;
  const totalValue = items.reduce((s, a) => s + a.valueFen, 0);
  const n = items.length;
  const exact =
    n <= LEAST_COLLATERAL_EXACT_MAX_ASSETS && Number.isSafeInteger(totalValue * (n + 1) + n);
  const chosen = exact ? exactCover(items, amountFen) : approximateCover(items, amountFen);
  return {
    assetIds: chosen.map((i) => items[i].id),
    pledgedValueFen: chosen.reduce((s, i) => s + items[i].valueFen, 0),
    capacityFen: chosen.reduce((s, i) => s + items[i].capacityFen, 0),
    exact,
  };
}

/** Every subset of a run of assets, sorted by capacity ascending, as parallel typed arrays. */
interface SubsetList {
  cap: Float64Array;
  cost: Float64Array;
  /** Bit (count − 1 − j) set when the run's j-th asset is in the subset; see exactCover. */
  key: Uint32Array;
}

/**
 * All 2^count subsets of items[from, from + count), sorted by capacity. Built by doubling: the
 * sorted list of the first j assets merged with itself shifted by asset j, O(2^count) in all.
 */
function sortedSubsets(
  items: readonly CollateralCandidate[],
  cost: readonly number[],
  from: number,
  count: number,
): SubsetList {
  const size = 2 ** count;
  const cap = new Float64Array(size);
  const cst = new Float64Array(size);
  const key = new Uint32Array(size);
  let len = 1; // the empty set
  for (let j = 0; j < count; j++) {
    const c = items[from + j].capacityFen;
    const w = cost[from + j];
    const bit = 1 << (count - 1 - j);
    // Merge [0, len) with [0, len) + asset into [0, 2·len) from the back: the write position
    // stays ahead of both read positions, so no second buffer is needed.
    let i = len - 1;
    let k = len - 1;
    let p = 2 * len - 1;
    while (k >= 0) {
      const shifted = cap[k] + c;
      if (i >= 0 && cap[i] > shifted) {
        cap[p] = cap[i];
        cst[p] = cst[i];
        key[p] = key[i];
        i--;
      } else {
        cap[p] = shifted;
        cst[p] = cst[k] + w;
        key[p] = key[k] | bit;
        k--;
      }
      p--;
    }
    len *= 2;
  }
  return { cap, cost: cst, key };
}

/** Meet in the middle (see chooseLeastCollateral). Returns ascending indices into `items`. */
function exactCover(items: readonly CollateralCandidate[], amountFen: number): number[] {
  const n = items.length;
  const cost = items.map((a) => a.valueFen * (n + 1) + 1);
  const h = n >> 1; // half A: indices [0, h) — the lower ids
  const m = n - h; // half B: indices [h, n)
  // A subset's key sets bit (size − 1 − j) for its j-th member, so within a half the larger key
  // is the lexicographically smaller id list (the lowest differing asset is in it); A holds the
  // lower ids, so (A key, B key) compared in that order is the order of the whole id list.
  const A = sortedSubsets(items, cost, 0, h);
  const B = sortedSubsets(items, cost, h, m);
  const sizeB = B.cap.length;
  // Suffix pass: B entry t becomes the best subset among those with capacity ≥ B.cap[t].
  for (let t = sizeB - 2; t >= 0; t--) {
    const c = B.cost[t + 1];
    if (c < B.cost[t] || (c === B.cost[t] && B.key[t + 1] > B.key[t])) {
      B.cost[t] = c;
      B.key[t] = B.key[t + 1];
    }
  }
  // A from the most capacity down: what B must still cover only grows, so B's pointer only moves
  // forward and both arrays are read sequentially (random access was 5× slower at 40 assets).
  let bestCost = Infinity;
  let bestAKey = 0;
  let bestBKey = 0;
  let t = 0;
  for (let s = A.cap.length - 1; s >= 0; s--) {
    const need = amountFen - A.cap[s];
    while (t < sizeB && B.cap[t] < need) t++;
    if (t === sizeB) break; // every remaining A subset lends less still
    const total = A.cost[s] + B.cost[t];
    const aKey = A.key[s];
    if (
      total < bestCost ||
      (total === bestCost && (aKey > bestAKey || (aKey === bestAKey && B.key[t] > bestBKey)))
    ) {
      bestCost = total;
      bestAKey = aKey;
      bestBKey = B.key[t];
    }
  }
  const chosen: number[] = [];
  for (let j = 0; j < h; j++) if (bestAKey & (1 << (h - 1 - j))) chosen.push(j);
  for (let j = 0; j < m; j++) if (bestBKey & (1 << (m - 1 - j))) chosen.push(h + j);
  return chosen;
}

/** Orders index sets by (Σ value, count, ascending indices lexicographically); < 0 if a is better. */
function compareSelections(
  items: readonly CollateralCandidate[],
  a: readonly number[],
  b: readonly number[],
): number {
  const value = (s: readonly number[]) => s.reduce((t, i) => t + items[i].valueFen, 0);
  const d = value(a) - value(b) || a.length - b.length;
  if (d !== 0) return d;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

/** Approximation for large portfolios (see chooseLeastCollateral). Ascending indices. */
function approximateCover(items: readonly CollateralCandidate[], amountFen: number): number[] {
  const n = items.length;
  const order = items
    .map((_, i) => i)
    .sort(
      (x, y) =>
        items[x].valueFen / items[x].capacityFen - items[y].valueFen / items[y].capacityFen ||
        items[y].capacityFen - items[x].capacityFen ||
        x - y,
    );
  const chosen = new Uint8Array(n);
  let cap = 0;
  for (const i of order) {
    if (cap >= amountFen) break;
    chosen[i] = 1;
    cap += items[i].capacityFen;
  }
  const selection = () => [...chosen.keys()].filter((i) => chosen[i] === 1);

  // Improvement pass; every accepted step makes the selection strictly better, so it ends.
  for (let round = 0; round < 10 * n; round++) {
    let improved = false;
    // Drop assets that are no longer needed, most valuable first.
    const pledged = selection().sort((x, y) => items[y].valueFen - items[x].valueFen || y - x);
    for (const i of pledged) {
      if (cap - items[i].capacityFen >= amountFen) {
        chosen[i] = 0;
        cap -= items[i].capacityFen;
        improved = true;
      }
    }
    // The best one-for-one swap that keeps the amount covered: the largest value saved; at
    // equal value, swapping in a lower index gives the lexicographically smaller id list.
    let bestSwap: [number, number] | null = null;
    let bestDelta = 0;
    for (let p = 0; p < n; p++) {
      if (chosen[p] === 0) continue;
      for (let f = 0; f < n; f++) {
        if (chosen[f] === 1 || cap - items[p].capacityFen + items[f].capacityFen < amountFen)
          continue;
        const delta = items[f].valueFen - items[p].valueFen;
        if (delta < bestDelta || (bestSwap === null && delta === 0 && f < p)) {
          bestDelta = delta;
          bestSwap = [p, f];
        }
      }
    }
    if (bestSwap) {
      const [p, f] = bestSwap;
      chosen[p] = 0;
      chosen[f] = 1;
      cap += items[f].capacityFen - items[p].capacityFen;
      improved = true;
    }
    if (!improved) break;
  }

  let result = selection();
  // A single asset that covers alone can beat a greedy mix of cheap-per-fen small ones.
  for (let i = 0; i < n; i++) {
    if (items[i].capacityFen >= amountFen && compareSelections(items, [i], result) < 0)
      result = [i];
  }
  return result;
}
