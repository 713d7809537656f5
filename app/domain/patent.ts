import {
  addYearsClamped,
  daysBetween,
  DAYS_PER_YEAR,
  isInForceOn,
  parseIsoDate,
  type PatentKind,
} from "./ip";
import { message, type Message } from "./message";

/**
 * Chinese patent application numbers (专利申请号), CNIPA standard ZC 0006-2003 《专利申请号标准》.
 *
 * Since 2003-10-01: 12 digits + '.' + check, e.g. 201710601862.3
 *   YYYY   year the application was received (受理年份)
 *   T      type: 1 invention 发明, 2 utility model 实用新型, 3 design 外观设计,
 *          8 PCT invention entering the national phase, 9 PCT utility model entering it
 *   NNNNNNN serial
 * Before that: 8 digits + '.' + check, e.g. 95115608.X — YY (85–03), the type digit third
 * (same meanings, 8/9 included), then a 5-digit serial.
 *
 * Check digit: Σ dᵢ×wᵢ mod 11 with weights 2 3 4 5 6 7 8 9 2 3 4 5 (12-digit form) or 2…9
 * (8-digit form); a remainder of 10 is written X (docs/domain.md#patent-numbers), as in both
 * examples: 201710601862 → Σ = 157, 157 mod 11 = 3; 95115608 → Σ = 186, 186 mod 11 = 10 → X.
 *
 * A granted patent (专利权) is displayed as ZL + the application number.
 */

const WEIGHTS_12 = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
const WEIGHTS_8 = [2, 3, 4, 5, 6, 7, 8, 9];

/** ZC 0006-2003 took effect on 2003-10-01; earlier applications kept the 8-digit numbers. */
export const FIRST_12_DIGIT_YEAR = 2003;
/** The Patent Law took effect on 1985-04-01, so old-form numbers start at 85. */
export const FIRST_8_DIGIT_YEAR = 1985;
export const LAST_8_DIGIT_YEAR = 2003;

export type PatentTypeDigit = "1" | "2" | "3" | "8" | "9";

const KIND_BY_TYPE_DIGIT: Readonly<Record<PatentTypeDigit, { kind: PatentKind; isPct: boolean }>> =
  {
    "1": { kind: "invention", isPct: false },
    "2": { kind: "utility_model", isPct: false },
    "3": { kind: "design", isPct: false },
    "8": { kind: "invention", isPct: true },
    "9": { kind: "utility_model", isPct: true },
  };

function isTypeDigit(c: string): c is PatentTypeDigit {
  return c in KIND_BY_TYPE_DIGIT;
}

export type PatentNumberFormat = "12" | "8";

export type PatentNumberProblem =
  | { kind: "empty" }
  /** A character that can never appear, or a misplaced dot / X. Position is 1-based, after the ZL prefix and spaces are removed. */
  | { kind: "format"; position: number; char: string }
  /**
   * Not 12 (or 8) digits plus one check digit. When the check digit is set apart (after a dot, or
   * a final X), `length` counts only the digits before it and `checkDigitApart` is true, so
   * "20171060186.3" reads "11 digits", not 12; otherwise `length` counts every character typed
   * without ZL and spaces. `missingCheckDigit` when exactly 12 or 8 digits came without one.
   */
  | { kind: "length"; length: number; missingCheckDigit: boolean; checkDigitApart: boolean }
  | { kind: "type_digit"; digit: string; position: number }
  | { kind: "year"; year: number; earliest: number; latest: number | null }
  | { kind: "check_digit"; expected: string; actual: string };

export type PatentNumberResult =
  | {
      ok: true;
      normalised: string;
      filingYear: number;
      kind: PatentKind;
      isPct: boolean;
      format: PatentNumberFormat;
    }
  | { ok: false; problem: PatentNumberProblem };

/** The check character for the 12 (or 8) digits before the dot. */
export function patentCheckDigit(digits: string): string {
  const weights = digits.length === 12 ? WEIGHTS_12 : digits.length === 8 ? WEIGHTS_8 : null;
  if (!weights || !/^\d+$/.test(digits)) {
    throw new RangeError(`a patent number body is 12 or 8 digits: ${digits}`);
  }
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * weights[i];
  const r = sum % 11;
  return r === 10 ? "X" : String(r);
}

/** Full-width → ASCII, ideographic full stop → '.', no whitespace, upper case, no ZL prefix. */
function clean(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3002/g, ".")
    .replace(/\s/g, "")
    .toUpperCase()
    .replace(/^ZL/, "");
}

/**
 * Parses and validates an application number typed by a person ("ZL 2017 1060 1862.3",
 * "zl201710601862.3", "2017106018623", "95115608.x", full-width digits) and returns it
 * normalised as stored: `201710601862.3` / `95115608.X`.
 *
 * `today` ('YYYY-MM-DD'), when given, also rejects a year that has not happened yet.
 */
export function parsePatentNumber(
  input: string,
  opts: { today?: string } = {},
): PatentNumberResult {
  const s = clean(input);
  if (s.length === 0) return { ok: false, problem: { kind: "empty" } };

  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const isCheckX = c === "X" && i === s.length - 1;
    if (!/[0-9.]/.test(c) && !isCheckX) {
      return { ok: false, problem: { kind: "format", position: i + 1, char: c } };
    }
  }

  let body: string;
  let check: string;
  const dot = s.indexOf(".");
  if (dot >= 0) {
    if (s.indexOf(".", dot + 1) >= 0 || dot < s.length - 2) {
      const bad = s.indexOf(".", dot + 1) >= 0 ? s.indexOf(".", dot + 1) : dot;
      return { ok: false, problem: { kind: "format", position: bad + 1, char: "." } };
    }
    body = s.slice(0, dot);
    check = s.slice(dot + 1);
    const missingCheckDigit = check === "";
    if ((body.length !== 12 && body.length !== 8) || missingCheckDigit) {
      return {
        ok: false,
        problem: {
          kind: "length",
          length: body.length,
          missingCheckDigit,
          checkDigitApart: !missingCheckDigit,
        },
      };
    }
  } else {
    const hasX = s.endsWith("X");
    if (s.length !== 13 && s.length !== 9) {
      const missingCheckDigit = !hasX && (s.length === 12 || s.length === 8);
      const length = hasX ? s.length - 1 : s.length;
      return {
        ok: false,
        problem: { kind: "length", length, missingCheckDigit, checkDigitApart: hasX },
      };
    }
    body = s.slice(0, -1);
    check = s.slice(-1);
  }

  const format: PatentNumberFormat = body.length === 12 ? "12" : "8";
  const typePosition = format === "12" ? 5 : 3;
  const typeDigit = body[typePosition - 1];
  if (!isTypeDigit(typeDigit)) {
    return {
      ok: false,
      problem: { kind: "type_digit", digit: typeDigit, position: typePosition },
    };
  }

  const today = opts.today === undefined ? null : parseIsoDate(opts.today);
  if (opts.today !== undefined && !today) throw new RangeError(`bad today: ${opts.today}`);
  let filingYear: number;
  if (format === "12") {
    filingYear = Number(body.slice(0, 4));
    const latest = today ? today.year : null;
    if (filingYear < FIRST_12_DIGIT_YEAR || (latest !== null && filingYear > latest)) {
      return {
        ok: false,
        problem: { kind: "year", year: filingYear, earliest: FIRST_12_DIGIT_YEAR, latest },
      };
    }
  } else {
    const yy = Number(body.slice(0, 2));
    filingYear = yy >= 50 ? 1900 + yy : 2000 + yy; // so 84 reads 1984 and 04 reads 2004
    if (filingYear < FIRST_8_DIGIT_YEAR || filingYear > LAST_8_DIGIT_YEAR) {
      return {
        ok: false,
        problem: {
          kind: "year",
          year: filingYear,
          earliest: FIRST_8_DIGIT_YEAR,
          latest: LAST_8_DIGIT_YEAR,
        },
      };
    }
  }

  const expected = patentCheckDigit(body);
  if (expected !== check) {
    return { ok: false, problem: { kind: "check_digit", expected, actual: check } };
  }

  const { kind, isPct } = KIND_BY_TYPE_DIGIT[typeDigit];
  return { ok: true, normalised: `${body}.${check}`, filingYear, kind, isPct, format };
}

/** A granted patent is shown as ZL + application number (专利号); an application without ZL. */
export function formatPatentDisplay(normalised: string, granted: boolean): string {
  return granted ? `ZL${normalised}` : normalised;
}

/**
 * Builds a valid normalised 12-digit number, for seeds and tests:
 * makePatentNumber(2017, 1, 601862) → "201710601862.3".
 */
export function makePatentNumber(year: number, typeDigit: number, serial: number): string {
  if (!Number.isInteger(year) || year < FIRST_12_DIGIT_YEAR || year > 9999) {
    throw new RangeError(`year must be ${FIRST_12_DIGIT_YEAR}–9999: ${year}`);
  }
  const t = String(typeDigit);
  if (!isTypeDigit(t)) throw new RangeError(`type digit must be 1, 2, 3, 8 or 9: ${typeDigit}`);
  if (!Number.isInteger(serial) || serial < 0 || serial > 9_999_999) {
    throw new RangeError(`serial must be 0–9999999: ${serial}`);
  }
  const body = `${year}${t}${String(serial).padStart(7, "0")}`;
  return `${body}.${patentCheckDigit(body)}`;
}

/**
 * Does the filing date (申请日) agree with the year in the number?
 *
 * The year in the number is the year CNIPA received the application (ZC 0006-2003), which is the
 * 申请日 year for an ordinary application. Two legitimate exceptions keep an earlier 申请日:
 * - a PCT application entering the national phase (type 8/9) keeps its international filing
 *   date, and entry happens up to 32 months after priority (30 months, or 32 with the late fee:
 *   专利法实施细则 2010 第一百零三条), so the filing year may be up to 3 years before the number's;
 * - a divisional application (分案申请) keeps the parent's 申请日 (专利法实施细则 2010
 *   第四十三条), so any earlier year is possible — pass `{ divisional: true }`.
 */
export function filingDateMatchesNumber(
  normalised: string,
  filingDate: string,
  opts: { divisional?: boolean } = {},
): boolean {
  const parsed = parsePatentNumber(normalised);
  const date = parseIsoDate(filingDate);
  if (!parsed.ok || !date) return false;
  if (date.year > parsed.filingYear) return false;
  if (date.year === parsed.filingYear) return true;
  if (opts.divisional) return date.year >= FIRST_8_DIGIT_YEAR;
  return parsed.isPct && parsed.filingYear - date.year <= 3;
}

/** Design patents filed on or after this date get 15 years (专利法 第四次修正, in force 2021-06-01). */
export const DESIGN_15_YEAR_TERM_FROM = "2021-06-01";

/**
 * Statutory term in years, counted from the filing date (专利法 第四十二条): invention 20,
 * utility model 10, design 15 when filed on or after 2021-06-01 and 10 before. Term
 * compensation for examination delay or new drugs (same article, 2021) is granted case by case
 * and not modelled here.
 */
export function patentTermYears(kind: PatentKind, filingDate: string): number {
  if (!parseIsoDate(filingDate)) throw new RangeError(`bad filing date: ${filingDate}`);
  switch (kind) {
    case "invention":
      return 20;
    case "utility_model":
      return 10;
    case "design":
      return filingDate >= DESIGN_15_YEAR_TERM_FROM ? 15 : 10;
  }
}

/**
 * The date the patent right ends: same month and day N years after filing (Feb 29 → Feb 28).
 * From this day on it is no longer in force.
 */
export function statutoryExpiry(kind: PatentKind, filingDate: string): string {
  return addYearsClamped(filingDate, patentTermYears(kind, filingDate));
}

/**
 * Years of protection left, as a decimal: days ÷ 365.25, never negative. For display and the
 * valuation horizon. For a rule like "at least 5 years left" prefer `hasProtectionForYears`,
 * which compares calendar dates: across a span holding one Feb 29, 5 calendar years are 1826
 * days = 4.9993 by this measure.
 */
export function remainingProtectionYears(expiry: string, today: string): number {
  return Math.max(0, daysBetween(today, expiry) / DAYS_PER_YEAR);
}

/**
 * True when the right stays in force for every day of the next `years` calendar years, i.e. it
 * ends no earlier than the same day `years` years from today.
 */
export function hasProtectionForYears(expiry: string, today: string, years: number): boolean {
  return addYearsClamped(today, years) <= expiry;
}

/**
 * Legal status as recorded on the platform. pending: applied, not yet granted; granted: in force;
 * lapsed: ended early, e.g. unpaid annual fee (专利法 第四十四条) or surrendered; invalidated:
 * declared invalid (第四十五–四十七条); expired: term ended.
 */
export const PATENT_STATUSES = ["pending", "granted", "lapsed", "invalidated", "expired"] as const;
export type PatentStatus = (typeof PATENT_STATUSES)[number];

/**
 * Only a granted patent in force can be pledged: the pledge is of the 专利权 (民法典 第四百四十条,
 * 专利权质押登记办法), so an application, a lapsed, invalidated or expired patent cannot.
 */
export function isPledgeable(status: PatentStatus, expiry: string, today: string): boolean {
  return status === "granted" && isInForceOn(expiry, today);
}

/** The message for a problem with a typed application number (assets:numberProblems.patent). */
export function patentNumberProblemMessage(p: PatentNumberProblem): Message {
  const key = (k: string) => `assets:numberProblems.patent.${k}`;
  switch (p.kind) {
    case "empty":
      return message(key(p.kind));
    case "format":
      return message(key(p.kind), { position: p.position, char: p.char });
    case "length":
      if (p.missingCheckDigit) return message(key("missing_check_digit"));
      if (p.checkDigitApart) return message(key("length_before_check"), { length: p.length });
      return message(key(p.kind), { length: p.length });
    case "type_digit":
      return message(key(p.kind), { position: p.position, digit: p.digit });
    case "year":
      if (p.latest === null) {
        return message(key("year_to_now"), { year: p.year, earliest: p.earliest });
      }
      return message(key(p.kind), { year: p.year, earliest: p.earliest, latest: p.latest });
    case "check_digit":
      return message(key(p.kind), { expected: p.expected });
  }
}
