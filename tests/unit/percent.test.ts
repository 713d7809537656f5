import { describe, expect, it } from "vitest";
import { bpToPercentInput, parsePercentToBp } from "../../app/domain/percent";

/**
 * The one percent ↔ basis-point conversion of every rate input (products, requests, the approved
 * rate, the appraisal fee, valuations). Each row is a rule; the sweep at the end is the round trip.
 */
describe("parsePercentToBp: what a person may type", () => {
  it.each([
    // whole and decimal percentages, every spelling of the same 15%
    ["15", 1500],
    ["15.0", 1500],
    ["15.00", 1500],
    ["15%", 1500],
    ["15.00％", 1500],
    ["１５．００", 1500],
    ["１５％", 1500],
    [" 15 ", 1500],
    ["15 %", 1500],
    ["\u300015\u3000", 1500],
    ["+15", 1500],
    ["＋15", 1500],
    // full-width point or ASCII point after full-width digits
    ["３.５", 350],
    ["３．５", 350],
    ["3.5", 350],
    ["3.50", 350],
    // the unit boundaries: one hundredth of a percent is one bp
    ["0", 0],
    ["0.01", 1],
    ["0.1", 10],
    ["0.6", 60],
    ["0.60%", 60],
    ["1", 100],
    ["3.25", 325],
    ["3.85", 385],
    ["100", 10_000],
    ["999999.99", 99_999_999],
    // a sign is part of the spelling; ranges are the caller's check
    ["-2.5", -250],
    ["－２．５", -250],
    ["−2.5", -250],
    ["–2.5", -250],
    ["-0", 0],
  ])("reads %j as %i bp", (input, bp) => {
    expect(parsePercentToBp(input)).toBe(bp);
  });

  it.each([
    ["", "empty"],
    ["   ", "blank"],
    ["abc", "not a number"],
    ["3.255", "finer than one bp: refused, not rounded"],
    ["0.005", "finer than one bp"],
    [".5", "no whole part"],
    ["5.", "no decimals after the point"],
    ["1e2", "exponent"],
    ["1,5", "comma"],
    ["1,000", "thousands separator"],
    ["1000000", "seven digits: a typing mistake"],
    ["15%%", "two percent signs"],
    ["%15", "percent sign first"],
    ["--5", "two signs"],
    ["- 5", "a space after the sign"],
    ["五", "a Chinese numeral"],
  ])("refuses %j (%s)", (input) => {
    expect(parsePercentToBp(input)).toBeNull();
  });
});

describe("bpToPercentInput: what an input is pre-filled with", () => {
  it.each([
    [0, "0"],
    [1, "0.01"],
    [10, "0.1"],
    [60, "0.6"],
    [250, "2.5"],
    [305, "3.05"],
    [325, "3.25"],
    [1500, "15"],
    [10_000, "100"],
    [-200, "-2"],
    [-1, "-0.01"],
  ])("writes %i bp as %j", (bp, text) => {
    expect(bpToPercentInput(bp)).toBe(text);
  });

  it('gives one canonical spelling: 1500 bp is "15", never "15.00"', () => {
    expect(bpToPercentInput(1500)).toBe("15");
  });

  it("refuses a fraction of a bp rather than rounding it", () => {
    expect(() => bpToPercentInput(262.5)).toThrow(RangeError);
    expect(() => bpToPercentInput(Number.NaN)).toThrow(RangeError);
  });
});

describe("round trips", () => {
  it("reads back every pre-filled value as the same bp (-100000 … 100000 bp)", () => {
    for (let bp = -100_000; bp <= 100_000; bp += 1) {
      if (parsePercentToBp(bpToPercentInput(bp)) !== bp) {
        throw new Error(
          `${bp} → ${bpToPercentInput(bp)} → ${parsePercentToBp(bpToPercentInput(bp))}`,
        );
      }
    }
  });

  it("pre-fills any accepted spelling as its canonical one", () => {
    for (const s of ["15", "15.0", "15.00", "１５．００", "15%"]) {
      expect(bpToPercentInput(parsePercentToBp(s)!)).toBe("15");
    }
    expect(bpToPercentInput(parsePercentToBp("３.５")!)).toBe("3.5");
  });
});
