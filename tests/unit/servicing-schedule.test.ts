import { describe, expect, it } from "vitest";
import {
  annuityInstalmentFen,
  buildSchedule,
  dailyInterestFen,
  methodsInMask,
  monthlyInterestFen,
  REPAYMENT_METHODS,
  scheduleTotals,
  type RepaymentMethod,
} from "../../app/domain/servicing/schedule";

// The worked examples of docs/decisions/010-repayment-schedules-and-interest.md:
// 100 万元 at 4.20 % a year over 12 months, disbursed 2026-01-31.
const EXAMPLE = {
  principalFen: 100_000_000,
  annualRateBp: 420,
  termMonths: 12,
  startDate: "2026-01-31",
};

describe("worked examples of decision 010", () => {
  it("等额本息: 8,524,131 fen a month; interest 2,289,572 fen in all", () => {
    const rows = buildSchedule({ ...EXAMPLE, method: "equal_instalment" });
    expect(annuityInstalmentFen(100_000_000, 420, 12)).toBe(8_524_131);
    expect(rows[0]).toMatchObject({
      dueDate: "2026-02-28",
      principalFen: 8_174_131,
      interestFen: 350_000,
    });
    expect(rows[1]).toMatchObject({
      dueDate: "2026-03-31",
      principalFen: 8_202_740,
      interestFen: 321_391,
    });
    expect(rows[11]).toMatchObject({
      dueDate: "2027-01-31",
      openingPrincipalFen: 8_494_401,
      principalFen: 8_494_401,
      interestFen: 29_730,
      totalFen: 8_524_131,
    });
    expect(scheduleTotals(rows)).toEqual({
      principalFen: 100_000_000,
      interestFen: 2_289_572,
      totalFen: 102_289_572,
    });
  });

  it("等额本金: 8,333,333 fen principal a month, the last 8,333,337; interest 2,275,000", () => {
    const rows = buildSchedule({ ...EXAMPLE, method: "equal_principal" });
    expect(rows[0]).toMatchObject({
      principalFen: 8_333_333,
      interestFen: 350_000,
      totalFen: 8_683_333,
    });
    expect(rows[1]).toMatchObject({ principalFen: 8_333_333, interestFen: 320_833 });
    expect(rows[11]).toMatchObject({
      principalFen: 8_333_337,
      interestFen: 29_167,
      totalFen: 8_362_504,
    });
    expect(scheduleTotals(rows).interestFen).toBe(2_275_000);
  });

  it("按月付息到期还本: 350,000 fen interest a month, principal with the 12th", () => {
    const rows = buildSchedule({ ...EXAMPLE, method: "interest_only" });
    expect(rows.map((r) => r.interestFen)).toEqual(Array(12).fill(350_000));
    expect(rows.slice(0, 11).every((r) => r.principalFen === 0)).toBe(true);
    expect(rows[11].totalFen).toBe(100_350_000);
  });

  it("到期一次还本付息: 365 days at 4.20 %/360 = 4,258,333 fen", () => {
    const rows = buildSchedule({ ...EXAMPLE, method: "bullet" });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dueDate: "2027-01-31",
      principalFen: 100_000_000,
      interestFen: 4_258_333,
    });
  });
});

describe("interest conventions", () => {
  it("a month is rate/12 whatever its days; a day is rate/360", () => {
    expect(monthlyInterestFen(100_000_000, 420)).toBe(350_000);
    expect(dailyInterestFen(100_000_000, 360, 1)).toBe(10_000);
    expect(dailyInterestFen(100_000_000, 420, 0)).toBe(0);
  });
  it("rounds half up to the fen", () => {
    // 600 fen × 100 bp / 120000 = 0.5 → 1; 599 fen → 0.499… → 0
    expect(monthlyInterestFen(600, 100)).toBe(1);
    expect(monthlyInterestFen(599, 100)).toBe(0);
  });
  it("a zero rate repays principal only", () => {
    const rows = buildSchedule({ ...EXAMPLE, annualRateBp: 0, method: "equal_instalment" });
    expect(scheduleTotals(rows).interestFen).toBe(0);
    expect(scheduleTotals(rows).principalFen).toBe(100_000_000);
  });
  it("reads the methods a product offers from its mask", () => {
    expect(methodsInMask(5)).toEqual(["equal_instalment", "interest_only"]);
    expect(methodsInMask(15)).toEqual([...REPAYMENT_METHODS]);
  });
  it("refuses a schedule for bad input instead of computing wrong money", () => {
    expect(() => buildSchedule({ ...EXAMPLE, principalFen: 0, method: "bullet" })).toThrow();
    expect(() => buildSchedule({ ...EXAMPLE, termMonths: 0, method: "bullet" })).toThrow();
  });
});

/** A small seeded generator, so a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (lo: number, hi: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  };
}

/** The exact annuity as a float, for the "within one fen of the formula" bound. */
function exactLast(opening: number, rateBp: number) {
  return opening * (1 + rateBp / 120_000);
}

describe("properties over 2,000 random loans", () => {
  const next = rng(20261205);
  const cases = Array.from({ length: 2_000 }, () => ({
    method: REPAYMENT_METHODS[next(0, 3)] as RepaymentMethod,
    principalFen: next(1, 5) === 1 ? next(100, 10_000) : next(1_000_000, 2_000_000_000),
    annualRateBp: next(0, 2_400),
    termMonths: next(1, 5) === 1 ? next(120, 360) : next(1, 60),
    startDate: `20${next(20, 30)}-${String(next(1, 12)).padStart(2, "0")}-${String(next(1, 31 - 3)).padStart(2, "0")}`,
  }));

  it("principal parts sum exactly to the loan", () => {
    for (const c of cases)
      expect(scheduleTotals(buildSchedule(c)).principalFen, JSON.stringify(c)).toBe(c.principalFen);
  });

  it("no part and no balance is ever negative, and balances chain", () => {
    // One assertion per loan (not per row): ~90,000 rows of expect() calls took 18 s under load.
    const broken: string[] = [];
    for (const c of cases) {
      let balance = c.principalFen;
      for (const r of buildSchedule(c)) {
        if (
          r.openingPrincipalFen !== balance ||
          r.principalFen < 0 ||
          r.interestFen < 0 ||
          r.closingPrincipalFen < 0
        )
          broken.push(`${JSON.stringify(c)} row ${JSON.stringify(r)}`);
        balance = r.closingPrincipalFen;
      }
      if (balance !== 0) broken.push(`${JSON.stringify(c)} ends at ${balance}`);
    }
    expect(broken.slice(0, 5)).toEqual([]);
  });

  it("the last instalment is within one fen of its formula (balance plus its month's interest)", () => {
    for (const c of cases.filter((x) => x.method !== "bullet")) {
      const rows = buildSchedule(c);
      const last = rows[rows.length - 1];
      expect(
        Math.abs(last.totalFen - exactLast(last.openingPrincipalFen, c.annualRateBp)),
        JSON.stringify(c),
      ).toBeLessThanOrEqual(1);
    }
  });

  it("等额本息 instalments before the last equal the annuity formula rounded", () => {
    for (const c of cases.filter(
      (x) => x.method === "equal_instalment" && x.principalFen > 1_000_000,
    )) {
      const a = annuityInstalmentFen(c.principalFen, c.annualRateBp, c.termMonths);
      const rows = buildSchedule(c);
      const off = rows.slice(0, -1).filter((r) => r.totalFen !== a);
      expect(off.length, JSON.stringify(c)).toBe(0);
    }
  });

  it("due dates run one month apart from the value date, clamped to month ends", () => {
    const rows = buildSchedule({ ...EXAMPLE, method: "equal_principal", startDate: "2024-01-31" });
    expect(rows.slice(0, 3).map((r) => r.dueDate)).toEqual([
      "2024-02-29",
      "2024-03-31",
      "2024-04-30",
    ]);
  });
});
