import { coverKindOf, premiumFen, quoteProblems } from "../../domain/risk-sharing/cover";
import type { Db } from "../../utils/db.server";
import { nowInstant } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError, isUniqueViolation, UserFacingError } from "../errors";
import { runApplicationTransaction, type Executor } from "../ledger.server";
import { forbiddenRefusal, notFoundRefusal, refuseIf, type RiskActor } from "./common.server";

/**
 * Guarantee insurance and guarantees as parties of a product (domain: risk-sharing/cover.ts).
 * One live quote per product, party and kind (the unique key of risk_product_quotes): quoting
 * again changes the rate; a policy bound earlier keeps the rate it was bound at.
 */

async function coverKindOfActor(db: Executor, actor: RiskActor) {
  if (actor.role !== "alliance") return null;
  const org = await db
    .selectFrom("organisations")
    .select("alliance_kind")
    .where("id", "=", actor.orgId)
    .executeTakeFirst();
  return coverKindOf(org?.alliance_kind ?? null);
}

/** What the actor may quote: insurance (an insurer), a guarantee (a guarantor), or nothing. */
export async function quoteKindFor(db: Db, actor: RiskActor) {
  return coverKindOfActor(db, actor);
}

/** Products an insurer or guarantor may quote (every active one), with its own quote if any. */
export async function listQuotableProducts(db: Db, actor: RiskActor) {
  const kind = await coverKindOfActor(db, actor);
  if (!kind) forbiddenRefusal();
  const rows = await db
    .selectFrom("loan_products as p")
    .innerJoin("organisations as b", "b.id", "p.bank_org_id")
    .leftJoin("risk_product_quotes as q", (j) =>
      j
        .onRef("q.product_id", "=", "p.id")
        .on("q.party_org_id", "=", actor.orgId)
        .on("q.kind", "=", kind),
    )
    .select(["p.id", "p.name", "b.name as bankName", "q.rate_bp as rateBp"])
    .where("p.active", "=", 1)
    .orderBy("p.id")
    .limit(500)
    .execute();
  return { kind, products: rows };
}

/** An insurer quotes its premium rate, a guarantor its fee rate, for one product. Audited. */
export async function quoteProduct(
  db: Db,
  actor: RiskActor,
  input: { productId: number; rateBp: number },
): Promise<void> {
  const kind = await coverKindOfActor(db, actor);
  if (!kind) forbiddenRefusal();
  refuseIf(quoteProblems(input.rateBp));
  await runApplicationTransaction(db, async (trx) => {
    const product = await trx
      .selectFrom("loan_products")
      .select("id")
      .where("id", "=", input.productId)
      .where("active", "=", 1)
      .executeTakeFirst();
    if (!product) notFoundRefusal();
    const upd = await trx
      .updateTable("risk_product_quotes")
      .set({ rate_bp: input.rateBp, active: 1 })
      .where("product_id", "=", input.productId)
      .where("party_org_id", "=", actor.orgId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    let quoteId: number;
    if (upd.numUpdatedRows === 0n) {
      const res = await trx
        .insertInto("risk_product_quotes")
        .values({
          product_id: input.productId,
          party_org_id: actor.orgId,
          kind,
          rate_bp: input.rateBp,
          created_by: actor.userId,
          created_at: nowInstant(),
        })
        .executeTakeFirstOrThrow();
      quoteId = Number(res.insertId);
    } else {
      const q = await trx
        .selectFrom("risk_product_quotes")
        .select("id")
        .where("product_id", "=", input.productId)
        .where("party_org_id", "=", actor.orgId)
        .where("kind", "=", kind)
        .executeTakeFirstOrThrow();
      quoteId = q.id;
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "risk_quote.set",
      entityType: "risk_quote",
      entityId: quoteId,
      detail: { productId: input.productId, kind, rateBp: input.rateBp },
    });
  });
}

/** The live quotes on a product, for its bank (and the application it approved). */
export async function listProductQuotes(db: Executor, productId: number) {
  return db
    .selectFrom("risk_product_quotes as q")
    .innerJoin("organisations as o", "o.id", "q.party_org_id")
    .select(["q.id", "q.kind", "q.rate_bp as rateBp", "o.name as partyName", "q.party_org_id"])
    .where("q.product_id", "=", productId)
    .where("q.active", "=", 1)
    .orderBy("q.kind")
    .orderBy("q.rate_bp")
    .execute();
}

/** An approved application of the bank, its quotes and the policies bound on it. */
export async function getApplicationCover(db: Db, actor: RiskActor, applicationId: number) {
  const app = await db
    .selectFrom("applications")
    .select(["id", "product_id", "bank_org_id", "state", "approved_amount_fen"])
    .where("id", "=", applicationId)
    .executeTakeFirst();
  if (!app || actor.role !== "bank_officer" || app.bank_org_id !== actor.orgId) notFoundRefusal();
  const [quotes, policies] = await Promise.all([
    listProductQuotes(db, app.product_id),
    db
      .selectFrom("risk_policies as p")
      .innerJoin("organisations as o", "o.id", "p.party_org_id")
      .select([
        "p.id",
        "p.kind",
        "p.rate_bp as rateBp",
        "p.insured_fen as insuredFen",
        "p.premium_fen as premiumFen",
        "p.bound_at as boundAt",
        "o.name as partyName",
      ])
      .where("p.application_id", "=", applicationId)
      .execute(),
  ]);
  const insuredFen = app.approved_amount_fen === null ? null : Number(app.approved_amount_fen);
  return {
    applicationId: app.id,
    bankOrgId: app.bank_org_id,
    state: app.state,
    insuredFen,
    quotes: quotes.map((q) => ({
      ...q,
      premiumFen: insuredFen === null ? null : premiumFen(insuredFen, q.rateBp),
    })),
    policies: policies.map((p) => ({
      ...p,
      insuredFen: Number(p.insuredFen),
      premiumFen: Number(p.premiumFen),
    })),
  };
}

/**
 * At approval the bank binds one quote of the product: the policy (or guarantee) records the
 * amount covered (the approved amount), the rate and the premium. One of each kind per loan
 * (unique key); only on an approved application, before disbursement.
 */
export async function bindQuote(
  db: Db,
  actor: RiskActor,
  input: { applicationId: number; quoteId: number },
): Promise<number> {
  try {
    return await runApplicationTransaction(db, async (trx) => {
      const app = await trx
        .selectFrom("applications")
        .select(["id", "product_id", "bank_org_id", "state", "approved_amount_fen"])
        .where("id", "=", input.applicationId)
        .executeTakeFirst();
      if (!app || actor.role !== "bank_officer" || app.bank_org_id !== actor.orgId) {
        notFoundRefusal();
      }
      if (app.state !== "approved" || app.approved_amount_fen === null) {
        throw new UserFacingError("risk:errors.bindOnlyApproved", {}, undefined, 409);
      }
      const quote = await trx
        .selectFrom("risk_product_quotes")
        .selectAll()
        .where("id", "=", input.quoteId)
        .where("product_id", "=", app.product_id)
        .where("active", "=", 1)
        .executeTakeFirst();
      if (!quote) notFoundRefusal();
      const insured = Number(app.approved_amount_fen);
      const premium = premiumFen(insured, quote.rate_bp);
      const res = await trx
        .insertInto("risk_policies")
        .values({
          application_id: app.id,
          quote_id: quote.id,
          party_org_id: quote.party_org_id,
          kind: quote.kind,
          rate_bp: quote.rate_bp,
          insured_fen: insured,
          premium_fen: premium,
          bound_at: nowInstant(),
        })
        .executeTakeFirstOrThrow();
      const policyId = Number(res.insertId);
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "risk_policy.bind",
        entityType: "application",
        entityId: app.id,
        detail: {
          policyId,
          quoteId: quote.id,
          kind: quote.kind,
          rateBp: quote.rate_bp,
          insuredFen: insured,
          premiumFen: premium,
        },
      });
      return policyId;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError("risk:errors.coverAlreadyBound");
    throw e;
  }
}
