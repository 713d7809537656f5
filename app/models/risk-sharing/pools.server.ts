import { sql } from "kysely";
import type { RiskPoolKind } from "../../../db/schema";
import { message } from "../../domain/message";
import {
  decideCoverage,
  leverageBp,
  leverageLimitFen,
  poolRulesProblems,
  releaseOnRepayment,
  type PoolRules,
} from "../../domain/risk-sharing/coverage";
import { isClaimDocument, type ClaimDocument } from "../../domain/risk-sharing/claims";
import type { LossShares } from "../../domain/risk-sharing/shares";
import type { Db } from "../../utils/db.server";
import { nowInstant } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { runApplicationTransaction, type Executor, type Trx } from "../ledger.server";
import {
  csv,
  forbiddenRefusal,
  isGovernmentOrAdmin,
  notFoundRefusal,
  once,
  refuseIf,
  RiskRefusal,
  type RiskActor,
} from "./common.server";

/** Risk-compensation pools (docs/domain.md#risk-pools): set-up, contributions, reservations. */

export interface PoolInput {
  name: string;
  kind: RiskPoolKind;
  shares: LossShares;
  perLoanCapFen: number;
  leverageMultipleBp: number;
  interestDaysAllowed: number;
  requiredDocuments: readonly ClaimDocument[];
  productIds: readonly number[];
  regionCodes: readonly string[];
  insurerOrgId?: number | null;
  guarantorOrgId?: number | null;
}

export async function createPool(db: Db, actor: RiskActor, input: PoolInput): Promise<number> {
  if (!(await isGovernmentOrAdmin(db, actor))) forbiddenRefusal();
  refuseIf(poolRulesProblems(input));
  if (input.shares.insurer > 0 && !input.insurerOrgId) {
    throw new RiskRefusal([message("risk:errors.partyMissing", { party: "insurer" })]);
  }
  if (input.shares.guarantor > 0 && !input.guarantorOrgId) {
    throw new RiskRefusal([message("risk:errors.partyMissing", { party: "guarantor" })]);
  }
  const docs = input.requiredDocuments.filter(isClaimDocument);
  return runApplicationTransaction(db, async (trx) => {
    const now = nowInstant();
    const res = await trx
      .insertInto("risk_pools")
      .values({
        name: input.name,
        kind: input.kind,
        manager_org_id: actor.orgId,
        insurer_org_id: input.insurerOrgId ?? null,
        guarantor_org_id: input.guarantorOrgId ?? null,
        share_pool_bp: input.shares.pool,
        share_insurer_bp: input.shares.insurer,
        share_guarantor_bp: input.shares.guarantor,
        share_bank_bp: input.shares.bank,
        per_loan_cap_fen: input.perLoanCapFen,
        leverage_multiple_bp: input.leverageMultipleBp,
        interest_days_allowed: input.interestDaysAllowed,
        required_documents: csv.join(docs),
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    for (const productId of [...new Set(input.productIds)]) {
      await trx
        .insertInto("risk_pool_products")
        .values({ pool_id: id, product_id: productId })
        .execute();
    }
    for (const region of [...new Set(input.regionCodes)]) {
      await trx
        .insertInto("risk_pool_regions")
        .values({ pool_id: id, region_code: region })
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "risk_pool.create",
      entityType: "risk_pool",
      entityId: id,
      toState: "open",
      detail: input,
    });
    return id;
  });
}

export async function getPoolRules(db: Executor, poolId: number) {
  const pool = await db
    .selectFrom("risk_pools")
    .selectAll()
    .where("id", "=", poolId)
    .executeTakeFirst();
  if (!pool) return null;
  const products = await db
    .selectFrom("risk_pool_products")
    .select("product_id")
    .where("pool_id", "=", poolId)
    .orderBy("product_id")
    .execute();
  const regions = await db
    .selectFrom("risk_pool_regions")
    .select("region_code")
    .where("pool_id", "=", poolId)
    .orderBy("region_code")
    .execute();
  const rules: PoolRules = {
    shares: {
      pool: pool.share_pool_bp,
      insurer: pool.share_insurer_bp,
      guarantor: pool.share_guarantor_bp,
      bank: pool.share_bank_bp,
    },
    perLoanCapFen: Number(pool.per_loan_cap_fen),
    leverageMultipleBp: pool.leverage_multiple_bp,
    interestDaysAllowed: pool.interest_days_allowed,
    productIds: products.map((p) => p.product_id),
    regionCodes: regions.map((r) => r.region_code),
  };
  return {
    pool,
    rules,
    requiredDocuments: csv.parse(pool.required_documents).filter(isClaimDocument),
  };
}

/** May this actor manage the pool (contributions, claim decisions)? Its manager or an admin. */
export function managesPool(actor: RiskActor, pool: { manager_org_id: number }): boolean {
  return (
    actor.role === "admin" || (actor.role === "alliance" && actor.orgId === pool.manager_org_id)
  );
}

/**
 * A funder's contribution: one pool-ledger entry and the pool's balance, in one transaction.
 * A retry with the same idempotency key returns the first entry.
 */
export async function addContribution(
  db: Db,
  actor: RiskActor,
  input: {
    poolId: number;
    funderName: string;
    funderOrgId?: number | null;
    amountFen: number;
    valueDate: string;
    idempotencyKey: string;
  },
): Promise<{ entryId: number; replayed: boolean }> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) {
    throw new RiskRefusal([
      message("risk:errors.amountNotPositive", { amountFen: input.amountFen }),
    ]);
  }
  const key = `contribution:${input.idempotencyKey}`;
  const find = async () =>
    (
      await db
        .selectFrom("risk_pool_entries")
        .select("id")
        .where("idempotency_key", "=", key)
        .executeTakeFirst()
    )?.id;
  const { result, replayed } = await once(find, () =>
    runApplicationTransaction(db, async (trx) => {
      const pool = await trx
        .selectFrom("risk_pools")
        .select(["id", "manager_org_id"])
        .where("id", "=", input.poolId)
        .executeTakeFirst();
      if (!pool) notFoundRefusal();
      if (!managesPool(actor, pool)) forbiddenRefusal();
      const now = nowInstant();
      let funder = await trx
        .selectFrom("risk_pool_funders")
        .select("id")
        .where("pool_id", "=", input.poolId)
        .where("name", "=", input.funderName)
        .executeTakeFirst();
      if (!funder) {
        const f = await trx
          .insertInto("risk_pool_funders")
          .values({
            pool_id: input.poolId,
            name: input.funderName,
            org_id: input.funderOrgId ?? null,
            created_at: now,
          })
          .executeTakeFirstOrThrow();
        funder = { id: Number(f.insertId) };
      }
      const e = await trx
        .insertInto("risk_pool_entries")
        .values({
          pool_id: input.poolId,
          entry_type: "contribution",
          amount_fen: input.amountFen,
          funder_id: funder.id,
          claim_id: null,
          disposal_id: null,
          value_date: input.valueDate,
          idempotency_key: key,
          note: null,
          created_by: actor.userId,
          created_at: now,
        })
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("risk_pools")
        .set((eb) => ({
          contributed_fen: eb("contributed_fen", "+", input.amountFen),
          balance_fen: eb("balance_fen", "+", input.amountFen),
          updated_at: now,
        }))
        .where("id", "=", input.poolId)
        .execute();
      const entryId = Number(e.insertId);
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "risk_pool.contribute",
        entityType: "risk_pool",
        entityId: input.poolId,
        detail: { entryId, funder: input.funderName, amountFen: input.amountFen },
      });
      return entryId;
    }),
  );
  return { entryId: result, replayed };
}

/** The pool covering a loan of this product in this 盟市: the oldest such pool, if any. */
async function poolFor(trx: Executor, productId: number, regionCode: string) {
  const rows = await trx
    .selectFrom("risk_pool_products as pp")
    .innerJoin("risk_pools as p", "p.id", "pp.pool_id")
    .select("p.id")
    .where("pp.product_id", "=", productId)
    .orderBy("p.id")
    .execute();
  for (const r of rows) {
    const loaded = await getPoolRules(trx, r.id);
    if (!loaded) continue;
    const { regionCodes } = loaded.rules;
    if (regionCodes.length === 0 || regionCodes.includes(regionCode)) return loaded;
  }
  return null;
}

/**
 * Reservation at disbursement, inside the disbursement's transaction (docs/domain.md#risk-pools).
 * The leverage check is the conditional UPDATE itself, so two disbursements racing for the last
 * headroom cannot both pass; the loser's whole disbursement is refused with the message.
 */
export async function reserveCoverage(
  trx: Trx,
  loan: { applicationId: number; productId: number; regionCode: string; principalFen: number },
  actorUserId: number,
): Promise<{ poolId: number; reservedFen: number } | null> {
  const loaded = await poolFor(trx, loan.productId, loan.regionCode);
  if (!loaded) return null;
  const { pool, rules } = loaded;
  const decision = decideCoverage(
    rules,
    { balanceFen: Number(pool.balance_fen), exposureFen: Number(pool.exposure_fen) },
    loan,
  );
  if (!decision.covered) {
    if (decision.reason === "leverage") throw new RiskRefusal([decision.message]);
    return null;
  }
  const r = decision.reservedFen;
  const res = await trx
    .updateTable("risk_pools")
    .set((eb) => ({ exposure_fen: eb("exposure_fen", "+", r), updated_at: nowInstant() }))
    .where("id", "=", pool.id)
    .where(sql<boolean>`(exposure_fen + ${r}) * 10000 <= balance_fen * leverage_multiple_bp`)
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) {
    const now = await trx
      .selectFrom("risk_pools")
      .select(["balance_fen", "exposure_fen"])
      .where("id", "=", pool.id)
      .executeTakeFirstOrThrow();
    throw new RiskRefusal([
      message("risk:validation.leverageExceeded", {
        reservedFen: r,
        exposureFen: Number(now.exposure_fen),
        limitFen: leverageLimitFen(Number(now.balance_fen), rules.leverageMultipleBp),
        multiple: rules.leverageMultipleBp / 10_000,
      }),
    ]);
  }
  const at = nowInstant();
  await trx
    .insertInto("risk_reservations")
    .values({
      pool_id: pool.id,
      application_id: loan.applicationId,
      initial_fen: r,
      reserved_fen: r,
      state: "active",
      created_at: at,
      updated_at: at,
    })
    .execute();
  await writeAudit(trx, {
    actorUserId,
    orgId: null,
    action: "risk_pool.reserve",
    entityType: "application",
    entityId: loan.applicationId,
    toState: "active",
    detail: { poolId: pool.id, reservedFen: r },
  });
  return { poolId: pool.id, reservedFen: r };
}

/**
 * After a repayment (or a reversal of one, which cannot raise the reservation): the reservation
 * follows the outstanding principal down, and the pool's exposure with it, in the repayment's
 * transaction. Outstanding 0 releases the reservation.
 */
export async function syncReservation(
  trx: Trx,
  applicationId: number,
  outstandingAfterFen: number,
  actorUserId: number,
): Promise<number> {
  const row = await trx
    .selectFrom("risk_reservations as r")
    .innerJoin("risk_pools as p", "p.id", "r.pool_id")
    .select(["r.id", "r.pool_id", "r.reserved_fen", "r.state", "p.per_loan_cap_fen"])
    .where("r.application_id", "=", applicationId)
    .executeTakeFirst();
  if (!row || row.state !== "active") return 0;
  const old = Number(row.reserved_fen);
  const next = releaseOnRepayment(old, outstandingAfterFen, Number(row.per_loan_cap_fen));
  if (next.releasedFen === 0 && outstandingAfterFen > 0) return 0;
  const upd = await trx
    .updateTable("risk_reservations")
    .set((eb) => ({
      reserved_fen: next.reservedFen,
      state: outstandingAfterFen <= 0 ? "released" : "active",
      version: eb("version", "+", 1),
      updated_at: nowInstant(),
    }))
    .where("id", "=", row.id)
    .where("reserved_fen", "=", old)
    .where("state", "=", "active")
    .executeTakeFirst();
  if (upd.numUpdatedRows === 0n) return 0;
  await trx
    .updateTable("risk_pools")
    .set((eb) => ({ exposure_fen: eb("exposure_fen", "-", next.releasedFen) }))
    .where("id", "=", row.pool_id)
    .execute();
  await writeAudit(trx, {
    actorUserId,
    orgId: null,
    action: "risk_pool.release",
    entityType: "application",
    entityId: applicationId,
    fromState: "active",
    toState: outstandingAfterFen <= 0 ? "released" : "active",
    detail: { poolId: row.pool_id, releasedFen: next.releasedFen, reservedFen: next.reservedFen },
  });
  return next.releasedFen;
}

/**
 * The reversal of a disbursement (decision 021) takes back its risk-pool coverage: an active
 * reservation leaves the pool's exposure and is removed, so the corrected disbursement reserves
 * anew on its own amount (risk_reservations.application_id is unique). The reversal is refused
 * once the loan is repaid or defaulted, so a released or claimed reservation never gets here.
 * Returns the exposure released.
 */
export async function dropReservation(
  trx: Trx,
  applicationId: number,
  actorUserId: number,
): Promise<number> {
  const row = await trx
    .selectFrom("risk_reservations")
    .select(["id", "pool_id", "reserved_fen", "state"])
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  if (!row) return 0;
  if (row.state !== "active") throw new Error(`reservation of ${applicationId} is ${row.state}`);
  const released = Number(row.reserved_fen);
  await trx.deleteFrom("risk_reservations").where("id", "=", row.id).execute();
  await trx
    .updateTable("risk_pools")
    .set((eb) => ({ exposure_fen: eb("exposure_fen", "-", released), updated_at: nowInstant() }))
    .where("id", "=", row.pool_id)
    .execute();
  await writeAudit(trx, {
    actorUserId,
    orgId: null,
    action: "risk_pool.release",
    entityType: "application",
    entityId: applicationId,
    fromState: "active",
    toState: "released",
    reason: "disbursement reversed",
    detail: { poolId: row.pool_id, releasedFen: released, reservedFen: 0 },
  });
  return released;
}

export interface PoolSummary {
  id: number;
  name: string;
  kind: RiskPoolKind;
  managerOrgId: number;
  contributedFen: number;
  balanceFen: number;
  exposureFen: number;
  limitFen: number;
  leverageBp: number | null;
  leverageCapBp: number;
  claimsPaidFen: number;
  recoveredFen: number;
  headroomFen: number;
  coveredLoans: number;
  openClaims: number;
}

export async function listPoolSummaries(db: Executor, poolId?: number): Promise<PoolSummary[]> {
  let q = db.selectFrom("risk_pools").selectAll().orderBy("id");
  if (poolId !== undefined) q = q.where("id", "=", poolId);
  const pools = await q.execute();
  const out: PoolSummary[] = [];
  for (const p of pools) {
    const covered = await db
      .selectFrom("risk_reservations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("pool_id", "=", p.id)
      .where("state", "=", "active")
      .executeTakeFirstOrThrow();
    const open = await db
      .selectFrom("risk_claims")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("pool_id", "=", p.id)
      .where("state", "=", "filed")
      .executeTakeFirstOrThrow();
    const balance = Number(p.balance_fen);
    const exposure = Number(p.exposure_fen);
    const limit = leverageLimitFen(balance, p.leverage_multiple_bp);
    out.push({
      id: p.id,
      name: p.name,
      kind: p.kind,
      managerOrgId: p.manager_org_id,
      contributedFen: Number(p.contributed_fen),
      balanceFen: balance,
      exposureFen: exposure,
      limitFen: limit,
      leverageBp: leverageBp(exposure, balance),
      leverageCapBp: p.leverage_multiple_bp,
      claimsPaidFen: Number(p.paid_fen),
      recoveredFen: Number(p.recovered_fen),
      headroomFen: Math.max(0, limit - exposure),
      coveredLoans: Number(covered.n),
      openClaims: Number(open.n),
    });
  }
  return out;
}
