import { isIsoDate } from "./ip";

/**
 * The running total toward the target (docs/domain.md#target): 100亿元 by 2025-12-31
 * by default, with later phases an admin can add. Pure: the model reads the totals and passes
 * `today` (the China business day).
 *
 * Methods, as the UI states them:
 *  - needed per month = ⌈remaining ÷ months left⌉, months left counted from the current month to
 *    the deadline's month, both included;
 *  - pace = Σ of the last 6 full calendar months (the six months before the current one) ÷ 6,
 *    floored to the fen;
 *  - projected month = the current month + ⌈remaining ÷ pace⌉ (the current month is already
 *    partly in the total, so the pace is applied from the next month on); no pace → no projection.
 */

export interface TargetPhase {
  name: string;
  /** Cumulative amount to reach, in fen (100亿元 = 1,000,000,000,000 fen). */
  targetFen: number;
  /** 'YYYY-MM-DD', inclusive. */
  deadline: string;
}

export interface MonthlyAmount {
  /** 'YYYY-MM' of the value date. */
  month: string;
  /** Net amount disbursed that month (reversals included), fen. */
  amountFen: number;
}

export const DEFAULT_TARGET_FEN = 1_000_000_000_000; // 100亿元
export const DEFAULT_TARGET_DEADLINE = "2025-12-31";
export const DEFAULT_PHASES: readonly TargetPhase[] = [
  { name: "2025", targetFen: DEFAULT_TARGET_FEN, deadline: DEFAULT_TARGET_DEADLINE },
];
export const PACE_MONTHS = 6;
/**
 * A pace that needs longer than this projects nothing (a few thousand yuan a month against 100亿
 * would land past the year 9999, which has no ISO date and crashed the public pages).
 */
export const MAX_PROJECTION_MONTHS = 1_200;
export const MAX_PHASES = 10;
export const MAX_PHASE_NAME_LENGTH = 40;

// ---- months as integers (year × 12 + month − 1) ----

const MONTH_RE = /^(\d{4})-(\d{2})$/;

export function isMonth(s: string): boolean {
  const m = MONTH_RE.exec(s);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

function monthIndex(month: string): number {
  const m = MONTH_RE.exec(month);
  if (!m || !isMonth(month)) throw new RangeError(`not a month 'YYYY-MM': ${month}`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

function monthFromIndex(i: number): string {
  return `${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}`;
}

export function addMonths(month: string, n: number): string {
  return monthFromIndex(monthIndex(month) + n);
}

/** Last calendar day of a month 'YYYY-MM'. */
export function lastDayOfMonth(month: string): string {
  const i = monthIndex(month);
  const year = Math.floor(i / 12);
  const m = (i % 12) + 1;
  const day = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, "0")}`;
}

/** Months from `from` to `to`, both included (0 when `to` is before `from`). */
export function monthsInclusive(from: string, to: string): number {
  return Math.max(0, monthIndex(to) - monthIndex(from) + 1);
}

function ceilDiv(a: number, b: number): number {
  return Number((BigInt(a) + BigInt(b) - 1n) / BigInt(b));
}

// ---- phases ----

export type PhaseProblem =
  | { index: number; field: "name"; code: "required" | "too_long" }
  | { index: number; field: "targetFen"; code: "not_positive" | "not_above_previous" }
  | { index: number; field: "deadline"; code: "bad_date" | "not_after_previous" }
  | { index: -1; field: "phases"; code: "none" | "too_many" };

/**
 * A valid phase list: 1–10 phases, each named, with a positive cumulative target and a real date;
 * deadlines strictly increasing and each target above the one before (targets are cumulative:
 * phase two continues from the 100亿元 of phase one).
 */
export function validateTargetPhases(phases: readonly TargetPhase[]): PhaseProblem[] {
  const problems: PhaseProblem[] = [];
  if (phases.length === 0) problems.push({ index: -1, field: "phases", code: "none" });
  if (phases.length > MAX_PHASES) problems.push({ index: -1, field: "phases", code: "too_many" });
  phases.forEach((p, index) => {
    const name = p.name.trim();
    if (!name) problems.push({ index, field: "name", code: "required" });
    else if ([...name].length > MAX_PHASE_NAME_LENGTH) {
      problems.push({ index, field: "name", code: "too_long" });
    }
    const prev = index > 0 ? phases[index - 1] : null;
    if (!Number.isSafeInteger(p.targetFen) || p.targetFen <= 0) {
      problems.push({ index, field: "targetFen", code: "not_positive" });
    } else if (prev && Number.isSafeInteger(prev.targetFen) && p.targetFen <= prev.targetFen) {
      problems.push({ index, field: "targetFen", code: "not_above_previous" });
    }
    if (!isIsoDate(p.deadline)) problems.push({ index, field: "deadline", code: "bad_date" });
    else if (prev && isIsoDate(prev.deadline) && p.deadline <= prev.deadline) {
      problems.push({ index, field: "deadline", code: "not_after_previous" });
    }
  });
  return problems;
}

// ---- the running total ----

export interface ProgressInput {
  phases: readonly TargetPhase[];
  financedFen: number;
  firmsFinanced: number;
  monthly: readonly MonthlyAmount[];
  today: string;
}

export type Projection =
  | { kind: "reached"; month: string | null }
  | { kind: "no_pace" }
  | { kind: "projected"; month: string; date: string; monthsNeeded: number };

export interface PhaseOutcome {
  name: string;
  targetFen: number;
  deadline: string;
  progressBp: number;
  reached: boolean;
}

export interface Progress {
  phaseName: string;
  targetFen: number;
  deadline: string;
  /** True when every phase's deadline is behind us: the figures are those of the last phase. */
  deadlinePassed: boolean;
  /** The most recent phase whose deadline has passed, if any (shown as "期限已过"). */
  passedPhase: PhaseOutcome | null;
  /** The phase after the current one, if the admin has added it. */
  nextPhase: TargetPhase | null;
  financedFen: number;
  firmsFinanced: number;
  /** Share of the target, bp (10000 = 100%), floored. */
  progressBp: number;
  remainingFen: number;
  /** Months from the current month to the deadline's, both included; 0 after the deadline. */
  monthsLeft: number;
  /** Null when the deadline has passed or the target is reached. */
  neededPerMonthFen: number | null;
  paceFromMonth: string;
  paceToMonth: string;
  paceFen: number;
  projection: Projection;
  currentMonth: string;
}

/** Phases in deadline order (a stored list is validated, but sort anyway: it is cheap). */
function sortedPhases(phases: readonly TargetPhase[]): TargetPhase[] {
  const list = phases.length ? [...phases] : [...DEFAULT_PHASES];
  return list.sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : 0));
}

function shareBp(financedFen: number, targetFen: number): number {
  if (targetFen <= 0) return 0;
  return Number((BigInt(Math.max(0, financedFen)) * 10_000n) / BigInt(targetFen));
}

/** The month the cumulative total first reached `targetFen`, from the monthly series. */
export function monthReached(monthly: readonly MonthlyAmount[], targetFen: number): string | null {
  let sum = 0;
  for (const m of [...monthly].sort((a, b) => (a.month < b.month ? -1 : 1))) {
    sum += m.amountFen;
    if (sum >= targetFen) return m.month;
  }
  return null;
}

export function computeProgress(input: ProgressInput): Progress {
  const { today, financedFen, monthly } = input;
  if (!isIsoDate(today)) throw new RangeError(`today must be 'YYYY-MM-DD', got ${today}`);
  const phases = sortedPhases(input.phases);
  const currentIndex = phases.findIndex((p) => p.deadline >= today);
  const deadlinePassed = currentIndex === -1;
  const index = deadlinePassed ? phases.length - 1 : currentIndex;
  const phase = phases[index];
  const passedIndex = deadlinePassed ? phases.length - 1 : currentIndex - 1;
  const passed = passedIndex >= 0 ? phases[passedIndex] : null;
  const currentMonth = today.slice(0, 7);

  const remainingFen = Math.max(0, phase.targetFen - financedFen);
  const monthsLeft = deadlinePassed ? 0 : monthsInclusive(currentMonth, phase.deadline.slice(0, 7));
  const neededPerMonthFen =
    deadlinePassed || remainingFen === 0 || monthsLeft === 0
      ? null
      : ceilDiv(remainingFen, monthsLeft);

  const paceFromMonth = addMonths(currentMonth, -PACE_MONTHS);
  const paceToMonth = addMonths(currentMonth, -1);
  const paceSum = monthly
    .filter((m) => m.month >= paceFromMonth && m.month <= paceToMonth)
    .reduce((s, m) => s + m.amountFen, 0);
  const paceFen = Math.max(0, Math.floor(paceSum / PACE_MONTHS));

  let projection: Projection;
  if (remainingFen === 0) {
    projection = { kind: "reached", month: monthReached(monthly, phase.targetFen) };
  } else if (paceFen <= 0 || ceilDiv(remainingFen, paceFen) > MAX_PROJECTION_MONTHS) {
    projection = { kind: "no_pace" };
  } else {
    const monthsNeeded = ceilDiv(remainingFen, paceFen);
    const month = addMonths(currentMonth, monthsNeeded);
    projection = { kind: "projected", month, date: lastDayOfMonth(month), monthsNeeded };
  }

  return {
    phaseName: phase.name,
    targetFen: phase.targetFen,
    deadline: phase.deadline,
    deadlinePassed,
    passedPhase: passed
      ? {
          name: passed.name,
          targetFen: passed.targetFen,
          deadline: passed.deadline,
          progressBp: shareBp(financedFen, passed.targetFen),
          reached: financedFen >= passed.targetFen,
        }
      : null,
    nextPhase: deadlinePassed ? null : (phases[index + 1] ?? null),
    financedFen,
    firmsFinanced: input.firmsFinanced,
    progressBp: shareBp(financedFen, phase.targetFen),
    remainingFen,
    monthsLeft,
    neededPerMonthFen,
    paceFromMonth,
    paceToMonth,
    paceFen,
    projection,
    currentMonth,
  };
}

export interface CumulativePoint {
  month: string;
  amountFen: number;
  cumulativeFen: number;
}

/**
 * The cumulative series for the chart: one point per month from the first month with an entry
 * to `untilMonth` (gaps filled, so the line does not jump), or empty when nothing was disbursed.
 */
export function cumulativeByMonth(
  monthly: readonly MonthlyAmount[],
  untilMonth: string,
): CumulativePoint[] {
  const byMonth = new Map<string, number>();
  for (const m of monthly) byMonth.set(m.month, (byMonth.get(m.month) ?? 0) + m.amountFen);
  const months = [...byMonth.keys()].sort();
  if (months.length === 0) return [];
  const last = months[months.length - 1] > untilMonth ? months[months.length - 1] : untilMonth;
  const out: CumulativePoint[] = [];
  let sum = 0;
  for (let i = monthIndex(months[0]); i <= monthIndex(last); i++) {
    const month = monthFromIndex(i);
    const amountFen = byMonth.get(month) ?? 0;
    sum += amountFen;
    out.push({ month, amountFen, cumulativeFen: sum });
  }
  return out;
}

export interface Slice<K> {
  key: K;
  amountFen: number;
  /** Ledger entries in the slice (reversals included). */
  entries: number;
}

/** What the progress panel, its charts and the live stream carry (serialisable). */
export interface ProgressSummary extends Progress {
  phases: TargetPhase[];
  /** Ledger entries so far: grows with every entry, so the page can ignore older pushes. */
  version: number;
  months: CumulativePoint[];
  byRegion: Slice<string>[];
  byBank: (Slice<number> & { name: string })[];
  byIpType: Slice<"invention" | "utility_model" | "design" | "trademark">[];
  asOf: string;
}
