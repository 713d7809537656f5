import { addMonthsClamped, addYearsClamped, isInForceOn, isIsoDate, type PatentKind } from "./ip";
import { isWithinValidity } from "./valuation/formal";
import {
  filingDateMatchesNumber,
  formatPatentDisplay,
  parsePatentNumber,
  PATENT_STATUSES,
  remainingProtectionYears,
  statutoryExpiry,
  type PatentNumberProblem,
  type PatentStatus,
} from "./patent";
import {
  NICE_CLASS_MAX,
  NICE_CLASS_MIN,
  parseTrademarkNumber,
  TRADEMARK_KINDS,
  TRADEMARK_TERM_YEARS,
  trademarkExpiry,
  validateTrademarkMarks,
  type TrademarkKind,
  type TrademarkNumberProblem,
  type TrademarkStatus,
} from "./trademark";

/**
 * Rules for listing an IP asset on the platform, shared by the add/edit forms (browser and server)
 * and the CSV import: what a complete patent or trademark record is, and its statutory expiry.
 * Built on patent.ts / trademark.ts (number formats, terms); nothing here touches the database.
 * Each check returns problems by field, so a form shows them next to the field and the import
 * names the column of the line.
 */

export type AssetKind = "patent" | "trademark";

/** The Patent Law took effect on 1985-04-01: no Chinese patent was filed before. */
export const EARLIEST_FILING_DATE = "1985-04-01";
/** The Trademark Law took effect on 1983-03-01. */
export const EARLIEST_REGISTRATION_DATE = "1983-03-01";
export const TITLE_MAX_LENGTH = 300;
export const CLAIMS_MAX = 999;
export const RENEWALS_MAX = 20;
/**
 * A renewal may be filed in the 12 months before the registration ends (商标法 第四十条), so a
 * record showing `n` renewals must be no earlier than registration + 10·n years − 12 months.
 */
export const RENEWAL_WINDOW_MONTHS = 12;

/**
 * A trademark is listed once registered: its registration date fixes the term. An application
 * (pending) has no term yet, so the platform does not list it.
 */
export const LISTABLE_TRADEMARK_STATUSES = [
  "registered",
  "expired",
  "cancelled",
  "invalidated",
] as const satisfies readonly TrademarkStatus[];
export type ListableTrademarkStatus = (typeof LISTABLE_TRADEMARK_STATUSES)[number];

export type PatentField =
  "number" | "title" | "status" | "filingDate" | "grantDate" | "ipcClass" | "claimsCount";
export type TrademarkField =
  | "number"
  | "title"
  | "status"
  | "niceClass"
  | "trademarkKind"
  | "geoIndication"
  | "registrationDate"
  | "renewals";

/**
 * One problem with one field. `code` names a message in the assets namespace (errors.<code>);
 * number problems carry the patent/trademark module's own problem, which has its own message.
 */
export type AssetProblem<F extends string = string> =
  | { field: F; code: "patent_number"; problem: PatentNumberProblem }
  | { field: F; code: "trademark_number"; problem: TrademarkNumberProblem }
  | { field: F; code: AssetProblemCode; params?: Record<string, string | number> };

export type AssetProblemCode =
  | "required"
  | "too_long"
  | "status_invalid"
  | "date_invalid"
  | "date_future"
  | "date_too_early"
  | "filing_year_mismatch"
  | "grant_before_filing"
  | "grant_date_required"
  | "grant_date_on_pending"
  | "term_ended"
  | "ipc_invalid"
  | "locarno_invalid"
  | "claims_invalid"
  | "claims_on_design"
  | "nice_class_invalid"
  | "trademark_kind_invalid"
  | "gi_on_ordinary_mark"
  | "renewals_invalid"
  | "renewals_too_early"
  | "registration_ended";

export type CheckResult<V, F extends string> =
  { ok: true; value: V } | { ok: false; problems: AssetProblem<F>[] };

// ---------------------------------------------------------------------------------------------
// Patents
// ---------------------------------------------------------------------------------------------

/** What a person typed (or a CSV line held); empty strings and undefined mean "not given". */
export interface PatentDraft {
  number?: string;
  title?: string;
  status?: string;
  filingDate?: string;
  grantDate?: string | null;
  ipcClass?: string | null;
  claimsCount?: number | null;
  coOwned?: boolean;
}

/** A complete, normalised patent record, ready to store. */
export interface PatentRecord {
  assetKind: "patent";
  ipType: PatentKind;
  number: string;
  isPct: boolean;
  title: string;
  status: PatentStatus;
  filingDate: string;
  grantDate: string | null;
  ipcClass: string | null;
  claimsCount: number | null;
  coOwned: boolean;
  expiryDate: string;
}

function blank(v: string | null | undefined): v is null | undefined | "" {
  return v === undefined || v === null || v.trim() === "";
}

function checkTitle<F extends string>(
  title: string | undefined,
  field: F,
  problems: AssetProblem<F>[],
): string {
  const value = (title ?? "").trim().replace(/\s+/g, " ");
  if (value === "") problems.push({ field, code: "required" });
  else if (value.length > TITLE_MAX_LENGTH) {
    problems.push({ field, code: "too_long", params: { max: TITLE_MAX_LENGTH } });
  }
  return value;
}

/** A real date, not in the future, not before `earliest`; otherwise a problem for `field`. */
function checkDate<F extends string>(
  value: string | null | undefined,
  field: F,
  today: string,
  earliest: string,
  problems: AssetProblem<F>[],
): string | null {
  if (blank(value)) return null;
  const d = normaliseDateInput(value);
  if (!d) {
    problems.push({ field, code: "date_invalid" });
    return null;
  }
  if (d > today) {
    problems.push({ field, code: "date_future", params: { today } });
    return null;
  }
  if (d < earliest) {
    problems.push({ field, code: "date_too_early", params: { earliest } });
    return null;
  }
  return d;
}

/**
 * IPC main class (国际专利分类), e.g. "H01M 10/052": section A–H, two-digit class, subclass
 * letter, optionally the main group / subgroup. Returned in the printed form (one space before
 * the group), or null when it does not parse.
 */
export function normaliseIpcClass(input: string): string | null {
  const s = input.toUpperCase().replace(/\s+/g, "");
  const m = /^([A-H]\d{2}[A-Z])(?:(\d{1,4})\/(\d{2,6}))?$/.exec(s);
  if (!m) return null;
  return m[2] ? `${m[1]} ${m[2]}/${m[3]}` : m[1];
}

/**
 * Designs are classified by the Locarno classification (洛迦诺分类, e.g. "14-02"), not IPC.
 */
export function normaliseLocarnoClass(input: string): string | null {
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(input.replace(/\s+/g, ""));
  if (!m) return null;
  const cls = Number(m[1]);
  const sub = Number(m[2]);
  if (cls < 1 || cls > 32 || sub < 1) return null;
  return `${String(cls).padStart(2, "0")}-${String(sub).padStart(2, "0")}`;
}

export function isPatentStatus(v: unknown): v is PatentStatus {
  return typeof v === "string" && (PATENT_STATUSES as readonly string[]).includes(v);
}

/**
 * Checks a patent for listing. The kind (invention / utility model / design) comes from the
 * type digit of the number, never from the person; the expiry from the kind and filing date.
 */
export function checkPatent(
  draft: PatentDraft,
  today: string,
): CheckResult<PatentRecord, PatentField> {
  const problems: AssetProblem<PatentField>[] = [];

  const parsed = parsePatentNumber(draft.number ?? "", { today });
  if (!parsed.ok)
    problems.push({ field: "number", code: "patent_number", problem: parsed.problem });

  const title = checkTitle(draft.title, "title", problems);

  let status: PatentStatus | null = null;
  if (blank(draft.status)) problems.push({ field: "status", code: "required" });
  else if (!isPatentStatus(draft.status))
    problems.push({ field: "status", code: "status_invalid" });
  else status = draft.status;

  let filingDate: string | null = null;
  if (blank(draft.filingDate)) problems.push({ field: "filingDate", code: "required" });
  else
    filingDate = checkDate(draft.filingDate, "filingDate", today, EARLIEST_FILING_DATE, problems);
  if (parsed.ok && filingDate && !filingDateMatchesNumber(parsed.normalised, filingDate)) {
    problems.push({
      field: "filingDate",
      code: "filing_year_mismatch",
      params: { year: parsed.filingYear, pct: parsed.isPct ? 1 : 0 },
    });
    filingDate = null;
  }

  const grantDate = checkDate(draft.grantDate, "grantDate", today, EARLIEST_FILING_DATE, problems);
  if (status === "pending" && !blank(draft.grantDate)) {
    problems.push({ field: "grantDate", code: "grant_date_on_pending" });
  } else if (status === "granted" && blank(draft.grantDate)) {
    problems.push({ field: "grantDate", code: "grant_date_required" });
  }
  if (grantDate && filingDate && grantDate < filingDate) {
    problems.push({ field: "grantDate", code: "grant_before_filing", params: { filingDate } });
  }

  const kind = parsed.ok ? parsed.kind : null;
  let ipcClass: string | null = null;
  if (!blank(draft.ipcClass)) {
    if (kind === "design") {
      ipcClass = normaliseLocarnoClass(draft.ipcClass);
      if (!ipcClass) problems.push({ field: "ipcClass", code: "locarno_invalid" });
    } else {
      ipcClass = normaliseIpcClass(draft.ipcClass);
      if (!ipcClass) problems.push({ field: "ipcClass", code: "ipc_invalid" });
    }
  }

  const claims = draft.claimsCount ?? null;
  if (claims !== null) {
    if (!Number.isInteger(claims) || claims < 1 || claims > CLAIMS_MAX) {
      problems.push({ field: "claimsCount", code: "claims_invalid", params: { max: CLAIMS_MAX } });
    } else if (kind === "design") {
      // A design is protected by its drawings (专利法 第六十四条), it has no claims.
      problems.push({ field: "claimsCount", code: "claims_on_design" });
    }
  }

  let expiryDate: string | null = null;
  if (kind && filingDate) {
    expiryDate = statutoryExpiry(kind, filingDate);
    // Pending or granted with the term already over is a stale record: say which status fits.
    if ((status === "granted" || status === "pending") && expiryDate <= today) {
      problems.push({ field: "status", code: "term_ended", params: { expiry: expiryDate } });
    }
  }

  if (problems.length > 0 || !parsed.ok || !status || !filingDate || !expiryDate) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    value: {
      assetKind: "patent",
      ipType: parsed.kind,
      number: parsed.normalised,
      isPct: parsed.isPct,
      title,
      status,
      filingDate,
      grantDate: status === "pending" ? null : grantDate,
      ipcClass,
      claimsCount: claims,
      coOwned: draft.coOwned ?? false,
      expiryDate,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Trademarks
// ---------------------------------------------------------------------------------------------

export interface TrademarkDraft {
  number?: string;
  title?: string;
  status?: string;
  niceClass?: number | null;
  trademarkKind?: string;
  geoIndication?: boolean;
  wellKnown?: boolean;
  registrationDate?: string;
  renewals?: number | null;
}

export interface TrademarkRecord {
  assetKind: "trademark";
  ipType: "trademark";
  number: string;
  title: string;
  status: ListableTrademarkStatus;
  niceClass: number;
  trademarkKind: TrademarkKind;
  geoIndication: boolean;
  wellKnown: boolean;
  registrationDate: string;
  renewals: number;
  expiryDate: string;
}

export function isListableTrademarkStatus(v: unknown): v is ListableTrademarkStatus {
  return typeof v === "string" && (LISTABLE_TRADEMARK_STATUSES as readonly string[]).includes(v);
}

export function checkTrademark(
  draft: TrademarkDraft,
  today: string,
): CheckResult<TrademarkRecord, TrademarkField> {
  const problems: AssetProblem<TrademarkField>[] = [];

  const parsed = parseTrademarkNumber(draft.number ?? "");
  if (!parsed.ok) {
    problems.push({ field: "number", code: "trademark_number", problem: parsed.problem });
  }
  const title = checkTitle(draft.title, "title", problems);

  let status: ListableTrademarkStatus | null = null;
  if (blank(draft.status)) problems.push({ field: "status", code: "required" });
  else if (!isListableTrademarkStatus(draft.status)) {
    problems.push({ field: "status", code: "status_invalid" });
  } else status = draft.status;

  const niceClass = draft.niceClass ?? null;
  if (niceClass === null) problems.push({ field: "niceClass", code: "required" });
  else if (
    !Number.isInteger(niceClass) ||
    niceClass < NICE_CLASS_MIN ||
    niceClass > NICE_CLASS_MAX
  ) {
    problems.push({
      field: "niceClass",
      code: "nice_class_invalid",
      params: { min: NICE_CLASS_MIN, max: NICE_CLASS_MAX },
    });
  }

  let kind: TrademarkKind | null = null;
  const rawKind = blank(draft.trademarkKind) ? "ordinary" : draft.trademarkKind;
  if ((TRADEMARK_KINDS as readonly string[]).includes(rawKind)) kind = rawKind as TrademarkKind;
  else problems.push({ field: "trademarkKind", code: "trademark_kind_invalid" });
  const geoIndication = draft.geoIndication ?? false;
  const wellKnown = draft.wellKnown ?? false;
  if (kind && validateTrademarkMarks({ kind, geographicalIndication: geoIndication, wellKnown })) {
    problems.push({ field: "geoIndication", code: "gi_on_ordinary_mark" });
  }

  let registrationDate: string | null = null;
  if (blank(draft.registrationDate)) problems.push({ field: "registrationDate", code: "required" });
  else {
    registrationDate = checkDate(
      draft.registrationDate,
      "registrationDate",
      today,
      EARLIEST_REGISTRATION_DATE,
      problems,
    );
  }

  const renewals = draft.renewals ?? 0;
  let renewalsOk = true;
  if (!Number.isInteger(renewals) || renewals < 0 || renewals > RENEWALS_MAX) {
    problems.push({ field: "renewals", code: "renewals_invalid", params: { max: RENEWALS_MAX } });
    renewalsOk = false;
  } else if (registrationDate && renewals > 0) {
    const earliest = earliestRenewalDate(registrationDate, renewals);
    if (earliest > today) {
      problems.push({ field: "renewals", code: "renewals_too_early", params: { date: earliest } });
      renewalsOk = false;
    }
  }

  let expiryDate: string | null = null;
  if (registrationDate && renewalsOk) {
    expiryDate = trademarkExpiry(registrationDate, renewals);
    if (status === "registered" && expiryDate <= today) {
      problems.push({
        field: "status",
        code: "registration_ended",
        params: { expiry: expiryDate },
      });
    }
  }

  if (
    problems.length > 0 ||
    !parsed.ok ||
    !status ||
    niceClass === null ||
    !kind ||
    !registrationDate ||
    !expiryDate
  ) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    value: {
      assetKind: "trademark",
      ipType: "trademark",
      number: parsed.normalised,
      title,
      status,
      niceClass,
      trademarkKind: kind,
      geoIndication,
      wellKnown,
      registrationDate,
      renewals,
      expiryDate,
    },
  };
}

/** The first day the `renewals`-th renewal could have been filed. */
export function earliestRenewalDate(registrationDate: string, renewals: number): string {
  return addMonthsClamped(
    addYearsClamped(registrationDate, TRADEMARK_TERM_YEARS * renewals),
    -RENEWAL_WINDOW_MONTHS,
  );
}

// ---------------------------------------------------------------------------------------------
// Display and portfolio helpers
// ---------------------------------------------------------------------------------------------

/** Years of protection left (decimal, never negative); see patent.ts remainingProtectionYears. */
export function remainingYears(expiryDate: string, today: string): number {
  return remainingProtectionYears(expiryDate, today);
}

/** The protection is over from the expiry day on, or early when the status says so. */
export function isInForce(status: string, expiryDate: string, today: string): boolean {
  return (status === "granted" || status === "registered") && isInForceOn(expiryDate, today);
}

export type AppraisalValidity = "valid" | "expired" | "none";

/**
 * The latest formal appraisal can be relied on through its valid-until day (inclusive, counted
 * from its 评估基准日: valuation/formal.ts appraisalValidUntil).
 */
export function appraisalValidity(
  formalValidUntil: string | null | undefined,
  today: string,
): AppraisalValidity {
  if (!formalValidUntil) return "none";
  return isWithinValidity(formalValidUntil, today) ? "valid" : "expired";
}

/** As printed: ZL + number for a patent right (granted or later), the bare number otherwise. */
export function displayAssetNumber(assetKind: AssetKind, number: string, status: string): string {
  if (assetKind === "trademark") return number;
  return formatPatentDisplay(number, status !== "pending");
}

/**
 * Accepts the date forms people and spreadsheets write — 2017-03-05, 2017/3/5, 2017.3.5,
 * 2017年3月5日, 20170305 — and returns 'YYYY-MM-DD', or null when it is not a real date.
 */
export function normaliseDateInput(input: string): string | null {
  const s = input
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  return isIsoDate(iso) ? iso : null;
}
