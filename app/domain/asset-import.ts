import {
  checkPatent,
  checkTrademark,
  type AssetKind,
  type AssetProblem,
  type PatentRecord,
  type TrademarkRecord,
} from "./asset";
import { isBlankRecord, parseCsv, type CsvRecord } from "./csv";
import type { PatentKind } from "./ip";
import { parsePatentNumber } from "./patent";
import { parseNiceClass } from "./trademark";

/**
 * Bulk import of patents and trademarks from a CSV (issue 3 "Bulk import"). Each line is checked
 * by the same rules as the add forms (asset.ts checkPatent / checkTrademark); this module adds what
 * only a file has: column headers, the words people type in cells (是/否, 授权, 2017/3/5), blank
 * and comment lines, and the same number twice in one file. Duplicates against the database are
 * found by the server (app/models/asset-import.server.ts) with the rows this returns.
 */

/** Columns in template order; the first header of each is what the template prints. */
export const IMPORT_COLUMNS = [
  "kind",
  "number",
  "title",
  "status",
  "filingDate",
  "grantDate",
  "ipcClass",
  "claimsCount",
  "coOwned",
  "registrationDate",
  "niceClass",
  "trademarkKind",
  "geoIndication",
  "wellKnown",
  "renewals",
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Accepted headers per column: the template's Chinese header first, then common variants. */
export const IMPORT_HEADERS: Readonly<Record<ImportColumn, readonly string[]>> = {
  kind: ["类别", "类型", "知识产权类别", "kind", "type"],
  number: ["申请号/注册号", "申请号", "注册号", "专利号", "号码", "number"],
  title: ["名称", "专利名称", "商标名称", "商标", "title", "name"],
  status: ["法律状态", "状态", "status"],
  filingDate: ["申请日", "filing date", "filingdate", "filing_date"],
  grantDate: ["授权公告日", "授权日", "grant date", "grantdate", "grant_date"],
  ipcClass: ["主分类号", "ipc主分类号", "ipc分类号", "分类号", "ipc", "ipc class", "ipc_class"],
  claimsCount: ["权利要求项数", "权利要求数", "claims", "claims count", "claims_count"],
  coOwned: ["是否共有", "共有", "co-owned", "coowned", "co_owned"],
  registrationDate: ["注册日", "注册公告日", "registration date", "registration_date"],
  niceClass: ["尼斯分类", "国际分类", "类别号", "nice class", "nice_class"],
  trademarkKind: ["商标类型", "商标种类", "trademark kind", "trademark_kind"],
  geoIndication: ["地理标志", "geographical indication", "geo_indication"],
  wellKnown: ["驰名商标", "well-known", "wellknown", "well_known"],
  renewals: ["续展次数", "续展", "renewals"],
};

const REQUIRED_COLUMNS: readonly ImportColumn[] = ["kind", "number", "title", "status"];

/** The most rows one file may hold; 10,000 is the stated need, with room to spare. */
export const MAX_IMPORT_ROWS = 20_000;

function headerKey(h: string): string {
  return h
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[（(].*?[）)]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const HEADER_LOOKUP: ReadonlyMap<string, ImportColumn> = new Map(
  IMPORT_COLUMNS.flatMap((col) => IMPORT_HEADERS[col].map((h) => [headerKey(h), col] as const)),
);

export type ImportField = ImportColumn;

export interface ImportRowError {
  line: number;
  field: ImportField;
  problem: AssetProblem<ImportField> | ImportCellProblem;
}

/** Problems only a file can have; the message key is assets:import.errors.<code>. */
export type ImportCellProblem =
  | { field: ImportField; code: "kind_invalid" }
  | { field: ImportField; code: "kind_mismatch"; params: { number: string; kind: PatentKind } }
  | { field: ImportField; code: "boolean_invalid"; params: { value: string } }
  | { field: ImportField; code: "integer_invalid"; params: { value: string } }
  | { field: ImportField; code: "status_word_invalid"; params: { value: string } }
  | { field: ImportField; code: "trademark_kind_word_invalid"; params: { value: string } }
  | { field: ImportField; code: "scientific_notation"; params: { value: string } }
  | { field: ImportField; code: "duplicate_in_file"; params: { line: number } }
  | { field: ImportField; code: "already_listed" }
  | { field: ImportField; code: "already_in_portfolio" };

export type ImportProblem = AssetProblem<ImportField> | ImportCellProblem;

/** Codes of ImportCellProblem: their messages live under assets:import.errors. */
export const IMPORT_CELL_CODES: ReadonlySet<string> = new Set<ImportCellProblem["code"]>([
  "kind_invalid",
  "kind_mismatch",
  "boolean_invalid",
  "integer_invalid",
  "status_word_invalid",
  "trademark_kind_word_invalid",
  "scientific_notation",
  "duplicate_in_file",
  "already_listed",
  "already_in_portfolio",
]);

export type ImportRecord = (PatentRecord | TrademarkRecord) & { line: number };

export type FileProblem =
  | { code: "empty" }
  | { code: "missing_columns"; columns: ImportColumn[] }
  | { code: "too_many_rows"; max: number; rows: number }
  | { code: "syntax"; line: number; problem: "unclosed_quote" | "quote_in_field" };

export interface ImportValidation {
  totalRows: number;
  valid: ImportRecord[];
  /** Every problem of every line, in line order. */
  errors: ImportRowError[];
  /** Lines with at least one problem. */
  errorRows: number;
}

// ---------------------------------------------------------------------------------------------
// Cell vocabulary
// ---------------------------------------------------------------------------------------------

const KIND_WORDS: Readonly<Record<string, { kind: AssetKind; ipType?: string }>> = {
  专利: { kind: "patent" },
  patent: { kind: "patent" },
  发明: { kind: "patent", ipType: "invention" },
  发明专利: { kind: "patent", ipType: "invention" },
  invention: { kind: "patent", ipType: "invention" },
  实用新型: { kind: "patent", ipType: "utility_model" },
  实用新型专利: { kind: "patent", ipType: "utility_model" },
  utility_model: { kind: "patent", ipType: "utility_model" },
  外观设计: { kind: "patent", ipType: "design" },
  外观设计专利: { kind: "patent", ipType: "design" },
  design: { kind: "patent", ipType: "design" },
  商标: { kind: "trademark" },
  注册商标: { kind: "trademark" },
  trademark: { kind: "trademark" },
};

const PATENT_STATUS_WORDS: Readonly<Record<string, string>> = {
  pending: "pending",
  审中: "pending",
  在审: "pending",
  审查中: "pending",
  实审: "pending",
  申请中: "pending",
  公开: "pending",
  granted: "granted",
  授权: "granted",
  已授权: "granted",
  有效: "granted",
  专利权维持: "granted",
  lapsed: "lapsed",
  失效: "lapsed",
  终止: "lapsed",
  未缴年费终止: "lapsed",
  放弃: "lapsed",
  invalidated: "invalidated",
  无效: "invalidated",
  宣告无效: "invalidated",
  全部无效: "invalidated",
  expired: "expired",
  期满: "expired",
  届满: "expired",
  期限届满: "expired",
};

const TRADEMARK_STATUS_WORDS: Readonly<Record<string, string>> = {
  registered: "registered",
  注册: "registered",
  已注册: "registered",
  有效: "registered",
  expired: "expired",
  到期: "expired",
  已到期: "expired",
  期满: "expired",
  cancelled: "cancelled",
  注销: "cancelled",
  已注销: "cancelled",
  撤销: "cancelled",
  已撤销: "cancelled",
  invalidated: "invalidated",
  无效: "invalidated",
  宣告无效: "invalidated",
  // An application has no term yet; the check names the problem ("status_invalid").
  pending: "pending",
  申请中: "pending",
  审中: "pending",
};

const TRADEMARK_KIND_WORDS: Readonly<Record<string, { kind: string; gi?: boolean }>> = {
  ordinary: { kind: "ordinary" },
  普通: { kind: "ordinary" },
  普通商标: { kind: "ordinary" },
  商品商标: { kind: "ordinary" },
  服务商标: { kind: "ordinary" },
  collective: { kind: "collective" },
  集体: { kind: "collective" },
  集体商标: { kind: "collective" },
  地理标志集体商标: { kind: "collective", gi: true },
  certification: { kind: "certification" },
  证明: { kind: "certification" },
  证明商标: { kind: "certification" },
  地理标志证明商标: { kind: "certification", gi: true },
  地理标志: { kind: "certification", gi: true },
};

const TRUE_WORDS = new Set(["是", "y", "yes", "true", "1", "√", "✓", "有"]);
const FALSE_WORDS = new Set(["否", "n", "no", "false", "0", "×", "✗", "无", ""]);

function word(v: string): string {
  return v.trim().toLowerCase().replace(/\s+/g, "");
}

// ---------------------------------------------------------------------------------------------
// Parsing a file
// ---------------------------------------------------------------------------------------------

export interface HeaderMap {
  columns: Partial<Record<ImportColumn, number>>;
  /** Headers we did not recognise (shown, not an error). */
  ignored: string[];
}

export function mapHeaders(cells: readonly string[]): HeaderMap {
  const columns: Partial<Record<ImportColumn, number>> = {};
  const ignored: string[] = [];
  cells.forEach((raw, index) => {
    const col = HEADER_LOOKUP.get(headerKey(raw));
    if (col && columns[col] === undefined) columns[col] = index;
    else if (raw.trim() !== "") ignored.push(raw.trim());
  });
  return { columns, ignored };
}

/** Lines whose first cell starts with '#' are notes (the template's examples use it). */
function isCommentRecord(r: CsvRecord): boolean {
  return (r.cells[0] ?? "").trimStart().startsWith("#");
}

export type ParsedImportFile =
  { ok: true; header: HeaderMap; records: CsvRecord[] } | { ok: false; problem: FileProblem };

/** Header line and data lines of an import file (blank and '#' lines dropped). */
export function parseImportFile(text: string): ParsedImportFile {
  let all: CsvRecord[];
  try {
    all = parseCsv(text);
  } catch (e) {
    if (e instanceof Error && e.name === "CsvSyntaxError") {
      const err = e as Error & { line: number; problem: "unclosed_quote" | "quote_in_field" };
      return { ok: false, problem: { code: "syntax", line: err.line, problem: err.problem } };
    }
    throw e;
  }
  const meaningful = all.filter((r) => !isBlankRecord(r));
  if (meaningful.length === 0) return { ok: false, problem: { code: "empty" } };
  const [headerRecord, ...rest] = meaningful;
  const header = mapHeaders(headerRecord.cells);
  const missing = REQUIRED_COLUMNS.filter((c) => header.columns[c] === undefined);
  if (missing.length > 0) {
    return { ok: false, problem: { code: "missing_columns", columns: missing } };
  }
  const records = rest.filter((r) => !isCommentRecord(r));
  if (records.length === 0) return { ok: false, problem: { code: "empty" } };
  if (records.length > MAX_IMPORT_ROWS) {
    return {
      ok: false,
      problem: { code: "too_many_rows", max: MAX_IMPORT_ROWS, rows: records.length },
    };
  }
  return { ok: true, header, records };
}

// ---------------------------------------------------------------------------------------------
// One line
// ---------------------------------------------------------------------------------------------

export type RowResult =
  { ok: true; record: ImportRecord } | { ok: false; problems: ImportProblem[] };

/**
 * Converts one line to a patent or trademark and checks it. `today` is the China business day.
 */
export function checkImportRow(record: CsvRecord, header: HeaderMap, today: string): RowResult {
  const cell = (col: ImportColumn): string => {
    const i = header.columns[col];
    return i === undefined ? "" : (record.cells[i] ?? "").trim();
  };
  const problems: ImportProblem[] = [];

  const bool = (col: ImportColumn): boolean => {
    const w = word(cell(col));
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
    problems.push({ field: col, code: "boolean_invalid", params: { value: cell(col) } });
    return false;
  };
  const integer = (col: ImportColumn): number | null => {
    const v = cell(col);
    if (v === "") return null;
    if (!/^\d{1,6}$/.test(v)) {
      problems.push({ field: col, code: "integer_invalid", params: { value: v } });
      return null;
    }
    return Number(v);
  };

  const kindWord = KIND_WORDS[word(cell("kind"))];
  if (!kindWord) {
    problems.push({ field: "kind", code: "kind_invalid" });
    return { ok: false, problems };
  }

  const number = cell("number");
  if (/^\d+(\.\d+)?e\+?\d+$/i.test(number)) {
    // Excel shows a long number as 2.01711E+12 and saves it like that: the digits are gone.
    problems.push({ field: "number", code: "scientific_notation", params: { value: number } });
  }

  if (kindWord.kind === "patent") {
    const statusWord = cell("status");
    const status = statusWord === "" ? "" : PATENT_STATUS_WORDS[word(statusWord)];
    if (status === undefined) {
      problems.push({
        field: "status",
        code: "status_word_invalid",
        params: { value: statusWord },
      });
    }
    const draft = {
      number,
      title: cell("title"),
      status: status ?? "",
      filingDate: cell("filingDate"),
      grantDate: cell("grantDate"),
      ipcClass: cell("ipcClass"),
      claimsCount: integer("claimsCount"),
      coOwned: bool("coOwned"),
    };
    const checked = checkPatent(draft, today);
    if (kindWord.ipType) {
      const parsed = parsePatentNumber(number);
      if (parsed.ok && parsed.kind !== kindWord.ipType) {
        problems.push({
          field: "kind",
          code: "kind_mismatch",
          params: { number: parsed.normalised, kind: parsed.kind },
        });
      }
    }
    if (!checked.ok) {
      // A status word we could not read is already reported; do not also say "required".
      for (const p of checked.problems) {
        if (!(p.field === "status" && status === undefined && p.code === "required")) {
          problems.push(p);
        }
      }
    }
    if (problems.length > 0 || !checked.ok) return { ok: false, problems };
    return { ok: true, record: { ...checked.value, line: record.line } };
  }

  const statusWord = cell("status");
  const status = statusWord === "" ? "" : TRADEMARK_STATUS_WORDS[word(statusWord)];
  if (status === undefined) {
    problems.push({ field: "status", code: "status_word_invalid", params: { value: statusWord } });
  }
  const kindCell = cell("trademarkKind");
  const tmKind = kindCell === "" ? { kind: "ordinary" } : TRADEMARK_KIND_WORDS[word(kindCell)];
  if (!tmKind) {
    problems.push({
      field: "trademarkKind",
      code: "trademark_kind_word_invalid",
      params: { value: kindCell },
    });
  }
  const niceCell = cell("niceClass");
  const niceClass = niceCell === "" ? null : (parseNiceClass(niceCell) ?? -1);
  const gi = bool("geoIndication") || (tmKind?.gi ?? false);
  const checked = checkTrademark(
    {
      number,
      title: cell("title"),
      status: status ?? "",
      niceClass,
      trademarkKind: tmKind?.kind ?? "ordinary",
      geoIndication: gi,
      wellKnown: bool("wellKnown"),
      registrationDate: cell("registrationDate"),
      renewals: integer("renewals"),
    },
    today,
  );
  if (!checked.ok) {
    for (const p of checked.problems) {
      if (!(p.field === "status" && status === undefined && p.code === "required")) {
        problems.push(p);
      }
    }
  }
  if (problems.length > 0 || !checked.ok) return { ok: false, problems };
  return { ok: true, record: { ...checked.value, line: record.line } };
}

// ---------------------------------------------------------------------------------------------
// The whole file
// ---------------------------------------------------------------------------------------------

export function assetKey(assetKind: AssetKind, number: string): string {
  return `${assetKind}:${number}`;
}

/**
 * Checks every line; a number seen on an earlier valid line makes the later line an error that
 * names the earlier one (the earlier line stays valid).
 */
export function validateImportRecords(
  header: HeaderMap,
  records: readonly CsvRecord[],
  today: string,
): ImportValidation {
  const valid: ImportRecord[] = [];
  const errors: ImportRowError[] = [];
  const firstLine = new Map<string, number>();
  let errorRows = 0;
  for (const rec of records) {
    const r = checkImportRow(rec, header, today);
    if (!r.ok) {
      errorRows++;
      for (const p of r.problems) errors.push({ line: rec.line, field: p.field, problem: p });
      continue;
    }
    const key = assetKey(r.record.assetKind, r.record.number);
    const seen = firstLine.get(key);
    if (seen !== undefined) {
      errorRows++;
      errors.push({
        line: rec.line,
        field: "number",
        problem: { field: "number", code: "duplicate_in_file", params: { line: seen } },
      });
      continue;
    }
    firstLine.set(key, rec.line);
    valid.push(r.record);
  }
  return { totalRows: records.length, valid, errors, errorRows };
}

/**
 * Moves rows whose number is already on the platform from `valid` to `errors` (the caller looked
 * them up; `ownKeys` are the firm's own assets, so the message can say so).
 */
export function markListedRows(
  v: ImportValidation,
  listedKeys: ReadonlySet<string>,
  ownKeys: ReadonlySet<string>,
): ImportValidation {
  if (listedKeys.size === 0) return v;
  const valid: ImportRecord[] = [];
  const added: ImportRowError[] = [];
  for (const r of v.valid) {
    const key = assetKey(r.assetKind, r.number);
    if (!listedKeys.has(key)) {
      valid.push(r);
      continue;
    }
    const code = ownKeys.has(key) ? "already_in_portfolio" : "already_listed";
    added.push({ line: r.line, field: "number", problem: { field: "number", code } });
  }
  const errors = [...v.errors, ...added].sort((a, b) => a.line - b.line);
  return { ...v, valid, errors, errorRows: v.errorRows + added.length };
}

/** The template: header line, and two example lines that start with '#' and are not imported. */
export function importTemplateRows(): string[][] {
  const header = IMPORT_COLUMNS.map((c) => IMPORT_HEADERS[c][0]);
  const example = (values: Partial<Record<ImportColumn, string>>) =>
    IMPORT_COLUMNS.map((c) => values[c] ?? "");
  return [
    header,
    example({
      kind: "#专利",
      number: "201710601862.3",
      title: "一种稀土永磁材料的制备方法",
      status: "授权",
      filingDate: "2017-07-21",
      grantDate: "2020-03-10",
      ipcClass: "H01F 1/057",
      claimsCount: "10",
      coOwned: "否",
    }),
    example({
      kind: "#商标",
      number: "12345678",
      title: "草原鹿城",
      status: "注册",
      registrationDate: "2016-05-14",
      niceClass: "29",
      trademarkKind: "普通商标",
      geoIndication: "否",
      wellKnown: "否",
      renewals: "0",
    }),
  ];
}
