/**
 * The tabs of a loan list (docs/domain.md#servicing), each a filter on the loan account row. Kept
 * out of the .server model: the page's browser code needs the list too.
 */
export const LOAN_TABS = [
  "open",
  "overdue",
  "non_performing",
  "closed",
  "defaulted",
  "all",
] as const;
export type LoanTab = (typeof LOAN_TABS)[number];
