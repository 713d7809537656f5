import { message } from "../../domain/message";
import {
  claimProblems,
  computeLoss,
  decideApproval,
  type ClaimDocument,
} from "../../domain/risk-sharing/claims";
import { SHARE_PARTIES } from "../../domain/risk-sharing/shares";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError } from "../errors";
import { runApplicationTransaction, type Executor } from "../ledger.server";
import {
  forbiddenRefusal,
  notFoundRefusal,
  once,
  refuseIf,
  RiskRefusal,
  type RiskActor,
} from "./common.server";
import { getLoanFacts } from "./loan-facts.server";
import { getPoolRules, managesPool } from "./pools.server";

/** Claims on defaulted covered loans (docs/domain.md#claims). */

export interface ClaimPreview {
  applicationId: number;
  poolId: number;
  poolName: string;
  outstandingPrincipalFen: number;
  unpaidInterestFen: number;
  coveredPrincipalFen: number;
  allowedInterestFen: number;
  lossFen: number;
  requiredDocuments: ClaimDocument[];
}

/** The loss a bank may claim for its defaulted covered loan, or why it may not. */
export async function previewClaim(
  db: Executor,
  actor: RiskActor,
  applicationId: number,
): Promise<ClaimPreview> {
  const facts = await getLoanFacts(db, applicationId);
  if (!facts) notFoundRefusal();
  if (actor.role !== "bank_officer" || facts.bankOrgId !== actor.orgId) notFoundRefusal();
  if (!facts.defaulted) throw new RiskRefusal([message("risk:errors.notDefaulted")]);
  const reservation = await db
    .selectFrom("risk_reservations")
    .select(["pool_id"])
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  if (!reservation) throw new RiskRefusal([message("risk:errors.notCovered")]);
  const loaded = await getPoolRules(db, reservation.pool_id);
  if (!loaded) notFoundRefusal();
  const loss = computeLoss({
    outstandingPrincipalFen: facts.outstandingPrincipalFen,
    unpaidInterestFen: facts.unpaidInterestFen,
    rateBp: facts.rateBp,
    perLoanCapFen: loaded.rules.perLoanCapFen,
    interestDaysAllowed: loaded.rules.interestDaysAllowed,
  });
  return {
    applicationId,
    poolId: loaded.pool.id,
    poolName: loaded.pool.name,
    outstandingPrincipalFen: facts.outstandingPrincipalFen,
    unpaidInterestFen: facts.unpaidInterestFen,
    ...loss,
    requiredDocuments: loaded.requiredDocuments,
  };
}

/**
 * The bank files a claim: the loss is recomputed here, never taken from the form; the claim may
 * not exceed it and the pool's document checklist must be complete. The loan's reservation ends
 * (a defaulted loan is a claim now, not exposure).
 */
export async function fileClaim(
  db: Db,
  actor: RiskActor,
  input: {
    applicationId: number;
    claimedFen: number;
    documents: readonly { document: string; reference?: string | null }[];
    idempotencyKey: string;
  },
): Promise<{ claimId: number; replayed: boolean }> {
  const key = `claim:${input.idempotencyKey}`;
  const find = async () =>
    (
      await db
        .selectFrom("risk_claims")
        .select("id")
        .where("idempotency_key", "=", key)
        .executeTakeFirst()
    )?.id;
  const { result, replayed } = await once(find, () =>
    runApplicationTransaction(db, async (trx) => {
      const preview = await previewClaim(trx, actor, input.applicationId);
      refuseIf(
        claimProblems({
          claimedFen: input.claimedFen,
          lossFen: preview.lossFen,
          required: preview.requiredDocuments,
          provided: input.documents.map((d) => d.document),
        }),
      );
      const live = await trx
        .selectFrom("risk_claims")
        .select("id")
        .where("live_key", "=", input.applicationId)
        .executeTakeFirst();
      if (live) throw new RiskRefusal([message("risk:errors.claimExists")]);
      const now = nowInstant();
      const res = await trx
        .insertInto("risk_claims")
        .values({
          pool_id: preview.poolId,
          application_id: input.applicationId,
          live_key: input.applicationId,
          bank_org_id: actor.orgId,
          state: "filed",
          outstanding_principal_fen: preview.outstandingPrincipalFen,
          unpaid_interest_fen: preview.unpaidInterestFen,
          covered_principal_fen: preview.coveredPrincipalFen,
          allowed_interest_fen: preview.allowedInterestFen,
          loss_fen: preview.lossFen,
          claimed_fen: input.claimedFen,
          approved_fen: null,
          reject_reason: null,
          idempotency_key: key,
          filed_by: actor.userId,
          filed_at: now,
          decided_by: null,
          decided_at: null,
        })
        .executeTakeFirstOrThrow();
      const claimId = Number(res.insertId);
      for (const d of input.documents) {
        await trx
          .insertInto("risk_claim_documents")
          .values({ claim_id: claimId, document: d.document, reference: d.reference ?? null })
          .execute();
      }
      const reservation = await trx
        .selectFrom("risk_reservations")
        .select(["id", "reserved_fen", "state"])
        .where("application_id", "=", input.applicationId)
        .executeTakeFirstOrThrow();
      if (reservation.state === "active") {
        const upd = await trx
          .updateTable("risk_reservations")
          .set({ state: "claimed", reserved_fen: 0, updated_at: now })
          .where("id", "=", reservation.id)
          .where("state", "=", "active")
          .executeTakeFirst();
        if (upd.numUpdatedRows > 0n) {
          await trx
            .updateTable("risk_pools")
            .set((eb) => ({
              exposure_fen: eb("exposure_fen", "-", Number(reservation.reserved_fen)),
            }))
            .where("id", "=", preview.poolId)
            .execute();
        }
      }
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "risk_claim.file",
        entityType: "risk_claim",
        entityId: claimId,
        toState: "filed",
        detail: {
          applicationId: input.applicationId,
          claimedFen: input.claimedFen,
          lossFen: preview.lossFen,
        },
      });
      return claimId;
    }),
  );
  return { claimId: result, replayed };
}

export type ClaimDecision =
  { decision: "approve"; approvedFen: number } | { decision: "reject"; reason: string };

/**
 * The pool manager decides a filed claim. Approval writes one payout per party (split by the
 * shares, summing to the approved amount) and the pool's payout entry, and takes the pool's part
 * from its balance by `UPDATE … WHERE balance_fen >= part`: of two approvals racing for the last
 * of a pool, the second finds too little and is refused, writing nothing.
 */
export async function decideClaim(
  db: Db,
  actor: RiskActor,
  claimId: number,
  d: ClaimDecision,
): Promise<{ state: string }> {
  return runApplicationTransaction(db, async (trx) => {
    const claim = await trx
      .selectFrom("risk_claims")
      .selectAll()
      .where("id", "=", claimId)
      .executeTakeFirst();
    if (!claim) notFoundRefusal();
    const loaded = await getPoolRules(trx, claim.pool_id);
    if (!loaded) notFoundRefusal();
    if (!managesPool(actor, loaded.pool)) forbiddenRefusal();
    if (claim.state !== "filed") throw new ConflictError("risk:errors.alreadyDecided");
    const now = nowInstant();
    if (d.decision === "reject") {
      if (!d.reason.trim()) throw new RiskRefusal([message("risk:errors.reasonRequired")]);
      const upd = await trx
        .updateTable("risk_claims")
        .set((eb) => ({
          state: "rejected",
          live_key: null,
          reject_reason: d.reason.trim(),
          decided_by: actor.userId,
          decided_at: now,
          version: eb("version", "+", 1),
        }))
        .where("id", "=", claimId)
        .where("state", "=", "filed")
        .executeTakeFirst();
      if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.alreadyDecided");
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "risk_claim.reject",
        entityType: "risk_claim",
        entityId: claimId,
        fromState: "filed",
        toState: "rejected",
        reason: d.reason.trim(),
      });
      return { state: "rejected" };
    }
    const claimedFen = Number(claim.claimed_fen);
    const decided = decideApproval({
      claimedFen,
      approvedFen: d.approvedFen,
      shares: loaded.rules.shares,
      poolBalanceFen: Number(loaded.pool.balance_fen),
    });
    if (!decided.ok) throw new RiskRefusal(decided.problems);
    const { parts } = decided.payout;
    const state = d.approvedFen === claimedFen ? "approved" : "partially_approved";
    const upd = await trx
      .updateTable("risk_claims")
      .set((eb) => ({
        state,
        approved_fen: d.approvedFen,
        decided_by: actor.userId,
        decided_at: now,
        version: eb("version", "+", 1),
      }))
      .where("id", "=", claimId)
      .where("state", "=", "filed")
      .executeTakeFirst();
    if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.alreadyDecided");
    if (parts.pool > 0) {
      const paid = await trx
        .updateTable("risk_pools")
        .set((eb) => ({
          balance_fen: eb("balance_fen", "-", parts.pool),
          paid_fen: eb("paid_fen", "+", parts.pool),
          updated_at: now,
        }))
        .where("id", "=", claim.pool_id)
        .where("balance_fen", ">=", parts.pool)
        .executeTakeFirst();
      if (paid.numUpdatedRows === 0n) {
        const bal = await trx
          .selectFrom("risk_pools")
          .select("balance_fen")
          .where("id", "=", claim.pool_id)
          .executeTakeFirstOrThrow();
        throw new RiskRefusal([
          message("risk:validation.poolExhausted", {
            neededFen: parts.pool,
            balanceFen: Math.max(0, Number(bal.balance_fen)),
          }),
        ]);
      }
      await trx
        .insertInto("risk_pool_entries")
        .values({
          pool_id: claim.pool_id,
          entry_type: "payout",
          amount_fen: -parts.pool,
          funder_id: null,
          claim_id: claimId,
          disposal_id: null,
          value_date: todayInChina(),
          idempotency_key: `claim-payout:${claimId}`,
          note: null,
          created_by: actor.userId,
          created_at: now,
        })
        .execute();
    }
    // The insurer and guarantor who pay are those bound on this loan at approval (their policy or
    // guarantee); a loan with none bound falls back to the pool's own insurer and guarantor.
    const bound = await trx
      .selectFrom("risk_policies")
      .select(["kind", "party_org_id"])
      .where("application_id", "=", claim.application_id)
      .execute();
    const boundParty = (kind: "insurance" | "guarantee") =>
      bound.find((p) => p.kind === kind)?.party_org_id ?? null;
    const payer = {
      pool: null,
      insurer: boundParty("insurance") ?? loaded.pool.insurer_org_id,
      guarantor: boundParty("guarantee") ?? loaded.pool.guarantor_org_id,
      bank: claim.bank_org_id,
    };
    for (const party of SHARE_PARTIES) {
      if (parts[party] === 0) continue;
      await trx
        .insertInto("risk_claim_payouts")
        .values({
          claim_id: claimId,
          party,
          payer_org_id: payer[party],
          amount_fen: parts[party],
          idempotency_key: `claim:${claimId}:${party}`,
          created_by: actor.userId,
          created_at: now,
        })
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "risk_claim.approve",
      entityType: "risk_claim",
      entityId: claimId,
      fromState: "filed",
      toState: state,
      detail: { approvedFen: d.approvedFen, parts },
    });
    return { state };
  });
}

/** Claims a bank sees (its own), a pool manager sees (its pools'), or an admin (all). */
export async function listClaims(db: Executor, actor: RiskActor) {
  let q = db
    .selectFrom("risk_claims as c")
    .innerJoin("risk_pools as p", "p.id", "c.pool_id")
    .select([
      "c.id",
      "c.pool_id",
      "p.name as poolName",
      "c.application_id",
      "c.bank_org_id",
      "c.state",
      "c.loss_fen",
      "c.claimed_fen",
      "c.approved_fen",
      "c.reject_reason",
      "c.filed_at",
    ])
    .orderBy("c.id", "desc");
  if (actor.role === "bank_officer") q = q.where("c.bank_org_id", "=", actor.orgId);
  else if (actor.role === "alliance") q = q.where("p.manager_org_id", "=", actor.orgId);
  else if (actor.role !== "admin") return [];
  return q.execute();
}
