import { describe, expect, it } from "vitest";
import { completeUscc, usccCheckChar, validateUscc } from "../../app/domain/uscc";

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
    expect(validateUscc("91150100MA00000080")).toMatchObject({ ok: true });
    expect(usccCheckChar("91150100MA0000008")).toBe("0");
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
    expect(validateUscc("91150602MA0Q12345N")).toMatchObject({
      ok: true,
      areaCode: "150602",
      region: "150600",
    });
    expect(validateUscc("92152501MA7K8L9N2T")).toMatchObject({ ok: true, region: "152500" });
    expect(validateUscc("91150200MA13X7Y4KN")).toMatchObject({ ok: true, region: "150200" });
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

  it("rejects a wrong check character and names the expected one", () => {
    expect(validateUscc("91350100M000100Y44")).toEqual({
      ok: false,
      problem: { kind: "check_char", expected: "3", actual: "4" },
    });
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

describe("completeUscc", () => {
  it("appends the check character so the result validates", () => {
    expect(completeUscc("91150100114120000")).toBe("91150100114120000C");
    expect(validateUscc(completeUscc("91150100114120000")).ok).toBe(true);
  });
});
