import { describe, expect, it } from "vitest";
import {
  assertFen,
  fenToAmountInput,
  fenToUnitInput,
  fenToYuanInput,
  FEN_PER_WAN,
  FEN_PER_YI,
  formatBp,
  chartMoneyUnit,
  formatChartNumber,
  formatMoney,
  formatMoneyExact,
  formatYuanExact,
  parseYuanToFen,
} from "../../app/domain/money";

describe("formatMoney in Chinese", () => {
  it("shows amounts under 1 万元 in exact 元, with decimals only when there are fen", () => {
    expect(formatMoney(0)).toBe("0 元");
    expect(formatMoney(1)).toBe("0.01 元");
    expect(formatMoney(300_000)).toBe("3,000 元");
    expect(formatMoney(123_456)).toBe("1,234.56 元");
    expect(formatMoney(999_999)).toBe("9,999.99 元");
  });

  it("switches to 万元 at exactly 10,000 元, without pointless decimals", () => {
    expect(formatMoney(1_000_000)).toBe("1 万元");
    expect(formatMoney(3_812_187)).toBe("3.81 万元");
    expect(formatMoney(875_900_000)).toBe("875.9 万元");
    expect(formatMoney(123_456_789)).toBe("123.46 万元");
    expect(formatMoney(8_759 * FEN_PER_WAN)).toBe("8,759 万元");
  });

  it("switches to 亿元 at 1 亿元, and a 万元 figure that rounds to 10,000 万 reads 1 亿元", () => {
    expect(formatMoney(FEN_PER_YI - 1)).toBe("1 亿元"); // 9,999.9999999 万 rounds up
    expect(formatMoney(FEN_PER_YI - 5_001)).toBe("9,999.99 万元");
    expect(formatMoney(FEN_PER_YI)).toBe("1 亿元");
    expect(formatMoney(53_524 * FEN_PER_WAN)).toBe("5.35 亿元");
    expect(formatMoney(1_000_000_000_000)).toBe("100 亿元");
  });

  it("rounds half away from zero on the exact fen value", () => {
    expect(formatMoney(1_005_000)).toBe("1.01 万元"); // 1.005 万
    expect(formatMoney(1_004_999)).toBe("1 万元");
    expect(formatMoney(-1_005_000)).toBe("-1.01 万元");
  });

  it("does not print minus zero", () => {
    expect(formatMoney(-1, "zh-CN", "wan")).toBe("0 万元");
  });

  it("honours a fixed unit", () => {
    expect(formatMoney(123_456_789, "zh-CN", "yuan")).toBe("1,234,567.89 元");
    expect(formatMoney(123_456_789, "zh-CN", "yi")).toBe("0.01 亿元");
  });
});

describe("formatMoney in English", () => {
  it("shows exact yuan under ¥1M, then ¥…M and ¥…B", () => {
    expect(formatMoney(0, "en")).toBe("¥0");
    expect(formatMoney(123_456, "en")).toBe("¥1,234.56");
    expect(formatMoney(3_812_187, "en")).toBe("¥38,121.87");
    expect(formatMoney(99_999_999, "en")).toBe("¥999,999.99");
    expect(formatMoney(100_000_000, "en")).toBe("¥1M");
    expect(formatMoney(250_000_000, "en")).toBe("¥2.5M");
    expect(formatMoney(375_733_000_000, "en")).toBe("¥3.76B");
    expect(formatMoney(1_000_000_000_000, "en")).toBe("¥10B");
  });

  it("moves to ¥B when the millions round to 1,000", () => {
    expect(formatMoney(99_999_500_000, "en")).toBe("¥1B");
    expect(formatMoney(99_999_499_999, "en")).toBe("¥999.99M");
  });

  it("puts the minus sign before the currency", () => {
    expect(formatMoney(-250_000_000, "en")).toBe("-¥2.5M");
  });
});

describe("formatMoneyExact", () => {
  it("gives every fen in both languages", () => {
    expect(formatMoneyExact(3_812_187)).toBe("38,121.87 元");
    expect(formatMoneyExact(3_812_187, "en")).toBe("¥38,121.87");
    expect(formatMoneyExact(375_733_000_000, "zh-CN")).toBe("3,757,330,000.00 元");
    expect(formatMoneyExact(-100, "en")).toBe("-¥1.00");
  });
});

describe("chartMoneyUnit", () => {
  it("chooses one unit for the whole chart from its largest value", () => {
    expect(chartMoneyUnit(53_524 * FEN_PER_WAN, "zh-CN").label).toBe("亿元");
    expect(chartMoneyUnit(FEN_PER_YI - 1, "zh-CN").label).toBe("万元");
    expect(chartMoneyUnit(FEN_PER_WAN, "zh-CN").label).toBe("万元");
    expect(chartMoneyUnit(FEN_PER_WAN - 1, "zh-CN").label).toBe("元");
    expect(chartMoneyUnit(100_000_000_000, "en").label).toBe("¥B");
    expect(chartMoneyUnit(100_000_000, "en").label).toBe("¥M");
    expect(chartMoneyUnit(99_999_999, "en").label).toBe("¥");
  });

  it("prints axis numbers with at most two decimals", () => {
    expect(formatChartNumber(5.3524)).toBe("5.35");
    expect(formatChartNumber(53_524)).toBe("53,524");
    expect(formatChartNumber(2.5)).toBe("2.5");
  });
});

describe("assertFen", () => {
  it("refuses fractions of a fen and unsafe integers", () => {
    expect(() => assertFen(1.5)).toThrow(RangeError);
    expect(() => assertFen(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN)).toThrow(RangeError);
    expect(() => assertFen(Number.MAX_SAFE_INTEGER)).not.toThrow();
  });
});

describe("formatYuanExact", () => {
  it.each([
    [0, "0.00", "0.00"],
    [1, "0.01", "0.01"],
    [5, "0.05", "0.05"],
    [99, "0.99", "0.99"],
    [100, "1.00", "1.00"],
    [123_456, "1,234.56", "1234.56"],
    [500_000, "5,000.00", "5000.00"],
    [-5, "-0.05", "-0.05"],
    [-123_456, "-1,234.56", "-1234.56"],
    [1_000_000_000_000, "10,000,000,000.00", "10000000000.00"],
  ])("shows %i fen as %j, or %j without separators (a CSV cell)", (fen, grouped, plain) => {
    expect(formatYuanExact(fen)).toBe(grouped);
    expect(formatYuanExact(fen, { grouping: false })).toBe(plain);
  });
});

describe("fenToYuanInput: what an amount input is pre-filled with", () => {
  it.each([
    [0, "0"],
    [1, "0.01"],
    [10, "0.10"],
    [99, "0.99"],
    [100, "1"],
    [500_000, "5000"],
    [500_050, "5000.50"],
    [500_001, "5000.01"],
    [123_456, "1234.56"],
    [1_000_000_000_000, "10000000000"],
    [Number.MAX_SAFE_INTEGER, "90071992547409.91"],
  ])("writes %i fen as %j", (fen, text) => {
    expect(fenToYuanInput(fen)).toBe(text);
  });

  it("gives 5000 yuan one spelling on every form", () => {
    expect(fenToYuanInput(500_000)).toBe("5000");
  });

  it("refuses fractions of a fen", () => {
    expect(() => fenToYuanInput(0.5)).toThrow(RangeError);
  });
});

describe("fenToAmountInput: loan amounts pre-filled in the units their hint names", () => {
  it.each([
    [300_000, "3000"],
    [FEN_PER_WAN, "1万"],
    [300 * FEN_PER_WAN, "300万"],
    [300 * FEN_PER_WAN + 100, "3000001"],
    [FEN_PER_YI, "1亿"],
    [15_000_000_000, "1.5亿"],
    [12_345 * FEN_PER_WAN, "12345万"],
    [1_000_000_000_000, "100亿"],
  ])("writes %i fen as %j", (fen, text) => {
    expect(fenToAmountInput(fen)).toBe(text);
    expect(parseYuanToFen(text)).toBe(fen);
  });
});

describe("parseYuanToFen", () => {
  it.each([
    ["1234", 123_400],
    ["1,234.5", 123_450],
    ["1，234.56元", 123_456],
    ["¥ 12.3", 1_230],
    ["１２３４", 123_400],
    ["12.3万", 12_300_000],
    ["1.5亿", 15_000_000_000],
    ["100亿", 1_000_000_000_000],
    ["0.01", 1],
    ["0.000001万", 1],
  ])("reads %s as %i fen", (input, fen) => {
    expect(parseYuanToFen(input)).toBe(fen);
  });

  it.each(["", "abc", "1.234", "-5", "1.2.3", "0.0000001万", "1e5"])("refuses %j", (input) => {
    expect(parseYuanToFen(input)).toBeNull();
  });

  it("refuses amounts beyond exact integer range", () => {
    expect(parseYuanToFen("100000000000000000")).toBeNull();
  });

  it("round-trips with formatYuanExact", () => {
    for (const fen of [0, 1, 99, 100, 123_456_789, 1_000_000_000_000]) {
      expect(parseYuanToFen(formatYuanExact(fen))).toBe(fen);
    }
  });
});

describe("round trips", () => {
  it("reads back every pre-filled and every shown amount as the same fen (0 … 200000 fen)", () => {
    for (let fen = 0; fen <= 200_000; fen += 1) {
      const input = fenToYuanInput(fen);
      if (parseYuanToFen(input) !== fen) throw new Error(`${fen} → ${input}`);
      const shown = formatYuanExact(fen);
      if (parseYuanToFen(shown) !== fen) throw new Error(`${fen} → ${shown}`);
    }
  });

  it("reads back large amounts up to the 100亿 target and beyond", () => {
    for (let fen = 1; fen < Number.MAX_SAFE_INTEGER / 7; fen = fen * 7 + 3) {
      expect(parseYuanToFen(fenToYuanInput(fen))).toBe(fen);
      expect(parseYuanToFen(formatYuanExact(fen))).toBe(fen);
    }
  });

  it('pre-fills every spelling of 5000 yuan as "5000"', () => {
    for (const s of ["5000", "5000.00", "5,000", "５０００", "0.5万", "¥5000", "5000元"]) {
      expect(fenToYuanInput(parseYuanToFen(s)!)).toBe("5000");
    }
  });
});

describe("formatBp: the one display of a rate", () => {
  it.each([
    [0, 2, "0.00%"],
    [1, 2, "0.01%"],
    [345, 2, "3.45%"],
    [1500, 2, "15.00%"],
    [10_000, 2, "100.00%"],
    [-250, 2, "-2.50%"],
    [5000, 0, "50%"],
    [2549, 0, "25%"],
    [2550, 0, "26%"], // half away from zero
    [-2550, 0, "-26%"],
    [-49, 0, "0%"], // no minus zero
    [385, 1, "3.9%"],
    [262.5, 2, "2.63%"], // a valuation's derived rate may fall between bp
  ])("shows %d bp with %i decimals as %j", (bp, digits, text) => {
    expect(formatBp(bp, digits)).toBe(text);
  });

  it.each([
    [1500, "15%"],
    [250, "2.5%"],
    [305, "3.05%"],
    [0, "0%"],
    [262.5, "2.63%"],
    [-50, "-0.5%"],
  ])("trims %d bp to %j", (bp, text) => {
    expect(formatBp(bp, 2, { trim: true })).toBe(text);
  });

  it("leaves the sign off for a CSV cell", () => {
    expect(formatBp(385, 2, { symbol: false })).toBe("3.85");
    expect(formatBp(1500, 2, { symbol: false })).toBe("15.00");
  });

  it("refuses what is not a number", () => {
    expect(() => formatBp(Number.NaN)).toThrow(RangeError);
  });
});

describe("fenToUnitInput", () => {
  it.each([
    [1_000_000_000_000, "亿", "100亿"],
    [1_234_567_890_123, "亿", "123.4567890123亿"],
    [30_000_000, "万", "30万"],
    [12_345, "万", "0.012345万"],
    [1, "亿", "0.0000000001亿"],
    [0, "万", "0万"],
    [-5_000_000, "万", "-5万"],
  ] as const)("%i fen in %s → %s", (fen, unit, text) => {
    expect(fenToUnitInput(fen, unit)).toBe(text);
  });

  it("reads back to the same fen for amounts float division got wrong", () => {
    for (const fen of [70_000_000_001, 123_456_789_012, 3_000_000_07, 1]) {
      expect(parseYuanToFen(fenToUnitInput(fen, "亿").replace(/^-/, ""))).toBe(fen);
      expect(parseYuanToFen(fenToUnitInput(fen, "万"))).toBe(fen);
    }
  });
});
