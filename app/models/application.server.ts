/**
 * Applications and their workflow (docs/domain.md#workflow). Every transition is one
 * transaction that
 *   1. reads the application within the actor's scope (a firm its own, a bank those to its own
 *      products; anything else is "not found"),
 *   2. asks app/domain/application.ts whether the actor may do it and whether the numbers pass,
 *   3. moves the state with UPDATE … WHERE id = ? AND state = ? AND version = ? (zero rows: someone
 *      else changed it first → ConflictError),
 *   4. writes its side effects (quota, pledge locks, ledger, totals), the audit row and the other
 *      side's notifications.
 *
 * Quota: approval reserves the approved amount (a conditional UPDATE that never lets
 * quota_remaining_fen go below zero); rejection after approval returns it; a disbursement below
 * the approved amount returns the difference. Repayment does not restore quota: the quota is the
 * product's lending programme, not a revolving line. Every quota change bumps loan_products.version
 * so a product edit based on an older read is refused instead of overwriting the new remainder.
 *
 * Pledge locks: one pledge_locks row per asset (asset_id is the primary key) from approval until
 * the pledge ends — on rejection, repayment, or after a default once the disposal's sale is
 * recorded or the bank releases the pledge (app/models/pledge-locks.server.ts, decision 022).
 * Recording a default (recordLoanDefault) closes the loan with its loss and keeps the locks: the
 * bank then claims on the pool and lists the pledged IP for disposal (docs/domain.md#disposal).
 *
 * The code lives in app/models/application/: shared (actor, scoped reads), draft (the firm's side),
 * transitions, thread (comments) and read (lists and the detail page).
 */
export { ApplicationProblemsError, applicationNotFound } from "./application/shared.server";
export type { Actor } from "./application/shared.server";
export { createApplicationDraft, updateDraft } from "./application/draft.server";
export type { DraftEdit, DraftInput } from "./application/draft.server";
export {
  approveApplication,
  disburseApplication,
  recordDefault,
  recordRepayment,
  registerPledge,
  rejectApplication,
  startReview,
  submitApplication,
  withdrawApplication,
} from "./application/transitions.server";
export { reverseLedgerEntry } from "./application/reversal.server";
export type { ApprovalDecision } from "./application/transitions.server";
export { MAX_COMMENT_LENGTH, addComment } from "./application/thread.server";
export {
  APPLICATIONS_PAGE_SIZE,
  getApplicableProduct,
  getApplicationDetail,
  getApplicationRow,
  getFirmRequestTerms,
  listBankApplications,
  listFirmApplications,
  listPledgeableAssets,
  pledgeOverviewOfApplications,
  previewApproval,
  suggestCollateral,
} from "./application/read.server";
export type {
  ApplicationAssetView,
  ApplicationDetail,
  ApplicationListRow,
  PledgeOverview,
  CommentView,
  TimelineItem,
} from "./application/read.server";
