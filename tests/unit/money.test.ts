import { describe, expect, it } from "vitest";
import {
  assertFen,
  FEN_PER_YI,
  formatBp,
  formatMoney,
  formatYuanExact,
  parseYuanToFen,
} from "../../app/domain/money";

describe("formatMoney in Chinese", () => {
  it("shows amounts under 1 万元 in 元 with two decimals", () => {
    expect(formatMoney(0)).toBe("0.00 元");
    expect(formatMoney(1)).toBe("0.01 元");
    expect(formatMoney(123_456)).toBe("1,234.56 元");
    expect(formatMoney(999_999)).toBe("9,999.99 元");
  });

  it("switches to 万元 from 10,000 元", () => {
    expect(formatMoney(1_000_000)).toBe("1.00 万元");
    expect(formatMoney(123_456_789)).toBe("123.46 万元");
  });

  it("switches to 亿元 from 1 亿元, so the 100亿 target reads 100.00 亿元", () => {
    expect(formatMoney(FEN_PER_YI)).toBe("1.00 亿元");
    expect(formatMoney(1_000_000_000_000)).toBe("100.00 亿元");
  });

  it("rounds half away from zero on the exact fen value", () => {
    expect(formatMoney(1_005_000)).toBe("1.01 万元"); // 1.005 万
    expect(formatMoney(1_004_999)).toBe("1.00 万元");
    expect(formatMoney(-1_005_000)).toBe("-1.01 万元");
  });

  it("does not print minus zero", () => {
    expect(formatMoney(-1, "zh-CN", "wan")).toBe("0.00 万元");
  });

  it("honours a fixed unit", () => {
    expect(formatMoney(123_456_789, "zh-CN", "yuan")).toBe("1,234,567.89 元");
    expect(formatMoney(123_456_789, "zh-CN", "yi")).toBe("0.01 亿元");
  });
});

describe("formatMoney in English", () => {
  it("uses ¥ and million / billion", () => {
    expect(formatMoney(123_456, "en")).toBe("¥1,234.56");
    expect(formatMoney(250_000_000, "en")).toBe("¥2.50 m");
    expect(formatMoney(1_000_000_000_000, "en")).toBe("¥10.00 bn");
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
  it("shows every fen with separators", () => {
    expect(formatYuanExact(1_000_000_000_000)).toBe("10,000,000,000.00");
    expect(formatYuanExact(-5)).toBe("-0.05");
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

describe("formatBp", () => {
  it("shows basis points as a percentage", () => {
    expect(formatBp(345)).toBe("3.45%");
    expect(formatBp(5000, 0)).toBe("50%");
  });
});
