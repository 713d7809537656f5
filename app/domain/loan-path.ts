/**
 * The path from a new firm to an approved loan, as its dashboard checklist shows it (issue 10):
 * profile → IP listed → estimate → financing request → matches → formal appraisal → application
 * submitted → approved. Each step is done or not from the firm's own rows (the model counts them,
 * see app/models/loan-path.server.ts); the first step not done is the next action, with one link.
 * Pure (docs/domain.md#loan-path).
 */

export const LOAN_PATH_STEPS = [
  "profile",
  "asset",
  "estimate",
  "request",
  "matches",
  "appraisal",
  "submitted",
  "approved",
] as const;
export type LoanPathStep = (typeof LOAN_PATH_STEPS)[number];

/** What the model reads of the firm's rows. Ids choose the most useful link; null when none. */
export interface LoanPathFacts {
  /** USCC, 盟市 of operation, industry and contact person are all filled in. */
  profileComplete: boolean;
  assetCount: number;
  /** The first asset (by id) without any saved quick estimate. */
  firstUnestimatedAssetId: number | null;
  estimateCount: number;
  /** The firm's newest open financing request. */
  latestOpenRequestId: number | null;
  /** Products of that request in the state 可直接申请 / 需正式评估 (the match page's engine). */
  readyProducts: number;
  appraisalProducts: number;
  /** Assets with a formal value valid today. */
  validAppraisals: number;
  /** Appraisal orders paid or being worked on (the valuer has not signed yet). */
  openAppraisalOrders: number;
  /** The newest draft application, if any. */
  draftApplicationId: number | null;
  /** The newest application submitted or further along (submitted, under review, approved, …). */
  submittedApplicationId: number | null;
  /** The newest application approved or further along (approved, pledge registered, disbursed, …). */
  approvedApplicationId: number | null;
}

export interface LoanPathItem {
  step: LoanPathStep;
  done: boolean;
  /** Where to go to do (or look at) this step. */
  href: string;
}

export interface LoanPath {
  items: LoanPathItem[];
  /** The first step not done; null when the loan is approved. */
  next: LoanPathItem | null;
  doneCount: number;
}

function done(step: LoanPathStep, f: LoanPathFacts): boolean {
  switch (step) {
    case "profile":
      return f.profileComplete;
    case "asset":
      return f.assetCount > 0;
    case "estimate":
      return f.estimateCount > 0;
    case "request":
      // An application implies a request, even when the request has since been closed.
      return f.latestOpenRequestId !== null || f.submittedApplicationId !== null;
    case "matches":
      return f.readyProducts + f.appraisalProducts > 0 || f.submittedApplicationId !== null;
    case "appraisal":
      // A product the firm can apply to today means its formal values already suffice.
      return (
        f.validAppraisals > 0 &&
        (f.readyProducts > 0 || f.submittedApplicationId !== null || f.latestOpenRequestId === null)
      );
    case "submitted":
      return f.submittedApplicationId !== null;
    case "approved":
      return f.approvedApplicationId !== null;
  }
}

function href(step: LoanPathStep, f: LoanPathFacts): string {
  const request = f.latestOpenRequestId !== null ? `/firm/requests/${f.latestOpenRequestId}` : null;
  switch (step) {
    case "profile":
      return "/firm/profile";
    case "asset":
      return f.assetCount > 0 ? "/firm/assets" : "/firm/assets/new-patent";
    case "estimate":
      return f.firstUnestimatedAssetId !== null
        ? `/firm/assets/${f.firstUnestimatedAssetId}/valuation`
        : "/firm/assets";
    case "request":
      return request ?? "/firm/requests/new";
    case "matches":
      return request ?? "/firm/requests";
    case "appraisal":
      return f.openAppraisalOrders > 0 ? "/firm/appraisals" : "/firm/appraisals/new";
    case "submitted":
      if (f.submittedApplicationId !== null)
        return `/firm/applications/${f.submittedApplicationId}`;
      if (f.draftApplicationId !== null) return `/firm/applications/${f.draftApplicationId}`;
      return request ?? "/firm/applications";
    case "approved":
      if (f.approvedApplicationId !== null) return `/firm/applications/${f.approvedApplicationId}`;
      return f.submittedApplicationId !== null
        ? `/firm/applications/${f.submittedApplicationId}`
        : "/firm/applications";
  }
}

/**
 * The checklist. A later step done marks the earlier ones done too only where the rows imply it
 * (an application implies a request); otherwise each step is judged on its own, so a firm that
 * skipped the estimate still sees it as open.
 */
export function loanPath(f: LoanPathFacts): LoanPath {
  const items = LOAN_PATH_STEPS.map((step) => ({ step, done: done(step, f), href: href(step, f) }));
  return {
    items,
    next: items.find((i) => !i.done) ?? null,
    doneCount: items.filter((i) => i.done).length,
  };
}
