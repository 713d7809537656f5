import type { Executor } from "../ledger.server";

/**
 * Recomputes the cached risk-sharing totals from their entries (docs/domain.md#risk-pools):
 * - pool: balance, contributed, paid and recovered from risk_pool_entries; exposure from the
 *   active reservations;
 * - claim: each decided claim's payouts sum to its approved amount, and its pool payout entry
 *   equals its pool part;
 * - subsidy: programme paid = Σ payouts, committed = Σ pending and approved claims, each firm-year
 *   committed = Σ its claims, and approved claims have exactly their payout.
 * Each drift is a sum of absolute differences in fen: 0 when everything agrees.
 */
export interface RiskReconcileReport {
  pool_drift_fen: number;
  claim_drift_fen: number;
  subsidy_drift_fen: number;
  pools_checked: number;
  pool_entries_checked: number;
  claims_checked: number;
  subsidy_programmes_checked: number;
  subsidy_claims_checked: number;
}

const n = (v: unknown) => Number(v ?? 0);

export async function reconcileRiskSharing(db: Executor): Promise<RiskReconcileReport> {
  const pools = await db.selectFrom("risk_pools").selectAll().execute();
  const entries = await db
    .selectFrom("risk_pool_entries")
    .select(["pool_id", "entry_type", "amount_fen", "claim_id"])
    .execute();
  const reservations = await db
    .selectFrom("risk_reservations")
    .select(["pool_id", "reserved_fen", "state"])
    .execute();
  let poolDrift = 0;
  for (const p of pools) {
    const mine = entries.filter((e) => e.pool_id === p.id);
    const sum = (type?: string) =>
      mine.filter((e) => !type || e.entry_type === type).reduce((s, e) => s + n(e.amount_fen), 0);
    const exposure = reservations
      .filter((r) => r.pool_id === p.id && r.state === "active")
      .reduce((s, r) => s + n(r.reserved_fen), 0);
    poolDrift +=
      Math.abs(n(p.balance_fen) - sum()) +
      Math.abs(n(p.contributed_fen) - sum("contribution")) +
      Math.abs(n(p.paid_fen) + sum("payout")) +
      Math.abs(n(p.recovered_fen) - sum("recovery")) +
      Math.abs(n(p.exposure_fen) - exposure);
  }

  const claims = await db
    .selectFrom("risk_claims")
    .select(["id", "state", "approved_fen"])
    .execute();
  const payouts = await db
    .selectFrom("risk_claim_payouts")
    .select(["claim_id", "party", "amount_fen"])
    .execute();
  let claimDrift = 0;
  for (const c of claims) {
    const mine = payouts.filter((p) => p.claim_id === c.id);
    const paid = mine.reduce((s, p) => s + n(p.amount_fen), 0);
    const expected =
      c.state === "approved" || c.state === "partially_approved" ? n(c.approved_fen) : 0;
    const poolPart = mine
      .filter((p) => p.party === "pool")
      .reduce((s, p) => s + n(p.amount_fen), 0);
    const poolEntry = entries
      .filter((e) => e.entry_type === "payout" && e.claim_id === c.id)
      .reduce((s, e) => s - n(e.amount_fen), 0);
    claimDrift += Math.abs(paid - expected) + Math.abs(poolPart - poolEntry);
  }

  const programmes = await db.selectFrom("subsidy_programmes").selectAll().execute();
  const sclaims = await db
    .selectFrom("subsidy_claims")
    .select(["id", "programme_id", "firm_org_id", "year", "state", "amount_fen"])
    .execute();
  const spayouts = await db
    .selectFrom("subsidy_payouts")
    .select(["claim_id", "programme_id", "amount_fen"])
    .execute();
  const years = await db.selectFrom("subsidy_firm_years").selectAll().execute();
  let subsidyDrift = 0;
  for (const p of programmes) {
    const paid = spayouts
      .filter((x) => x.programme_id === p.id)
      .reduce((s, x) => s + n(x.amount_fen), 0);
    const committed = sclaims
      .filter((c) => c.programme_id === p.id && c.state !== "rejected")
      .reduce((s, c) => s + n(c.amount_fen), 0);
    subsidyDrift += Math.abs(n(p.paid_fen) - paid) + Math.abs(n(p.committed_fen) - committed);
    if (committed > n(p.budget_fen)) subsidyDrift += committed - n(p.budget_fen);
  }
  for (const y of years) {
    const committed = sclaims
      .filter(
        (c) =>
          c.programme_id === y.programme_id &&
          c.firm_org_id === y.firm_org_id &&
          c.year === y.year &&
          c.state !== "rejected",
      )
      .reduce((s, c) => s + n(c.amount_fen), 0);
    subsidyDrift += Math.abs(n(y.committed_fen) - committed);
  }
  for (const c of sclaims) {
    const paid = spayouts
      .filter((x) => x.claim_id === c.id)
      .reduce((s, x) => s + n(x.amount_fen), 0);
    subsidyDrift += Math.abs(paid - (c.state === "approved" ? n(c.amount_fen) : 0));
  }

  return {
    pool_drift_fen: poolDrift,
    claim_drift_fen: claimDrift,
    subsidy_drift_fen: subsidyDrift,
    pools_checked: pools.length,
    pool_entries_checked: entries.length,
    claims_checked: claims.length,
    subsidy_programmes_checked: programmes.length,
    subsidy_claims_checked: sclaims.length,
  };
}
