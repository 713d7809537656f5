import { describe, expect, it } from "vitest";
import { buildUscc, orgCodeCheckChar, usccCheckChar, validateUscc } from "../../app/domain/uscc";

// Check characters below were computed independently from GB 32100-2015 (weights 1 3 9 27 …),
// not with the code under test.
describe("validateUscc (GB 32100-2015)", () => {
  it.each([
    ["91350100M000100Y43", "the standard's own example"],
    ["9144030071526726XG", "a Shenzhen company with letter check"],
    ["914403001922038216", "a Shenzhen company with digit check"],
    ["91330100799655058B", "a Hangzhou company"],
  ])("accepts %s (%s)", (code) => {
    const r = validateUscc(code);
    expect(r).toMatchObject({ ok: true, value: code });
  });

  it("accepts a code whose check value is 31, written as 0", () => {
    // Found by search over MA000000…; Σ over positions 1–17 is a multiple of 31.
    expect(validateUscc("91150100MA00000660")).toMatchObject({ ok: true });
    expect(usccCheckChar("91150100MA0000066")).toBe("0");
  });

  it("normalises lower case, spaces, hyphens and full-width characters", () => {
    expect(validateUscc(" 9144 0300-7152 6726xg ")).toMatchObject({
      ok: true,
      value: "9144030071526726XG",
    });
    expect(validateUscc("９１３５０１００Ｍ０００１００Ｙ４３")).toMatchObject({
      ok: true,
      value: "91350100M000100Y43",
    });
  });

  it("takes the 盟市 from characters 3–8 for Inner Mongolia firms", () => {
    // MA0Q1234: 22·3 + 10·7 + 0·9 + 26·10 + 1·5 + 2·8 + 3·4 + 4·2 = 437, 437 mod 11 = 8 → 3.
    expect(validateUscc("91150602MA0Q12343G")).toMatchObject({
      ok: true,
      areaCode: "150602",
      region: "150600",
    });
    expect(validateUscc("92152501MA7K8L9N41")).toMatchObject({ ok: true, region: "152500" });
    expect(validateUscc("91150200MA13X7Y4XM")).toMatchObject({ ok: true, region: "150200" });
  });

  it("gives no 盟市 for a firm registered outside Inner Mongolia", () => {
    expect(validateUscc("91330100799655058B")).toMatchObject({
      ok: true,
      areaCode: "330100",
      region: null,
    });
  });

  it("rejects an empty input", () => {
    expect(validateUscc("   ")).toEqual({ ok: false, problem: { kind: "empty" } });
  });

  it("rejects a code of the wrong length and says how long it was", () => {
    expect(validateUscc("9135010")).toEqual({ ok: false, problem: { kind: "length", length: 7 } });
    expect(validateUscc("91350100M000100Y431")).toEqual({
      ok: false,
      problem: { kind: "length", length: 19 },
    });
  });

  it.each(["I", "O", "S", "V", "Z"])("rejects the never-used letter %s with its position", (ch) => {
    const code = "91350100M000100Y4" + ch;
    expect(validateUscc(code)).toEqual({
      ok: false,
      problem: { kind: "illegal_char", position: 18, char: ch },
    });
  });

  it("rejects a wrong check character without suggesting a replacement", () => {
    expect(validateUscc("91350100M000100Y44")).toEqual({
      ok: false,
      problem: { kind: "check_char" },
    });
  });

  it("rejects an unknown registering body in position 1", () => {
    const r = validateUscc("B1350100M000100Y43");
    expect(r).toEqual({ ok: false, problem: { kind: "registering_body", char: "B" } });
  });

  it("rejects a letter among positions 3–8 as a bad area code", () => {
    // The case: a letter in the GB/T 2260 code; only the area code is blamed.
    expect(validateUscc("9115010AMA0Q12343G")).toEqual({
      ok: false,
      problem: { kind: "area_code", areaCode: "15010A" },
    });
  });

  it("rejects an area code with no such province", () => {
    expect(validateUscc("91990100M000100Y43")).toMatchObject({
      ok: false,
      problem: { kind: "area_code", areaCode: "990100" },
    });
  });

  it("rejects a wrong organisation-code check character (position 17) before position 18", () => {
    // The old fixture 91150203MA0N12345 + its position-18 character passed the outer check only.
    const outerOnly = "91150203MA0N12345" + usccCheckChar("91150203MA0N12345");
    expect(validateUscc(outerOnly)).toEqual({
      ok: false,
      problem: { kind: "org_code", orgCode: "MA0N12345" },
    });
  });

  it("accepts a valid code from outside Inner Mongolia with no 盟市 (chosen by hand)", () => {
    expect(validateUscc("914403001922038216")).toMatchObject({ ok: true, region: null });
  });

  it("catches a single mistyped character anywhere in the first 17", () => {
    const good = "9144030071526726XG";
    for (let i = 0; i < 17; i++) {
      const replacement = good[i] === "1" ? "2" : "1";
      const bad = good.slice(0, i) + replacement + good.slice(i + 1);
      expect(validateUscc(bad).ok, `position ${i + 1}`).toBe(false);
    }
  });
});

describe("orgCodeCheckChar (GB 11714)", () => {
  it.each([
    ["M000100Y", "4"],
    ["71526726", "X"],
    ["19220382", "1"],
    ["79965505", "8"],
  ])("gives %s the check character %s", (body, check) => {
    expect(orgCodeCheckChar(body)).toBe(check);
  });

  it("writes 11 as 0", () => {
    // Σ = 0, 11 − 0 = 11, written 0.
    expect(orgCodeCheckChar("00000000")).toBe("0");
  });

  it("refuses a body with a character GB 11714 does not use", () => {
    expect(orgCodeCheckChar("MA0N123")).toBeNull();
    expect(orgCodeCheckChar("MA0N123-")).toBeNull();
  });
});

describe("buildUscc", () => {
  it("computes both check characters so the result validates", () => {
    expect(buildUscc("150602", "MA0Q1234")).toBe("91150602MA0Q12343G");
    for (let n = 0; n < 200; n++) {
      const code = buildUscc("150100", "MA" + String(n).padStart(6, "0"));
      expect(validateUscc(code).ok, code).toBe(true);
    }
  });

  it("refuses parts that would make a malformed code", () => {
    expect(() => buildUscc("15010A", "MA0Q1234")).toThrow();
    expect(() => buildUscc("150100", "MA0Q123")).toThrow();
    expect(() => buildUscc("150100", "MAOQ1234")).toThrow();
  });
});
