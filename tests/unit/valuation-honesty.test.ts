import { describe, expect, it } from "vitest";
import { INDUSTRY_CODES } from "../../app/domain/industry";
import {
  defaultValuationInputs,
  royaltyRateRange,
  valuationWarnings,
} from "../../app/domain/valuation";

const WAN = 1_000_000;

describe("royalty-rate ranges", () => {
  it("contain every industry's default rate, for each IP type", () => {
    for (const industry of INDUSTRY_CODES) {
      for (const ipType of ["invention", "utility_model", "design", "trademark"] as const) {
        const d = defaultValuationInputs({ ipType }, { industry, highTech: false });
        const r = royaltyRateRange(ipType, industry);
        expect(r.lowBp, `${industry} ${ipType}`).toBeLessThanOrEqual(d.royaltyRateBp);
        expect(r.highBp, `${industry} ${ipType}`).toBeGreaterThanOrEqual(d.royaltyRateBp);
        expect(r.lowBp).toBeLessThan(r.highBp);
      }
    }
  });

  it("scale utility models and designs down from inventions and name their source", () => {
    expect(royaltyRateRange("invention", "C")).toEqual({
      lowBp: 150,
      highBp: 450,
      source: "unido",
    });
    expect(royaltyRateRange("utility_model", "C")).toEqual({
      lowBp: 90,
      highBp: 270,
      source: "unido",
    });
    expect(royaltyRateRange("design", "C")).toEqual({ lowBp: 75, highBp: 225, source: "unido" });
    expect(royaltyRateRange("trademark", "R")).toEqual({
      lowBp: 200,
      highBp: 500,
      source: "trademark_practice",
    });
  });
});

describe("valuation warnings", () => {
  const range = royaltyRateRange("invention", "C");

  it("warns when the revenue typed for one asset exceeds the firm's stated annual revenue", () => {
    expect(
      valuationWarnings({
        assetRevenueFen: 5000 * WAN,
        firmAnnualRevenueFen: 3000 * WAN,
        royaltyRateBp: 300,
        range,
      }),
    ).toEqual([
      { code: "revenue_exceeds_firm", revenueFen: 5000 * WAN, firmRevenueFen: 3000 * WAN },
    ]);
  });

  it("accepts an asset revenue up to the firm's revenue, exactly equal included", () => {
    for (const assetRevenueFen of [0, 1000 * WAN, 3000 * WAN]) {
      expect(
        valuationWarnings({
          assetRevenueFen,
          firmAnnualRevenueFen: 3000 * WAN,
          royaltyRateBp: 300,
          range,
        }),
      ).toEqual([]);
    }
    // A firm with no sales cannot attribute any to one asset.
    expect(
      valuationWarnings({
        assetRevenueFen: 1,
        firmAnnualRevenueFen: 0,
        royaltyRateBp: 300,
        range,
      }).map((w) => w.code),
    ).toEqual(["revenue_exceeds_firm"]);
  });

  it("says the revenue could not be checked when the firm stated none", () => {
    expect(
      valuationWarnings({
        assetRevenueFen: 500 * WAN,
        firmAnnualRevenueFen: null,
        royaltyRateBp: 300,
        range,
      }),
    ).toEqual([{ code: "firm_revenue_unknown" }]);
  });

  it("flags a royalty outside the industry's range, the bounds themselves inside", () => {
    const at = (royaltyRateBp: number) =>
      valuationWarnings({
        assetRevenueFen: 100 * WAN,
        firmAnnualRevenueFen: 1000 * WAN,
        royaltyRateBp,
        range,
      });
    expect(at(150)).toEqual([]);
    expect(at(450)).toEqual([]);
    expect(at(149)).toEqual([
      { code: "royalty_outside_range", royaltyRateBp: 149, lowBp: 150, highBp: 450 },
    ]);
    expect(at(1000).map((w) => w.code)).toEqual(["royalty_outside_range"]);
  });
});
