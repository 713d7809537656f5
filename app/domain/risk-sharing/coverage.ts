import { isRegionCode } from "../regions";
import { message, type Message } from "../message";
import { sharesProblems, WHOLE_BP, type LossShares } from "./shares";

/**
 * A risk-compensation pool's rules (docs/domain.md#risk-pools). The leverage cap is a multiple in
 * bp (189400 = 18.94×): the covered outstanding of all loans may not exceed the pool's balance
 * times the multiple.
 */
export interface PoolRules {
  shares: LossShares;
  /** The most of one loan's outstanding principal the pool covers. */
  perLoanCapFen: number;
  leverageMultipleBp: number;
  /** Days of unpaid interest a claim may add to the principal (0: principal only). */
  interestDaysAllowed: number;
  productIds: readonly number[];
  /** 盟市 codes; empty means every 盟市. */
  regionCodes: readonly string[];
}

/** The most days of interest a pool may allow; a year of 360 days (docs/domain.md#claims). */
export const MAX_INTEREST_DAYS = 360;

export function poolRulesProblems(rules: PoolRules): Message[] {
  const problems = sharesProblems(rules.shares);
  if (!Number.isSafeInteger(rules.perLoanCapFen) || rules.perLoanCapFen <= 0) {
    problems.push(message("risk:validation.capNotPositive", { capFen: rules.perLoanCapFen }));
  }
  if (!Number.isSafeInteger(rules.leverageMultipleBp) || rules.leverageMultipleBp <= 0) {
    problems.push(
      message("risk:validation.leverageNotPositive", {
        multiple: rules.leverageMultipleBp / WHOLE_BP,
      }),
    );
  }
  if (
    !Number.isSafeInteger(rules.interestDaysAllowed) ||
    rules.interestDaysAllowed < 0 ||
    rules.interestDaysAllowed > MAX_INTEREST_DAYS
  ) {
    problems.push(
      message("risk:validation.interestDaysOutOfRange", {
        days: rules.interestDaysAllowed,
        maxDays: MAX_INTEREST_DAYS,
      }),
    );
  }
  if (rules.productIds.length === 0) problems.push(message("risk:validation.noProducts"));
  const badRegions = rules.regionCodes.filter((c) => !isRegionCode(c));
  if (badRegions.length > 0) {
    problems.push(message("risk:validation.unknownRegions", { regions: badRegions }));
  }
  return problems;
}

/** What the pool can carry: balance × multiple, floored to the fen. */
export function leverageLimitFen(balanceFen: number, leverageMultipleBp: number): number {
  if (balanceFen <= 0) return 0;
  return Number((BigInt(balanceFen) * BigInt(leverageMultipleBp)) / BigInt(WHOLE_BP));
}

/** The part of a loan's outstanding principal the pool covers: min(outstanding, per-loan cap). */
export function coveredFen(outstandingPrincipalFen: number, perLoanCapFen: number): number {
  return Math.max(0, Math.min(outstandingPrincipalFen, perLoanCapFen));
}

export interface CoverageLoan {
  productId: number;
  regionCode: string;
  principalFen: number;
}

export interface PoolState {
  balanceFen: number;
  /** Covered outstanding of the loans already reserved. */
  exposureFen: number;
}

export type CoverageDecision =
  | { covered: true; reservedFen: number }
  | { covered: false; reason: "product" | "region" }
  | { covered: false; reason: "leverage"; message: Message };

/**
 * Reservation at disbursement (docs/domain.md#risk-pools): a loan of a covered product in a
 * covered 盟市 reserves min(principal, per-loan cap); refused when the exposure would pass the
 * leverage limit. A loan outside the pool's products or 盟市 is simply not covered.
 */
export function decideCoverage(
  rules: PoolRules,
  pool: PoolState,
  loan: CoverageLoan,
): CoverageDecision {
  if (!rules.productIds.includes(loan.productId)) return { covered: false, reason: "product" };
  if (rules.regionCodes.length > 0 && !rules.regionCodes.includes(loan.regionCode)) {
    return { covered: false, reason: "region" };
  }
  const reservedFen = coveredFen(loan.principalFen, rules.perLoanCapFen);
  const limitFen = leverageLimitFen(pool.balanceFen, rules.leverageMultipleBp);
  if (pool.exposureFen + reservedFen > limitFen) {
    return {
      covered: false,
      reason: "leverage",
      message: message("risk:validation.leverageExceeded", {
        reservedFen,
        exposureFen: pool.exposureFen,
        limitFen,
        multiple: rules.leverageMultipleBp / WHOLE_BP,
      }),
    };
  }
  return { covered: true, reservedFen };
}

/**
 * The reservation after a repayment: it follows the outstanding principal down (never up), so
 * the release is what the repayment took below the cap. 1,000,000 outstanding under a 600,000
 * cap reserves 600,000; repaying 300,000 leaves 700,000 outstanding and releases nothing;
 * repaying 300,000 more leaves 400,000 and releases 200,000.
 */
export function releaseOnRepayment(
  reservedFen: number,
  outstandingAfterFen: number,
  perLoanCapFen: number,
): { reservedFen: number; releasedFen: number } {
  const next = Math.min(reservedFen, coveredFen(outstandingAfterFen, perLoanCapFen));
  return { reservedFen: next, releasedFen: reservedFen - next };
}

/** Leverage as bp of a whole multiple (exposure ÷ balance); null when the pool is empty. */
export function leverageBp(exposureFen: number, balanceFen: number): number | null {
  if (balanceFen <= 0) return null;
  return Math.round((exposureFen * WHOLE_BP) / balanceFen);
}
