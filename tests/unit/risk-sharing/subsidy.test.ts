import { describe, expect, it } from "vitest";
import {
  computeSubsidy,
  eligibilityProblems,
  lprOn,
  subsidyClaimProblems,
  subsidyRulesProblems,
  type SubsidyInput,
  type SubsidyRules,
} from "../../../app/domain/risk-sharing/subsidy";

const YUAN = 100;
const lpr = [
  { effectiveDate: "2024-10-21", rateBp: 310 },
  { effectiveDate: "2025-05-20", rateBp: 300 },
];
const beijing: SubsidyRules = {
  shareBp: 5000,
  lprMultipleCapBp: 15_000,
  perFirmYearCapFen: 300_000 * YUAN,
  budgetFen: 10_000_000 * YUAN,
  windowStart: "2025-01-01",
  windowEnd: "2026-12-31",
  regionCodes: [],
  productIds: [],
  requiredFlags: [],
  firstPledgeOnly: false,
};
const qingdao: SubsidyRules = {
  ...beijing,
  shareBp: 10_000,
  lprMultipleCapBp: 6000,
  perFirmYearCapFen: 500_000 * YUAN,
};

function input(over: Partial<SubsidyInput> = {}): SubsidyInput {
  return {
    rules: beijing,
    rateBp: 600,
    lpr,
    payments: [{ entryKey: "r1", paidDate: "2025-06-30", interestFen: 30_000 * YUAN }],
    alreadySubsidised: new Set(),
    firmYearUsedFen: 0,
    budgetRemainingFen: beijing.budgetFen,
    ...over,
  };
}

describe("the LPR in force", () => {
  it("is the latest setting on or before the date", () => {
    expect(lprOn(lpr, "2025-05-19")).toBe(310);
    expect(lprOn(lpr, "2025-05-20")).toBe(300);
    expect(lprOn(lpr, "2024-01-01")).toBeNull();
  });
});

describe("interest subsidy", () => {
  it("Beijing style: 50% of interest at a basis capped at 1.5× LPR → 11,250 元 of 30,000 元 at 6%", () => {
    const s = computeSubsidy(input());
    expect(s.lines[0]).toMatchObject({ lprBp: 300, basisRateBp: 450, subsidyFen: 11_250 * YUAN });
    expect(s).toMatchObject({
      interestFen: 30_000 * YUAN,
      computedFen: 11_250 * YUAN,
      amountFen: 11_250 * YUAN,
      limitedBy: "none",
    });
  });

  it("Qingdao style: all the interest at 0.6× LPR → 9,000 元", () => {
    expect(computeSubsidy(input({ rules: qingdao })).amountFen).toBe(9_000 * YUAN);
  });

  it("uses the LPR of each payment's date", () => {
    const s = computeSubsidy(
      input({ payments: [{ entryKey: "r0", paidDate: "2025-03-31", interestFen: 30_000 * YUAN }] }),
    );
    // 1.5 × 3.10% = 4.65%: 30,000 × 465/600 × 50% = 11,625 元.
    expect(s.lines[0]).toMatchObject({ lprBp: 310, basisRateBp: 465, subsidyFen: 11_625 * YUAN });
  });

  it("does not cap a loan whose rate is under the cap", () => {
    expect(
      computeSubsidy(
        input({
          rateBp: 400,
          payments: [{ entryKey: "x", paidDate: "2025-06-30", interestFen: 1001 }],
        }),
      ).amountFen,
    ).toBe(500);
  });

  it("skips interest outside the window and interest another programme already subsidised", () => {
    const s = computeSubsidy(
      input({
        payments: [
          { entryKey: "old", paidDate: "2024-12-31", interestFen: 10_000 },
          { entryKey: "taken", paidDate: "2025-07-31", interestFen: 10_000 },
          { entryKey: "fresh", paidDate: "2025-08-31", interestFen: 12_000 },
        ],
        alreadySubsidised: new Set(["taken"]),
      }),
    );
    expect(s.lines.map((l) => l.entryKey)).toEqual(["fresh"]);
    expect(s.interestFen).toBe(12_000);
    expect(s.amountFen).toBe(4_500);
  });

  it("stops at the firm's cap for the year, then at the budget's remainder", () => {
    expect(computeSubsidy(input({ firmYearUsedFen: 295_000 * YUAN }))).toMatchObject({
      amountFen: 5_000 * YUAN,
      limitedBy: "firm_cap",
    });
    expect(computeSubsidy(input({ budgetRemainingFen: 1_000 * YUAN }))).toMatchObject({
      amountFen: 1_000 * YUAN,
      limitedBy: "budget",
    });
    expect(computeSubsidy(input({ budgetRemainingFen: 0 })).amountFen).toBe(0);
  });

  it("pays nothing on a capped basis when no LPR is on file for the date", () => {
    expect(computeSubsidy(input({ lpr: [] })).amountFen).toBe(0);
  });

  it("property: never negative and never above the interest paid", () => {
    let seed = 99;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const rules = {
        ...beijing,
        shareBp: 1 + Math.floor(r() * 10_000),
        lprMultipleCapBp: r() < 0.3 ? null : 1 + Math.floor(r() * 30_000),
      };
      const s = computeSubsidy(
        input({
          rules,
          rateBp: 1 + Math.floor(r() * 2400),
          payments: [
            { entryKey: "a", paidDate: "2025-06-01", interestFen: Math.floor(r() * 1e9) },
            { entryKey: "b", paidDate: "2025-09-01", interestFen: Math.floor(r() * 1e9) },
          ],
          firmYearUsedFen: Math.floor(r() * 4e7),
          budgetRemainingFen: Math.floor(r() * 1e9) - 1e8,
        }),
      );
      expect(s.amountFen).toBeGreaterThanOrEqual(0);
      expect(s.amountFen).toBeLessThanOrEqual(s.computedFen);
      expect(s.computedFen).toBeLessThanOrEqual(s.interestFen);
    }
  });
});

describe("programme rules and claims", () => {
  it("refuse a share above 100%, a negative cap, an empty budget and a reversed window", () => {
    expect(
      subsidyRulesProblems({
        ...beijing,
        shareBp: 10_001,
        lprMultipleCapBp: 0,
        perFirmYearCapFen: -1,
        budgetFen: 0,
        windowStart: "2026-01-01",
        windowEnd: "2025-12-31",
      }).map((m) => m.key),
    ).toEqual([
      "risk:validation.subsidyShareOutOfRange",
      "risk:validation.lprMultipleNotPositive",
      "risk:validation.capNotPositive",
      "risk:validation.budgetNotPositive",
      "risk:validation.windowReversed",
    ]);
    expect(subsidyRulesProblems(beijing)).toEqual([]);
  });

  it("say why a firm is not eligible", () => {
    const rules = {
      ...beijing,
      regionCodes: ["150200"],
      productIds: [7],
      requiredFlags: ["high_tech" as const],
      firstPledgeOnly: true,
    };
    expect(
      eligibilityProblems(
        rules,
        { regionCode: "150100", flags: [], firstPledge: false },
        { productId: 8 },
      ).map((m) => m.key),
    ).toEqual([
      "risk:eligibility.region",
      "risk:eligibility.product",
      "risk:eligibility.flags",
      "risk:eligibility.firstPledge",
    ]);
    expect(
      eligibilityProblems(
        rules,
        { regionCode: "150200", flags: ["high_tech"], firstPledge: true },
        { productId: 7 },
      ),
    ).toEqual([]);
  });

  it("refuse a subsidy above the interest paid, from an exhausted budget, or outside the window", () => {
    const rules = { windowStart: "2025-01-01", windowEnd: "2025-12-31" };
    expect(
      subsidyClaimProblems({
        amountFen: 101,
        interestFen: 100,
        budgetRemainingFen: 1000,
        claimDate: "2025-06-01",
        rules,
      }),
    ).toEqual([
      { key: "risk:validation.subsidyAboveInterest", params: { amountFen: 101, interestFen: 100 } },
    ]);
    expect(
      subsidyClaimProblems({
        amountFen: 50,
        interestFen: 100,
        budgetRemainingFen: 0,
        claimDate: "2026-01-01",
        rules,
      }).map((m) => m.key),
    ).toEqual(["risk:validation.outsideWindow", "risk:validation.budgetExhausted"]);
    expect(
      subsidyClaimProblems({
        amountFen: 50,
        interestFen: 100,
        budgetRemainingFen: 40,
        claimDate: "2025-06-01",
        rules,
      }).map((m) => m.key),
    ).toEqual(["risk:validation.subsidyAboveBudget"]);
  });
});
