import { describe, expect, it } from "vitest";
import { distributeRecovery } from "../../../app/domain/risk-sharing/recovery";
import {
  SHARE_PARTIES,
  sharesProblems,
  splitByShares,
  sumParts,
  type LossShares,
} from "../../../app/domain/risk-sharing/shares";

const WAN = 1_000_000;
const county: LossShares = { pool: 4000, insurer: 3000, guarantor: 2000, bank: 1000 };

/** mulberry32: a seeded generator, so a failing case is reproducible from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomShares(r: () => number): LossShares {
  // Three cuts of 0…10000 give four shares summing to 10000, zeros included.
  const cuts = [0, 1, 2].map(() => Math.floor(r() * 10_001)).sort((a, b) => a - b);
  return {
    pool: cuts[0],
    insurer: cuts[1] - cuts[0],
    guarantor: cuts[2] - cuts[1],
    bank: 10_000 - cuts[2],
  };
}

describe("loss shares", () => {
  it("refuse shares that do not add up to 100%", () => {
    expect(sharesProblems({ pool: 4000, insurer: 3000, guarantor: 2000, bank: 900 })).toEqual([
      { key: "risk:validation.sharesNotWhole", params: { totalBp: 9900 } },
    ]);
  });

  it("refuse a negative share or one above 100%, naming the party", () => {
    expect(sharesProblems({ pool: -100, insurer: 10100, guarantor: 0, bank: 0 })).toEqual([
      { key: "risk:validation.shareOutOfRange", params: { party: "pool", shareBp: -100 } },
      { key: "risk:validation.shareOutOfRange", params: { party: "insurer", shareBp: 10100 } },
    ]);
  });

  it("accept 40/30/20/10", () => {
    expect(sharesProblems(county)).toEqual([]);
  });

  it("split 1,000,001 fen at 40/30/20/10 with the spare fen to the largest fraction (the pool)", () => {
    expect(splitByShares(1_000_001, county)).toEqual({
      pool: 400_001,
      insurer: 300_000,
      guarantor: 200_000,
      bank: 100_000,
    });
  });

  it("break equal fractions in the order pool, insurer, guarantor, bank", () => {
    // 3333/3333/3334/0 of 2 fen: 0.6666, 0.6666, 0.6668 → guarantor first, then pool.
    expect(splitByShares(2, { pool: 3333, insurer: 3333, guarantor: 3334, bank: 0 })).toEqual({
      pool: 1,
      insurer: 0,
      guarantor: 1,
      bank: 0,
    });
    // 25% each of 3 fen: equal fractions, so pool, insurer, guarantor get one each.
    expect(splitByShares(3, { pool: 2500, insurer: 2500, guarantor: 2500, bank: 2500 })).toEqual({
      pool: 1,
      insurer: 1,
      guarantor: 1,
      bank: 0,
    });
  });

  it("never give a fen to a party with a 0 share", () => {
    expect(splitByShares(7, { pool: 5000, insurer: 0, guarantor: 0, bank: 5000 })).toEqual({
      pool: 4,
      insurer: 0,
      guarantor: 0,
      bank: 3,
    });
  });

  it("refuse to split with bad shares or a negative amount", () => {
    expect(() => splitByShares(100, { ...county, bank: 0 })).toThrow(RangeError);
    expect(() => splitByShares(-1, county)).toThrow(RangeError);
  });

  it("property: parts sum to the amount exactly, none negative, each within a fen of its share", () => {
    const r = rng(20261205);
    for (let i = 0; i < 5000; i++) {
      const shares = randomShares(r);
      const amount = Math.floor(r() * (i % 2 ? 1e14 : 1000));
      const parts = splitByShares(amount, shares);
      expect(sumParts(parts)).toBe(amount);
      for (const p of SHARE_PARTIES) {
        expect(parts[p]).toBeGreaterThanOrEqual(0);
        const exact = (amount * shares[p]) / 10_000;
        expect(Math.abs(parts[p] - exact)).toBeLessThan(1.000001);
        if (shares[p] === 0) expect(parts[p]).toBe(0);
      }
    }
  });
});

describe("recovery from a disposal", () => {
  it("caps each sharer at what it paid and gives the rest to the bank (the worked example)", () => {
    expect(
      distributeRecovery(300 * WAN, county, {
        pool: 100 * WAN,
        insurer: 75 * WAN,
        guarantor: 50 * WAN,
      }),
    ).toEqual({ pool: 100 * WAN, insurer: 75 * WAN, guarantor: 50 * WAN, bank: 75 * WAN });
  });

  it("splits by shares when nobody is capped", () => {
    expect(
      distributeRecovery(100 * WAN, county, { pool: 400 * WAN, insurer: 300 * WAN, guarantor: 0 }),
    ).toEqual({ pool: 40 * WAN, insurer: 30 * WAN, guarantor: 0, bank: 30 * WAN });
  });

  it("property: the parts sum to the proceeds and no sharer exceeds what it has not recovered", () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const shares = randomShares(r);
      const proceeds = Math.floor(r() * 1e12);
      const unrecovered = {
        pool: Math.floor(r() * 1e12),
        insurer: Math.floor(r() * 1e11),
        guarantor: Math.floor(r() * 1e10),
      };
      const parts = distributeRecovery(proceeds, shares, unrecovered);
      expect(sumParts(parts)).toBe(proceeds);
      expect(parts.pool).toBeLessThanOrEqual(unrecovered.pool);
      expect(parts.insurer).toBeLessThanOrEqual(unrecovered.insurer);
      expect(parts.guarantor).toBeLessThanOrEqual(unrecovered.guarantor);
      for (const p of SHARE_PARTIES) expect(parts[p]).toBeGreaterThanOrEqual(0);
    }
  });
});
