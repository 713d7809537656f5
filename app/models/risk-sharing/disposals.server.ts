import type { DisposalKind, IpType } from "../../../db/schema";
import { chinaDateOf } from "../../domain/dates";
import { message } from "../../domain/message";
import { listingProblems, saleProblems } from "../../domain/risk-sharing/disposal";
import { disposalListingRefusal } from "../../domain/servicing/pledge";
import { distributeRecovery } from "../../domain/risk-sharing/recovery";
import {
  SHARE_PARTIES,
  type LossShares,
  type ShareParty,
  type SplitFen,
} from "../../domain/risk-sharing/shares";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError, isUniqueViolation, UserFacingError } from "../errors";
import { runApplicationTransaction, type Executor } from "../ledger.server";
import { holdApplicationRow, lockedAssetIds, releasePledgeLocks } from "../pledge-locks.server";
import { notFoundRefusal, once, refuseIf, RiskRefusal, type RiskActor } from "./common.server";
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

/**
 * Lists a defaulted loan's pledged IP, while its pledge stands (the default keeps the locks; a
 * released pledge is refused). One live disposal a loan: a second listing is refused in the
 * transaction, and disposals.live_key's unique index refuses the one that loses a race.
 * Withdrawing a listing (withdrawDisposal: state `withdrawn`, live_key NULL) leaves the pledge as
 * it is: the bank may list again or release it.
 */
export async function listForDisposal(
  db: Db,
  actor: RiskActor,
  input: DisposalInput,
): Promise<number> {
  try {
    return await runApplicationTransaction(db, async (trx) => {
      // Serialised with the bank's release of the pledge (releaseDefaultedPledge).
      await holdApplicationRow(trx, input.applicationId);
      const facts = await getLoanFacts(trx, input.applicationId);
      if (!facts || actor.role !== "bank_officer" || facts.bankOrgId !== actor.orgId)
        notFoundRefusal();
      if (!facts.defaulted) throw new RiskRefusal([message("risk:errors.notDisposable")]);
      // A released pledge leaves the bank nothing to dispose of (decision 022).
      const released = disposalListingRefusal(
        (await lockedAssetIds(trx, input.applicationId)).length,
      );
      if (released) throw new RiskRefusal([released]);
      refuseIf(listingProblems(input));
      const live = await liveDisposalId(trx, input.applicationId);
      if (live !== null) throw alreadyListed(live);
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
          live_key: input.applicationId,
          buyer_name: null,
          sold_date: null,
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
        detail: { applicationId: input.applicationId, askingFen: input.askingFen },
      });
      return id;
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    throw alreadyListed(await liveDisposalId(db, input.applicationId));
  }
}

function alreadyListed(id: number | null): RiskRefusal {
  return new RiskRefusal([message("risk:errors.alreadyListed", { id: id ?? 0 })]);
}

/** The loan's disposal that is listed or sold, if any. */
async function liveDisposalId(db: Executor, applicationId: number): Promise<number | null> {
  const row = await db
    .selectFrom("disposals")
    .select("id")
    .where("live_key", "=", applicationId)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The bank's live disposal of its loan (the loan page links to it), or null. */
export async function getLiveDisposal(db: Executor, bankOrgId: number, applicationId: number) {
  const row = await db
    .selectFrom("disposals")
    .select(["id", "state"])
    .where("live_key", "=", applicationId)
    .where("bank_org_id", "=", bankOrgId)
    .executeTakeFirst();
  return row ?? null;
}

export interface PledgedAsset {
  id: number;
  ipType: IpType;
  number: string;
  title: string;
  /** The formal appraisal's value while it is still valid, else null. */
  formalValueFen: number | null;
  formalValidUntil: string | null;
}

/** What the listing form needs: the loan, its pledged IP and whether it is already listed. */
export interface ListingDraft {
  applicationId: number;
  defaulted: boolean;
  liveDisposalId: number | null;
  assets: PledgedAsset[];
  /** The valid formal values added up, when every pledged asset has one. */
  appraisalFen: number | null;
}

export async function getListingDraft(
  db: Executor,
  actor: RiskActor,
  applicationId: number,
): Promise<ListingDraft> {
  const facts = await getLoanFacts(db, applicationId);
  if (!facts || actor.role !== "bank_officer" || facts.bankOrgId !== actor.orgId) notFoundRefusal();
  const today = todayInChina();
  const rows = await db
    .selectFrom("application_assets as aa")
    .innerJoin("ip_assets as a", "a.id", "aa.asset_id")
    .select([
      "a.id",
      "a.ip_type",
      "a.number",
      "a.title",
      "a.formal_value_fen",
      "a.formal_valid_until",
    ])
    .where("aa.application_id", "=", applicationId)
    .orderBy("a.id")
    .execute();
  const assets = rows.map((r) => {
    const valid = r.formal_value_fen !== null && (r.formal_valid_until ?? "") >= today;
    return {
      id: r.id,
      ipType: r.ip_type,
      number: r.number,
      title: r.title,
      formalValueFen: valid ? Number(r.formal_value_fen) : null,
      formalValidUntil: valid ? r.formal_valid_until : null,
    };
  });
  const appraised = assets.every((a) => a.formalValueFen !== null) && assets.length > 0;
  return {
    applicationId,
    defaulted: facts.defaulted,
    liveDisposalId: await liveDisposalId(db, applicationId),
    assets,
    appraisalFen: appraised ? assets.reduce((s, a) => s + (a.formalValueFen ?? 0), 0) : null,
  };
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

/** What the proceeds of a loan's disposal are split by: its claim's pool, shares and payouts. */
export interface RecoveryBasis {
  claimId: number;
  poolId: number;
  poolName: string;
  shares: LossShares;
  /** What each sharer paid on the claim and has not yet recovered. */
  unrecoveredFen: Omit<SplitFen, "bank">;
}

/**
 * The claim the proceeds are shared with: the loan's live claim (filed after the listing too),
 * else the one recorded at listing. "pending" while the pool has not decided it: the sharers'
 * payouts are not known, so the proceeds cannot be split yet. null: no paid claim, all the bank's.
 */
async function recoveryBasis(
  db: Executor,
  applicationId: number,
  listedClaimId: number | null,
): Promise<RecoveryBasis | "pending" | null> {
  const live = await db
    .selectFrom("risk_claims")
    .select(["id", "pool_id", "state"])
    .where("live_key", "=", applicationId)
    .executeTakeFirst();
  const claim =
    live ??
    (listedClaimId === null
      ? undefined
      : await db
          .selectFrom("risk_claims")
          .select(["id", "pool_id", "state"])
          .where("id", "=", listedClaimId)
          .executeTakeFirst());
  if (!claim || claim.state === "rejected") return null;
  if (claim.state === "filed") return "pending";
  const pool = await db
    .selectFrom("risk_pools")
    .selectAll()
    .where("id", "=", claim.pool_id)
    .executeTakeFirstOrThrow();
  const paid = await db
    .selectFrom("risk_claim_payouts")
    .select(["party", "amount_fen"])
    .where("claim_id", "=", claim.id)
    .execute();
  const recovered = await db
    .selectFrom("disposal_distributions")
    .select(["party", "amount_fen"])
    .where("claim_id", "=", claim.id)
    .execute();
  const sum = (rows: { party: ShareParty; amount_fen: number }[], party: ShareParty) =>
    rows.filter((r) => r.party === party).reduce((t, r) => t + Number(r.amount_fen), 0);
  const left = (party: ShareParty) => sum(paid, party) - sum(recovered, party);
  return {
    claimId: claim.id,
    poolId: pool.id,
    poolName: pool.name,
    shares: {
      pool: pool.share_pool_bp,
      insurer: pool.share_insurer_bp,
      guarantor: pool.share_guarantor_bp,
      bank: pool.share_bank_bp,
    },
    unrecoveredFen: { pool: left("pool"), insurer: left("insurer"), guarantor: left("guarantor") },
  };
}

export interface SaleInput {
  disposalId: number;
  proceedsFen: number;
  buyerName: string;
  /** The day the transfer or licence contract was signed. */
  soldDate: string;
  idempotencyKey: string;
}

/**
 * The sale or licence is done: the proceeds are split by the claim's pool shares, each sharer
 * capped at what it paid and has not recovered, the rest to the bank; the pool's part is a
 * recovery entry that refunds the pool, and the loan's pledge locks are released (audited as
 * `loan.pledge_release`), in the same transaction. Without an approved claim the
 * proceeds are all the bank's; while the loan's claim awaits the pool's decision they cannot be
 * recorded. Recorded once: a retry (or a second post) returns the split already written.
 */
export async function recordProceeds(
  db: Db,
  actor: RiskActor,
  input: SaleInput,
): Promise<{ parts: SplitFen; replayed: boolean }> {
  if (!Number.isSafeInteger(input.proceedsFen) || input.proceedsFen <= 0) {
    throw new RiskRefusal([
      message("risk:validation.proceedsNotPositive", { proceedsFen: input.proceedsFen }),
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
      if (d.state !== "listed") throw new ConflictError("risk:errors.notListed");
      refuseIf(
        saleProblems({
          proceedsFen: input.proceedsFen,
          soldDate: input.soldDate,
          listedDate: chinaDateOf(d.listed_at),
          today: todayInChina(),
        }),
      );
      const basis = await recoveryBasis(trx, d.application_id, d.claim_id);
      if (basis === "pending") throw new RiskRefusal([message("risk:errors.claimPending")]);
      const upd = await trx
        .updateTable("disposals")
        .set((eb) => ({
          state: "sold",
          proceeds_fen: input.proceedsFen,
          buyer_name: input.buyerName,
          sold_date: input.soldDate,
          claim_id: basis?.claimId ?? d.claim_id,
          closed_at: nowInstant(),
          version: eb("version", "+", 1),
        }))
        .where("id", "=", d.id)
        .where("state", "=", "listed")
        .executeTakeFirst();
      if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.notListed");
      const parts: SplitFen = basis
        ? distributeRecovery(input.proceedsFen, basis.shares, basis.unrecoveredFen)
        : { pool: 0, insurer: 0, guarantor: 0, bank: input.proceedsFen };
      const now = nowInstant();
      for (const party of SHARE_PARTIES) {
        if (parts[party] === 0) continue;
        await trx
          .insertInto("disposal_distributions")
          .values({
            disposal_id: d.id,
            claim_id: basis?.claimId ?? null,
            party,
            amount_fen: parts[party],
            idempotency_key: `disposal:${d.id}:${party}`,
            created_by: actor.userId,
            created_at: now,
          })
          .execute();
      }
      if (basis && parts.pool > 0) {
        await trx
          .insertInto("risk_pool_entries")
          .values({
            pool_id: basis.poolId,
            entry_type: "recovery",
            amount_fen: parts.pool,
            funder_id: null,
            claim_id: basis.claimId,
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
          .where("id", "=", basis.poolId)
          .execute();
      }
      // The IP is disposed of: the pledge has done its work and its locks end (decision 022).
      const releasedAssetIds = await releasePledgeLocks(trx, d.application_id);
      if (releasedAssetIds.length > 0) {
        await writeAudit(trx, {
          actorUserId: actor.userId,
          orgId: actor.orgId,
          action: "loan.pledge_release",
          entityType: "application",
          entityId: d.application_id,
          detail: { via: "disposal", disposalId: d.id, releasedAssetIds },
        });
      }
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "disposal.proceeds",
        entityType: "disposal",
        entityId: d.id,
        fromState: "listed",
        toState: "sold",
        detail: {
          proceedsFen: input.proceedsFen,
          buyerName: input.buyerName,
          soldDate: input.soldDate,
          parts,
          key: input.idempotencyKey,
        },
      });
      return parts;
    }),
  );
  return { parts: result, replayed };
}

/**
 * Withdraws a listing (撤回挂牌): the deal fell through, the asking terms were wrong, the IP will be
 * sold off the platform. The disposal ends as `withdrawn` (live_key NULL, so the loan may be
 * listed again) and leaves the pledge as it is: the bank may list again or release it. Only a
 * listed disposal of the actor's own bank, with a reason (audited as `disposal.withdraw`); the
 * parties that registered interest stay on record. Checked against the listed state in the UPDATE
 * itself, so a sale recorded meanwhile wins and the withdrawal is refused.
 */
export async function withdrawDisposal(
  db: Db,
  actor: RiskActor,
  input: { disposalId: number; reason: string },
): Promise<void> {
  const reason = input.reason.trim();
  await runApplicationTransaction(db, async (trx) => {
    const d = await trx
      .selectFrom("disposals")
      .select(["id", "application_id", "bank_org_id", "state"])
      .where("id", "=", input.disposalId)
      .executeTakeFirst();
    if (!d || actor.role !== "bank_officer" || d.bank_org_id !== actor.orgId) notFoundRefusal();
    if (reason.length < 4) throw new UserFacingError("risk:errors.withdrawReason", {}, "reason");
    // Serialised with the loan's other pledge changes (release, a second listing, the sale).
    await holdApplicationRow(trx, d.application_id);
    const upd = await trx
      .updateTable("disposals")
      .set((eb) => ({
        state: "withdrawn",
        live_key: null,
        closed_at: nowInstant(),
        version: eb("version", "+", 1),
      }))
      .where("id", "=", d.id)
      .where("state", "=", "listed")
      .executeTakeFirst();
    if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.notListed");
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "disposal.withdraw",
      entityType: "disposal",
      entityId: d.id,
      fromState: "listed",
      toState: "withdrawn",
      reason,
      detail: { applicationId: d.application_id },
    });
  });
}

/** The bank's own disposals, newest first, with how many parties registered interest. */
export async function listBankDisposals(db: Executor, bankOrgId: number) {
  const rows = await db
    .selectFrom("disposals as d")
    .leftJoin("disposal_interests as i", "i.disposal_id", "d.id")
    .select((eb) => [
      "d.id",
      "d.application_id",
      "d.kind",
      "d.title",
      "d.asking_fen",
      "d.state",
      "d.listed_at",
      "d.proceeds_fen",
      eb.fn.count<number>("i.id").as("interests"),
    ])
    .where("d.bank_org_id", "=", bankOrgId)
    .groupBy([
      "d.id",
      "d.application_id",
      "d.kind",
      "d.title",
      "d.asking_fen",
      "d.state",
      "d.listed_at",
      "d.proceeds_fen",
    ])
    .orderBy("d.id", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    applicationId: r.application_id,
    kind: r.kind,
    title: r.title,
    askingFen: Number(r.asking_fen),
    state: r.state,
    listedAt: r.listed_at,
    proceedsFen: r.proceeds_fen === null ? null : Number(r.proceeds_fen),
    interests: Number(r.interests),
  }));
}

/**
 * One of the bank's disposals (another bank's: 404): the listing, the interests registered, the
 * basis the proceeds will be split by (for the live preview) and, once sold, the split written.
 */
export async function getBankDisposal(db: Executor, actor: RiskActor, id: number) {
  const d = await db.selectFrom("disposals").selectAll().where("id", "=", id).executeTakeFirst();
  if (!d || actor.role !== "bank_officer" || d.bank_org_id !== actor.orgId) notFoundRefusal();
  const interests = await db
    .selectFrom("disposal_interests")
    .select(["id", "name", "contact", "message", "created_at"])
    .where("disposal_id", "=", id)
    .orderBy("id")
    .execute();
  const distributions = await db
    .selectFrom("disposal_distributions")
    .select(["party", "amount_fen"])
    .where("disposal_id", "=", id)
    .execute();
  const basis = d.state === "listed" ? await recoveryBasis(db, d.application_id, d.claim_id) : null;
  let parts: SplitFen | null = null;
  if (distributions.length > 0) {
    parts = { pool: 0, insurer: 0, guarantor: 0, bank: 0 };
    for (const r of distributions) parts[r.party] = Number(r.amount_fen);
  }
  let soldShares: LossShares | null = null;
  if (d.claim_id !== null && parts) {
    const pool = await db
      .selectFrom("risk_claims as c")
      .innerJoin("risk_pools as p", "p.id", "c.pool_id")
      .select(["p.share_pool_bp", "p.share_insurer_bp", "p.share_guarantor_bp", "p.share_bank_bp"])
      .where("c.id", "=", d.claim_id)
      .executeTakeFirst();
    if (pool) {
      soldShares = {
        pool: pool.share_pool_bp,
        insurer: pool.share_insurer_bp,
        guarantor: pool.share_guarantor_bp,
        bank: pool.share_bank_bp,
      };
    }
  }
  return {
    disposal: {
      id: d.id,
      applicationId: d.application_id,
      kind: d.kind,
      title: d.title,
      assetSummary: d.asset_summary,
      appraisalFen: d.appraisal_fen === null ? null : Number(d.appraisal_fen),
      askingFen: Number(d.asking_fen),
      terms: d.terms,
      state: d.state,
      listedAt: d.listed_at,
      listedDate: chinaDateOf(d.listed_at),
      proceedsFen: d.proceeds_fen === null ? null : Number(d.proceeds_fen),
      buyerName: d.buyer_name,
      soldDate: d.sold_date,
    },
    interests,
    basis: basis === "pending" ? null : basis,
    claimPending: basis === "pending",
    parts,
    soldShares,
  };
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
