import { reconcileTotals } from "../../../app/models/ledger.server";
import { reconcileRiskSharing } from "../../../app/models/risk-sharing/reconcile.server";
import { reconcileServicing } from "../../../app/models/servicing/loan.server";
import { createDb } from "../../../app/utils/db.server";

/**
 * After an e2e file has driven the app through the browser, its database must still reconcile:
 * the deal ledger against the rollups, the loans against their repayment entries, and the risk
 * pools, claims and subsidy budgets against theirs (what `npm run reconcile` checks). Returns the
 * drifts found, empty when the books balance.
 */
export async function booksDrift(databaseUrl: string): Promise<string[]> {
  const handle = createDb(databaseUrl);
  try {
    const deals = await reconcileTotals(handle.db);
    const servicing = await reconcileServicing(handle.db);
    const risk = await reconcileRiskSharing(handle.db);
    const drifts: string[] = [];
    if (deals.driftFen !== 0 || deals.driftCount !== 0) {
      drifts.push(`deal ledger: ${deals.driftFen} fen, ${deals.driftCount} counts`);
    }
    if (deals.mismatchedApplications.length) {
      drifts.push(`applications without one disbursement: ${deals.mismatchedApplications}`);
    }
    if (servicing.outstanding_drift_fen !== 0 || servicing.repayment_drift_fen !== 0) {
      drifts.push(`servicing: ${servicing.drifts.join(", ")}`);
    }
    for (const k of ["pool_drift_fen", "claim_drift_fen", "subsidy_drift_fen"] as const) {
      if (risk[k] !== 0) drifts.push(`risk sharing ${k}: ${risk[k]}`);
    }
    return drifts;
  } finally {
    await handle.db.destroy();
  }
}
