/**
 * The kinds of IP the platform pledges, shared by assets, valuation and the matching engine (a
 * product states one pledge rate per type). Software copyright (软件著作权) is pledged in practice
 * but is a later extension, so it is deliberately absent (see docs/domain.md#ip-types).
 *
 * This module also holds the calendar arithmetic every IP term needs (patent terms, trademark
 * renewals, appraisal validity), so that all of them clamp Feb 29 and count days the same way.
 */
export const IP_TYPES = ["invention", "utility_model", "design", "trademark"] as const;
export type IpType = (typeof IP_TYPES)[number];

/** The three patent types of 专利法 第二条; the first three IP types. */
export const PATENT_KINDS = ["invention", "utility_model", "design"] as const;
export type PatentKind = (typeof PATENT_KINDS)[number];

export function isIpType(v: unknown): v is IpType {
  return typeof v === "string" && (IP_TYPES as readonly string[]).includes(v);
}

export function isPatentKind(v: unknown): v is PatentKind {
  return typeof v === "string" && (PATENT_KINDS as readonly string[]).includes(v);
}

/**
 * The name of an IP type as people read it. The one source is the locale files
 * (common:ipTypes.<type>, e.g. 实用新型专利 / Utility model patent); pass the reader's t() — from
 * useTranslation() in a component, getServerT() or createI18n(locale) on the server.
 */
export function ipTypeLabel(t: (key: string) => string, type: IpType): string {
  return t(`common:ipTypes.${type}`);
}

// ---------------------------------------------------------------------------------------------
// Calendar dates 'YYYY-MM-DD'. Computed in UTC so a server's time zone can never shift a day.
// ---------------------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Average Gregorian year; "years left" for display and valuation is days ÷ 365.25. */
export const DAYS_PER_YEAR = 365.25;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Parses a real calendar date 'YYYY-MM-DD' (rejects 2023-02-29, 2024-13-01, '2024-1-1'). */
export function parseIsoDate(s: string): CalendarDate | null {
  const m = ISO_DATE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isIsoDate(s: string): boolean {
  return parseIsoDate(s) !== null;
}

function requireDate(s: string): CalendarDate {
  const d = parseIsoDate(s);
  if (!d) throw new RangeError(`not a calendar date 'YYYY-MM-DD': ${s}`);
  return d;
}

function format(d: CalendarDate): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/**
 * Same month and day `months` later; a day that does not exist in the target month becomes that
 * month's last day (2024-01-31 + 1 month = 2024-02-29; 2024-02-29 + 12 months = 2025-02-28).
 */
export function addMonthsClamped(date: string, months: number): string {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer: ${months}`);
  const d = requireDate(date);
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return format({ year, month, day: Math.min(d.day, daysInMonth(year, month)) });
}

/** Same month and day `years` later; Feb 29 becomes Feb 28 in a common year. */
export function addYearsClamped(date: string, years: number): string {
  if (!Number.isInteger(years)) throw new RangeError(`years must be an integer: ${years}`);
  return addMonthsClamped(date, years * 12);
}

export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer: ${days}`);
  const d = requireDate(date);
  return new Date(Date.UTC(d.year, d.month - 1, d.day) + days * MS_PER_DAY)
    .toISOString()
    .slice(0, 10);
}

/**
 * Whole calendar years from `from` to `to`: the largest N ≥ 0 with `from` + N years ≤ `to`, 0 when
 * `to` is earlier than a year after `from`. `from` + N years is addYearsClamped: 29 February + N
 * years is 28 February when that year has no 29th (民法典 第二百零二条: a period in years ends on
 * the month's last day when it has no corresponding day). This is how a rule counts "at least N
 * years": N years of protection left on day D ⟺ expiry ≥ D + N years, a trademark registered at
 * least N years on D ⟺ registration + N years ≤ D (docs/domain.md#years-left), where days ÷
 * 365.25 would read five calendar years holding one 29 February as 4.9993.
 */
export function wholeYearsBetween(from: string, to: string): number {
  const a = requireDate(from);
  const b = requireDate(to);
  // from + (b.year − a.year + 1) years falls in the year after `to`, so N ≤ b.year − a.year.
  let n = b.year - a.year;
  while (n > 0 && addYearsClamped(from, n) > to) n--;
  return Math.max(0, n);
}

/**
 * Whether a right with this stored expiry date is in force on `day`. The stored expiry is the
 * first day the right is no longer in force (the anniversary of filing or registration), so a
 * right expiring on day D is not in force, and cannot be pledged, on D (docs/domain.md#pledgeable).
 * Matching, approval, the asset pages and the watch lists all draw the line here.
 */
export function isInForceOn(expiryDate: string, day: string): boolean {
  return day < expiryDate;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const a = requireDate(from);
  const b = requireDate(to);
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / MS_PER_DAY,
  );
}
