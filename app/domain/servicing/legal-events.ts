import type { LegalEventType } from "../../../db/schema";
import { normaliseDateInput } from "../asset";
import { isBlankRecord, parseCsv, type CsvRecord } from "../csv";
import { parsePatentNumber } from "../patent";

/**
 * Legal-status events of pledged assets (docs/domain.md#collateral-monitoring): the types, the
 * words a CNIPA status export or a person uses for them, and the CSV import of many at once.
 * The import is all or nothing: a file of events is one statement of an asset register, so a
 * file with any bad line writes nothing and lists every bad line; a line identical to an event
 * already on record (same asset, type and date) is skipped, so uploading a file twice is harmless.
 */

export const LEGAL_EVENT_TYPES = [
  "invalidation_request",
  "invalidated",
  "transfer",
  "licence",
  "lapse",
  "restoration",
] as const satisfies readonly LegalEventType[];

export function isLegalEventType(v: unknown): v is LegalEventType {
  return typeof v === "string" && (LEGAL_EVENT_TYPES as readonly string[]).includes(v);
}

/** The words accepted in the event column, besides the codes themselves. */
const EVENT_WORDS: Readonly<Record<LegalEventType, readonly string[]>> = {
  invalidation_request: ["无效宣告请求", "无效请求", "请求宣告无效"],
  invalidated: ["宣告无效", "无效", "全部无效", "invalidated", "invalid"],
  transfer: ["转让", "权利转移", "著录项目变更", "transfer"],
  licence: ["许可", "实施许可", "许可备案", "licence", "license"],
  lapse: ["失效", "终止", "未缴年费终止", "注销", "lapse", "lapsed"],
  restoration: ["恢复", "恢复权利", "restoration", "restored"],
};

const WORD_LOOKUP = new Map<string, LegalEventType>(
  LEGAL_EVENT_TYPES.flatMap((type) =>
    [type, ...EVENT_WORDS[type]].map((w) => [w.toLowerCase(), type] as const),
  ),
);

export function parseLegalEventType(input: string): LegalEventType | null {
  return WORD_LOOKUP.get(input.trim().toLowerCase().replace(/\s+/g, "")) ?? null;
}

/**
 * An asset number as stored: a patent number however it was typed (ZL prefix, spaces, check
 * digit after a dot), a trademark registration number without spaces.
 */
export function normaliseAssetNumber(input: string): string {
  const patent = parsePatentNumber(input);
  if (patent.ok) return patent.normalised;
  return input.trim().replace(/\s+/g, "");
}

export const LEGAL_EVENT_COLUMNS = [
  "number",
  "eventType",
  "eventDate",
  "noticeDate",
  "note",
] as const;
export type LegalEventColumn = (typeof LEGAL_EVENT_COLUMNS)[number];

/** Accepted headers per column; the first is what the template prints. */
export const LEGAL_EVENT_HEADERS: Readonly<Record<LegalEventColumn, readonly string[]>> = {
  number: ["申请号/注册号", "申请号", "注册号", "专利号", "号码", "number"],
  eventType: ["事件", "事件类型", "法律状态事件", "event", "event type", "event_type"],
  eventDate: ["事件日期", "生效日", "日期", "event date", "event_date"],
  noticeDate: ["公告日", "公告日期", "通知日", "notice date", "notice_date"],
  note: ["备注", "说明", "note"],
};

const REQUIRED: readonly LegalEventColumn[] = ["number", "eventType", "eventDate"];
export const MAX_LEGAL_EVENT_ROWS = 5_000;
export const MAX_NOTE_LENGTH = 1_000;

const HEADER_LOOKUP = new Map<string, LegalEventColumn>(
  LEGAL_EVENT_COLUMNS.flatMap((c) =>
    LEGAL_EVENT_HEADERS[c].map((h) => [h.toLowerCase().replace(/\s+/g, ""), c] as const),
  ),
);

export interface LegalEventRow {
  line: number;
  number: string;
  eventType: LegalEventType;
  eventDate: string;
  noticeDate: string | null;
  note: string | null;
}

export type LegalEventProblemCode =
  | "required"
  | "bad_event"
  | "bad_date"
  | "future_date"
  | "notice_before_event"
  | "note_too_long"
  | "unknown_asset"
  | "restore_invalidated";

export interface LegalEventProblem {
  line: number;
  field: LegalEventColumn;
  code: LegalEventProblemCode;
  value: string;
}

export type LegalEventFileProblem =
  | { code: "empty" }
  | { code: "missing_columns"; columns: LegalEventColumn[] }
  | { code: "too_many_rows"; max: number; rows: number }
  | { code: "syntax"; line: number };

export type ParsedLegalEvents =
  | { ok: true; rows: LegalEventRow[]; problems: LegalEventProblem[] }
  | { ok: false; problem: LegalEventFileProblem };

/** Reads a file of events and checks every line; problems name the line and the column. */
export function parseLegalEventCsv(text: string, today: string): ParsedLegalEvents {
  let all: CsvRecord[];
  try {
    all = parseCsv(text);
  } catch (e) {
    if (e instanceof Error && e.name === "CsvSyntaxError") {
      return { ok: false, problem: { code: "syntax", line: (e as Error & { line: number }).line } };
    }
    throw e;
  }
  const meaningful = all.filter((r) => !isBlankRecord(r));
  if (meaningful.length === 0) return { ok: false, problem: { code: "empty" } };
  const [head, ...rest] = meaningful;
  const columns: Partial<Record<LegalEventColumn, number>> = {};
  head.cells.forEach((raw, i) => {
    const c = HEADER_LOOKUP.get(raw.trim().toLowerCase().replace(/\s+/g, ""));
    if (c && columns[c] === undefined) columns[c] = i;
  });
  const missing = REQUIRED.filter((c) => columns[c] === undefined);
  if (missing.length) return { ok: false, problem: { code: "missing_columns", columns: missing } };
  // Lines whose first cell starts with '#' are notes (the template's examples).
  const records = rest.filter((r) => !(r.cells[0] ?? "").trimStart().startsWith("#"));
  if (records.length === 0) return { ok: false, problem: { code: "empty" } };
  if (records.length > MAX_LEGAL_EVENT_ROWS) {
    return {
      ok: false,
      problem: { code: "too_many_rows", max: MAX_LEGAL_EVENT_ROWS, rows: records.length },
    };
  }
  const rows: LegalEventRow[] = [];
  const problems: LegalEventProblem[] = [];
  for (const r of records) {
    const cell = (c: LegalEventColumn) => {
      const i = columns[c];
      return i === undefined ? "" : (r.cells[i] ?? "").trim();
    };
    const before = problems.length;
    const problem = (field: LegalEventColumn, code: LegalEventProblemCode) =>
      problems.push({ line: r.line, field, code, value: cell(field) });
    const number = cell("number");
    if (!number) problem("number", "required");
    const eventType = parseLegalEventType(cell("eventType"));
    if (!cell("eventType")) problem("eventType", "required");
    else if (!eventType) problem("eventType", "bad_event");
    const eventDate = normaliseDateInput(cell("eventDate"));
    if (!cell("eventDate")) problem("eventDate", "required");
    else if (!eventDate) problem("eventDate", "bad_date");
    else if (eventDate > today) problem("eventDate", "future_date");
    let noticeDate: string | null = null;
    if (cell("noticeDate")) {
      noticeDate = normaliseDateInput(cell("noticeDate"));
      if (!noticeDate) problem("noticeDate", "bad_date");
      else if (noticeDate > today) problem("noticeDate", "future_date");
      else if (eventDate && noticeDate < eventDate) problem("noticeDate", "notice_before_event");
    }
    const note = cell("note");
    if (note.length > MAX_NOTE_LENGTH) problem("note", "note_too_long");
    if (problems.length === before) {
      rows.push({
        line: r.line,
        number: normaliseAssetNumber(number),
        eventType: eventType!,
        eventDate: eventDate!,
        noticeDate,
        note: note || null,
      });
    }
  }
  return { ok: true, rows, problems };
}

/** The template: the headers, then two '#' example lines (ignored when uploaded back). */
export function legalEventTemplateRows(): string[][] {
  return [
    LEGAL_EVENT_COLUMNS.map((c) => LEGAL_EVENT_HEADERS[c][0]),
    ["# 202110345678.3", "无效宣告请求", "2026-03-02", "2026-03-20", "示例：第三人请求宣告无效"],
    ["# 12345678", "许可", "2026-04-01", "", "示例：普通许可备案"],
  ];
}
