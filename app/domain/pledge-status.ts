/**
 * What a bank officer needs to see of an application's pledged assets at a glance: where each
 * asset's formal appraisal stands today (docs/domain.md#appraisal), and so whether the
 * application can be approved as it stands. The coverage itself is collateralCoverage
 * (app/domain/coverage.ts), the very function the approval check calls.
 */

import { isWithinValidity } from "./valuation/formal";

/** In the order an officer reads them: nothing yet → signed and valid today. */
export const APPRAISAL_STATUSES = ["none", "expired", "ordered", "paid", "signed"] as const;
export type AppraisalStatus = (typeof APPRAISAL_STATUSES)[number];

/**
 * One asset's appraisal status on `day`: "signed" when a formal value is valid on the day
 * (validUntil inclusive); else the open order holding it — "paid" once the fee is received
 * (paid, in progress), "ordered" before (awaiting payment, payment failed); else "expired" when an
 * earlier appraisal has run out; else "none".
 */
export function assetAppraisalStatus(
  asset: { formalValueFen: number | null; formalValidUntil: string | null },
  openOrderStatus: string | null,
  day: string,
): AppraisalStatus {
  if (asset.formalValueFen !== null && isWithinValidity(asset.formalValidUntil, day)) {
    return "signed";
  }
  if (openOrderStatus === "paid" || openOrderStatus === "in_progress") return "paid";
  if (openOrderStatus === "awaiting_payment" || openOrderStatus === "payment_failed") {
    return "ordered";
  }
  if (asset.formalValueFen !== null && asset.formalValidUntil !== null) return "expired";
  return "none";
}

/** How many pledged assets are in each status, in APPRAISAL_STATUSES order, zeros left out. */
export function appraisalStatusCounts(
  statuses: readonly AppraisalStatus[],
): Array<{ status: AppraisalStatus; count: number }> {
  return APPRAISAL_STATUSES.map((status) => ({
    status,
    count: statuses.filter((s) => s === status).length,
  })).filter((c) => c.count > 0);
}
