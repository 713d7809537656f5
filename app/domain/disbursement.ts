import type { ApplicationState } from "./application";

/**
 * A disbursement, its reversal and the corrected disbursement after it (docs/domain.md#disbursement,
 * decision 021). Pure rules over an application's ledger entries; the models read the rows and
 * write what these functions decide.
 *
 * Every disbursement entry fills one slot of its application: the first slot
 * (ledger_entries.disbursement_key = the application) or the slot a reversal opened
 * (after_reversal_id = that reversal). Both keys are unique, so two disbursements can never fill
 * one slot; a reversal opens exactly one slot and reverses exactly one entry, so an application
 * has at most one standing (unreversed) disbursement at any time.
 */

/** One ledger entry of an application, as far as these rules need it. */
export interface LedgerFact {
  id: number;
  entryType: "disbursement" | "reversal";
  reversesEntryId: number | null;
  amountFen: number;
}

export type DisbursementSlot =
  /** Never disbursed: the next disbursement is the first (disbursement_key). */
  | { kind: "first" }
  /** Every disbursement so far was reversed: the next names the latest reversal. */
  | { kind: "after_reversal"; reversalId: number; reversedEntryId: number; reversedFen: number }
  /** A disbursement stands: no other may be entered until it is reversed. */
  | { kind: "taken"; entryId: number };

/** Where the application's next disbursement goes, from its ledger entries (any order). */
export function nextDisbursementSlot(entries: readonly LedgerFact[]): DisbursementSlot {
  const reversalOf = new Map<number, LedgerFact>();
  for (const e of entries) {
    if (e.entryType === "reversal" && e.reversesEntryId !== null)
      reversalOf.set(e.reversesEntryId, e);
  }
  const disbursements = entries
    .filter((e) => e.entryType === "disbursement")
    .sort((a, b) => a.id - b.id);
  if (disbursements.length === 0) return { kind: "first" };
  const standing = disbursements.filter((d) => !reversalOf.has(d.id));
  if (standing.length > 0) return { kind: "taken", entryId: standing[standing.length - 1].id };
  const last = disbursements[disbursements.length - 1];
  const reversal = reversalOf.get(last.id)!;
  return {
    kind: "after_reversal",
    reversalId: reversal.id,
    reversedEntryId: last.id,
    reversedFen: last.amountFen,
  };
}

/**
 * The product quota an application awaiting disbursement holds: the approved amount reserved at
 * approval or, after a reversal, the amount of the disbursement reversed (a reversal leaves the
 * quota as it is, so it can never fail for want of quota nor push the remainder below zero).
 */
export function quotaHeldFen(approvedFen: number, slot: DisbursementSlot): number {
  return slot.kind === "after_reversal" ? slot.reversedFen : approvedFen;
}

/**
 * The change to the product's remaining quota when `amountFen` is disbursed against what the
 * application holds: positive is returned to the quota, negative must still be taken from it
 * (a corrected disbursement larger than the one reversed, up to the approved amount).
 */
export function quotaChangeOnDisbursement(heldFen: number, amountFen: number): number {
  return heldFen - amountFen;
}

/** What the reversal of a disbursement depends on, read under the loan's lock. */
export interface ReversalFacts {
  /** The application's state. */
  state: ApplicationState;
  /** The loan account's status, or null when the deal has none (disbursed before servicing). */
  loanStatus: "open" | "closed" | "defaulted" | null;
  /** Repayments posted and not reversed. */
  standingRepayments: number;
  /** 贴息 claims on the loan not rejected. */
  subsidyClaims: number;
}

export interface ReversalRefusal {
  key: string;
  params: Record<string, string | number>;
}

/**
 * Whether the standing disbursement of an application may be reversed: only while the loan is
 * open and untouched — nothing repaid that still stands (reverse the repayments first, latest
 * first), no 贴息 claimed on it. A repaid or defaulted loan's disbursement stays.
 */
export function reversalRefusal(f: ReversalFacts): ReversalRefusal | null {
  if (f.state !== "disbursed" || (f.loanStatus !== null && f.loanStatus !== "open")) {
    return { key: "applications:errors.reverseClosedLoan", params: { state: f.state } };
  }
  if (f.standingRepayments > 0) {
    return {
      key: "applications:errors.reverseRepaymentsFirst",
      params: { count: f.standingRepayments },
    };
  }
  if (f.subsidyClaims > 0) {
    return { key: "applications:errors.reverseSubsidised", params: { count: f.subsidyClaims } };
  }
  return null;
}
