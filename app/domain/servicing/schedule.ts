import { addMonthsClamped, daysBetween } from "../ip";

/**
 * Repayment schedules in exact fen (docs/domain.md#servicing, decision 010).
 *
 * Conventions (中国人民银行《人民币利率管理规定》):
 * - the annual rate is in basis points; 月利率 = 年利率 / 12, 日利率 = 年利率 / 360;
 * - monthly methods charge one month's interest per period whatever the days in it; the bullet
 *   loan (到期一次还本付息) and early settlement charge the daily rate on the actual days;
 * - every product of money and rate is computed on bigints and rounded once, half-up, to the fen;
 * - the last instalment repays whatever principal is left, so the principal parts sum to the loan
 *   exactly, and its interest is that balance's interest rounded the same way.
 */
export const REPAYMENT_METHODS = [
  "equal_instalment",
  "equal_principal",
  "interest_only",
  "bullet",
] as const;
export type RepaymentMethod = (typeof REPAYMENT_METHODS)[number];

export function isRepaymentMethod(v: unknown): v is RepaymentMethod {
  return typeof v === "string" && (REPAYMENT_METHODS as readonly string[]).includes(v);
}

/** Bit per method in loan_products.repayment_methods_mask. */
export const REPAYMENT_METHOD_BITS: Readonly<Record<RepaymentMethod, number>> = {
  equal_instalment: 1,
  equal_principal: 2,
  interest_only: 4,
  bullet: 8,
};
export const ALL_REPAYMENT_METHODS_MASK = 15;

export function methodsInMask(mask: number): RepaymentMethod[] {
  return REPAYMENT_METHODS.filter((m) => (mask & REPAYMENT_METHOD_BITS[m]) !== 0);
}

export function repaymentMethodsMask(methods: readonly RepaymentMethod[]): number {
  return methods.reduce((mask, m) => mask | REPAYMENT_METHOD_BITS[m], 0);
}

export interface ScheduleInput {
  method: RepaymentMethod;
  principalFen: number;
  annualRateBp: number;
  termMonths: number;
  /** The value date of the disbursement; instalment k falls due k months later (clamped). */
  startDate: string;
}

export interface Instalment {
  /** 1-based period number. */
  seq: number;
  dueDate: string;
  /** Principal outstanding at the start of the period, as scheduled. */
  openingPrincipalFen: number;
  principalFen: number;
  interestFen: number;
  totalFen: number;
  closingPrincipalFen: number;
}

const BP = 10_000n;
const MONTHS = 12n;
const DAYS_PER_YEAR_BASIS = 360n;

/** round(num / den) half-up, for num ≥ 0 and den > 0. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError("denominator must be positive");
  if (num < 0n) return -divRoundHalfUp(-num, den);
  return (num * 2n + den) / (den * 2n);
}

/** One month's interest on `balanceFen`: balance × rate / 12, half-up to the fen. */
export function monthlyInterestFen(balanceFen: number, annualRateBp: number): number {
  return Number(divRoundHalfUp(BigInt(balanceFen) * BigInt(annualRateBp), BP * MONTHS));
}

/** Interest for `days` actual days: balance × rate × days / 360, half-up to the fen. */
export function dailyInterestFen(balanceFen: number, annualRateBp: number, days: number): number {
  if (days <= 0) return 0;
  return Number(
    divRoundHalfUp(
      BigInt(balanceFen) * BigInt(annualRateBp) * BigInt(days),
      BP * DAYS_PER_YEAR_BASIS,
    ),
  );
}

/**
 * The 等额本息 instalment A = P·r·(1+r)ⁿ / ((1+r)ⁿ − 1) with r = rate / 12, as an exact fraction
 * (with r = b / 120000: A = P·b·(120000+b)ⁿ / (120000·((120000+b)ⁿ − 120000ⁿ))), rounded
 * half-up once. A zero rate gives P / n.
 */
export function annuityInstalmentFen(
  principalFen: number,
  annualRateBp: number,
  termMonths: number,
): number {
  const p = BigInt(principalFen);
  const n = BigInt(termMonths);
  if (annualRateBp === 0) return Number(divRoundHalfUp(p, n));
  const base = BP * MONTHS;
  const b = BigInt(annualRateBp);
  const grown = (base + b) ** n;
  const plain = base ** n;
  return Number(divRoundHalfUp(p * b * grown, base * (grown - plain)));
}

export type ScheduleProblem =
  { kind: "principal" } | { kind: "rate" } | { kind: "term" } | { kind: "date" };

export function checkScheduleInput(input: ScheduleInput): ScheduleProblem | null {
  if (!Number.isSafeInteger(input.principalFen) || input.principalFen <= 0) {
    return { kind: "principal" };
  }
  if (
    !Number.isInteger(input.annualRateBp) ||
    input.annualRateBp < 0 ||
    input.annualRateBp > 10_000
  )
    return { kind: "rate" };
  if (!Number.isInteger(input.termMonths) || input.termMonths < 1 || input.termMonths > 360) {
    return { kind: "term" };
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.startDate)) return { kind: "date" };
  return null;
}

function row(
  seq: number,
  dueDate: string,
  opening: number,
  principal: number,
  interest: number,
): Instalment {
  return {
    seq,
    dueDate,
    openingPrincipalFen: opening,
    principalFen: principal,
    interestFen: interest,
    totalFen: principal + interest,
    closingPrincipalFen: opening - principal,
  };
}

/** The due date of period `seq`: the start date plus `seq` months, clamped to the month's end. */
export function dueDateOf(startDate: string, seq: number): string {
  return addMonthsClamped(startDate, seq);
}

/**
 * The full schedule for one loan. Throws on input `checkScheduleInput` refuses (callers validate
 * first; a schedule from bad input would be silently wrong money).
 */
export function buildSchedule(input: ScheduleInput): Instalment[] {
  const problem = checkScheduleInput(input);
  if (problem) throw new RangeError(`bad schedule input: ${problem.kind}`);
  const { method, principalFen: p, annualRateBp: rate, termMonths: n, startDate } = input;
  const out: Instalment[] = [];

  if (method === "bullet") {
    const due = dueDateOf(startDate, n);
    const interest = dailyInterestFen(p, rate, daysBetween(startDate, due));
    return [row(1, due, p, p, interest)];
  }

  let balance = p;
  if (method === "equal_instalment") {
    const a = annuityInstalmentFen(p, rate, n);
    for (let k = 1; k <= n; k++) {
      const interest = monthlyInterestFen(balance, rate);
      // Never more principal than is left (tiny loans at a high rate), never less than none.
      const principal = k === n ? balance : Math.min(balance, Math.max(0, a - interest));
      out.push(row(k, dueDateOf(startDate, k), balance, principal, interest));
      balance -= principal;
    }
    return out;
  }

  if (method === "equal_principal") {
    let part = Number(divRoundHalfUp(BigInt(p), BigInt(n)));
    // Half-up can round up; if n−1 rounded-up parts would exceed the loan, floor instead.
    if (part * (n - 1) > p) part = Math.floor(p / n);
    for (let k = 1; k <= n; k++) {
      const interest = monthlyInterestFen(balance, rate);
      const principal = k === n ? balance : part;
      out.push(row(k, dueDateOf(startDate, k), balance, principal, interest));
      balance -= principal;
    }
    return out;
  }

  // interest_only: 按月付息，到期还本
  for (let k = 1; k <= n; k++) {
    const interest = monthlyInterestFen(p, rate);
    out.push(row(k, dueDateOf(startDate, k), p, k === n ? p : 0, interest));
  }
  return out;
}

export function scheduleTotals(rows: readonly Instalment[]): {
  principalFen: number;
  interestFen: number;
  totalFen: number;
} {
  let principalFen = 0;
  let interestFen = 0;
  for (const r of rows) {
    principalFen += r.principalFen;
    interestFen += r.interestFen;
  }
  return { principalFen, interestFen, totalFen: principalFen + interestFen };
}
