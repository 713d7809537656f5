import { regionFromAreaCode, type RegionCode } from "./regions";

/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and A–Y without I, O, S, V, Z, in parts
 * (docs/domain.md#uscc): registering body (1), category (2), GB/T 2260 area code (3–8, six digits),
 * GB 11714 organisation code with its own check character (9–17), and a check character (18):
 * 31 − (Σ value×weight mod 31), where 31 becomes 0.
 */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100 table 1: the registering bodies (登记管理部门代码). */
const REGISTERING_BODIES = "123456789ANY";

/**
 * GB/T 2260 province-level prefixes, plus 10 for codes issued by national authorities (100000).
 * A code from any province is plausible: a firm registered elsewhere may operate in Inner Mongolia.
 */
const PROVINCE_PREFIXES = new Set([
  "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
  "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
  "71", "81", "82",
]); // prettier-ignore

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export type UsccProblem =
  | { kind: "empty" }
  | { kind: "length"; length: number }
  | { kind: "illegal_char"; position: number; char: string }
  | { kind: "registering_body"; char: string }
  | { kind: "area_code"; areaCode: string }
  | { kind: "org_code"; orgCode: string }
  | { kind: "check_char" };

export type UsccResult =
  | { ok: true; value: string; areaCode: string; region: RegionCode | null }
  | { ok: false; problem: UsccProblem };

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c];
}

/**
 * GB 11714 check character over the 8-character organisation code body. A letter's value is its
 * place in the full Latin alphabet (A = 10 … Z = 35), unlike the USCC's own alphabet.
 * Null when the body holds a character GB 11714 does not use.
 */
export function orgCodeCheckChar(body8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(body8)) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i], 36) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/** A six-digit GB/T 2260 code with a real province prefix (or 10, national). */
export function isPlausibleAreaCode(areaCode: string): boolean {
  return /^\d{6}$/.test(areaCode) && PROVINCE_PREFIXES.has(areaCode.slice(0, 2));
}

function normalise(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, "")
    .toUpperCase();
}

/**
 * Normalises (trim, drop spaces, upper-case, full-width → ASCII) and validates a USCC part by part,
 * reporting the first part that is wrong. No problem suggests a replacement character: a single
 * typo anywhere in 1–17 also breaks the check character, so "position 18 should be …" would lead
 * the user to register a different, wrong code (docs/domain.md#uscc).
 */
export function validateUscc(input: string): UsccResult {
  const value = normalise(input);
  if (value.length === 0) return { ok: false, problem: { kind: "empty" } };
  if (value.length !== 18) return { ok: false, problem: { kind: "length", length: value.length } };
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(value[i])) {
      return { ok: false, problem: { kind: "illegal_char", position: i + 1, char: value[i] } };
    }
  }
  if (!REGISTERING_BODIES.includes(value[0])) {
    return { ok: false, problem: { kind: "registering_body", char: value[0] } };
  }
  const areaCode = value.slice(2, 8);
  if (!isPlausibleAreaCode(areaCode)) {
    return { ok: false, problem: { kind: "area_code", areaCode } };
  }
  const orgCode = value.slice(8, 17);
  if (orgCodeCheckChar(orgCode.slice(0, 8)) !== orgCode[8]) {
    return { ok: false, problem: { kind: "org_code", orgCode } };
  }
  if (usccCheckChar(value.slice(0, 17)) !== value[17]) {
    return { ok: false, problem: { kind: "check_char" } };
  }
  return { ok: true, value, areaCode, region: regionFromAreaCode(areaCode) };
}

/**
 * Builds a valid USCC (for seeds and tests) from a six-digit area code and an 8-character
 * organisation-code body; both check characters are computed. `prefix` is positions 1–2
 * (default 91, an enterprise registered with market regulation).
 */
export function buildUscc(areaCode: string, orgBody8: string, prefix = "91"): string {
  const orgCheck = orgCodeCheckChar(orgBody8);
  if (!isPlausibleAreaCode(areaCode) || orgCheck === null || !/^[1-9ANY][0-9A-Y]$/.test(prefix)) {
    throw new Error(`buildUscc: bad parts ${prefix}/${areaCode}/${orgBody8}`);
  }
  const first17 = prefix + areaCode + orgBody8 + orgCheck;
  for (const ch of first17) {
    if (!USCC_ALPHABET.includes(ch)) throw new Error(`buildUscc: "${ch}" is not in the alphabet`);
  }
  return first17 + usccCheckChar(first17);
}
