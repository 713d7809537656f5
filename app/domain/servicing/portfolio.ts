import { ratioBp } from "../analytics/statistics";

/**
 * The loan book in aggregate (贷款余额, 已还金额, 逾期率, 不良率) for the home page and the report
 * (docs/domain.md#servicing). Pure: the model reads the rollups and the loan rows, this decides
 * what each figure means and how its share is worked out.
 *
 * - outstanding: principal not yet repaid, over every loan that still owes some (a defaulted loan
 *   stays in the balance until it is written off: its loss is principal still owed);
 * - repaid: principal and interest repaid, net of reversals;
 * - overdue: the whole outstanding principal of open loans with any instalment past due (逾期贷款
 *   余额, not only the overdue instalments), the /bank/loans "overdue" tab;
 * - non_performing: the outstanding principal of loans classified 次级, 可疑 or 损失, including
 *   defaulted loans, the /bank/loans "non-performing" tab.
 * Shares are of the outstanding balance, in bp, rounded half up; none when nothing is outstanding.
 */
export const PORTFOLIO_MEASURES = ["outstanding", "repaid", "overdue", "non_performing"] as const;
export type PortfolioMeasure = (typeof PORTFOLIO_MEASURES)[number];

export function isPortfolioMeasure(v: unknown): v is PortfolioMeasure {
  return typeof v === "string" && (PORTFOLIO_MEASURES as readonly string[]).includes(v);
}

export interface PortfolioAmounts {
  outstandingFen: number;
  principalRepaidFen: number;
  interestRepaidFen: number;
  overdueFen: number;
  nonPerformingFen: number;
}

export interface PortfolioFigures extends PortfolioAmounts {
  repaidFen: number;
  overdueShareBp: number | null;
  nonPerformingShareBp: number | null;
}

export const NO_AMOUNTS: PortfolioAmounts = {
  outstandingFen: 0,
  principalRepaidFen: 0,
  interestRepaidFen: 0,
  overdueFen: 0,
  nonPerformingFen: 0,
};

export function portfolioFigures(a: PortfolioAmounts): PortfolioFigures {
  return {
    ...a,
    repaidFen: a.principalRepaidFen + a.interestRepaidFen,
    overdueShareBp: ratioBp(a.overdueFen, a.outstandingFen),
    nonPerformingShareBp: ratioBp(a.nonPerformingFen, a.outstandingFen),
  };
}

/** The drill-down's address for one figure: the loans it was summed from. */
export function portfolioLoansHref(
  measure: PortfolioMeasure,
  filter: { region?: string; bank?: number } = {},
): string {
  const q = new URLSearchParams({ measure });
  if (filter.region) q.set("region", filter.region);
  if (filter.bank !== undefined) q.set("bank", String(filter.bank));
  return `/report/loans?${q.toString()}`;
}
