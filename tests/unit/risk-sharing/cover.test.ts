import { describe, expect, it } from "vitest";
import {
  coverKindOf,
  MAX_COVER_RATE_BP,
  premiumFen,
  quoteProblems,
} from "../../../app/domain/risk-sharing/cover";

describe("guarantee insurance and guarantee quotes", () => {
  it("lets only an insurer quote insurance and a guarantor a guarantee", () => {
    expect(coverKindOf("insurer")).toBe("insurance");
    expect(coverKindOf("guarantor")).toBe("guarantee");
    expect(coverKindOf("government")).toBeNull();
    expect(coverKindOf("bank")).toBeNull();
    expect(coverKindOf(null)).toBeNull();
  });

  it("refuses a rate of zero, below zero or above 10%", () => {
    expect(quoteProblems(120)).toEqual([]);
    expect(quoteProblems(MAX_COVER_RATE_BP)).toEqual([]);
    for (const bad of [0, -5, MAX_COVER_RATE_BP + 1, 1.5]) {
      expect(quoteProblems(bad)[0]?.key).toBe("risk:validation.quoteRateOutOfRange");
    }
  });

  it("computes 300万 covered at 1.20% as a premium of 36,000 元", () => {
    expect(premiumFen(300_000_000, 120)).toBe(3_600_000);
  });

  it("rounds the premium to the nearest fen, halves up", () => {
    // 1,234,567 fen × 0.85% = 10,493.8195 fen → 10,494 fen.
    expect(premiumFen(1_234_567, 85)).toBe(10_494);
    // 50 fen × 1% = 0.5 fen → 1 fen; 49 fen × 1% = 0.49 fen → 0.
    expect(premiumFen(50, 100)).toBe(1);
    expect(premiumFen(49, 100)).toBe(0);
    expect(() => premiumFen(-1, 100)).toThrow(RangeError);
  });
});
