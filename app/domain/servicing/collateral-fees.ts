import { addDays, addMonthsClamped, addYearsClamped, daysBetween } from "../ip";

/**
 * Keeping the pledged IP alive (docs/domain.md#collateral-monitoring, decision 011).
 *
 * Patents (专利法 第四十三、四十四条; 专利法实施细则 第一百一十三条 as numbered in 2023):
 * - fee year k runs from the (k−1)th anniversary of the filing date to the day before the kth;
 *   its annual fee is due before year k begins, so the deadline is the last day of year k−1;
 * - unpaid by the deadline: six months' grace (滞纳期) with a surcharge of the fee — paid in the
 *   first month after the deadline 0 %, second 5 %, third 10 %, fourth 15 %, fifth 20 %, sixth 25 %;
 * - still unpaid after the grace: the patent lapses, from the end of the last year paid; the owner
 *   may ask for restoration (恢复权利) within two months of the lapse notice.
 * Trademarks (商标法 第四十条): renewal in the 12 months before expiry, a six-month grace
 * (宽展期) after it, then the registration is cancelled (注销).
 */

export const FEE_DUE_SOON_DAYS = 30;
export const GRACE_MONTHS = 6;
export const RESTORATION_MONTHS = 2;
export const TRADEMARK_RENEWAL_WINDOW_MONTHS = 12;

/** Surcharge in bp of the annual fee by month late (index 0 = on time). */
export const PATENT_SURCHARGE_BP = [0, 0, 500, 1000, 1500, 2000, 2500] as const;

export type FeeState =
  | { state: "paid"; deadline: string; daysUntil: number }
  | { state: "due_soon"; deadline: string; daysUntil: number }
  | {
      state: "grace";
      deadline: string;
      graceEnd: string;
      /** 1–6: the month of the grace period `today` falls in. */
      lateMonth: number;
      surchargeBp: number;
    }
  | { state: "lapsed"; deadline: string; graceEnd: string; lapsedFrom: string }
  | { state: "expired"; expiry: string };

/** The last day on which year k's annual fee is paid on time: the day before anniversary k−1. */
export function patentFeeDeadline(filingDate: string, feeYear: number): string {
  if (!Number.isInteger(feeYear) || feeYear < 2) throw new RangeError(`fee year ≥ 2: ${feeYear}`);
  return addDays(addYearsClamped(filingDate, feeYear - 1), -1);
}

export function graceEnd(deadline: string): string {
  return addMonthsClamped(deadline, GRACE_MONTHS);
}

/**
 * Which month late a payment on `paidOn` is (0 = on time, 1–6 in the grace period), or null when
 * it is after the grace period and too late.
 */
export function lateMonth(deadline: string, paidOn: string): number | null {
  if (paidOn <= deadline) return 0;
  for (let m = 1; m <= GRACE_MONTHS; m++) {
    if (paidOn <= addMonthsClamped(deadline, m)) return m;
  }
  return null;
}

/** The surcharge in bp of the fee for paying on `paidOn`; null when the grace period is over. */
export function patentSurchargeBp(deadline: string, paidOn: string): number | null {
  const m = lateMonth(deadline, paidOn);
  return m === null ? null : PATENT_SURCHARGE_BP[m];
}

/** The surcharge in fen on a fee of `feeFen`, half-up. */
export function surchargeFen(feeFen: number, surchargeBp: number): number {
  return Math.floor((feeFen * surchargeBp + 5_000) / 10_000);
}

function dueState(deadline: string, today: string, expiry: string): FeeState {
  if (today >= expiry) return { state: "expired", expiry };
  if (today <= deadline) {
    const daysUntil = daysBetween(today, deadline);
    return daysUntil <= FEE_DUE_SOON_DAYS
      ? { state: "due_soon", deadline, daysUntil }
      : { state: "paid", deadline, daysUntil };
  }
  const end = graceEnd(deadline);
  const m = lateMonth(deadline, today);
  if (m !== null) {
    return {
      state: "grace",
      deadline,
      graceEnd: end,
      lateMonth: m,
      surchargeBp: PATENT_SURCHARGE_BP[m],
    };
  }
  return { state: "lapsed", deadline, graceEnd: end, lapsedFrom: addDays(deadline, 1) };
}

/**
 * A patent's fee state on `today`, given the last fee year paid. When the next year would start
 * at or after the statutory expiry no fee is due and the state runs to expiry.
 */
export function patentFeeState(input: {
  filingDate: string;
  expiry: string;
  paidThroughYear: number;
  today: string;
}): FeeState {
  const nextYear = input.paidThroughYear + 1;
  const yearStart = addYearsClamped(input.filingDate, nextYear - 1);
  if (yearStart >= input.expiry) {
    if (input.today >= input.expiry) return { state: "expired", expiry: input.expiry };
    return {
      state: "paid",
      deadline: input.expiry,
      daysUntil: daysBetween(input.today, input.expiry),
    };
  }
  return dueState(patentFeeDeadline(input.filingDate, nextYear), input.today, input.expiry);
}

/** The fee year that contains `date` (year 1 starts on the filing date). */
export function feeYearOn(filingDate: string, date: string): number {
  let k = 1;
  while (addYearsClamped(filingDate, k) <= date) k++;
  return k;
}

/**
 * A trademark's renewal state on `today`. `expiry` is the day the registration ends
 * (`trademarkExpiry`); the renewal window opens 12 months before; the grace ends 6 months after.
 * The last day to renew on time is the day before expiry.
 */
export function trademarkRenewalState(
  expiry: string,
  today: string,
): FeeState & {
  windowOpens: string;
} {
  const windowOpens = addMonthsClamped(expiry, -TRADEMARK_RENEWAL_WINDOW_MONTHS);
  const deadline = addDays(expiry, -1);
  if (today <= deadline) {
    const daysUntil = daysBetween(today, deadline);
    return daysUntil <= FEE_DUE_SOON_DAYS
      ? { state: "due_soon", deadline, daysUntil, windowOpens }
      : { state: "paid", deadline, daysUntil, windowOpens };
  }
  const end = graceEnd(deadline);
  const m = lateMonth(deadline, today);
  if (m !== null) {
    return { state: "grace", deadline, graceEnd: end, lateMonth: m, surchargeBp: 0, windowOpens };
  }
  return { state: "lapsed", deadline, graceEnd: end, lapsedFrom: expiry, windowOpens };
}

/** Whether the asset still counts as collateral given its fee state and recorded legal status. */
export function countsAsCollateral(fee: FeeState, legalStatus: string): boolean {
  if (["lapsed", "invalidated", "expired", "cancelled"].includes(legalStatus)) return false;
  return fee.state !== "lapsed" && fee.state !== "expired";
}

/** The restoration window after a lapse notice dated `noticeDate` (恢复权利请求期限). */
export function restorationDeadline(noticeDate: string): string {
  return addMonthsClamped(noticeDate, RESTORATION_MONTHS);
}
