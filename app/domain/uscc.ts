import { regionFromAreaCode, type RegionCode } from "./regions";

/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and A–Y without I, O, S, V, Z.
 * Position 18 is a check character: 31 − (Σ value×weight mod 31), where 31 becomes 0.
 */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccProblem =
  | { kind: "empty" }
  | { kind: "length"; length: number }
  | { kind: "illegal_char"; position: number; char: string }
  | { kind: "check_char"; expected: string; actual: string };

export type UsccResult =
  | { ok: true; value: string; areaCode: string; region: RegionCode | null }
  | { ok: false; problem: UsccProblem };

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c];
}

/** Normalises (trim, drop spaces, upper-case, full-width → ASCII) and validates a USCC. */
export function validateUscc(input: string): UsccResult {
  const value = input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, "")
    .toUpperCase();
  if (value.length === 0) return { ok: false, problem: { kind: "empty" } };
  if (value.length !== 18) return { ok: false, problem: { kind: "length", length: value.length } };
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(value[i])) {
      return { ok: false, problem: { kind: "illegal_char", position: i + 1, char: value[i] } };
    }
  }
  const expected = usccCheckChar(value.slice(0, 17));
  if (expected !== value[17]) {
    return { ok: false, problem: { kind: "check_char", expected, actual: value[17] } };
  }
  const areaCode = value.slice(2, 8);
  return { ok: true, value, areaCode, region: regionFromAreaCode(areaCode) };
}

/** Builds a valid USCC from its first 17 characters (for seeds and tests). */
export function completeUscc(first17: string): string {
  return first17 + usccCheckChar(first17);
}
