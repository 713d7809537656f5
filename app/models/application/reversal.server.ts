import { reversalRefusal } from "../../domain/disbursement";
import type { Db } from "../../utils/db.server";
import { nowInstant } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError, UserFacingError } from "../errors";
import { insertReversalEntry, runApplicationTransaction } from "../ledger.server";
import { notifyOrganisation } from "../notification.server";
import { emitProgressChanged } from "../progress-events.server";
import { dropReservation } from "../risk-sharing/pools.server";
import { lockLoan, removeLoanAccount, standingRepaymentCount } from "../servicing/loan.server";
import { linkFor } from "./shared.server";

/**
 * Reverses a disbursement entry (admin only; the route checks the role) and returns its
 * application to pledge_registered, so the bank can enter the corrected disbursement with the
 * same action and checks as the first (docs/domain.md#disbursement, decision 021). One
 * transaction:
 *
 * 1. the loan account is locked (as every repayment posting does first) and the reversal checked:
 *    the loan open, no repayment standing, no 贴息 claimed (reversalRefusal);
 * 2. the application moves disbursed → pledge_registered (conditional on the state, so a
 *    concurrent repayment or default wins cleanly), its disbursed amount and dates cleared;
 * 3. the reversal entry and every total (ledger.server insertReversalEntry);
 * 4. the loan account and schedule are removed (the corrected disbursement opens new ones), the
 *    risk-pool reservation released;
 * 5. audit rows (ledger.reverse on the entry, application.disbursement_reversed on the deal with
 *    the removed loan in its detail) and the bank's and the firm's notifications.
 *
 * The product quota is left as it is: the application keeps holding the reversed amount, settled
 * against the corrected amount when it is disbursed (quotaHeldFen), or returned on rejection.
 */
export async function reverseLedgerEntry(
  db: Db,
  input: { entryId: number; reason: string; actorUserId: number; actorOrgId: number },
): Promise<{ reversalId: number }> {
  const reason = input.reason.trim();
  if (reason.length < 2)
    throw new UserFacingError("applications:errors.reasonRequired", {}, "reason");
  if (reason.length > 1000)
    throw new UserFacingError("applications:errors.reasonTooLong", {}, "reason");
  const result = await runApplicationTransaction(db, async (trx) => {
    const entry = await trx
      .selectFrom("ledger_entries")
      .selectAll()
      .where("id", "=", input.entryId)
      .executeTakeFirst();
    if (!entry) throw new UserFacingError("applications:errors.entryNotFound", {}, undefined, 404);
    if (entry.entry_type !== "disbursement") {
      throw new UserFacingError("applications:errors.cannotReverseReversal", {}, "entryId");
    }
    const applicationId = entry.application_id;
    // The loan first, as every repayment posting locks it: a concurrent reversal waits here and
    // then finds the entry reversed.
    const account = await lockLoan(trx, applicationId);
    const already = await trx
      .selectFrom("ledger_entries")
      .select("id")
      .where("reverses_entry_id", "=", entry.id)
      .executeTakeFirst();
    if (already) throw new ConflictError("applications:errors.alreadyReversed");
    const app = await trx
      .selectFrom("applications")
      .select(["id", "state", "firm_org_id", "bank_org_id"])
      .where("id", "=", applicationId)
      .executeTakeFirstOrThrow();
    const subsidyClaims = await trx
      .selectFrom("subsidy_claims")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("application_id", "=", applicationId)
      .where("state", "!=", "rejected")
      .executeTakeFirstOrThrow();
    const refusal = reversalRefusal({
      state: app.state,
      loanStatus: account?.status ?? null,
      standingRepayments: account ? await standingRepaymentCount(trx, applicationId) : 0,
      subsidyClaims: Number(subsidyClaims.n),
    });
    if (refusal) throw new UserFacingError(refusal.key, refusal.params, "entryId", 409);

    const now = nowInstant();
    const moved = await trx
      .updateTable("applications")
      .set((eb) => ({
        state: "pledge_registered",
        disbursed_amount_fen: null,
        disbursed_date: null,
        disbursed_at: null,
        version: eb("version", "+", 1),
        updated_at: now,
      }))
      .where("id", "=", applicationId)
      .where("state", "=", "disbursed")
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new ConflictError();

    const reversalId = await insertReversalEntry(trx, entry, {
      reason,
      actorUserId: input.actorUserId,
      actorOrgId: input.actorOrgId,
    });
    const loan = account ? await removeLoanAccount(trx, account) : null;
    const coverageReleasedFen = await dropReservation(trx, applicationId, input.actorUserId);
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: input.actorOrgId,
      action: "application.disbursement_reversed",
      entityType: "application",
      entityId: applicationId,
      fromState: "disbursed",
      toState: "pledge_registered",
      reason,
      detail: {
        entryId: entry.id,
        reversalId,
        amountFen: Number(entry.amount_fen),
        valueDate: entry.value_date,
        loan,
        coverageReleasedFen,
      },
    });
    for (const [orgId, side] of [
      [app.bank_org_id, "bank"],
      [app.firm_org_id, "firm"],
    ] as const) {
      await notifyOrganisation(trx, orgId, {
        kind: "disbursement_reversed",
        params: { id: applicationId, from: "disbursed", to: "pledge_registered" },
        link: linkFor(side, applicationId),
      });
    }
    return { reversalId };
  });
  emitProgressChanged();
  return result;
}
