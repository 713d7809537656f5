/**
 * CSV as Excel writes and reads it (RFC 4180): comma-separated, fields with a comma, quote or line
 * break inside double quotes, a quote doubled inside them, CRLF or LF line ends. Pure text in and
 * out; decoding bytes (UTF-8 / GBK) happens before, in app/utils/text-encoding.server.ts.
 */

export interface CsvRecord {
  /** 1-based physical line the record starts on (a quoted field may span lines). */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    public readonly line: number,
    public readonly problem: "unclosed_quote" | "quote_in_field",
  ) {
    super(`CSV ${problem} on line ${line}`);
    this.name = "CsvSyntaxError";
  }
}

/** Parses the whole text; a leading BOM is dropped. Throws CsvSyntaxError on a broken quote. */
export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = s.length;
  let fieldStarted = false;

  const endRecord = () => {
    cells.push(field);
    records.push({ line: recordLine, cells });
    cells = [];
    field = "";
    fieldStarted = false;
  };

  while (i < n) {
    const c = s[i];
    if (c === '"') {
      if (fieldStarted && field !== "") {
        // A quote in the middle of an unquoted field: Excel never writes this.
        throw new CsvSyntaxError(line, "quote_in_field");
      }
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvSyntaxError(quoteLine, "unclosed_quote");
        const q = s[i];
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      fieldStarted = true;
      // Anything but a separator after the closing quote is malformed; Excel-compatible readers
      // keep it, so do we (e.g. `"a"b` → `ab`).
      continue;
    }
    if (c === ",") {
      cells.push(field);
      field = "";
      fieldStarted = false;
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRecord();
      if (c === "\r" && s[i + 1] === "\n") i++;
      i++;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (fieldStarted || field !== "" || cells.length > 0) endRecord();
  return records;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || /^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Serialises rows with CRLF line ends (what Excel expects). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";
}

/** A record with only empty cells (Excel leaves ",,,,," lines below the data). */
export function isBlankRecord(r: CsvRecord): boolean {
  return r.cells.every((c) => c.trim() === "");
}
