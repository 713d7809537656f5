import { addDays, addYearsClamped, daysBetween, DAYS_PER_YEAR, isInForceOn } from "./ip";
import { message, type Message } from "./message";

/**
 * Registered trademarks (注册商标), 商标法 (2019).
 * - Registration number (注册号): digits only, no check digit. Domestic numbers are up to 8 digits
 *   today; 10 leaves room without accepting junk.
 * - Nice class (尼斯分类) 1–45: 1–34 goods, 35–45 services.
 * - Term: 10 years from the registration date (第三十九条); each renewal (续展) adds 10 years counted
 *   from the end of the previous term (第四十条).
 */

export const TRADEMARK_NUMBER_MAX_DIGITS = 10;
export const TRADEMARK_TERM_YEARS = 10;
export const NICE_CLASS_MIN = 1;
export const NICE_CLASS_MAX = 45;

export type TrademarkNumberProblem =
  | { kind: "empty" }
  | { kind: "format"; position: number; char: string }
  | { kind: "length"; length: number; max: number };

export type TrademarkNumberResult =
  { ok: true; normalised: string } | { ok: false; problem: TrademarkNumberProblem };

/** Accepts "1234 5678", full-width digits; stores the digits only. */
export function parseTrademarkNumber(input: string): TrademarkNumberResult {
  const s = input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s/g, "");
  if (s.length === 0) return { ok: false, problem: { kind: "empty" } };
  for (let i = 0; i < s.length; i++) {
    if (!/[0-9]/.test(s[i])) {
      return { ok: false, problem: { kind: "format", position: i + 1, char: s[i] } };
    }
  }
  if (s.length > TRADEMARK_NUMBER_MAX_DIGITS) {
    return {
      ok: false,
      problem: { kind: "length", length: s.length, max: TRADEMARK_NUMBER_MAX_DIGITS },
    };
  }
  return { ok: true, normalised: s };
}

/** The message for a problem with a typed registration number (assets:numberProblems.trademark). */
export function trademarkNumberProblemMessage(p: TrademarkNumberProblem): Message {
  const key = `assets:numberProblems.trademark.${p.kind}`;
  switch (p.kind) {
    case "empty":
      return message(key);
    case "format":
      return message(key, { position: p.position, char: p.char });
    case "length":
      return message(key, { max: p.max, length: p.length });
  }
}

export function isNiceClass(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= NICE_CLASS_MIN && v <= NICE_CLASS_MAX;
}

/** "9", "09", "第9类", 9 → 9; anything else → null. */
export function parseNiceClass(input: string | number): number | null {
  if (typeof input === "number") return isNiceClass(input) ? input : null;
  const m = /^(?:第)?\s*0*(\d{1,2})\s*(?:类)?$/.exec(input.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return isNiceClass(n) ? n : null;
}

/**
 * ordinary: 商品/服务商标; collective: 集体商标 (used by an association's members);
 * certification: 证明商标 (certifies origin, quality…; used by others who meet the standard).
 * 商标法 第三条.
 */
export const TRADEMARK_KINDS = ["ordinary", "collective", "certification"] as const;
export type TrademarkKind = (typeof TRADEMARK_KINDS)[number];

export function isTrademarkKind(v: unknown): v is TrademarkKind {
  return typeof v === "string" && (TRADEMARK_KINDS as readonly string[]).includes(v);
}

export interface TrademarkMarks {
  kind: TrademarkKind;
  /**
   * 地理标志: the plan counts geographical indications and regional public brands. Most are
   * 地理标志证明商标, but 商标法实施条例 第四条 also allows registration as a collective mark, so
   * the flag is valid on either, never on an ordinary mark.
   */
  geographicalIndication: boolean;
  /** 驰名商标, recognised case by case (商标法 第十三、十四条); raises value. */
  wellKnown: boolean;
}

export type TrademarkMarksProblem = { kind: "gi_on_ordinary_mark" };

export function validateTrademarkMarks(m: TrademarkMarks): TrademarkMarksProblem | null {
  if (m.geographicalIndication && m.kind === "ordinary") return { kind: "gi_on_ordinary_mark" };
  return null;
}

/**
 * The date the registration ends after `renewals` renewals: registration date + 10 × (1 +
 * renewals) years (Feb 29 → Feb 28). From this day on the mark is no longer registered unless
 * renewed; the certificate's "有效期至" is the day before (`trademarkValidThrough`).
 */
export function trademarkExpiry(registrationDate: string, renewals: number): string {
  if (!Number.isInteger(renewals) || renewals < 0) {
    throw new RangeError(`renewals must be a whole number ≥ 0: ${renewals}`);
  }
  return addYearsClamped(registrationDate, TRADEMARK_TERM_YEARS * (1 + renewals));
}

/** The last day of validity as printed on the certificate (注册有效期限 …至). */
export function trademarkValidThrough(registrationDate: string, renewals: number): string {
  return addDays(trademarkExpiry(registrationDate, renewals), -1);
}

/** Years since registration as a decimal (days ÷ 365.25), 0 before registration. */
export function trademarkAgeYears(registrationDate: string, today: string): number {
  return Math.max(0, daysBetween(registrationDate, today) / DAYS_PER_YEAR);
}

/** Calendar-exact "registered at least N years" (banks often ask ≥ 3 years). */
export function registeredForAtLeastYears(
  registrationDate: string,
  today: string,
  years: number,
): boolean {
  return addYearsClamped(registrationDate, years) <= today;
}

/**
 * pending: applied; registered: in force; cancelled: 注销/撤销 (e.g. not renewed after the
 * 6-month grace period, or three years' non-use); invalidated: 宣告无效; expired: term ended and
 * renewal still possible in the grace period.
 */
export const TRADEMARK_STATUSES = [
  "pending",
  "registered",
  "expired",
  "cancelled",
  "invalidated",
] as const;
export type TrademarkStatus = (typeof TRADEMARK_STATUSES)[number];

/** Only a registered mark in force can be pledged (注册商标专用权, 民法典 第四百四十条). */
export function isTrademarkPledgeable(
  status: TrademarkStatus,
  expiry: string,
  today: string,
): boolean {
  return status === "registered" && isInForceOn(expiry, today);
}
