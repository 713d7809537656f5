import { describe, expect, it } from "vitest";
import type { Message } from "../../app/domain/message";
import { translateMessage } from "../../app/utils/messages";
import { getFixedT, type Locale } from "../../app/utils/i18n";
import {
  addDays,
  addMonthsClamped,
  addYearsClamped,
  daysBetween,
  IP_TYPES,
  isIpType,
  isPatentKind,
  parseIsoDate,
  wholeYearsBetween,
} from "../../app/domain/ip";
import {
  filingDateMatchesNumber,
  formatPatentDisplay,
  hasProtectionForYears,
  isPledgeable,
  makePatentNumber,
  parsePatentNumber,
  patentCheckDigit,
  patentNumberProblemMessage,
  patentTermYears,
  remainingProtectionYears,
  statutoryExpiry,
  type PatentNumberProblem,
} from "../../app/domain/patent";

/** A application-number problem as the asset form words it. */
const say = (m: Message, locale: Locale = "zh-CN") =>
  translateMessage(getFixedT(locale), m, locale);

function problemOf(input: string, opts?: { today?: string }): PatentNumberProblem {
  const r = parsePatentNumber(input, opts);
  if (r.ok) throw new Error(`expected ${input} to be rejected, got ${r.normalised}`);
  return r.problem;
}

describe("patent check digit (ZC 0006-2003, docs/domain.md#patent-numbers)", () => {
  it("reproduces the 12-digit example 201710601862.3", () => {
    // 2·2 + 0·3 + 1·4 + 7·5 + 1·6 + 0·7 + 6·8 + 0·9 + 1·2 + 8·3 + 6·4 + 2·5
    // = 4 + 0 + 4 + 35 + 6 + 0 + 48 + 0 + 2 + 24 + 24 + 10 = 157; 157 mod 11 = 3
    expect(patentCheckDigit("201710601862")).toBe("3");
  });

  it("reproduces the 8-digit example 95115608.X (remainder 10 is written X)", () => {
    // 9·2 + 5·3 + 1·4 + 1·5 + 5·6 + 6·7 + 0·8 + 8·9 = 18+15+4+5+30+42+0+72 = 186; 186 mod 11 = 10
    expect(patentCheckDigit("95115608")).toBe("X");
  });

  it("weights the 12-digit form 2 3 4 5 6 7 8 9 2 3 4 5", () => {
    // 2·2 + 0 + 0 + 4·5 + 1·6 + 0 + 0 + 1·9 + 2·2 + 3·3 + 4·4 + 5·5 = 4+20+6+9+4+9+16+25 = 93 → 5
    expect(patentCheckDigit("200410012345")).toBe("5");
    // 2·2 + 1·4 + 2·6 + 9·(7+8+9+2+3+4+5) = 4 + 4 + 12 + 342 = 362; 362 mod 11 = 10 → X
    expect(patentCheckDigit("201029999999")).toBe("X");
  });

  it("catches every single mistyped digit of a number", () => {
    // Every weight is 2–9 and 11 is prime, so changing one digit by δ changes the sum by w·δ ≢ 0.
    const body = "201710601862";
    for (let i = 0; i < body.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === body[i]) continue;
        const typo = body.slice(0, i) + d + body.slice(i + 1);
        const r = parsePatentNumber(`${typo}.3`);
        expect(r.ok, `${typo}.3 should be rejected`).toBe(false);
      }
    }
  });

  it("refuses a body that is not 12 or 8 digits", () => {
    expect(() => patentCheckDigit("2017106018")).toThrow(RangeError);
    expect(() => patentCheckDigit("20171060186A")).toThrow(RangeError);
  });
});

describe("parsePatentNumber", () => {
  it("reads the example 201710601862.3 as a 2017 invention in the 12-digit form", () => {
    expect(parsePatentNumber("201710601862.3")).toEqual({
      ok: true,
      normalised: "201710601862.3",
      filingYear: 2017,
      kind: "invention",
      isPct: false,
      format: "12",
    });
  });

  it("reads the old 8-digit example as a 1995 invention", () => {
    expect(parsePatentNumber("95115608.X")).toEqual({
      ok: true,
      normalised: "95115608.X",
      filingYear: 1995,
      kind: "invention",
      isPct: false,
      format: "8",
    });
  });

  it.each([
    ["ZL201710601862.3"],
    ["zl201710601862.3"],
    ["ZL 2017 1060 1862.3"],
    ["  201710601862.3\t"],
    ["2017106018623"],
    ["ZL2017106018623"],
    ["２０１７１０６０１８６２．３"],
    ["ＺＬ２０１７１０６０１８６２．３"],
    ["201710601862。3"],
    ["2017\u300010601862.3"],
  ])("normalises %j to 201710601862.3", (input) => {
    const r = parsePatentNumber(input);
    expect(r.ok && r.normalised).toBe("201710601862.3");
  });

  it.each([["95115608x"], ["95115608.x"], ["ZL95115608X"], ["zl 9511 5608.x"]])(
    "normalises %j to 95115608.X (lower-case x, no dot)",
    (input) => {
      const r = parsePatentNumber(input);
      expect(r.ok && r.normalised).toBe("95115608.X");
    },
  );

  it.each([
    [1, "invention", false],
    [2, "utility_model", false],
    [3, "design", false],
    [8, "invention", true],
    [9, "utility_model", true],
  ] as const)("maps type digit %i to %s (PCT: %s)", (digit, kind, isPct) => {
    const r = parsePatentNumber(makePatentNumber(2019, digit, 123456));
    expect(r).toMatchObject({ ok: true, kind, isPct, filingYear: 2019, format: "12" });
  });

  it("reads the type digit of an old number from its third digit", () => {
    // 0·2 + 0·3 + 2·4 + 2·5 + 3·6 + 4·7 + 5·8 + 6·9 = 8+10+18+28+40+54 = 158; 158 mod 11 = 4
    expect(parsePatentNumber("00223456.4")).toMatchObject({
      ok: true,
      filingYear: 2000,
      kind: "utility_model",
      isPct: false,
    });
    // 9·2 + 8·3 + 8·4 + 0·5 + 5·6 + 4·7 + 3·8 + 2·9 = 18+24+32+0+30+28+24+18 = 174; 174 mod 11 = 9
    expect(parsePatentNumber("98805432.9")).toMatchObject({
      ok: true,
      filingYear: 1998,
      kind: "invention",
      isPct: true,
    });
    // 8·2 + 5·3 + 3·4 + 0 + 0 + 0 + 0 + 1·9 = 16+15+12+9 = 52; 52 mod 11 = 8
    expect(parsePatentNumber("85300001.8")).toMatchObject({
      ok: true,
      filingYear: 1985,
      kind: "design",
    });
  });

  it("rejects an empty input, or ZL alone", () => {
    expect(problemOf("")).toEqual({ kind: "empty" });
    expect(problemOf("   ")).toEqual({ kind: "empty" });
    expect(problemOf("ZL")).toEqual({ kind: "empty" });
  });

  it("rejects a letter inside the number and says where", () => {
    expect(problemOf("2017A0601862.3")).toEqual({ kind: "format", position: 5, char: "A" });
  });

  it("rejects X anywhere but the check position", () => {
    expect(problemOf("2017X0601862.3")).toEqual({ kind: "format", position: 5, char: "X" });
    expect(problemOf("95115608.X1")).toEqual({ kind: "format", position: 10, char: "X" });
  });

  it("rejects a hyphen, which is not part of the notation", () => {
    expect(problemOf("2017-10601862.3")).toMatchObject({ kind: "format", char: "-" });
  });

  it("rejects a second dot or a dot that is not before the last character", () => {
    expect(problemOf("2017.10601862.3")).toEqual({ kind: "format", position: 14, char: "." });
    expect(problemOf("2017106018.623")).toEqual({ kind: "format", position: 11, char: "." });
  });

  it("rejects 12 digits without a check digit, saying the check digit is missing", () => {
    expect(problemOf("201710601862")).toEqual({
      kind: "length",
      length: 12,
      missingCheckDigit: true,
      checkDigitApart: false,
    });
    expect(problemOf("201710601862.")).toEqual({
      kind: "length",
      length: 12,
      missingCheckDigit: true,
      checkDigitApart: false,
    });
    expect(problemOf("95115608")).toMatchObject({
      kind: "length",
      length: 8,
      missingCheckDigit: true,
    });
  });

  it("rejects a number with too few or too many digits", () => {
    expect(problemOf("20171060186")).toEqual({
      kind: "length",
      length: 11,
      missingCheckDigit: false,
      checkDigitApart: false,
    });
    expect(problemOf("20171060186234")).toEqual({
      kind: "length",
      length: 14,
      missingCheckDigit: false,
      checkDigitApart: false,
    });
  });

  it("counts 11 digits before a check digit as 11, not 12", () => {
    expect(problemOf("20171060186.3")).toEqual({
      kind: "length",
      length: 11,
      missingCheckDigit: false,
      checkDigitApart: true,
    });
    expect(problemOf("ZL 2017 1060 186X")).toMatchObject({ length: 11, checkDigitApart: true });
    const p = problemOf("20171060186.3");
    if (p?.kind !== "length") throw new Error("expected a length problem");
    expect(say(patentNumberProblemMessage(p))).toBe(
      "专利申请号应为 12 位数字加 1 位校验位，如 201710601862.3（2003 年 10 月前的旧号为 8 位）；校验位前您输入了 11 位",
    );
    expect(say(patentNumberProblemMessage(p), "en")).toContain("you entered 11");
  });

  it.each(["0", "4", "5", "6", "7"])("rejects type digit %s in the fifth position", (digit) => {
    const body = `2017${digit}0601862`;
    expect(problemOf(`${body}.${patentCheckDigit(body)}`)).toEqual({
      kind: "type_digit",
      digit,
      position: 5,
    });
  });

  it("rejects an old number whose third digit is not a type", () => {
    const body = "95415608";
    expect(problemOf(`${body}.${patentCheckDigit(body)}`)).toEqual({
      kind: "type_digit",
      digit: "4",
      position: 3,
    });
  });

  it("rejects a 12-digit number dated before the 2003 standard", () => {
    const body = "200210601862";
    expect(problemOf(`${body}.${patentCheckDigit(body)}`)).toEqual({
      kind: "year",
      year: 2002,
      earliest: 2003,
      latest: null,
    });
  });

  it("rejects a filing year in the future only when today is given", () => {
    const future = makePatentNumber(2031, 1, 1);
    expect(parsePatentNumber(future).ok).toBe(true);
    expect(problemOf(future, { today: "2025-06-01" })).toEqual({
      kind: "year",
      year: 2031,
      earliest: 2003,
      latest: 2025,
    });
    expect(parsePatentNumber(makePatentNumber(2025, 1, 1), { today: "2025-06-01" }).ok).toBe(true);
  });

  it("rejects an 8-digit number dated outside 1985–2003", () => {
    for (const body of ["04123456", "84123456"]) {
      expect(problemOf(`${body}.${patentCheckDigit(body)}`)).toMatchObject({
        kind: "year",
        earliest: 1985,
        latest: 2003,
      });
    }
    expect(problemOf(`84123456.${patentCheckDigit("84123456")}`)).toMatchObject({ year: 1984 });
    expect(problemOf(`04123456.${patentCheckDigit("04123456")}`)).toMatchObject({ year: 2004 });
  });

  it("rejects a wrong check digit and names the right one", () => {
    expect(problemOf("201710601862.4")).toEqual({
      kind: "check_digit",
      expected: "3",
      actual: "4",
    });
    expect(problemOf("95115608.0")).toEqual({ kind: "check_digit", expected: "X", actual: "0" });
    expect(problemOf("201710601862X")).toEqual({
      kind: "check_digit",
      expected: "3",
      actual: "X",
    });
  });
});

describe("patentNumberProblemMessage", () => {
  it("names the expected check digit in Chinese and English", () => {
    const p: PatentNumberProblem = { kind: "check_digit", expected: "3", actual: "4" };
    expect(say(patentNumberProblemMessage(p))).toContain("“3”");
    expect(say(patentNumberProblemMessage(p), "en")).toContain("“3”");
  });

  it("fills in the numbers and characters it names", () => {
    expect(say(patentNumberProblemMessage({ kind: "format", position: 5, char: "A" }))).toBe(
      "第 5 位“A”不应出现在申请号中（格式如 201710601862.3）",
    );
    const year: PatentNumberProblem = { kind: "year", year: 2002, earliest: 2003, latest: null };
    expect(say(patentNumberProblemMessage(year))).toBe("申请年份 2002 不在 2003–今 之间");
    expect(say(patentNumberProblemMessage({ ...year, latest: 2025 }), "en")).toBe(
      "Filing year 2002 is outside 2003–2025",
    );
  });

  it.each([
    ["20171060186", 11],
    ["2017106018", 10],
    ["20171060186234", 14],
    ["ZL 2017 1060 18", 10],
  ])("names the expected form (12 digits + check digit) and counts %j as %i digits", (input, n) => {
    const p = problemOf(input);
    if (p?.kind !== "length") throw new Error("expected a length problem");
    const zh = say(patentNumberProblemMessage(p));
    expect(zh).toMatch(/^专利申请号应为 12 位数字加 1 位校验位，如 201710601862\.3/);
    expect(zh).toMatch(new RegExp(`您输入了 ${n} 位$`));
    const en = say(patentNumberProblemMessage(p), "en");
    expect(en).toMatch(/^A patent application number is 12 digits plus a check digit/);
    expect(en).toContain(`you entered ${n} digits`);
  });

  it("names the expected form when only the check digit is missing", () => {
    const p = problemOf("201710601862");
    if (p?.kind !== "length") throw new Error("expected a length problem");
    expect(say(patentNumberProblemMessage(p))).toBe(
      "专利申请号应为 12 位数字加 1 位校验位，如 201710601862.3；您输入的号码缺少小数点后的校验位",
    );
  });

  it("says the check digit is missing rather than quoting a length", () => {
    const p: PatentNumberProblem = {
      kind: "length",
      length: 12,
      missingCheckDigit: true,
      checkDigitApart: false,
    };
    expect(say(patentNumberProblemMessage(p))).toContain("缺少");
    expect(say(patentNumberProblemMessage(p), "en")).toContain("missing");
  });

  it.each<PatentNumberProblem>([
    { kind: "empty" },
    { kind: "format", position: 5, char: "A" },
    { kind: "length", length: 11, missingCheckDigit: false, checkDigitApart: false },
    { kind: "length", length: 11, missingCheckDigit: false, checkDigitApart: true },
    { kind: "type_digit", digit: "4", position: 5 },
    { kind: "year", year: 2002, earliest: 2003, latest: null },
    { kind: "year", year: 2030, earliest: 2003, latest: 2025 },
  ])("gives a distinct message in each language for $kind", (p) => {
    const zh = say(patentNumberProblemMessage(p), "zh-CN");
    const en = say(patentNumberProblemMessage(p), "en");
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(en).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("makePatentNumber", () => {
  it("rebuilds the example 201710601862.3 from its parts", () => {
    expect(makePatentNumber(2017, 1, 601862)).toBe("201710601862.3");
  });

  it("pads the serial to 7 digits and appends X when the remainder is 10", () => {
    expect(makePatentNumber(2021, 3, 1)).toBe("202130000001.7");
    expect(makePatentNumber(2010, 2, 9_999_999)).toBe("201029999999.X");
  });

  it("always produces a number that parses as valid", () => {
    for (let year = 2003; year <= 2030; year += 3) {
      for (const t of [1, 2, 3, 8, 9]) {
        for (const serial of [0, 7, 123_456, 9_999_999]) {
          const n = makePatentNumber(year, t, serial);
          expect(parsePatentNumber(n)).toMatchObject({ ok: true, normalised: n, filingYear: year });
        }
      }
    }
  });

  it("refuses a year before 2003, a type digit that does not exist, or a serial out of range", () => {
    expect(() => makePatentNumber(2002, 1, 1)).toThrow(RangeError);
    expect(() => makePatentNumber(2017, 4, 1)).toThrow(RangeError);
    expect(() => makePatentNumber(2017, 1, 10_000_000)).toThrow(RangeError);
    expect(() => makePatentNumber(2017, 1, -1)).toThrow(RangeError);
    expect(() => makePatentNumber(2017, 1, 1.5)).toThrow(RangeError);
  });
});

describe("formatPatentDisplay", () => {
  it("shows a granted patent as ZL + application number", () => {
    expect(formatPatentDisplay("201710601862.3", true)).toBe("ZL201710601862.3");
    expect(formatPatentDisplay("95115608.X", true)).toBe("ZL95115608.X");
  });

  it("shows an application without ZL", () => {
    expect(formatPatentDisplay("201710601862.3", false)).toBe("201710601862.3");
  });
});

describe("filingDateMatchesNumber", () => {
  it("accepts a filing date in the number's year", () => {
    expect(filingDateMatchesNumber("201710601862.3", "2017-01-01")).toBe(true);
    expect(filingDateMatchesNumber("201710601862.3", "2017-12-31")).toBe(true);
    expect(filingDateMatchesNumber("95115608.X", "1995-08-01")).toBe(true);
  });

  it("rejects a filing date in another year for an ordinary application", () => {
    expect(filingDateMatchesNumber("201710601862.3", "2016-12-31")).toBe(false);
    expect(filingDateMatchesNumber("201710601862.3", "2018-01-01")).toBe(false);
    expect(filingDateMatchesNumber("95115608.X", "1996-01-01")).toBe(false);
  });

  it("lets a PCT national-phase number carry an international filing date up to 3 years earlier", () => {
    const pct = makePatentNumber(2017, 8, 12345);
    expect(filingDateMatchesNumber(pct, "2014-12-31")).toBe(true);
    expect(filingDateMatchesNumber(pct, "2013-12-31")).toBe(false);
    expect(filingDateMatchesNumber(pct, "2018-01-01")).toBe(false);
  });

  it("lets a divisional application keep its parent's earlier filing date, never a later one", () => {
    const divisional = makePatentNumber(2019, 1, 54321);
    expect(filingDateMatchesNumber(divisional, "2012-05-10")).toBe(false);
    expect(filingDateMatchesNumber(divisional, "2012-05-10", { divisional: true })).toBe(true);
    expect(filingDateMatchesNumber(divisional, "2020-01-02", { divisional: true })).toBe(false);
  });

  it("is false for an invalid number or date", () => {
    expect(filingDateMatchesNumber("201710601862.4", "2017-05-01")).toBe(false);
    expect(filingDateMatchesNumber("201710601862.3", "2017-02-30")).toBe(false);
  });
});

describe("statutory term (专利法 第四十二条)", () => {
  it("gives an invention 20 years from the filing date", () => {
    expect(patentTermYears("invention", "2017-06-15")).toBe(20);
    expect(statutoryExpiry("invention", "2017-06-15")).toBe("2037-06-15");
  });

  it("gives a utility model 10 years from the filing date", () => {
    expect(statutoryExpiry("utility_model", "2019-03-08")).toBe("2029-03-08");
  });

  it("gives a design filed on 2021-06-01 15 years, and one filed the day before 10 years", () => {
    expect(statutoryExpiry("design", "2021-06-01")).toBe("2036-06-01");
    expect(statutoryExpiry("design", "2021-05-31")).toBe("2031-05-31");
  });

  it("rejects a design patent filed in 2020 after 10 years", () => {
    const expiry = statutoryExpiry("design", "2020-03-01");
    expect(expiry).toBe("2030-03-01");
    expect(isPledgeable("granted", expiry, "2030-02-28")).toBe(true);
    expect(isPledgeable("granted", expiry, "2030-03-01")).toBe(false);
    expect(isPledgeable("granted", expiry, "2031-03-01")).toBe(false);
  });

  it("ends a term that started on Feb 29 on Feb 28 of a common year", () => {
    expect(statutoryExpiry("utility_model", "2020-02-29")).toBe("2030-02-28");
    expect(statutoryExpiry("design", "2024-02-29")).toBe("2039-02-28");
  });

  it("keeps Feb 29 when the expiry year is a leap year", () => {
    expect(statutoryExpiry("invention", "2004-02-29")).toBe("2024-02-29");
  });

  it("refuses a filing date that is not a calendar date", () => {
    expect(() => statutoryExpiry("invention", "2023-02-29")).toThrow(RangeError);
    expect(() => patentTermYears("design", "2021/06/01")).toThrow(RangeError);
  });
});

describe("remainingProtectionYears", () => {
  it("counts days left ÷ 365.25", () => {
    // 2027-06-15 → 2037-06-15 holds three Feb 29s (2028, 2032, 2036): 3650 + 3 = 3653 days
    expect(remainingProtectionYears("2037-06-15", "2027-06-15")).toBeCloseTo(3653 / 365.25, 12);
  });

  it("gives one month as 31 ÷ 365.25 years", () => {
    expect(remainingProtectionYears("2025-06-15", "2025-05-15")).toBeCloseTo(0.08487, 5);
  });

  it("is 0 on the expiry day and after it, never negative", () => {
    expect(remainingProtectionYears("2025-06-15", "2025-06-15")).toBe(0);
    expect(remainingProtectionYears("2025-06-15", "2026-01-01")).toBe(0);
  });
});

describe("hasProtectionForYears", () => {
  it("compares calendar years, where days ÷ 365.25 would fall just short", () => {
    // 2025-03-01 → 2030-03-01 is 1826 days (one Feb 29) = 4.9993 by days ÷ 365.25
    expect(remainingProtectionYears("2030-03-01", "2025-03-01")).toBeLessThan(5);
    expect(hasProtectionForYears("2030-03-01", "2025-03-01", 5)).toBe(true);
  });

  it("is false when the right ends a day before the required span", () => {
    expect(hasProtectionForYears("2030-02-28", "2025-03-01", 5)).toBe(false);
  });
});

describe("wholeYearsBetween: the calendar years a minimum is compared with", () => {
  it("reads 2025-03-01 → 2030-03-01 as five years, though it is 1826 days", () => {
    expect(daysBetween("2025-03-01", "2030-03-01")).toBe(1826);
    expect(wholeYearsBetween("2025-03-01", "2030-03-01")).toBe(5);
    expect(wholeYearsBetween("2025-03-01", "2030-02-28")).toBe(4);
    // Two 29 Februaries (2024, 2028) in the span: 1827 days, five years as well.
    expect(wholeYearsBetween("2023-03-01", "2028-03-01")).toBe(5);
  });

  it("takes 29 February + N years as 28 February when the year has no 29th", () => {
    expect(wholeYearsBetween("2028-02-29", "2033-02-28")).toBe(5);
    expect(wholeYearsBetween("2028-02-29", "2033-02-27")).toBe(4);
    expect(wholeYearsBetween("2028-02-29", "2032-02-29")).toBe(4);
    expect(wholeYearsBetween("2028-02-29", "2032-02-28")).toBe(3);
    expect(wholeYearsBetween("2028-02-28", "2033-02-28")).toBe(5);
    expect(wholeYearsBetween("2027-02-28", "2028-02-28")).toBe(1);
  });

  it("is 0 for less than a year and for a day before the start", () => {
    expect(wholeYearsBetween("2025-03-01", "2025-03-01")).toBe(0);
    expect(wholeYearsBetween("2025-03-01", "2026-02-28")).toBe(0);
    expect(wholeYearsBetween("2025-03-01", "2024-01-01")).toBe(0);
  });

  it("agrees with hasProtectionForYears on every day for years, around leap days", () => {
    // N whole years left ⟺ the right reaches today + N years, for every N.
    const disagreements: string[] = [];
    for (let i = 0; i < 3 * 366; i += 1) {
      const today = addDays("2027-01-01", i);
      for (const offset of [-2, -1, 0, 1, 2]) {
        for (const years of [1, 3, 4, 5, 8]) {
          const expiry = addDays(addYearsClamped(today, years), offset);
          const whole = wholeYearsBetween(today, expiry);
          for (const n of [years - 1, years, years + 1]) {
            if (whole >= n !== hasProtectionForYears(expiry, today, n)) {
              disagreements.push(`${today} → ${expiry}, ${n} years`);
            }
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe("isPledgeable", () => {
  it("allows a granted patent before its expiry", () => {
    expect(isPledgeable("granted", "2037-06-15", "2037-06-14")).toBe(true);
  });

  it.each(["pending", "lapsed", "invalidated", "expired"] as const)(
    "refuses a %s patent even before the statutory expiry",
    (status) => {
      expect(isPledgeable(status, "2037-06-15", "2025-01-01")).toBe(false);
    },
  );

  it("refuses a granted patent on or after its expiry", () => {
    expect(isPledgeable("granted", "2037-06-15", "2037-06-15")).toBe(false);
  });
});

describe("IP types and calendar helpers (app/domain/ip.ts)", () => {
  it("lists the four pledgeable IP types", () => {
    expect(IP_TYPES).toEqual(["invention", "utility_model", "design", "trademark"]);
    expect(isIpType("design")).toBe(true);
    expect(isIpType("software_copyright")).toBe(false);
    expect(isPatentKind("trademark")).toBe(false);
    expect(isPatentKind("invention")).toBe(true);
  });

  it("parses only real calendar dates", () => {
    expect(parseIsoDate("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate("2023-02-29")).toBeNull();
    expect(parseIsoDate("2100-02-29")).toBeNull();
    expect(parseIsoDate("2000-02-29")).not.toBeNull();
    expect(parseIsoDate("2024-13-01")).toBeNull();
    expect(parseIsoDate("2024-1-1")).toBeNull();
  });

  it("clamps month ends when adding months or years", () => {
    expect(addMonthsClamped("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonthsClamped("2023-01-31", 1)).toBe("2023-02-28");
    expect(addMonthsClamped("2024-03-31", -1)).toBe("2024-02-29");
    expect(addMonthsClamped("2024-11-15", 2)).toBe("2025-01-15");
    expect(addYearsClamped("2024-02-29", 1)).toBe("2025-02-28");
    expect(addYearsClamped("2024-02-29", 4)).toBe("2028-02-29");
    expect(() => addYearsClamped("2024-02-29", 1.5)).toThrow(RangeError);
  });

  it("adds and counts days across months and years", () => {
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
    expect(daysBetween("2025-03-01", "2024-03-01")).toBe(-365);
  });
});
