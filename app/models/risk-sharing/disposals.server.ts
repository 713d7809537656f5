import type { DisposalKind } from "../../../db/schema";
import { message } from "../../domain/message";
import { distributeRecovery } from "../../domain/risk-sharing/recovery";
import { SHARE_PARTIES, type SplitFen } from "../../domain/risk-sharing/shares";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError } from "../errors";
import { runApplicationTransaction, type Executor } from "../ledger.server";
import { notFoundRefusal, once, RiskRefusal, type RiskActor } from "./common.server";
import { getLoanFacts } from "./loan-facts.server";

/** Disposal of a defaulted loan's pledged IP (docs/domain.md#disposal). */

export interface DisposalInput {
  applicationId: number;
  kind: DisposalKind;
  title: string;
  assetSummary: string;
  appraisalFen: number | null;
  askingFen: number;
  terms: string;
}

export async function listForDisposal(
  db: Db,
  actor: RiskActor,
  input: DisposalInput,
): Promise<number> {
  return runApplicationTransaction(db, async (trx) => {
    const facts = await getLoanFacts(trx, input.applicationId);
    if (!facts || actor.role !== "bank_officer" || facts.bankOrgId !== actor.orgId)
      notFoundRefusal();
    if (!facts.defaulted) throw new RiskRefusal([message("risk:errors.notDisposable")]);
    if (!Number.isSafeInteger(input.askingFen) || input.askingFen <= 0) {
      throw new RiskRefusal([
        message("risk:errors.amountNotPositive", { amountFen: input.askingFen }),
      ]);
    }
    const claim = await trx
      .selectFrom("risk_claims")
      .select("id")
      .where("live_key", "=", input.applicationId)
      .executeTakeFirst();
    const res = await trx
      .insertInto("disposals")
      .values({
        application_id: input.applicationId,
        bank_org_id: actor.orgId,
        claim_id: claim?.id ?? null,
        kind: input.kind,
        title: input.title,
        asset_summary: input.assetSummary,
        appraisal_fen: input.appraisalFen,
        asking_fen: input.askingFen,
        terms: input.terms,
        state: "listed",
        proceeds_fen: null,
        listed_by: actor.userId,
        listed_at: nowInstant(),
        closed_at: null,
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "disposal.list",
      entityType: "disposal",
      entityId: id,
      toState: "listed",
    });
    return id;
  });
}

/** Anyone may register interest in a listed disposal (the public page). */
export async function registerInterest(
  db: Db,
  input: { disposalId: number; name: string; contact: string; message: string },
): Promise<number> {
  return runApplicationTransaction(db, async (trx) => {
    const d = await trx
      .selectFrom("disposals")
      .select("state")
      .where("id", "=", input.disposalId)
      .executeTakeFirst();
    if (!d) notFoundRefusal();
    if (d.state !== "listed") throw new RiskRefusal([message("risk:errors.notListed")]);
    const res = await trx
      .insertInto("disposal_interests")
      .values({
        disposal_id: input.disposalId,
        name: input.name,
        contact: input.contact,
        message: input.message,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    return Number(res.insertId);
  });
}

/**
 * The sale or licence is done: the proceeds are split by the claim's pool shares, each sharer
 * capped at what it paid and has not recovered, the rest to the bank; the pool's part is a
 * recovery entry that refunds the pool, in the same transaction. Without an approved claim the
 * proceeds are all the bank's.
 */
export async function recordProceeds(
  db: Db,
  actor: RiskActor,
  input: { disposalId: number; proceedsFen: number; idempotencyKey: string },
): Promise<{ parts: SplitFen; replayed: boolean }> {
  if (!Number.isSafeInteger(input.proceedsFen) || input.proceedsFen <= 0) {
    throw new RiskRefusal([
      message("risk:errors.amountNotPositive", { amountFen: input.proceedsFen }),
    ]);
  }
  const find = async () => {
    const rows = await db
      .selectFrom("disposal_distributions")
      .select(["party", "amount_fen"])
      .where("disposal_id", "=", input.disposalId)
      .execute();
    if (rows.length === 0) return undefined;
    const parts: SplitFen = { pool: 0, insurer: 0, guarantor: 0, bank: 0 };
    for (const r of rows) parts[r.party] = Number(r.amount_fen);
    return parts;
  };
  const { result, replayed } = await once(find, () =>
    runApplicationTransaction(db, async (trx) => {
      const d = await trx
        .selectFrom("disposals")
        .selectAll()
        .where("id", "=", input.disposalId)
        .executeTakeFirst();
      if (!d || actor.role !== "bank_officer" || d.bank_org_id !== actor.orgId) notFoundRefusal();
      const upd = await trx
        .updateTable("disposals")
        .set((eb) => ({
          state: "sold",
          proceeds_fen: input.proceedsFen,
          closed_at: nowInstant(),
          version: eb("version", "+", 1),
        }))
        .where("id", "=", d.id)
        .where("state", "=", "listed")
        .executeTakeFirst();
      if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.notListed");
      let parts: SplitFen = { pool: 0, insurer: 0, guarantor: 0, bank: input.proceedsFen };
      let poolId: number | null = null;
      const claim = d.claim_id
        ? await trx
            .selectFrom("risk_claims")
            .select(["id", "pool_id", "state"])
            .where("id", "=", d.claim_id)
            .executeTakeFirst()
        : undefined;
      if (claim && (claim.state === "approved" || claim.state === "partially_approved")) {
        const pool = await trx
          .selectFrom("risk_pools")
          .selectAll()
          .where("id", "=", claim.pool_id)
          .executeTakeFirstOrThrow();
        poolId = pool.id;
        const paid = await trx
          .selectFrom("risk_claim_payouts")
          .select(["party", "amount_fen"])
          .where("claim_id", "=", claim.id)
          .execute();
        const recovered = await trx
          .selectFrom("disposal_distributions")
          .select(["party", "amount_fen"])
          .where("claim_id", "=", claim.id)
          .execute();
        const left = (party: "pool" | "insurer" | "guarantor") =>
          paid.filter((p) => p.party === party).reduce((s, p) => s + Number(p.amount_fen), 0) -
          recovered.filter((p) => p.party === party).reduce((s, p) => s + Number(p.amount_fen), 0);
        parts = distributeRecovery(
          input.proceedsFen,
          {
            pool: pool.share_pool_bp,
            insurer: pool.share_insurer_bp,
            guarantor: pool.share_guarantor_bp,
            bank: pool.share_bank_bp,
          },
          { pool: left("pool"), insurer: left("insurer"), guarantor: left("guarantor") },
        );
      }
      const now = nowInstant();
      for (const party of SHARE_PARTIES) {
        if (parts[party] === 0) continue;
        await trx
          .insertInto("disposal_distributions")
          .values({
            disposal_id: d.id,
            claim_id: claim?.id ?? null,
            party,
            amount_fen: parts[party],
            idempotency_key: `disposal:${d.id}:${party}`,
            created_by: actor.userId,
            created_at: now,
          })
          .execute();
      }
      if (poolId !== null && parts.pool > 0) {
        await trx
          .insertInto("risk_pool_entries")
          .values({
            pool_id: poolId,
            entry_type: "recovery",
            amount_fen: parts.pool,
            funder_id: null,
            claim_id: claim?.id ?? null,
            disposal_id: d.id,
            value_date: todayInChina(),
            idempotency_key: `recovery:${d.id}`,
            note: null,
            created_by: actor.userId,
            created_at: now,
          })
          .execute();
        await trx
          .updateTable("risk_pools")
          .set((eb) => ({
            balance_fen: eb("balance_fen", "+", parts.pool),
            recovered_fen: eb("recovered_fen", "+", parts.pool),
            updated_at: now,
          }))
          .where("id", "=", poolId)
          .execute();
      }
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "disposal.proceeds",
        entityType: "disposal",
        entityId: d.id,
        fromState: "listed",
        toState: "sold",
        detail: { proceedsFen: input.proceedsFen, parts, key: input.idempotencyKey },
      });
      return parts;
    }),
  );
  return { parts: result, replayed };
}

/** The public disposal list: what is for sale or licence, and what was disposed of. */
export async function listPublicDisposals(db: Executor) {
  return db
    .selectFrom("disposals")
    .select([
      "id",
      "kind",
      "title",
      "asset_summary",
      "appraisal_fen",
      "asking_fen",
      "terms",
      "state",
      "listed_at",
    ])
    .where("state", "in", ["listed", "sold"])
    .orderBy("id", "desc")
    .execute();
}

export async function getPublicDisposal(db: Executor, id: number) {
  const d = await db
    .selectFrom("disposals")
    .select([
      "id",
      "kind",
      "title",
      "asset_summary",
      "appraisal_fen",
      "asking_fen",
      "terms",
      "state",
      "listed_at",
    ])
    .where("id", "=", id)
    .where("state", "in", ["listed", "sold"])
    .executeTakeFirst();
  if (!d) return null;
  const interest = await db
    .selectFrom("disposal_interests")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("disposal_id", "=", id)
    .executeTakeFirstOrThrow();
  return { ...d, interestCount: Number(interest.n) };
}
