import { toCsv } from "./csv";

/**
 * CSV downloads that Excel opens correctly: UTF-8 with a byte-order mark (without it Excel on
 * Chinese Windows reads the file as GBK and garbles every name), RFC 4180 quoting and CRLF line
 * ends (app/domain/csv.ts toCsv). Amounts are exact yuan with two decimals and no thousands
 * separators (formatYuanExact without grouping), rates are percentages without the sign (formatBp
 * without the symbol): numbers Excel can sum.
 *
 * Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return: "CSV injection", OWASP) get a leading apostrophe. Firm names are typed by firms, so this
 * matters. Numbers, and text that is only a number such as "-12.50", are written as they are.
 */
export const BOM = "\uFEFF";

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return "";
    return String(v);
  }
  return FORMULA_START.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v;
}

export function csvDocument(headers: readonly string[], rows: readonly (readonly CsvValue[])[]) {
  return BOM + toCsv([headers.map(csvCell), ...rows.map((r) => r.map(csvCell))]);
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
export function attachmentHeader(asciiName: string, utf8Name: string = asciiName): string {
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(utf8Name)}`;
}
