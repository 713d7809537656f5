/**
 * Instants as people read them. Instants are stored as UTC text 'YYYY-MM-DD HH:MM:SS.mmm'
 * (app/utils/time.ts), but the platform's users, banks and CNIPA all keep Beijing time (UTC+8,
 * no daylight saving): a deal approved at 01:30 on 1 January Beijing time was approved on
 * 1 January, not on 31 December as the UTC text reads. So every instant shown on a page or in a
 * download goes through formatInstant, and every "which day was it" through chinaDateOf.
 *
 * Calendar dates ('YYYY-MM-DD': filing, value and closing dates) are already the day people mean
 * and are shown as stored; their arithmetic lives with the IP terms in ip.ts.
 */
export const CHINA_OFFSET_MS = 8 * 3600_000;

export type InstantPrecision = "day" | "minute" | "second";

const STORED_INSTANT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/;

function beijingIso(at: string): string {
  const ms = STORED_INSTANT.test(at) ? Date.parse(at.replace(" ", "T").replace(/Z?$/, "Z")) : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not a stored instant 'YYYY-MM-DD HH:MM:SS': ${at}`);
  return new Date(ms + CHINA_OFFSET_MS).toISOString();
}

/** The China business day of a stored UTC instant: "2025-12-31 16:00:00.000" → "2026-01-01". */
export function chinaDateOf(at: string): string {
  return beijingIso(at).slice(0, 10);
}

/**
 * A stored UTC instant in Beijing time, for people: "2025-12-31 16:05:09.123" reads
 * "2026-01-01 00:05" (minute, the default), "2026-01-01 00:05:09" (second: audit trails and
 * downloads) or "2026-01-01" (day: lists, where the day is enough).
 */
export function formatInstant(at: string, precision: InstantPrecision = "minute"): string {
  if (precision === "day") return chinaDateOf(at);
  const iso = beijingIso(at).replace("T", " ");
  return precision === "second" ? iso.slice(0, 19) : iso.slice(0, 16);
}
