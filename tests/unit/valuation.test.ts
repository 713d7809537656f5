import { describe, expect, it } from "vitest";
import { INDUSTRY_CODES } from "../../app/domain/industry";
import {
  appraisalFeeFen,
  appraisalValidUntil,
  defaultValuationInputs,
  indicativeValuation,
  isAppraisalValidOn,
  isWithinValidity,
  patentValueDegree,
  pvdMultiplier,
  reliefFromRoyalty,
  roundFen,
  VALUATION_DEFAULTS_BY_INDUSTRY,
  type DcfInputs,
  type PatentValueIndicators,
  type ValuationReason,
  type ValuationRequest,
} from "../../app/domain/valuation";

// Common to the hand-computed cases: royalty 5%, tax 25%, attribution 50%, discount 10%, so
// each fen of revenue yields 0.05 × (1 − 0.25) × 0.5 = 0.01875 fen of after-tax royalty.
// Revenue ¥1,000,000 = 100,000,000 fen → 1,875,000 fen of cash flow a year.
const Y1 = 100_000_000;
const base: Omit<DcfInputs, "revenue" | "economicLifeYears"> = {
  royaltyRateBp: 500,
  taxRateBp: 2500,
  attributionShareBp: 5000,
  discountRateBp: 1000,
  legalRemainingYears: 10,
};

const neutralIndicators: PatentValueIndicators = {
  claimCount: 5,
  familyJurisdictions: 1,
  coOwners: 0,
  stability: "untested",
  advancement: 3,
  nonSubstitutability: 3,
  maturity: 3,
  marketSize: 3,
  marketShare: 3,
  policyFit: 3,
};

function codes(reasons: ValuationReason[]): string[] {
  return reasons.map((r) => r.code);
}

describe("reliefFromRoyalty (收益法)", () => {
  it("discounts each year's after-tax royalty at (1 + r)^t and sums them", () => {
    // growth 10% = discount 10%, so every year is worth the same today:
    // t=1  100,000,000 × 0.01875 = 1,875,000 ÷ 1.1   = 1,704,545.4545
    // t=2  110,000,000 × 0.01875 = 2,062,500 ÷ 1.21  = 1,704,545.4545
    // t=3  121,000,000 × 0.01875 = 2,268,750 ÷ 1.331 = 1,704,545.4545
    // Σ = 5,113,636.3636 → 5,113,636 fen
    const r = reliefFromRoyalty({
      ...base,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: 1000 },
      economicLifeYears: 3,
    });
    expect(r.schedule.map((y) => y.presentValueFen)).toEqual([
      expect.closeTo(1_704_545.4545, 3),
      expect.closeTo(1_704_545.4545, 3),
      expect.closeTo(1_704_545.4545, 3),
    ]);
    expect(r.exactFen).toBeCloseTo(5_113_636.3636, 3);
    expect(roundFen(r.exactFen)).toBe(5_113_636);
    expect(r.limitedBy).toBe("economic_life");
  });

  it("pro-rates a partial final year and discounts it to when the period ends", () => {
    // life 2.5 years, no growth:
    // t=1    1,875,000       ÷ 1.1           = 1,704,545.4545
    // t=2    1,875,000       ÷ 1.21          = 1,549,586.7769
    // t=2.5    937,500       ÷ 1.1^2.5 (1.269059) =   738,736.5103
    // Σ = 3,992,868.7417 → 3,992,869 fen
    const r = reliefFromRoyalty({
      ...base,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: 0 },
      economicLifeYears: 2.5,
    });
    expect(r.schedule).toHaveLength(3);
    expect(r.schedule[2]).toMatchObject({ year: 3, fraction: 0.5, timeYears: 2.5 });
    expect(r.schedule[2].presentValueFen).toBeCloseTo(738_736.5103, 3);
    expect(roundFen(r.exactFen)).toBe(3_992_869);
  });

  it("stops at the remaining legal term when it is shorter than the economic life", () => {
    // legal 1.5 years, life 8:
    // t=1    1,875,000       ÷ 1.1           = 1,704,545.4545
    // t=1.5    937,500       ÷ 1.1^1.5 (1.153690) = 812,610.1613
    // Σ = 2,517,155.6158 → 2,517,156 fen
    const r = reliefFromRoyalty({
      ...base,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: 0 },
      economicLifeYears: 8,
      legalRemainingYears: 1.5,
    });
    expect(r.limitedBy).toBe("legal_term");
    expect(r.horizonYears).toBe(1.5);
    expect(roundFen(r.exactFen)).toBe(2_517_156);
  });

  it("uses an explicit per-year forecast and ends the income with its last year", () => {
    // revenue 100m, 200m, 50m fen; life 5 but only 3 years forecast:
    // t=1  1,875,000 ÷ 1.1   = 1,704,545.4545
    // t=2  3,750,000 ÷ 1.21  = 3,099,173.5537
    // t=3    937,500 ÷ 1.331 =   704,357.6258
    // Σ = 5,508,076.6341 → 5,508,077 fen
    const r = reliefFromRoyalty({
      ...base,
      revenue: { kind: "explicit", revenueFenByYear: [Y1, 2 * Y1, Y1 / 2] },
      economicLifeYears: 5,
    });
    expect(r.limitedBy).toBe("forecast");
    expect(r.schedule.map((y) => y.revenueFen)).toEqual([Y1, 2 * Y1, Y1 / 2]);
    expect(roundFen(r.exactFen)).toBe(5_508_077);
  });

  it("lets revenue shrink with a negative growth rate", () => {
    // growth −10%, life 2:
    // t=1  100,000,000 × 0.01875 = 1,875,000 ÷ 1.1  = 1,704,545.4545
    // t=2   90,000,000 × 0.01875 = 1,687,500 ÷ 1.21 = 1,394,628.0992
    // Σ = 3,099,173.5537 → 3,099,174 fen
    const r = reliefFromRoyalty({
      ...base,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: -1000 },
      economicLifeYears: 2,
    });
    expect(r.schedule[1].revenueFen).toBeCloseTo(90_000_000, 4);
    expect(roundFen(r.exactFen)).toBe(3_099_174);
  });

  it("is worth nothing with no legal term left", () => {
    const r = reliefFromRoyalty({
      ...base,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: 0 },
      economicLifeYears: 8,
      legalRemainingYears: 0,
    });
    expect(r.exactFen).toBe(0);
    expect(r.schedule).toEqual([]);
  });

  it("refuses negative revenue, a shrink of 100% or more, and a royalty above 100%", () => {
    const ok: DcfInputs = {
      ...base,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: 0 },
      economicLifeYears: 3,
    };
    expect(() =>
      reliefFromRoyalty({ ...ok, revenue: { kind: "growth", year1RevenueFen: -1, growthBp: 0 } }),
    ).toThrow(RangeError);
    expect(() =>
      reliefFromRoyalty({
        ...ok,
        revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: -10_000 },
      }),
    ).toThrow(RangeError);
    expect(() => reliefFromRoyalty({ ...ok, royaltyRateBp: 10_001 })).toThrow(RangeError);
    expect(() => reliefFromRoyalty({ ...ok, discountRateBp: Number.NaN })).toThrow(RangeError);
  });

  it("rounds half up to a whole fen only at the end", () => {
    expect(roundFen(2.5)).toBe(3);
    expect(roundFen(2.4999)).toBe(2);
    expect(roundFen(0)).toBe(0);
  });
});

describe("patent value degree (专利价值度)", () => {
  it("scores LVD, TVD and EVD from their indicators and weights PVD 0.3 / 0.4 / 0.3", () => {
    // Legal: term 10 of 20 years → 50; stability untested → 50; 10 claims → 100; China only → 50;
    //   sole owner → 100.  LVD = 0.3·50 + 0.3·50 + 0.2·100 + 0.1·50 + 0.1·100 = 65
    // Technical: advancement 5 → 100, non-substitutability 3 → 50, maturity 1 → 0
    //   TVD = 0.4·100 + 0.35·50 + 0.25·0 = 57.5
    // Economic: market size 4 → 75, share 2 → 25, policy fit 3 → 50
    //   EVD = 0.4·75 + 0.35·25 + 0.25·50 = 51.25 → 51.3 (one decimal)
    // PVD = 0.3·65 + 0.4·57.5 + 0.3·51.3 = 19.5 + 23 + 15.39 = 57.89 → 57.9
    // multiplier = 0.8 + 0.4 × 57.9/100 = 1.0316
    const d = patentValueDegree("invention", 10, 20, {
      claimCount: 10,
      familyJurisdictions: 1,
      coOwners: 0,
      stability: "untested",
      advancement: 5,
      nonSubstitutability: 3,
      maturity: 1,
      marketSize: 4,
      marketShare: 2,
      policyFit: 3,
    });
    expect(d).toMatchObject({ lvd: 65, tvd: 57.5, evd: 51.3, pvd: 57.9 });
    expect(d.multiplier).toBeCloseTo(1.0316, 12);
  });

  it("maps PVD 0 → ×0.8, 50 → ×1.0 and 100 → ×1.2, linear and clamped", () => {
    expect(pvdMultiplier(0)).toBeCloseTo(0.8, 12);
    expect(pvdMultiplier(50)).toBeCloseTo(1.0, 12);
    expect(pvdMultiplier(100)).toBeCloseTo(1.2, 12);
    expect(pvdMultiplier(25)).toBeCloseTo(0.9, 12);
    expect(pvdMultiplier(150)).toBeCloseTo(1.2, 12);
    expect(pvdMultiplier(-10)).toBeCloseTo(0.8, 12);
  });

  it("gives the best possible patent PVD 100 and the worst close to 0", () => {
    const best = patentValueDegree("invention", 20, 20, {
      claimCount: 30,
      familyJurisdictions: 5,
      coOwners: 0,
      stability: "upheld",
      advancement: 5,
      nonSubstitutability: 5,
      maturity: 5,
      marketSize: 5,
      marketShare: 5,
      policyFit: 5,
    });
    expect(best.pvd).toBe(100);
    expect(best.multiplier).toBeCloseTo(1.2, 12);
    // Worst: term 0, claims 1 → 10, family 1 → 50, co-owners 3 → 30, challenged → 10
    // LVD = 0 + 0.3·10 + 0.2·10 + 0.1·50 + 0.1·30 = 3 + 2 + 5 + 3 = 13; TVD = EVD = 0
    // PVD = 0.3·13 = 3.9
    const worst = patentValueDegree("invention", 0, 20, {
      claimCount: 1,
      familyJurisdictions: 1,
      coOwners: 3,
      stability: "challenged",
      advancement: 1,
      nonSubstitutability: 1,
      maturity: 1,
      marketSize: 1,
      marketShare: 1,
      policyFit: 1,
    });
    expect(worst).toMatchObject({ lvd: 13, tvd: 0, evd: 0, pvd: 3.9 });
  });

  it("ignores claims for a design, which has none, and re-weights the other legal indicators", () => {
    // term 15/15 → 100, evaluation report → 75, family 2 → 75, one co-owner → 60
    // LVD = (0.3·100 + 0.3·75 + 0.1·75 + 0.1·60) ÷ 0.8 = (30 + 22.5 + 7.5 + 6) ÷ 0.8 = 82.5
    const d = patentValueDegree("design", 15, 15, {
      ...neutralIndicators,
      claimCount: 20,
      familyJurisdictions: 2,
      coOwners: 1,
      stability: "evaluation_report",
    });
    expect(d.scores.claims).toBeNull();
    expect(d.lvd).toBe(82.5);
  });

  it("refuses a negative claim count or a family without China", () => {
    expect(() =>
      patentValueDegree("invention", 5, 20, { ...neutralIndicators, claimCount: -1 }),
    ).toThrow(RangeError);
    expect(() =>
      patentValueDegree("invention", 5, 20, { ...neutralIndicators, familyJurisdictions: 0 }),
    ).toThrow(RangeError);
  });
});

describe("VALUATION_DEFAULTS_BY_INDUSTRY", () => {
  it("covers every GB/T 4754 section A–T", () => {
    expect(Object.keys(VALUATION_DEFAULTS_BY_INDUSTRY).sort()).toEqual([...INDUSTRY_CODES].sort());
  });

  it.each(INDUSTRY_CODES)("keeps section %s in docs/domain.md's typical ranges", (code) => {
    const d = VALUATION_DEFAULTS_BY_INDUSTRY[code];
    expect(d.patentRoyaltyRateBp).toBeGreaterThanOrEqual(100); // royalty 1–10%
    expect(d.patentRoyaltyRateBp).toBeLessThanOrEqual(1000);
    expect(d.trademarkRoyaltyRateBp).toBeGreaterThanOrEqual(100); // brands 1–5%
    expect(d.trademarkRoyaltyRateBp).toBeLessThanOrEqual(500);
    expect(d.discountRateBp).toBeGreaterThanOrEqual(1000); // SME discount 10–20%
    expect(d.discountRateBp).toBeLessThanOrEqual(2000);
    expect(d.patentAttributionShareBp).toBeGreaterThan(0);
    expect(d.patentAttributionShareBp).toBeLessThanOrEqual(10_000);
    expect(d.patentEconomicLifeYears).toBeGreaterThan(0);
    expect(d.patentEconomicLifeYears).toBeLessThanOrEqual(20);
  });
});

describe("defaultValuationInputs", () => {
  it("fills every assumption for an invention of a manufacturer and marks them as defaults", () => {
    expect(
      defaultValuationInputs({ ipType: "invention" }, { industry: "C", highTech: false }),
    ).toEqual({
      growthBp: 500,
      royaltyRateBp: 300,
      discountRateBp: 1400,
      attributionShareBp: 5000,
      economicLifeYears: 8,
      taxRateBp: 2500,
      defaulted: [
        "growth",
        "royalty",
        "discount_rate",
        "attribution_share",
        "economic_life",
        "tax",
      ],
    });
  });

  it("gives a utility model 60% and a design 50% of the invention royalty", () => {
    const firm = { industry: "C", highTech: false } as const;
    expect(defaultValuationInputs({ ipType: "utility_model" }, firm).royaltyRateBp).toBe(180);
    expect(defaultValuationInputs({ ipType: "design" }, firm).royaltyRateBp).toBe(150);
  });

  it("gives a trademark the brand royalty, all of its revenue and 10 years", () => {
    expect(
      defaultValuationInputs({ ipType: "trademark" }, { industry: "H", highTech: false }),
    ).toMatchObject({ royaltyRateBp: 400, attributionShareBp: 10_000, economicLifeYears: 10 });
  });

  it("taxes a 高新 firm at 15% and others at 25%", () => {
    const ip = { ipType: "invention" } as const;
    expect(defaultValuationInputs(ip, { industry: "I", highTech: true }).taxRateBp).toBe(1500);
    expect(defaultValuationInputs(ip, { industry: "I", highTech: false }).taxRateBp).toBe(2500);
  });

  it("keeps what was entered and does not mark it as a default", () => {
    const r = defaultValuationInputs(
      { ipType: "invention" },
      { industry: "C", highTech: false },
      { royaltyRateBp: 450, economicLifeYears: 6, growthBp: 0 },
    );
    expect(r).toMatchObject({ royaltyRateBp: 450, economicLifeYears: 6, growthBp: 0 });
    expect(r.defaulted).toEqual(["discount_rate", "attribution_share", "tax"]);
  });
});

/** A granted invention filed 2015-06-01 (expires 2035-06-01), valued on 2025-06-01. */
function patentRequest(overrides: Partial<ValuationRequest> = {}): ValuationRequest {
  return {
    asset: { ipType: "invention", status: "granted", filingDate: "2015-06-01" },
    firm: { industry: "C", highTech: false },
    revenue: { year1RevenueFen: Y1 },
    assumptions: {
      royaltyRateBp: 500,
      taxRateBp: 2500,
      attributionShareBp: 5000,
      discountRateBp: 1000,
      growthBp: 1000,
      economicLifeYears: 3,
    },
    today: "2025-06-01",
    ...overrides,
  };
}

describe("indicativeValuation", () => {
  it("values a patent with the DCF, then the PVD multiplier, with a low–high range", () => {
    // DCF (first hand case above) = 5,113,636.3636; PVD 57.9 → × 1.0316 (see the PVD test; the term
    // is 3652 days ÷ 365.25 = 9.9986 of 20 years, which still rounds LVD to 65.0)
    // central = 5,113,636.3636 × 1.0316 = 5,275,227.27 → 5,275,227
    // low: royalty 4%, discount 12% → 0.015/fen of revenue
    //   1,500,000 ÷ 1.12 + 1,650,000 ÷ 1.2544 + 1,815,000 ÷ 1.404928
    //   = 1,339,285.71 + 1,315,369.90 + 1,291,881.15 = 3,946,536.76 × 1.0316 = 4,071,247.32
    // high: royalty 6%, discount 8% → 0.0225/fen of revenue
    //   2,250,000 ÷ 1.08 + 2,475,000 ÷ 1.1664 + 2,722,500 ÷ 1.259712
    //   = 2,083,333.33 + 2,121,913.58 + 2,161,208.28 = 6,366,455.19 × 1.0316 = 6,567,635.17
    const v = indicativeValuation(
      patentRequest({
        asset: {
          ipType: "invention",
          status: "granted",
          filingDate: "2015-06-01",
          indicators: {
            claimCount: 10,
            familyJurisdictions: 1,
            coOwners: 0,
            stability: "untested",
            advancement: 5,
            nonSubstitutability: 3,
            maturity: 1,
            marketSize: 4,
            marketShare: 2,
            policyFit: 3,
          },
        },
      }),
    );
    expect(v.pvd).toMatchObject({ lvd: 65, tvd: 57.5, evd: 51.3, pvd: 57.9 });
    expect(v.centralFen).toBe(5_275_227);
    expect(v.lowFen).toBe(4_071_247);
    expect(v.highFen).toBe(6_567_635);
    expect(v.explanation).toContainEqual({
      code: "pvd",
      lvd: 65,
      tvd: 57.5,
      evd: 51.3,
      pvd: 57.9,
      multiplier: expect.closeTo(1.0316, 12),
    });
    expect(v.explanation).toContainEqual({ code: "pvd_strength", indicator: "claims", score: 100 });
    expect(v.explanation).toContainEqual({ code: "pvd_weakness", indicator: "maturity", score: 0 });
    expect(v.explanation).toContainEqual({
      code: "spread",
      royaltyShiftBp: 2000,
      discountShiftBp: 200,
    });
  });

  it("leaves the DCF unadjusted and says so when the patent has not been scored", () => {
    const v = indicativeValuation(patentRequest());
    expect(v.pvd).toBeUndefined();
    expect(v.centralFen).toBe(5_113_636);
    expect(codes(v.explanation)).toContain("pvd_not_scored");
  });

  it("taxes a 高新 firm's royalty at 15% by default", () => {
    // 0.05 × 0.85 × 0.5 = 0.02125/fen; growth = discount so each year is 2,125,000 ÷ 1.1
    // = 1,931,818.18 × 3 = 5,795,454.55 → 5,795,455
    const req = patentRequest({ firm: { industry: "C", highTech: true } });
    const { taxRateBp: _tax, ...rest } = req.assumptions ?? {};
    const v = indicativeValuation({ ...req, assumptions: rest });
    expect(v.centralFen).toBe(5_795_455);
    expect(v.inputs.taxRateBp).toBe(1500);
    expect(v.inputs.defaulted).toEqual(["tax"]);
    expect(v.explanation).toContainEqual({ code: "high_tech_tax", taxRateBp: 1500 });
    expect(v.explanation).toContainEqual({
      code: "default_used",
      input: "tax",
      value: 1500,
      industry: "C",
    });
  });

  it("echoes every input, including the defaults it used", () => {
    const v = indicativeValuation({
      asset: { ipType: "invention", status: "granted", filingDate: "2015-06-01" },
      firm: { industry: "I", highTech: false },
      revenue: { year1RevenueFen: Y1 },
      today: "2025-06-01",
    });
    expect(v.inputs).toMatchObject({
      ipType: "invention",
      industry: "I",
      expiry: "2035-06-01",
      royaltyRateBp: 500,
      effectiveRoyaltyRateBp: 500,
      discountRateBp: 1700,
      attributionShareBp: 4000,
      economicLifeYears: 5,
      growthBp: 800,
      taxRateBp: 2500,
      horizonYears: 5,
      revenue: { kind: "growth", year1RevenueFen: Y1, growthBp: 800 },
    });
    expect(v.inputs.legalRemainingYears).toBeCloseTo(3652 / 365.25, 12);
    expect(v.inputs.defaulted).toHaveLength(6);
  });

  it("values a patent expiring next month at one month of royalty", () => {
    // expiry 2025-06-15, today 2025-05-15: 31 days = 31 ÷ 365.25 = 0.084873 years
    // cash flow 1,875,000 × 0.084873 = 159,137.58, discounted ÷ 1.1^0.084873 (1.008122)
    // = 157,855.46 → 157,855 fen
    const v = indicativeValuation(
      patentRequest({
        asset: { ipType: "invention", status: "granted", filingDate: "2005-06-15" },
        assumptions: { ...patentRequest().assumptions, growthBp: 0, economicLifeYears: 8 },
        today: "2025-05-15",
      }),
    );
    expect(v.centralFen).toBe(157_855);
    expect(v.schedule).toHaveLength(1);
    expect(v.schedule[0].fraction).toBeCloseTo(31 / 365.25, 12);
    expect(codes(v.explanation)).toEqual(
      expect.arrayContaining(["life_capped_by_legal_term", "partial_final_year"]),
    );
    expect(v.lowFen).toBeLessThan(v.centralFen);
    expect(v.highFen).toBeGreaterThan(v.centralFen);
  });

  it("is worth 0 on the expiry day, with the reason 'expired'", () => {
    const v = indicativeValuation(patentRequest({ today: "2035-06-01" }));
    expect([v.lowFen, v.centralFen, v.highFen]).toEqual([0, 0, 0]);
    expect(v.explanation[0]).toEqual({ code: "expired", expiry: "2035-06-01" });
    expect(v.sensitivity).toEqual([]);
  });

  it("values a patent with one day left at one day of royalty, not a year", () => {
    // 1 day: 1,875,000 × (1 ÷ 365.25) = 5,133.47, ÷ 1.1^(1/365.25) ≈ 5,132.13 → 5,132
    const v = indicativeValuation(patentRequest({ today: "2035-05-31" }));
    expect(v.centralFen).toBe(5_132);
  });

  it.each([
    ["lapsed", "lapsed"],
    ["invalidated", "invalidated"],
    ["pending", "not_granted"],
    ["expired", "expired"],
  ] as const)("is worth 0 for a %s patent, with the reason '%s'", (status, code) => {
    const v = indicativeValuation(
      patentRequest({ asset: { ipType: "invention", status, filingDate: "2015-06-01" } }),
    );
    expect(v.centralFen).toBe(0);
    expect(v.highFen).toBe(0);
    expect(v.explanation[0].code).toBe(code);
  });

  it("is worth 0 without revenue", () => {
    const v = indicativeValuation(patentRequest({ revenue: { year1RevenueFen: 0 } }));
    expect([v.lowFen, v.centralFen, v.highFen]).toEqual([0, 0, 0]);
    expect(v.explanation[0]).toEqual({ code: "zero_revenue" });
    const explicit = indicativeValuation(patentRequest({ revenue: { revenueFenByYear: [0, 0] } }));
    expect(explicit.centralFen).toBe(0);
    expect(explicit.explanation[0]).toEqual({ code: "zero_revenue" });
  });

  it("uses an explicit forecast, says when it ends the income, and ignores growth", () => {
    // same as the explicit-forecast DCF case: 5,508,076.63 → 5,508,077
    const v = indicativeValuation(
      patentRequest({ revenue: { revenueFenByYear: [Y1, 2 * Y1, Y1 / 2] } }),
    );
    expect(v.centralFen).toBe(5_508_077);
    expect(v.sensitivity.map((r) => r.input)).not.toContain("growth");
    const noGrowth = indicativeValuation(
      patentRequest({
        revenue: { revenueFenByYear: [Y1, 2 * Y1, Y1 / 2] },
        assumptions: { ...patentRequest().assumptions, growthBp: undefined, economicLifeYears: 5 },
      }),
    );
    expect(noGrowth.inputs.defaulted).not.toContain("growth");
    expect(noGrowth.explanation).toContainEqual({
      code: "life_capped_by_forecast",
      economicLifeYears: 5,
      forecastYears: 3,
    });
  });

  it("refuses inputs outside the business ranges", () => {
    const a = patentRequest().assumptions;
    expect(() =>
      indicativeValuation(patentRequest({ assumptions: { ...a, discountRateBp: 400 } })),
    ).toThrow(RangeError);
    expect(() =>
      indicativeValuation(patentRequest({ assumptions: { ...a, royaltyRateBp: 3001 } })),
    ).toThrow(RangeError);
    expect(() =>
      indicativeValuation(patentRequest({ assumptions: { ...a, royaltyRateBp: 450.5 } })),
    ).toThrow(RangeError);
    expect(() =>
      indicativeValuation(patentRequest({ assumptions: { ...a, economicLifeYears: 31 } })),
    ).toThrow(RangeError);
    expect(() => indicativeValuation(patentRequest({ revenue: { year1RevenueFen: -1 } }))).toThrow(
      RangeError,
    );
    expect(() => indicativeValuation(patentRequest({ revenue: { revenueFenByYear: [] } }))).toThrow(
      RangeError,
    );
    expect(() => indicativeValuation(patentRequest({ today: "2025-02-30" }))).toThrow(RangeError);
  });
});

/** A registered mark of a restaurant chain, expiring in a year, valued on 2025-06-01. */
function trademarkRequest(wellKnown: boolean, overrides: Partial<ValuationRequest> = {}) {
  const req: ValuationRequest = {
    asset: { ipType: "trademark", status: "registered", expiry: "2026-06-01", wellKnown },
    firm: { industry: "H", highTech: false },
    revenue: { year1RevenueFen: Y1 },
    assumptions: { royaltyRateBp: 300, discountRateBp: 1500, growthBp: 0 },
    today: "2025-06-01",
    ...overrides,
  };
  return req;
}

describe("indicativeValuation of a trademark", () => {
  it("assumes renewal and values 10 years even when the mark expires next year", () => {
    // royalty 3%, tax 25%, all revenue attributable → 0.0225/fen → 2,250,000 a year
    // 10 years at 15%: annuity factor (1 − 1.15^−10) ÷ 0.15 = 5.018769
    // 2,250,000 × 5.018769 = 11,292,229.41 → 11,292,229
    const v = indicativeValuation(trademarkRequest(false));
    expect(v.centralFen).toBe(11_292_229);
    expect(v.inputs.horizonYears).toBe(10);
    expect(v.inputs.legalRemainingYears).toBeNull();
    expect(v.explanation).toContainEqual({ code: "renewal_assumed", economicLifeYears: 10 });
    expect(v.pvd).toBeUndefined();
  });

  it("raises the royalty of a well-known mark (驰名商标) by 30%", () => {
    // royalty 3% × 1.3 = 3.9% → 2,925,000 a year × 5.018769 = 14,679,898.23 → 14,679,898
    const v = indicativeValuation(trademarkRequest(true));
    expect(v.centralFen).toBe(14_679_898);
    expect(v.inputs.effectiveRoyaltyRateBp).toBe(390);
    expect(v.explanation).toContainEqual({
      code: "well_known_uplift",
      baseRoyaltyRateBp: 300,
      royaltyRateBp: 390,
    });
  });

  it("never looks further than 10 years for a trademark", () => {
    const v = indicativeValuation(
      trademarkRequest(false, {
        assumptions: {
          royaltyRateBp: 300,
          discountRateBp: 1500,
          growthBp: 0,
          economicLifeYears: 15,
        },
      }),
    );
    expect(v.centralFen).toBe(11_292_229);
  });

  it.each([
    ["expired", "expired"],
    ["cancelled", "cancelled"],
    ["invalidated", "invalidated"],
    ["pending", "not_registered"],
  ] as const)("is worth 0 for a %s mark, with the reason '%s'", (status, code) => {
    const v = indicativeValuation(
      trademarkRequest(false, {
        asset: { ipType: "trademark", status, expiry: "2030-01-01", wellKnown: false },
      }),
    );
    expect(v.centralFen).toBe(0);
    expect(v.explanation[0].code).toBe(code);
  });

  it("is worth 0 once the registration has ended without renewal", () => {
    const v = indicativeValuation(trademarkRequest(true, { today: "2026-06-01" }));
    expect(v.centralFen).toBe(0);
    expect(v.explanation[0]).toEqual({ code: "expired", expiry: "2026-06-01" });
  });
});

describe("sensitivity table", () => {
  it("moves each input ±20% and sorts by swing, largest first", () => {
    const v = indicativeValuation(patentRequest());
    const swings = v.sensitivity.map((r) => r.swingFen);
    expect(swings).toEqual([...swings].sort((a, b) => b - a));
    expect(v.sensitivity.map((r) => r.input).sort()).toEqual(
      [
        "attribution_share",
        "discount_rate",
        "economic_life",
        "growth",
        "revenue",
        "royalty",
        "tax",
      ].sort(),
    );
    expect(v.explanation).toContainEqual({
      code: "most_sensitive",
      input: v.sensitivity[0].input,
      swingFen: v.sensitivity[0].swingFen,
    });
  });

  it("moves the value in proportion to revenue, royalty and attribution share alike", () => {
    // central 5,113,636.36: × 0.8 = 4,090,909.09 → 4,090,909; × 1.2 = 6,136,363.64 → 6,136,364
    const v = indicativeValuation(patentRequest());
    const top3 = v.sensitivity.slice(0, 3);
    expect(top3.map((r) => r.input).sort()).toEqual(["attribution_share", "revenue", "royalty"]);
    for (const r of top3) {
      expect(r.valueAtMinus20Fen).toBe(4_090_909);
      expect(r.valueAtPlus20Fen).toBe(6_136_364);
    }
    const royalty = v.sensitivity.find((r) => r.input === "royalty");
    expect(royalty).toMatchObject({ inputAtMinus20: 400, inputAtPlus20: 600 });
  });

  it("shows a higher tax lowering the value: 25% ± 20% is 20% or 30%", () => {
    // × (1 − 0.20)/(1 − 0.25) = 1.0667 → 5,454,545.45; × 0.70/0.75 = 0.9333 → 4,772,727.27
    const tax = indicativeValuation(patentRequest()).sensitivity.find((r) => r.input === "tax");
    expect(tax).toMatchObject({
      inputAtMinus20: 2000,
      inputAtPlus20: 3000,
      valueAtMinus20Fen: 5_454_545,
      valueAtPlus20Fen: 4_772_727,
      swingFen: 681_818,
    });
  });

  it("shows a higher discount rate lowering the value", () => {
    const row = indicativeValuation(patentRequest()).sensitivity.find(
      (r) => r.input === "discount_rate",
    );
    expect(row?.valueAtMinus20Fen).toBeGreaterThan(row?.valueAtPlus20Fen ?? Infinity);
  });

  it("shows no swing from economic life when the legal term already ends the income", () => {
    const v = indicativeValuation(
      patentRequest({
        assumptions: { ...patentRequest().assumptions, economicLifeYears: 8 },
        today: "2033-06-01",
      }),
    );
    expect(v.sensitivity.find((r) => r.input === "economic_life")?.swingFen).toBe(0);
  });

  it("caps a trademark's attribution share at 100%, so only the downside moves", () => {
    const v = indicativeValuation(trademarkRequest(false));
    const share = v.sensitivity.find((r) => r.input === "attribution_share");
    expect(share).toMatchObject({ inputAtMinus20: 8000, inputAtPlus20: 10_000 });
    expect(share?.valueAtPlus20Fen).toBe(v.centralFen);
  });
});

describe("formal appraisal fee", () => {
  it("charges 0.6% of the indicative central value", () => {
    // ¥1,000,000 × 0.6% = ¥6,000
    expect(appraisalFeeFen(100_000_000)).toBe(600_000);
  });

  it("charges at least ¥3,000", () => {
    expect(appraisalFeeFen(10_000_000)).toBe(300_000);
    expect(appraisalFeeFen(0)).toBe(300_000);
    expect(appraisalFeeFen(50_000_000)).toBe(300_000);
  });

  it("rounds 0.6% half up to a fen", () => {
    // 100,000,250 × 60 ÷ 10,000 = 600,001.5 → 600,002; 100,000,083 → 600,000.498 → 600,000
    expect(appraisalFeeFen(100_000_250)).toBe(600_002);
    expect(appraisalFeeFen(100_000_083)).toBe(600_000);
  });

  it("takes another floor and rate when given", () => {
    expect(appraisalFeeFen(100_000_000, { minFeeFen: 1_000_000 })).toBe(1_000_000);
    expect(appraisalFeeFen(100_000_000, { rateBp: 100 })).toBe(1_000_000);
  });

  it("keeps every fen of a very large value", () => {
    // 900,719,925,474,099 × 60 overflows 2^53, so it is computed in bigint:
    // 54,043,195,528,445,940 ÷ 10,000 = 5,404,319,552,844.594 → 5,404,319,552,845
    expect(appraisalFeeFen(900_719_925_474_099)).toBe(5_404_319_552_845);
  });

  it("refuses a value that is not whole fen", () => {
    expect(() => appraisalFeeFen(1.5)).toThrow(RangeError);
    expect(() => appraisalFeeFen(-1)).toThrow(RangeError);
  });
});

describe("formal appraisal validity (12 months from the 评估基准日)", () => {
  it("runs to the same day 12 months after the basis date", () => {
    expect(appraisalValidUntil("2025-03-15")).toBe("2026-03-15");
  });

  it("ends on Feb 28 when the basis date is Feb 29", () => {
    expect(appraisalValidUntil("2024-02-29")).toBe("2025-02-28");
  });

  it("ends on Jan 31 of the next year when the basis date is Jan 31", () => {
    expect(appraisalValidUntil("2025-01-31")).toBe("2026-01-31");
  });

  it("refuses a date that is not one", () => {
    expect(() => appraisalValidUntil("2025-02-30")).toThrow(RangeError);
  });

  it("counts from the basis date, not from signing", () => {
    const a = { basisDate: "2025-01-10", signedDate: "2025-03-15" };
    expect(isAppraisalValidOn(a, "2026-01-10")).toBe(true);
    expect(isAppraisalValidOn(a, "2026-01-11")).toBe(false);
    // a day the signing-date rule would still have called valid
    expect(isAppraisalValidOn(a, "2026-03-15")).toBe(false);
  });

  it("is valid from the signing day through the last day, and not after", () => {
    const a = { basisDate: "2025-03-15", signedDate: "2025-03-15" };
    expect(isAppraisalValidOn(a, "2025-03-14")).toBe(false);
    expect(isAppraisalValidOn(a, "2025-03-15")).toBe(true);
    expect(isAppraisalValidOn(a, "2026-03-15")).toBe(true);
    expect(isAppraisalValidOn(a, "2026-03-16")).toBe(false);
  });

  it("is not in force before it is signed, even after its basis date", () => {
    const a = { basisDate: "2025-03-01", signedDate: "2025-03-15" };
    expect(isAppraisalValidOn(a, "2025-03-14")).toBe(false);
  });

  it("reads a stored valid-until inclusively, and nothing stored as not valid", () => {
    expect(isWithinValidity("2026-03-15", "2026-03-15")).toBe(true);
    expect(isWithinValidity("2026-03-15", "2026-03-16")).toBe(false);
    expect(isWithinValidity(null, "2026-03-01")).toBe(false);
  });
});
