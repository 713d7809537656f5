import { isClaimDocument } from "../../domain/risk-sharing/claims";
import { splitByShares, type SplitFen } from "../../domain/risk-sharing/shares";
import type { Executor } from "../ledger.server";
import { notFoundRefusal, type RiskActor } from "./common.server";
import { getPoolRules, listPoolSummaries, managesPool } from "./pools.server";

/** What the risk-sharing pages read (docs/domain.md#risk-pools): a pool, a claim, form choices. */

/** The choices of the pool set-up form: every product, and the insurers and guarantors. */
export async function listPoolFormOptions(db: Executor) {
  const products = await db
    .selectFrom("loan_products as p")
    .innerJoin("organisations as o", "o.id", "p.bank_org_id")
    .select(["p.id", "p.name", "o.name as bankName"])
    .orderBy("o.name")
    .orderBy("p.id")
    .execute();
  const parties = await db
    .selectFrom("organisations")
    .select(["id", "name", "alliance_kind"])
    .where("kind", "=", "alliance")
    .where("alliance_kind", "in", ["insurer", "guarantor"])
    .orderBy("name")
    .execute();
  return {
    products,
    insurers: parties.filter((p) => p.alliance_kind === "insurer"),
    guarantors: parties.filter((p) => p.alliance_kind === "guarantor"),
  };
}

/**
 * A pool's page: its figures, rules, funders and entries, the loans it covers and its claims. A
 * bank officer sees the pool's figures but only its own bank's loans and claims.
 */
export async function getPoolDetail(db: Executor, actor: RiskActor, poolId: number) {
  const loaded = await getPoolRules(db, poolId);
  if (!loaded) notFoundRefusal();
  const [summary] = await listPoolSummaries(db, poolId);
  const orgIds = [
    loaded.pool.manager_org_id,
    loaded.pool.insurer_org_id,
    loaded.pool.guarantor_org_id,
  ].filter((x): x is number => x !== null);
  const orgs = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("id", "in", orgIds)
    .execute();
  const orgName = (id: number | null) => orgs.find((o) => o.id === id)?.name ?? null;
  const products =
    loaded.rules.productIds.length === 0
      ? []
      : await db
          .selectFrom("loan_products as p")
          .innerJoin("organisations as o", "o.id", "p.bank_org_id")
          .select(["p.id", "p.name", "o.name as bankName"])
          .where("p.id", "in", loaded.rules.productIds)
          .orderBy("p.id")
          .execute();
  const funders = await db
    .selectFrom("risk_pool_funders as f")
    .leftJoin("risk_pool_entries as e", (j) =>
      j.onRef("e.funder_id", "=", "f.id").on("e.entry_type", "=", "contribution"),
    )
    .select((eb) => [
      "f.id",
      "f.name",
      eb.fn.coalesce(eb.fn.sum<number>("e.amount_fen"), eb.val(0)).as("contributedFen"),
    ])
    .where("f.pool_id", "=", poolId)
    .groupBy(["f.id", "f.name"])
    .orderBy("f.id")
    .execute();
  const entries = await db
    .selectFrom("risk_pool_entries as e")
    .leftJoin("risk_pool_funders as f", "f.id", "e.funder_id")
    .select([
      "e.id",
      "e.entry_type",
      "e.amount_fen",
      "e.value_date",
      "e.claim_id",
      "f.name as funderName",
    ])
    .where("e.pool_id", "=", poolId)
    .orderBy("e.id", "desc")
    .limit(50)
    .execute();
  const bankScope = actor.role === "bank_officer" ? actor.orgId : null;
  let loansQ = db
    .selectFrom("risk_reservations as r")
    .innerJoin("applications as a", "a.id", "r.application_id")
    .innerJoin("organisations as b", "b.id", "a.bank_org_id")
    .innerJoin("organisations as f", "f.id", "a.firm_org_id")
    .select([
      "r.application_id",
      "r.initial_fen",
      "r.reserved_fen",
      "r.state",
      "a.bank_org_id",
      "a.region_code",
      "b.name as bankName",
      "f.name as firmName",
    ])
    .where("r.pool_id", "=", poolId)
    .orderBy("r.application_id", "desc");
  if (bankScope !== null) loansQ = loansQ.where("a.bank_org_id", "=", bankScope);
  let claimsQ = db
    .selectFrom("risk_claims")
    .select([
      "id",
      "application_id",
      "bank_org_id",
      "state",
      "loss_fen",
      "claimed_fen",
      "approved_fen",
      "filed_at",
    ])
    .where("pool_id", "=", poolId)
    .orderBy("id", "desc");
  if (bankScope !== null) claimsQ = claimsQ.where("bank_org_id", "=", bankScope);
  const [loans, claims] = await Promise.all([loansQ.execute(), claimsQ.execute()]);
  const p = loaded.pool;
  return {
    summary,
    pool: {
      id: p.id,
      name: p.name,
      kind: p.kind,
      managerName: orgName(p.manager_org_id),
      insurerName: orgName(p.insurer_org_id),
      guarantorName: orgName(p.guarantor_org_id),
    },
    rules: loaded.rules,
    requiredDocuments: loaded.requiredDocuments,
    products,
    funders: funders.map((f) => ({ ...f, contributedFen: Number(f.contributedFen) })),
    entries: entries.map((e) => ({ ...e, amount_fen: Number(e.amount_fen) })),
    loans: loans.map((l) => ({
      ...l,
      initial_fen: Number(l.initial_fen),
      reserved_fen: Number(l.reserved_fen),
    })),
    claims: claims.map((c) => ({
      ...c,
      loss_fen: Number(c.loss_fen),
      claimed_fen: Number(c.claimed_fen),
      approved_fen: c.approved_fen === null ? null : Number(c.approved_fen),
    })),
    manages: managesPool(actor, p),
  };
}

/**
 * One claim as its bank, its pool's manager or an admin sees it (anyone else: not found), with
 * the split by shares — what was paid, or for a filed claim what approving it in full would pay.
 */
export async function getClaimDetail(db: Executor, actor: RiskActor, claimId: number) {
  const claim = await db
    .selectFrom("risk_claims as c")
    .innerJoin("organisations as b", "b.id", "c.bank_org_id")
    .selectAll("c")
    .select("b.name as bankName")
    .where("c.id", "=", claimId)
    .executeTakeFirst();
  if (!claim) notFoundRefusal();
  const loaded = await getPoolRules(db, claim.pool_id);
  if (!loaded) notFoundRefusal();
  const manages = managesPool(actor, loaded.pool);
  const ownBank = actor.role === "bank_officer" && actor.orgId === claim.bank_org_id;
  if (!manages && !ownBank) notFoundRefusal();
  const documents = await db
    .selectFrom("risk_claim_documents")
    .select(["document", "reference"])
    .where("claim_id", "=", claimId)
    .orderBy("document")
    .execute();
  const payoutRows = await db
    .selectFrom("risk_claim_payouts as p")
    .leftJoin("organisations as o", "o.id", "p.payer_org_id")
    .select(["p.party", "p.amount_fen", "o.name as payerName"])
    .where("p.claim_id", "=", claimId)
    .execute();
  const payers = Object.fromEntries(
    payoutRows.flatMap((r) =>
      r.payerName && (r.party === "insurer" || r.party === "guarantor")
        ? [[r.party, r.payerName]]
        : [],
    ),
  ) as Partial<Record<"insurer" | "guarantor", string>>;
  const claimedFen = Number(claim.claimed_fen);
  const paid: SplitFen | null =
    payoutRows.length === 0
      ? null
      : {
          pool: 0,
          insurer: 0,
          guarantor: 0,
          bank: 0,
          ...Object.fromEntries(payoutRows.map((r) => [r.party, Number(r.amount_fen)])),
        };
  return {
    payers,
    claim: {
      id: claim.id,
      poolId: claim.pool_id,
      applicationId: claim.application_id,
      bankOrgId: claim.bank_org_id,
      bankName: claim.bankName,
      state: claim.state,
      outstandingPrincipalFen: Number(claim.outstanding_principal_fen),
      unpaidInterestFen: Number(claim.unpaid_interest_fen),
      coveredPrincipalFen: Number(claim.covered_principal_fen),
      allowedInterestFen: Number(claim.allowed_interest_fen),
      lossFen: Number(claim.loss_fen),
      claimedFen,
      approvedFen: claim.approved_fen === null ? null : Number(claim.approved_fen),
      rejectReason: claim.reject_reason,
      filedAt: claim.filed_at,
      decidedAt: claim.decided_at,
    },
    pool: {
      id: loaded.pool.id,
      name: loaded.pool.name,
      balanceFen: Number(loaded.pool.balance_fen),
    },
    shares: loaded.rules.shares,
    documents: documents.filter((d) => isClaimDocument(d.document)),
    paid,
    /** The split of the whole claimed amount, shown before a decision. */
    fullSplit: splitByShares(claimedFen, loaded.rules.shares),
    manages,
    ownBank,
  };
}

/** A loan's coverage as its bank's page shows it: the pool, the reservation, its latest claim. */
export async function getLoanCover(db: Executor, bankOrgId: number, applicationId: number) {
  const r = await db
    .selectFrom("risk_reservations as r")
    .innerJoin("risk_pools as p", "p.id", "r.pool_id")
    .innerJoin("applications as a", "a.id", "r.application_id")
    .select(["r.pool_id", "p.name as poolName", "r.reserved_fen", "r.state", "a.state as appState"])
    .where("r.application_id", "=", applicationId)
    .where("a.bank_org_id", "=", bankOrgId)
    .executeTakeFirst();
  if (!r) return null;
  const claim = await db
    .selectFrom("risk_claims")
    .select(["id", "state"])
    .where("application_id", "=", applicationId)
    .orderBy("id", "desc")
    .executeTakeFirst();
  return {
    poolId: r.pool_id,
    poolName: r.poolName,
    reservedFen: Number(r.reserved_fen),
    state: r.state,
    /** Defaulted through the deal workflow (the loan page's own default record covers servicing). */
    defaulted: r.appState === "defaulted",
    claim: claim ?? null,
  };
}
