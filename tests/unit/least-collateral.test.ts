import { describe, expect, it } from "vitest";
import {
  LEAST_COLLATERAL_EXACT_MAX_ASSETS,
  assetCapacityFen,
  chooseLeastCollateral,
  type CollateralCandidate,
} from "../../app/domain/matching";

/** mulberry32: a small seeded PRNG, so every failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Lexicographic order of ascending id lists: the first differing id decides. */
function compareIdLists(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] - b[k];
  return a.length - b.length;
}

/** Every subset, ordered by (Σ value, count, ascending ids lexicographically). */
function bruteForce(assets: readonly CollateralCandidate[], amountFen: number) {
  const n = assets.length;
  let best: { ids: number[]; value: number; capacity: number } | null = null;
  for (let mask = 0; mask < 2 ** n; mask++) {
    let capacity = 0;
    let value = 0;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        capacity += assets[i].capacityFen;
        value += assets[i].valueFen;
      }
    }
    if (capacity < amountFen) continue;
    if (best !== null && value > best.value) continue;
    const ids = assets
      .filter((_, i) => mask & (1 << i))
      .map((a) => a.id)
      .sort((x, y) => x - y);
    const order =
      best === null
        ? -1
        : value - best.value || ids.length - best.ids.length || compareIdLists(ids, best.ids);
    if (order < 0) best = { ids, value, capacity };
  }
  return best;
}

/** Least pledged value by dynamic programming over small integer capacities (independent check). */
function dpLeastValue(assets: readonly CollateralCandidate[], amountFen: number): number | null {
  const total = assets.reduce((s, a) => s + a.capacityFen, 0);
  if (total < amountFen) return null;
  const dp = new Array<number>(total + 1).fill(Infinity);
  dp[0] = 0;
  for (const a of assets) {
    for (let c = total; c >= a.capacityFen; c--) {
      dp[c] = Math.min(dp[c], dp[c - a.capacityFen] + a.valueFen);
    }
  }
  return Math.min(...dp.slice(Math.max(0, amountFen)));
}

/** Distinct ids in random order, not 0..n−1, so the id tie-break is really exercised. */
function randomIds(rand: () => number, n: number): number[] {
  const ids = new Set<number>();
  while (ids.size < n) ids.add(randInt(rand, 1, 10 * n + 10));
  return [...ids];
}

/** Portfolios shaped like real ones: values ¥10万–¥2000万, capacity = value × one of 4 rates. */
function realisticPortfolio(rand: () => number, n: number): CollateralCandidate[] {
  const rates = [2500, 1500, 1000, 5000];
  return randomIds(rand, n).map((id) => {
    const valueFen = randInt(rand, 10_000_000, 2_000_000_000);
    return { id, valueFen, capacityFen: assetCapacityFen(valueFen, rates[randInt(rand, 0, 3)]) };
  });
}

/** Tiny integers, so many subsets tie on value and count and the id tie-break decides. */
function tiePortfolio(rand: () => number, n: number): CollateralCandidate[] {
  return randomIds(rand, n).map((id) => ({
    id,
    valueFen: randInt(rand, 1, 4),
    capacityFen: randInt(rand, 0, 4),
  }));
}

describe("chooseLeastCollateral", () => {
  it("pledges the single asset that covers the amount with the least value", () => {
    const assets = [
      { id: 1, valueFen: 400, capacityFen: 100 },
      { id: 2, valueFen: 300, capacityFen: 90 },
      { id: 3, valueFen: 200, capacityFen: 100 },
    ];
    expect(chooseLeastCollateral(assets, 100)).toEqual({
      assetIds: [3],
      pledgedValueFen: 200,
      capacityFen: 100,
      exact: true,
    });
  });

  it("prefers two cheap assets over one expensive one when their total value is lower", () => {
    const assets = [
      { id: 1, valueFen: 1000, capacityFen: 250 },
      { id: 2, valueFen: 400, capacityFen: 100 },
      { id: 3, valueFen: 400, capacityFen: 100 },
      { id: 4, valueFen: 100, capacityFen: 50 },
    ];
    const r = chooseLeastCollateral(assets, 200);
    expect(r).toEqual({ assetIds: [2, 3], pledgedValueFen: 800, capacityFen: 200, exact: true });
  });

  it("breaks a tie on pledged value by pledging fewer assets", () => {
    const assets = [
      { id: 1, valueFen: 5, capacityFen: 5 },
      { id: 2, valueFen: 5, capacityFen: 5 },
      { id: 3, valueFen: 10, capacityFen: 10 },
    ];
    expect(chooseLeastCollateral(assets, 10)?.assetIds).toEqual([3]);
  });

  it("breaks a tie on value and count by the lower ids", () => {
    const assets = [
      { id: 4, valueFen: 6, capacityFen: 6 },
      { id: 3, valueFen: 5, capacityFen: 5 },
      { id: 2, valueFen: 5, capacityFen: 5 },
      { id: 1, valueFen: 4, capacityFen: 4 },
    ];
    // {1,4} and {2,3} both pledge 10 with two assets; [1,4] sorts first.
    expect(chooseLeastCollateral(assets, 10)?.assetIds).toEqual([1, 4]);
  });

  it("never pledges an asset that lends nothing", () => {
    const assets = [
      { id: 1, valueFen: 0, capacityFen: 0 },
      { id: 2, valueFen: 50, capacityFen: 10 },
    ];
    expect(chooseLeastCollateral(assets, 10)?.assetIds).toEqual([2]);
  });

  it("returns null when even all assets together do not cover the amount", () => {
    const assets = [
      { id: 1, valueFen: 100, capacityFen: 25 },
      { id: 2, valueFen: 100, capacityFen: 25 },
    ];
    expect(chooseLeastCollateral(assets, 51)).toBeNull();
    expect(chooseLeastCollateral(assets, 50)?.assetIds).toEqual([1, 2]);
    expect(chooseLeastCollateral([], 1)).toBeNull();
  });

  it("pledges nothing for a zero amount", () => {
    expect(chooseLeastCollateral([{ id: 1, valueFen: 1, capacityFen: 1 }], 0)).toEqual({
      assetIds: [],
      pledgedValueFen: 0,
      capacityFen: 0,
      exact: true,
    });
  });

  it("rejects duplicate ids and negative or fractional amounts", () => {
    const a = { id: 1, valueFen: 1, capacityFen: 1 };
    expect(() => chooseLeastCollateral([a, a], 1)).toThrow(/twice/);
    expect(() => chooseLeastCollateral([{ ...a, valueFen: -1 }], 1)).toThrow(/valueFen/);
    expect(() => chooseLeastCollateral([{ ...a, capacityFen: 0.5 }], 1)).toThrow(/capacityFen/);
    expect(() => chooseLeastCollateral([a], 1.5)).toThrow(/amountFen/);
  });

  it("matches brute force over all subsets for 1500 random portfolios of up to 16 assets", () => {
    const rand = prng(20251231);
    let checked = 0;
    let nulls = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const n = randInt(rand, 0, 16);
      const assets = trial % 2 === 0 ? realisticPortfolio(rand, n) : tiePortfolio(rand, n);
      const total = assets.reduce((s, a) => s + a.capacityFen, 0);
      // Up to 110% of the total, so some portfolios cannot cover the amount.
      const amountFen = randInt(rand, 1, Math.max(1, Math.ceil(total * 1.1)));
      const expected = bruteForce(assets, amountFen);
      const actual = chooseLeastCollateral(assets, amountFen);
      if (expected === null) {
        expect(actual, `trial ${trial}`).toBeNull();
        nulls++;
        continue;
      }
      expect(actual, `trial ${trial}`).toEqual({
        assetIds: expected.ids,
        pledgedValueFen: expected.value,
        capacityFen: expected.capacity,
        exact: true,
      });
      checked++;
    }
    // The generator must really produce both kinds of case.
    expect(checked).toBeGreaterThan(1000);
    expect(nulls).toBeGreaterThan(20);
  });

  it("solves a 40-asset portfolio exactly and quickly", () => {
    const rand = prng(40);
    const assets = realisticPortfolio(rand, 40);
    const total = assets.reduce((s, a) => s + a.capacityFen, 0);
    const amountFen = Math.floor(total * 0.37);
    const started = performance.now();
    const r = chooseLeastCollateral(assets, amountFen);
    const elapsedMs = performance.now() - started;
    expect(r?.exact).toBe(true);
    expect(r!.capacityFen).toBeGreaterThanOrEqual(amountFen);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it("finds the least value for 40 assets, checked by dynamic programming over capacity", () => {
    const rand = prng(4040);
    for (let trial = 0; trial < 5; trial++) {
      const assets = randomIds(rand, 40).map((id) => ({
        id,
        valueFen: randInt(rand, 1, 1000),
        capacityFen: randInt(rand, 1, 60),
      }));
      const amountFen = randInt(
        rand,
        1,
        assets.reduce((s, a) => s + a.capacityFen, 0),
      );
      const r = chooseLeastCollateral(assets, amountFen);
      expect(r?.exact).toBe(true);
      expect(r?.pledgedValueFen).toBe(dpLeastValue(assets, amountFen));
      const byId = new Map(assets.map((a) => [a.id, a]));
      expect(r?.capacityFen).toBe(r?.assetIds.reduce((s, id) => s + byId.get(id)!.capacityFen, 0));
      expect(r!.capacityFen).toBeGreaterThanOrEqual(amountFen);
    }
  });

  it(`falls back to an approximation flagged exact: false above ${LEAST_COLLATERAL_EXACT_MAX_ASSETS} assets`, () => {
    const rand = prng(41);
    for (let trial = 0; trial < 10; trial++) {
      const assets = randomIds(rand, LEAST_COLLATERAL_EXACT_MAX_ASSETS + 1 + trial * 10).map(
        (id) => ({ id, valueFen: randInt(rand, 1, 1000), capacityFen: randInt(rand, 1, 60) }),
      );
      const total = assets.reduce((s, a) => s + a.capacityFen, 0);
      const amountFen = randInt(rand, 1, total);
      const r = chooseLeastCollateral(assets, amountFen);
      expect(r?.exact).toBe(false);
      expect(r!.capacityFen).toBeGreaterThanOrEqual(amountFen);
      // Never better than the optimum (that would mean the sums are wrong), and close to it.
      const optimum = dpLeastValue(assets, amountFen)!;
      expect(r!.pledgedValueFen).toBeGreaterThanOrEqual(optimum);
      expect(r!.pledgedValueFen).toBeLessThanOrEqual(optimum * 1.5 + 1000);
    }
    expect(chooseLeastCollateral(realisticPortfolio(rand, 40), 1)?.exact).toBe(true);
  });

  it("the fallback drops an asset greedy no longer needs", () => {
    // Greedy by value per fen of capacity takes 1 (ratio 1.11) then 3 (1.2); 3 alone covers 10.
    const filler = Array.from({ length: 41 }, (_, i) => ({
      id: 100 + i,
      valueFen: 1000,
      capacityFen: 1,
    }));
    const assets = [
      ...filler,
      { id: 1, valueFen: 10, capacityFen: 9 },
      { id: 2, valueFen: 30, capacityFen: 10 },
      { id: 3, valueFen: 12, capacityFen: 10 },
    ];
    expect(chooseLeastCollateral(assets, 10)).toEqual({
      assetIds: [3],
      pledgedValueFen: 12,
      capacityFen: 10,
      exact: false,
    });
  });

  it("the fallback swaps a pledged asset for a cheaper free one that still covers", () => {
    // Greedy takes 1 (ratio 1.11) and 2 (2.5) = 15; swapping 2 for 3 (ratio 4) covers for 14.
    const filler = Array.from({ length: 41 }, (_, i) => ({
      id: 100 + i,
      valueFen: 1000,
      capacityFen: 1,
    }));
    const assets = [
      ...filler,
      { id: 1, valueFen: 10, capacityFen: 9 },
      { id: 2, valueFen: 5, capacityFen: 2 },
      { id: 3, valueFen: 4, capacityFen: 1 },
    ];
    expect(chooseLeastCollateral(assets, 10)).toEqual({
      assetIds: [1, 3],
      pledgedValueFen: 14,
      capacityFen: 10,
      exact: false,
    });
  });
});
