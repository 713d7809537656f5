import { describe, expect, it } from "vitest";
import type { Message } from "../../app/domain/message";
import { translateMessage } from "../../app/utils/messages";
import { getFixedT, type Locale } from "../../app/utils/i18n";
import {
  isNiceClass,
  isTrademarkKind,
  isTrademarkPledgeable,
  parseNiceClass,
  parseTrademarkNumber,
  registeredForAtLeastYears,
  trademarkAgeYears,
  trademarkExpiry,
  trademarkNumberProblemMessage,
  trademarkValidThrough,
  validateTrademarkMarks,
  type TrademarkNumberProblem,
} from "../../app/domain/trademark";

/** A registration-number problem as the asset form words it. */
const say = (m: Message, locale: Locale = "zh-CN") =>
  translateMessage(getFixedT(locale), m, locale);

describe("parseTrademarkNumber", () => {
  it.each([
    ["12345678", "12345678"],
    ["1234 5678", "12345678"],
    [" 7 ", "7"],
    ["１２３４５６７８", "12345678"],
    ["1234567890", "1234567890"],
  ])("accepts %j as %s", (input, normalised) => {
    expect(parseTrademarkNumber(input)).toEqual({ ok: true, normalised });
  });

  it("rejects an empty number", () => {
    expect(parseTrademarkNumber("  ")).toEqual({ ok: false, problem: { kind: "empty" } });
  });

  it("rejects a letter or a sign, because registration numbers are digits only", () => {
    expect(parseTrademarkNumber("12A45")).toEqual({
      ok: false,
      problem: { kind: "format", position: 3, char: "A" },
    });
    expect(parseTrademarkNumber("第123号")).toEqual({
      ok: false,
      problem: { kind: "format", position: 1, char: "第" },
    });
    expect(parseTrademarkNumber("1234-5678")).toMatchObject({
      ok: false,
      problem: { kind: "format", char: "-" },
    });
  });

  it("rejects more than 10 digits", () => {
    expect(parseTrademarkNumber("12345678901")).toEqual({
      ok: false,
      problem: { kind: "length", length: 11, max: 10 },
    });
  });

  it("fills in the limit and what was typed", () => {
    expect(say(trademarkNumberProblemMessage({ kind: "length", length: 11, max: 10 }))).toBe(
      "注册号最多 10 位数字，您输入了 11 位",
    );
  });

  it.each<TrademarkNumberProblem>([
    { kind: "empty" },
    { kind: "format", position: 3, char: "A" },
    { kind: "length", length: 11, max: 10 },
  ])("explains $kind in Chinese and English", (p) => {
    expect(say(trademarkNumberProblemMessage(p), "en")).not.toContain("{{");
    expect(say(trademarkNumberProblemMessage(p))).toMatch(/[\u4e00-\u9fff]/);
    expect(say(trademarkNumberProblemMessage(p), "en")).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("Nice class 1–45", () => {
  it("accepts 1 and 45, rejects 0, 46 and fractions", () => {
    expect(isNiceClass(1)).toBe(true);
    expect(isNiceClass(45)).toBe(true);
    expect(isNiceClass(0)).toBe(false);
    expect(isNiceClass(46)).toBe(false);
    expect(isNiceClass(9.5)).toBe(false);
    expect(isNiceClass("9")).toBe(false);
  });

  it("reads classes typed as '9', '09', '第9类' or 9", () => {
    expect(parseNiceClass("9")).toBe(9);
    expect(parseNiceClass("09")).toBe(9);
    expect(parseNiceClass("第9类")).toBe(9);
    expect(parseNiceClass(" 35 ")).toBe(35);
    expect(parseNiceClass(45)).toBe(45);
  });

  it("returns null for a class that does not exist", () => {
    expect(parseNiceClass("46")).toBeNull();
    expect(parseNiceClass("0")).toBeNull();
    expect(parseNiceClass("abc")).toBeNull();
    expect(parseNiceClass("")).toBeNull();
    expect(parseNiceClass(46)).toBeNull();
  });
});

describe("kinds and marks", () => {
  it("knows ordinary, collective and certification marks", () => {
    expect(isTrademarkKind("ordinary")).toBe(true);
    expect(isTrademarkKind("collective")).toBe(true);
    expect(isTrademarkKind("certification")).toBe(true);
    expect(isTrademarkKind("geographical_indication")).toBe(false);
  });

  it("accepts a geographical indication registered as a certification or collective mark", () => {
    expect(
      validateTrademarkMarks({
        kind: "certification",
        geographicalIndication: true,
        wellKnown: false,
      }),
    ).toBeNull();
    expect(
      validateTrademarkMarks({
        kind: "collective",
        geographicalIndication: true,
        wellKnown: false,
      }),
    ).toBeNull();
  });

  it("rejects a geographical-indication flag on an ordinary mark", () => {
    expect(
      validateTrademarkMarks({ kind: "ordinary", geographicalIndication: true, wellKnown: true }),
    ).toEqual({ kind: "gi_on_ordinary_mark" });
  });

  it("accepts a well-known ordinary mark", () => {
    expect(
      validateTrademarkMarks({ kind: "ordinary", geographicalIndication: false, wellKnown: true }),
    ).toBeNull();
  });
});

describe("trademarkExpiry (商标法 第三十九、四十条)", () => {
  it("ends 10 years after registration without renewal", () => {
    expect(trademarkExpiry("2015-03-14", 0)).toBe("2025-03-14");
  });

  it("extends by 10 years for each renewal", () => {
    expect(trademarkExpiry("2015-03-14", 1)).toBe("2035-03-14");
    expect(trademarkExpiry("2015-03-14", 2)).toBe("2045-03-14");
  });

  it("prints the day before the expiry as the certificate's last valid day", () => {
    expect(trademarkValidThrough("2015-03-14", 0)).toBe("2025-03-13");
    expect(trademarkValidThrough("2015-03-01", 0)).toBe("2025-02-28");
  });

  it("ends a term registered on Feb 29 on Feb 28 of a common year", () => {
    expect(trademarkExpiry("2016-02-29", 0)).toBe("2026-02-28");
    expect(trademarkExpiry("2016-02-29", 1)).toBe("2036-02-29");
  });

  it("refuses a negative or fractional number of renewals", () => {
    expect(() => trademarkExpiry("2015-03-14", -1)).toThrow(RangeError);
    expect(() => trademarkExpiry("2015-03-14", 0.5)).toThrow(RangeError);
  });
});

describe("age since registration", () => {
  it("counts days ÷ 365.25", () => {
    // 2015-03-14 → 2025-03-14: 3650 days + Feb 29 of 2016, 2020, 2024 = 3653
    expect(trademarkAgeYears("2015-03-14", "2025-03-14")).toBeCloseTo(3653 / 365.25, 12);
  });

  it("is 0 before the registration date", () => {
    expect(trademarkAgeYears("2025-03-14", "2025-01-01")).toBe(0);
  });

  it("treats a mark registered exactly 3 calendar years ago as registered for 3 years", () => {
    expect(registeredForAtLeastYears("2022-03-14", "2025-03-14", 3)).toBe(true);
    expect(registeredForAtLeastYears("2022-03-14", "2025-03-13", 3)).toBe(false);
  });
});

describe("isTrademarkPledgeable", () => {
  it("allows a registered mark before its expiry", () => {
    expect(isTrademarkPledgeable("registered", "2025-03-14", "2025-03-13")).toBe(true);
  });

  it("refuses a registered mark on its expiry day", () => {
    expect(isTrademarkPledgeable("registered", "2025-03-14", "2025-03-14")).toBe(false);
  });

  it.each(["pending", "expired", "cancelled", "invalidated"] as const)(
    "refuses a %s mark",
    (status) => {
      expect(isTrademarkPledgeable(status, "2030-01-01", "2025-01-01")).toBe(false);
    },
  );
});
