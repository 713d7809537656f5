import { describe, expect, it } from "vitest";
import { validateProductTerms } from "../../app/domain/product";
import {
  NO_AMOUNTS,
  portfolioFigures,
  portfolioLoansHref,
} from "../../app/domain/servicing/portfolio";
import { methodsInMask, repaymentMethodsMask } from "../../app/domain/servicing/schedule";

describe("the loan book's figures", () => {
  it("works out the overdue and non-performing shares of the balance, half up to the bp", () => {
    const f = portfolioFigures({
      outstandingFen: 300_000_000,
      principalRepaidFen: 50_000_000,
      interestRepaidFen: 1_234_567,
      overdueFen: 10_000_000,
      nonPerformingFen: 1_000_005,
    });
    expect(f.repaidFen).toBe(51_234_567);
    expect(f.overdueShareBp).toBe(333); // 3.333…%
    expect(f.nonPerformingShareBp).toBe(33); // 0.33333…%
  });

  it("shows no share when nothing is outstanding", () => {
    const f = portfolioFigures({ ...NO_AMOUNTS, principalRepaidFen: 100 });
    expect(f.overdueShareBp).toBeNull();
    expect(f.nonPerformingShareBp).toBeNull();
    expect(f.repaidFen).toBe(100);
  });

  it("links each figure to the loans it was summed from", () => {
    expect(portfolioLoansHref("overdue")).toBe("/report/loans?measure=overdue");
    expect(portfolioLoansHref("non_performing", { region: "150200" })).toBe(
      "/report/loans?measure=non_performing&region=150200",
    );
    expect(portfolioLoansHref("repaid", { bank: 7 })).toBe("/report/loans?measure=repaid&bank=7");
  });
});

describe("the repayment methods a product offers", () => {
  it("stores them as a bit mask and reads them back in the canonical order", () => {
    expect(repaymentMethodsMask(["bullet", "equal_principal"])).toBe(2 | 8);
    expect(methodsInMask(2 | 8)).toEqual(["equal_principal", "bullet"]);
  });
});

describe("validateProductTerms on repayment methods", () => {
  const base = {
    id: 0,
    bankOrgId: 0,
    name: "测试产品",
    minAmountFen: 1_000_000,
    maxAmountFen: 100_000_000,
    minTermMonths: 6,
    maxTermMonths: 36,
    minRateBp: 300,
    maxRateBp: 500,
    pledgeRateBp: { invention: 3000, utility_model: 0, design: 0, trademark: 0 },
    acceptedIpTypes: ["invention"] as const,
    minRemainingYears: { invention: 0, utility_model: 0, design: 0, trademark: 0 },
    trademarkMinAgeYears: 0,
    regions: "all" as const,
    industries: "all" as const,
    requiredFlags: [],
    requiresFormalAppraisal: true,
    quotaTotalFen: 1_000_000_000,
    quotaRemainingFen: 1_000_000_000,
    riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
    interestSubsidyBp: 0,
    active: true,
  };
  const codes = (over: object) =>
    validateProductTerms({ ...base, ...over })
      .filter((e) => e.field === "repaymentMethods")
      .map((e) => e.code);

  it("accepts a product that offers some methods, or says nothing (all four)", () => {
    expect(codes({})).toEqual([]);
    expect(codes({ repaymentMethods: ["interest_only"] })).toEqual([]);
  });

  it("refuses a product that offers none, an unknown one or one twice", () => {
    expect(codes({ repaymentMethods: [] })).toEqual(["repayment_methods_required"]);
    expect(codes({ repaymentMethods: ["balloon"] })).toEqual(["unknown_value"]);
    expect(codes({ repaymentMethods: ["bullet", "bullet"] })).toEqual(["duplicate_value"]);
  });
});
