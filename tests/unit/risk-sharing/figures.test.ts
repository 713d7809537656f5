import { describe, expect, it } from "vitest";
import { daysBetween } from "../../../app/domain/ip";
import {
  effectiveRate,
  combineNpl,
  nplByProduct,
  nplShortList,
  nplForBankOfficer,
  poolUsage,
  principalDays,
  riskDrillHref,
} from "../../../app/domain/risk-sharing/figures";

const WAN = 1_000_000; // 1万元 in fen

describe("pool leverage and usage", () => {
  it("reads a 1,000万 pool at an 18.94× cap carrying 9,470万 as 9.47× and 50% used", () => {
    expect(
      poolUsage({
        contributedFen: 1000 * WAN,
        balanceFen: 1000 * WAN,
        exposureFen: 9470 * WAN,
        leverageMultipleBp: 189_400,
      }),
    ).toEqual({
      limitFen: 18_940 * WAN,
      leverageBp: 94_700,
      usageBp: 5000,
      headroomFen: 9470 * WAN,
    });
  });

  it("has no leverage or usage for an empty pool, and no headroom when over the limit", () => {
    expect(
      poolUsage({ contributedFen: 0, balanceFen: 0, exposureFen: 0, leverageMultipleBp: 100_000 }),
    ).toEqual({ limitFen: 0, leverageBp: null, usageBp: null, headroomFen: 0 });
    // A payout shrank the balance under loans already reserved: used beyond 100%.
    expect(
      poolUsage({
        contributedFen: 100 * WAN,
        balanceFen: 60 * WAN,
        exposureFen: 90 * WAN,
        leverageMultipleBp: 10_000,
      }),
    ).toMatchObject({ limitFen: 60 * WAN, leverageBp: 15_000, usageBp: 15_000, headroomFen: 0 });
  });
});

describe("principal-days", () => {
  it("counts 100万 for 90 days and 60万 for 91 days as 1.446亿 元·天", () => {
    expect(
      principalDays(100 * WAN, "2025-01-01", "2025-07-01", [
        { valueDate: "2025-04-01", principalFen: 40 * WAN },
      ]),
    ).toBe(14_460_000_000);
  });

  it("equals P × (E − S) − Σ pᵢ × (E − dᵢ), the form the model sums in SQL, with a reversal", () => {
    const P = 12_345_678;
    const S = "2024-02-10";
    const E = "2025-03-31";
    const reps = [
      { valueDate: "2024-03-10", principalFen: 1_000_000 },
      { valueDate: "2024-06-30", principalFen: 2_500_001 },
      { valueDate: "2024-06-30", principalFen: -2_500_001 },
      { valueDate: "2024-07-01", principalFen: 2_500_001 },
      { valueDate: "2025-03-31", principalFen: 3_000_000 },
    ];
    const identity =
      P * daysBetween(S, E) -
      reps.reduce((s, r) => s + r.principalFen * daysBetween(r.valueDate, E), 0);
    expect(principalDays(P, S, E, reps)).toBe(identity);
  });

  it("is nothing for a loan with no time behind it", () => {
    expect(principalDays(50 * WAN, "2025-01-01", "2025-01-01", [])).toBe(0);
  });
});

describe("the effective rate after 贴息", () => {
  it("turns 15,665 元 paid on 1.446亿 元·天 (3.90%) with 7,832.50 元 of 贴息 into 1.95%", () => {
    expect(
      effectiveRate({
        interestFen: 1_566_500,
        subsidyFen: 783_250,
        principalDays: 14_460_000_000,
      }),
    ).toEqual({ grossBp: 390, netBp: 195, subsidyBp: 195 });
  });

  it("rounds half up to the basis point, and has no rate without principal-days", () => {
    // 1 元 of interest on 1万 for one day is 3.6% a year.
    expect(effectiveRate({ interestFen: 100, subsidyFen: 0, principalDays: 1 * WAN })).toEqual({
      grossBp: 360,
      netBp: 360,
      subsidyBp: 0,
    });
    expect(effectiveRate({ interestFen: 0, subsidyFen: 0, principalDays: 0 })).toEqual({
      grossBp: null,
      netBp: null,
      subsidyBp: null,
    });
  });
});

describe("non-performing ratios by product, with and without risk sharing", () => {
  it("splits each product's balance by cover and rates each part", () => {
    const rows = nplByProduct([
      {
        productId: 7,
        shared: true,
        loans: 3,
        outstandingFen: 300 * WAN,
        nonPerformingFen: 30 * WAN,
      },
      { productId: 7, shared: false, loans: 1, outstandingFen: 100 * WAN, nonPerformingFen: 0 },
      {
        productId: 3,
        shared: false,
        loans: 2,
        outstandingFen: 80 * WAN,
        nonPerformingFen: 20 * WAN,
      },
      { productId: 9, shared: true, loans: 0, outstandingFen: 0, nonPerformingFen: 0 },
    ]);
    expect(rows).toEqual([
      {
        productId: 3,
        shared: { loans: 0, outstandingFen: 0, nonPerformingFen: 0, ratioBp: null },
        unshared: { loans: 2, outstandingFen: 80 * WAN, nonPerformingFen: 20 * WAN, ratioBp: 2500 },
      },
      {
        productId: 7,
        shared: { loans: 3, outstandingFen: 300 * WAN, nonPerformingFen: 30 * WAN, ratioBp: 1000 },
        unshared: { loans: 1, outstandingFen: 100 * WAN, nonPerformingFen: 0, ratioBp: 0 },
      },
    ]);
  });
});

describe("the NPL rows a bank officer sees on the review", () => {
  it("names the officer's own bank's products and combines every other bank's into one row", () => {
    const cell = (loans: number, outstandingFen: number, nonPerformingFen: number) => ({
      loans,
      outstandingFen,
      nonPerformingFen,
      ratioBp: null,
    });
    const rows = [
      { productId: 1, bankOrgId: 10, shared: cell(1, 100, 0), unshared: cell(0, 0, 0) },
      { productId: 2, bankOrgId: 20, shared: cell(1, 100, 50), unshared: cell(2, 300, 0) },
      { productId: 3, bankOrgId: 30, shared: cell(1, 100, 0), unshared: cell(1, 100, 100) },
    ];
    expect(nplForBankOfficer(rows, 10)).toEqual([
      rows[0],
      {
        productId: 0,
        others: true,
        shared: { loans: 2, outstandingFen: 200, nonPerformingFen: 50, ratioBp: 2500 },
        unshared: { loans: 3, outstandingFen: 400, nonPerformingFen: 100, ratioBp: 2500 },
      },
    ]);
    expect(nplForBankOfficer([rows[0]], 10)).toEqual([rows[0]]);
  });
});

describe("drill-down addresses", () => {
  it("names the measure and the filters", () => {
    expect(riskDrillHref("npl", { product: 7, shared: false })).toBe(
      "/report/risk?measure=npl&product=7&shared=0",
    );
    expect(riskDrillHref("subsidies", { region: "150200" })).toBe(
      "/report/risk?measure=subsidies&region=150200",
    );
  });
});

describe("the NPL table a page shows", () => {
  const row = (
    productId: number,
    shared: [number, number, number],
    unshared: [number, number, number],
  ) => {
    const cell = ([loans, outstandingFen, nonPerformingFen]: [number, number, number]) => ({
      loans,
      outstandingFen,
      nonPerformingFen,
      ratioBp:
        outstandingFen === 0 ? null : Math.round((nonPerformingFen * 10_000) / outstandingFen),
    });
    return { productId, shared: cell(shared), unshared: cell(unshared) };
  };
  const book = [
    row(1, [1, 100 * WAN, 0], [0, 0, 0]),
    row(2, [0, 0, 0], [2, 200 * WAN, 50 * WAN]),
    row(3, [1, 300 * WAN, 10 * WAN], [1, 100 * WAN, 10 * WAN]),
    row(4, [0, 0, 0], [1, 400 * WAN, 0]),
  ];

  it("names the products with the most non-performing principal and sums the others", () => {
    const { rows, rest } = nplShortList(book, 2);
    // 50 万 non-performing, then 20 万; products 1 and 4 have none: summed.
    expect(rows.map((r) => r.productId)).toEqual([2, 3]);
    expect(rest).toEqual({
      products: 2,
      shared: { loans: 1, outstandingFen: 100 * WAN, nonPerformingFen: 0, ratioBp: 0 },
      unshared: { loans: 1, outstandingFen: 400 * WAN, nonPerformingFen: 0, ratioBp: 0 },
    });
    // The named rows and the rest add up to the whole book.
    const whole = combineNpl(book);
    const parts = combineNpl([...rows, { productId: 0, ...rest! }]);
    expect(parts).toEqual(whole);
  });

  it("breaks ties by outstanding principal, then product id, and names all when few", () => {
    const { rows } = nplShortList(book, 3);
    expect(rows.map((r) => r.productId)).toEqual([2, 3, 4]);
    expect(nplShortList(book, 4).rest).toBeNull();
    expect(nplShortList(book).rest).toBeNull();
  });

  it("keeps a bank officer's other-banks row after the list, never summed into the rest", () => {
    const officer = nplForBankOfficer(
      book.map((r) => ({ ...r, bankOrgId: r.productId <= 2 ? 10 : 20 })),
      10,
    );
    const { rows, rest } = nplShortList(officer, 1);
    expect(rows.map((r) => ("others" in r ? "others" : r.productId))).toEqual([2, "others"]);
    expect(rest?.products).toBe(1);
    expect(rest?.shared.outstandingFen).toBe(100 * WAN);
  });
});
