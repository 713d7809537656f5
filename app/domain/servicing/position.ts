import { addDays, daysBetween } from "../ip";
import { message, type Message } from "../message";
import {
  dailyInterestFen,
  monthlyInterestFen,
  type Instalment,
  type RepaymentMethod,
} from "./schedule";

/**
 * Where a loan stands: its schedule against the repayments posted (docs/domain.md#servicing,
 * decision 010). Pure: the same schedule and repayments always give the same position, so the
 * model recomputes it inside the posting transaction and reconcile recomputes it again.
 *
 * Allocation of a payment on day d:
 * 1. unpaid interest of instalments due on or before d, oldest first;
 * 2. unpaid principal of instalments due on or before d, oldest first;
 * 3. the rest repays principal early (提前还款). It shortens the term (缩期): it comes off the
 *    last instalments' principal, and the interest of every period starting on or after d is
 *    charged on the reduced balance; the current period's interest stays on its opening balance.
 * 4. Or, when the rest equals the outstanding principal plus the interest accrued since the
 *    current period began (daily rate × actual days), the loan is settled in full (提前结清):
 *    the remaining scheduled interest is not owed.
 * A payment larger than what settles the loan is refused. Penalty interest (罚息) on overdue
 * amounts is not computed here (decision 010 explains why).
 */

export type RepaymentKind = "scheduled" | "partial" | "early" | "settlement";

export interface LoanTerms {
  method: RepaymentMethod;
  principalFen: number;
  annualRateBp: number;
  /** Value date of the disbursement. */
  startDate: string;
  schedule: readonly Instalment[];
}

export interface PostedRepayment {
  valueDate: string;
  principalFen: number;
  interestFen: number;
  kind: RepaymentKind;
}

export interface InstalmentPosition {
  seq: number;
  dueDate: string;
  /** Scheduled principal less early repayments taken off it. */
  principalDueFen: number;
  interestDueFen: number;
  principalPaidFen: number;
  interestPaidFen: number;
  /** Nothing left to pay on it. */
  paid: boolean;
}

export interface LoanPosition {
  asOf: string;
  instalments: InstalmentPosition[];
  outstandingPrincipalFen: number;
  principalRepaidFen: number;
  interestRepaidFen: number;
  /** Unpaid amounts of instalments due on or before asOf (payable today). */
  duePrincipalFen: number;
  dueInterestFen: number;
  /** Unpaid amounts of instalments due before asOf (overdue). */
  overduePrincipalFen: number;
  overdueInterestFen: number;
  /** Days since the oldest instalment still unpaid fell due; 0 when none is overdue. */
  daysPastDue: number;
  /** The oldest overdue instalment's due date, or null. */
  oldestOverdueDate: string | null;
  /** Interest accrued in the current period (for settling early), at the daily rate. */
  accruedInterestFen: number;
  /** Outstanding principal + due interest + accrued interest: the amount that settles the loan. */
  settlementFen: number;
  settled: boolean;
  /** Nothing more is owed (settled, or every instalment paid). */
  closed: boolean;
  lastValueDate: string | null;
  nextDue: { seq: number; dueDate: string; amountFen: number } | null;
}

interface Sim {
  principalDue: number[];
  interestDue: (number | null)[];
  principalPaid: number[];
  interestPaid: number[];
  prepayments: { date: string; fen: number }[];
  settledOn: string | null;
}

function periodStart(terms: LoanTerms, i: number): string {
  return i === 0 ? terms.startDate : terms.schedule[i - 1].dueDate;
}

function prepaidOnOrBefore(sim: Sim, date: string): number {
  let s = 0;
  for (const p of sim.prepayments) if (p.date <= date) s += p.fen;
  return s;
}

/** Interest of a bullet loan's only period, day by day on the balance after each prepayment. */
function bulletInterest(terms: LoanTerms, sim: Sim, until: string): number {
  let balance = terms.principalFen;
  let from = terms.startDate;
  let interest = 0;
  for (const p of [...sim.prepayments].sort((a, b) => (a.date < b.date ? -1 : 1))) {
    if (p.date >= until) break;
    interest += dailyInterestFen(balance, terms.annualRateBp, daysBetween(from, p.date));
    balance -= p.fen;
    from = p.date;
  }
  return interest + dailyInterestFen(balance, terms.annualRateBp, daysBetween(from, until));
}

/**
 * The interest of instalment i: on the opening balance less the early repayments made by the
 * period's first day (docs/domain.md#servicing); a settlement fixes it for the periods after.
 */
function interestDueOf(terms: LoanTerms, sim: Sim, i: number): number {
  const fixed = sim.interestDue[i];
  if (fixed !== null) return fixed;
  const inst = terms.schedule[i];
  if (sim.settledOn !== null && inst.dueDate > sim.settledOn) return 0;
  if (terms.method === "bullet") return bulletInterest(terms, sim, inst.dueDate);
  const opening = Math.max(
    0,
    inst.openingPrincipalFen - prepaidOnOrBefore(sim, periodStart(terms, i)),
  );
  return monthlyInterestFen(opening, terms.annualRateBp);
}

function newSim(terms: LoanTerms): Sim {
  const n = terms.schedule.length;
  return {
    principalDue: terms.schedule.map((r) => r.principalFen),
    interestDue: Array.from({ length: n }, () => null),
    principalPaid: Array.from({ length: n }, () => 0),
    interestPaid: Array.from({ length: n }, () => 0),
    prepayments: [],
    settledOn: null,
  };
}

/** Index of the instalment whose period contains `date` (start < date ≤ due), or −1 after all. */
function currentIndex(terms: LoanTerms, date: string): number {
  return terms.schedule.findIndex((r) => r.dueDate >= date);
}

function accruedInterest(terms: LoanTerms, sim: Sim, date: string): number {
  const i = currentIndex(terms, date);
  if (i < 0) return 0;
  if (sim.settledOn !== null) return 0;
  const start = periodStart(terms, i);
  if (terms.method === "bullet") return bulletInterest(terms, sim, date);
  const balance = terms.schedule
    .slice(i)
    .reduce((s, _r, j) => s + sim.principalDue[i + j] - sim.principalPaid[i + j], 0);
  const opening = Math.max(
    0,
    terms.schedule[i].openingPrincipalFen - prepaidOnOrBefore(sim, start),
  );
  // The day a prepayment was made the balance dropped; accrue on the balance still owed, capped by
  // the opening balance the period's interest was fixed on.
  return dailyInterestFen(Math.min(balance, opening), terms.annualRateBp, daysBetween(start, date));
}

function apply(terms: LoanTerms, sim: Sim, r: PostedRepayment): void {
  const n = terms.schedule.length;
  let interest = r.interestFen;
  for (let i = 0; i < n && interest > 0; i++) {
    if (terms.schedule[i].dueDate > r.valueDate) break;
    const take = Math.min(interest, interestDueOf(terms, sim, i) - sim.interestPaid[i]);
    if (take > 0) {
      sim.interestPaid[i] += take;
      interest -= take;
    }
  }
  let principal = r.principalFen;
  for (let i = 0; i < n && principal > 0; i++) {
    if (terms.schedule[i].dueDate > r.valueDate) break;
    const take = Math.min(principal, sim.principalDue[i] - sim.principalPaid[i]);
    if (take > 0) {
      sim.principalPaid[i] += take;
      principal -= take;
    }
  }
  if (r.kind === "settlement") {
    // Everything not yet due is paid now; the accrued interest goes on the current instalment.
    const cur = currentIndex(terms, r.valueDate);
    for (let i = 0; i < n; i++) {
      if (terms.schedule[i].dueDate <= r.valueDate) continue;
      sim.principalPaid[i] = sim.principalDue[i];
      principal -= sim.principalDue[i];
      sim.interestDue[i] = i === cur ? interest : 0;
      sim.interestPaid[i] = sim.interestDue[i] ?? 0;
    }
    sim.settledOn = r.valueDate;
    return;
  }
  if (principal > 0) {
    sim.prepayments.push({ date: r.valueDate, fen: principal });
    for (let i = n - 1; i >= 0 && principal > 0; i--) {
      if (terms.schedule[i].dueDate <= r.valueDate) break;
      const take = Math.min(principal, sim.principalDue[i] - sim.principalPaid[i]);
      sim.principalDue[i] -= take;
      principal -= take;
    }
  }
}

/** The position on `asOf`, counting the repayments valued on or before it. */
export function loanPosition(
  terms: LoanTerms,
  repayments: readonly PostedRepayment[],
  asOf: string,
): LoanPosition {
  const sim = newSim(terms);
  const counted = repayments
    .filter((r) => r.valueDate <= asOf)
    .slice()
    .sort((a, b) => (a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : 0));
  let principalRepaid = 0;
  let interestRepaid = 0;
  for (const r of counted) {
    apply(terms, sim, r);
    principalRepaid += r.principalFen;
    interestRepaid += r.interestFen;
  }
  const instalments: InstalmentPosition[] = terms.schedule.map((row, i) => {
    const interestDue = interestDueOf(terms, sim, i);
    const paid = sim.principalPaid[i] >= sim.principalDue[i] && sim.interestPaid[i] >= interestDue;
    return {
      seq: row.seq,
      dueDate: row.dueDate,
      principalDueFen: sim.principalDue[i],
      interestDueFen: interestDue,
      principalPaidFen: sim.principalPaid[i],
      interestPaidFen: sim.interestPaid[i],
      paid,
    };
  });
  let duePrincipal = 0;
  let dueInterest = 0;
  let overduePrincipal = 0;
  let overdueInterest = 0;
  let oldest: string | null = null;
  for (const p of instalments) {
    if (p.dueDate > asOf) continue;
    const up = p.principalDueFen - p.principalPaidFen;
    const ui = p.interestDueFen - p.interestPaidFen;
    duePrincipal += up;
    dueInterest += ui;
    if (p.dueDate < asOf) {
      overduePrincipal += up;
      overdueInterest += ui;
      if (!p.paid && oldest === null) oldest = p.dueDate;
    }
  }
  const outstanding = terms.principalFen - principalRepaid;
  const settled = sim.settledOn !== null;
  const closed = settled || instalments.every((p) => p.paid);
  const accrued = closed ? 0 : accruedInterest(terms, sim, asOf);
  // On a due date the current period's interest is the instalment's own (already in dueInterest).
  const accruedNotDue = instalments.some((p) => p.dueDate === asOf) ? 0 : accrued;
  const next = instalments.find((p) => !p.paid && p.dueDate >= asOf) ?? null;
  return {
    asOf,
    instalments,
    outstandingPrincipalFen: outstanding,
    principalRepaidFen: principalRepaid,
    interestRepaidFen: interestRepaid,
    duePrincipalFen: duePrincipal,
    dueInterestFen: dueInterest,
    overduePrincipalFen: overduePrincipal,
    overdueInterestFen: overdueInterest,
    daysPastDue: oldest ? daysBetween(oldest, asOf) : 0,
    oldestOverdueDate: oldest,
    accruedInterestFen: accruedNotDue,
    settlementFen: closed ? 0 : outstanding + dueInterest + accruedNotDue,
    settled,
    closed,
    lastValueDate: counted.length ? counted[counted.length - 1].valueDate : null,
    nextDue: next
      ? {
          seq: next.seq,
          dueDate: next.dueDate,
          amountFen:
            next.principalDueFen -
            next.principalPaidFen +
            next.interestDueFen -
            next.interestPaidFen,
        }
      : null,
  };
}

export type RepaymentRefusal =
  | "notPositive"
  | "beforeDisbursement"
  | "inFuture"
  | "beforeLastRepayment"
  | "closed"
  | "moreThanOwed"
  | "settleExactly";

export type RepaymentPlan =
  | {
      ok: true;
      kind: RepaymentKind;
      principalFen: number;
      interestFen: number;
      /** Outstanding principal after this repayment. */
      outstandingAfterFen: number;
    }
  | { ok: false; refusal: RepaymentRefusal; message: Message; field: "amount" | "valueDate" };

function refuse(
  refusal: RepaymentRefusal,
  field: "amount" | "valueDate",
  params: Record<string, string | number> = {},
): RepaymentPlan {
  return { ok: false, refusal, field, message: message(`servicing:refusals.${refusal}`, params) };
}

/**
 * Splits a payment of `amountFen` received on `valueDate` into principal and interest, or says
 * why it cannot be taken. `today` is the China date now: a repayment cannot be dated later.
 */
export function planRepayment(
  terms: LoanTerms,
  repayments: readonly PostedRepayment[],
  amountFen: number,
  valueDate: string,
  today: string,
): RepaymentPlan {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) return refuse("notPositive", "amount");
  if (valueDate < terms.startDate) {
    return refuse("beforeDisbursement", "valueDate", { date: terms.startDate });
  }
  if (valueDate > today) return refuse("inFuture", "valueDate", { date: today });
  const last = repayments.reduce<string | null>(
    (m, r) => (m === null || r.valueDate > m ? r.valueDate : m),
    null,
  );
  // Backdating behind a later repayment would re-split history already posted and reported.
  if (last !== null && valueDate < last) {
    return refuse("beforeLastRepayment", "valueDate", { date: last });
  }
  const pos = loanPosition(terms, repayments, valueDate);
  if (pos.closed) return refuse("closed", "amount");
  const dueTotal = pos.duePrincipalFen + pos.dueInterestFen;
  if (amountFen > pos.settlementFen) {
    return refuse("moreThanOwed", "amount", { maxFen: pos.settlementFen });
  }
  const interestNow = Math.min(amountFen, pos.dueInterestFen);
  const principalDueNow = Math.min(amountFen - interestNow, pos.duePrincipalFen);
  const rest = amountFen - interestNow - principalDueNow;
  const notDuePrincipal = pos.outstandingPrincipalFen - pos.duePrincipalFen;
  if (amountFen === pos.settlementFen && (notDuePrincipal > 0 || pos.accruedInterestFen > 0)) {
    return {
      ok: true,
      kind: "settlement",
      principalFen: pos.outstandingPrincipalFen,
      interestFen: pos.dueInterestFen + pos.accruedInterestFen,
      outstandingAfterFen: 0,
    };
  }
  if (rest > notDuePrincipal) {
    return refuse("settleExactly", "amount", { settlementFen: pos.settlementFen });
  }
  const principal = principalDueNow + rest;
  const kind: RepaymentKind = rest > 0 ? "early" : amountFen < dueTotal ? "partial" : "scheduled";
  return {
    ok: true,
    kind,
    principalFen: principal,
    interestFen: interestNow,
    outstandingAfterFen: pos.outstandingPrincipalFen - principal,
  };
}

/** Due dates within `days` days after `today` of instalments still unpaid (for reminders). */
export function instalmentsDueWithin(
  position: LoanPosition,
  today: string,
  days: number,
): InstalmentPosition[] {
  const until = addDays(today, days);
  return position.instalments.filter((p) => !p.paid && p.dueDate >= today && p.dueDate <= until);
}
