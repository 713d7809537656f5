import type { FirmFlag } from "../../domain/industry";
import { FIRM_FLAGS } from "../../domain/industry";
import { message } from "../../domain/message";
import {
  computeSubsidy,
  eligibilityProblems,
  subsidyClaimProblems,
  subsidyRulesProblems,
  type SubsidyComputation,
  type SubsidyRules,
} from "../../domain/risk-sharing/subsidy";
import type { SubsidyProgramme } from "../../../db/schema";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError, isUniqueViolation } from "../errors";
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
import { getLoanFacts } from "./loan-facts.server";

/** Interest subsidy programmes (docs/domain.md#interest-subsidy). */

export interface ProgrammeInput extends SubsidyRules {
  name: string;
  autoApprove: boolean;
}

export function programmeRules(p: SubsidyProgramme): SubsidyRules {
  return {
    shareBp: p.share_bp,
    lprMultipleCapBp: p.lpr_multiple_cap_bp,
    perFirmYearCapFen: Number(p.per_firm_year_cap_fen),
    budgetFen: Number(p.budget_fen),
    windowStart: p.window_start,
    windowEnd: p.window_end,
    regionCodes: csv.parse(p.region_codes),
    productIds: csv.numbers(p.product_ids),
    requiredFlags: csv
      .parse(p.required_flags)
      .filter((f): f is FirmFlag => (FIRM_FLAGS as readonly string[]).includes(f)),
    firstPledgeOnly: p.first_pledge_only === 1,
  };
}

export async function createProgramme(
  db: Db,
  actor: RiskActor,
  input: ProgrammeInput,
): Promise<number> {
  if (!(await isGovernmentOrAdmin(db, actor))) forbiddenRefusal();
  refuseIf(subsidyRulesProblems(input));
  return runApplicationTransaction(db, async (trx) => {
    const res = await trx
      .insertInto("subsidy_programmes")
      .values({
        name: input.name,
        owner_org_id: actor.orgId,
        share_bp: input.shareBp,
        lpr_multiple_cap_bp: input.lprMultipleCapBp,
        per_firm_year_cap_fen: input.perFirmYearCapFen,
        budget_fen: input.budgetFen,
        window_start: input.windowStart,
        window_end: input.windowEnd,
        region_codes: csv.join(input.regionCodes),
        product_ids: csv.join(input.productIds),
        required_flags: csv.join(input.requiredFlags),
        first_pledge_only: input.firstPledgeOnly ? 1 : 0,
        auto_approve: input.autoApprove ? 1 : 0,
        created_by: actor.userId,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "subsidy_programme.create",
      entityType: "subsidy_programme",
      entityId: id,
      detail: input,
    });
    return id;
  });
}

/**
 * A dated 1-year LPR setting (the admin or a government member). Setting the same date again
 * corrects it, audited.
 */
export async function setLpr(
  db: Db,
  actor: RiskActor,
  input: { effectiveDate: string; rateBp: number },
): Promise<void> {
  if (!(await isGovernmentOrAdmin(db, actor))) forbiddenRefusal();
  if (!Number.isSafeInteger(input.rateBp) || input.rateBp <= 0 || input.rateBp > 3000) {
    throw new RiskRefusal([message("risk:errors.lprOutOfRange", { rateBp: input.rateBp })]);
  }
  await runApplicationTransaction(db, async (trx) => {
    const upd = await trx
      .updateTable("lpr_settings")
      .set({ rate_bp: input.rateBp })
      .where("effective_date", "=", input.effectiveDate)
      .executeTakeFirst();
    if (upd.numUpdatedRows === 0n) {
      await trx
        .insertInto("lpr_settings")
        .values({
          effective_date: input.effectiveDate,
          rate_bp: input.rateBp,
          created_by: actor.userId,
          created_at: nowInstant(),
        })
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "lpr.set",
      entityType: "lpr",
      entityId: input.effectiveDate,
      detail: input,
    });
  });
}

export interface SubsidyPreview {
  programmeId: number;
  programmeName: string;
  applicationId: number;
  year: number;
  eligibility: ReturnType<typeof eligibilityProblems>;
  computation: SubsidyComputation;
  budgetRemainingFen: number;
  firmYearUsedFen: number;
}

/** What a firm can claim on one of its loans from one programme, computed from the ledger. */
export async function previewSubsidy(
  db: Executor,
  actor: RiskActor,
  programmeId: number,
  applicationId: number,
  today = todayInChina(),
): Promise<SubsidyPreview> {
  const programme = await db
    .selectFrom("subsidy_programmes")
    .selectAll()
    .where("id", "=", programmeId)
    .executeTakeFirst();
  if (!programme) notFoundRefusal();
  const facts = await getLoanFacts(db, applicationId);
  if (!facts || actor.role !== "firm" || facts.firmOrgId !== actor.orgId) notFoundRefusal();
  const rules = programmeRules(programme);
  const firm = await db
    .selectFrom("organisations")
    .select(["region_code", "flag_high_tech", "flag_specialised", "flag_tech_sme"])
    .where("id", "=", facts.firmOrgId)
    .executeTakeFirstOrThrow();
  const earlier = await db
    .selectFrom("applications")
    .select("id")
    .where("firm_org_id", "=", facts.firmOrgId)
    .where("disbursed_date", "is not", null)
    .where("id", "!=", applicationId)
    .where("disbursed_date", "<", facts.disbursedDate ?? "9999-12-31")
    .executeTakeFirst();
  const flags: FirmFlag[] = [];
  if (firm.flag_high_tech) flags.push("high_tech");
  if (firm.flag_specialised) flags.push("specialised");
  if (firm.flag_tech_sme) flags.push("tech_sme");
  const eligibility = eligibilityProblems(
    rules,
    { regionCode: firm.region_code, flags, firstPledge: !earlier },
    { productId: facts.productId },
  );
  const taken = await db
    .selectFrom("subsidised_interest")
    .select("payment_key")
    .where("application_id", "=", applicationId)
    .execute();
  const year = Number(today.slice(0, 4));
  const fy = await db
    .selectFrom("subsidy_firm_years")
    .select("committed_fen")
    .where("programme_id", "=", programmeId)
    .where("firm_org_id", "=", facts.firmOrgId)
    .where("year", "=", year)
    .executeTakeFirst();
  const lpr = await db.selectFrom("lpr_settings").select(["effective_date", "rate_bp"]).execute();
  const firmYearUsedFen = Number(fy?.committed_fen ?? 0);
  const budgetRemainingFen = Number(programme.budget_fen) - Number(programme.committed_fen);
  const computation = computeSubsidy({
    rules,
    rateBp: facts.rateBp,
    lpr: lpr.map((l) => ({ effectiveDate: l.effective_date, rateBp: l.rate_bp })),
    payments: facts.interestPayments,
    alreadySubsidised: new Set(taken.map((t) => t.payment_key)),
    firmYearUsedFen,
    budgetRemainingFen,
  });
  return {
    programmeId,
    programmeName: programme.name,
    applicationId,
    year,
    eligibility,
    computation,
    budgetRemainingFen,
    firmYearUsedFen,
  };
}

/**
 * The firm applies in one step. In one transaction: the amount is computed again from the ledger;
 * the budget and the firm's yearly cap are committed by conditional UPDATEs (so claims racing for
 * an almost spent budget never overspend it); each interest payment is claimed by its primary key
 * in subsidised_interest (so no interest is subsidised twice, by any programme). A programme that
 * pays automatically approves and pays at once.
 */
export async function fileSubsidyClaim(
  db: Db,
  actor: RiskActor,
  input: { programmeId: number; applicationId: number; idempotencyKey: string; today?: string },
): Promise<{ claimId: number; replayed: boolean; state: string }> {
  const key = `subsidy-claim:${input.idempotencyKey}`;
  const find = async () =>
    db
      .selectFrom("subsidy_claims")
      .select(["id as claimId", "state"])
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
  try {
    const { result, replayed } = await once(find, () =>
      runApplicationTransaction(db, (trx) => fileInTransaction(trx, actor, input, key)),
    );
    return { ...result, replayed };
  } catch (e) {
    // A concurrent claim took the same interest first (subsidised_interest primary key).
    if (isUniqueViolation(e))
      throw new RiskRefusal([message("risk:validation.nothingToSubsidise")]);
    throw e;
  }
}

async function fileInTransaction(
  trx: Trx,
  actor: RiskActor,
  input: { programmeId: number; applicationId: number; today?: string },
  key: string,
): Promise<{ claimId: number; state: string }> {
  const today = input.today ?? todayInChina();
  const preview = await previewSubsidy(trx, actor, input.programmeId, input.applicationId, today);
  refuseIf(preview.eligibility);
  const programme = await trx
    .selectFrom("subsidy_programmes")
    .selectAll()
    .where("id", "=", input.programmeId)
    .executeTakeFirstOrThrow();
  const c = preview.computation;
  refuseIf(
    subsidyClaimProblems({
      amountFen: c.amountFen,
      interestFen: c.interestFen,
      budgetRemainingFen: preview.budgetRemainingFen,
      claimDate: today,
      rules: programmeRules(programme),
    }),
  );
  const amount = c.amountFen;
  const committed = await trx
    .updateTable("subsidy_programmes")
    .set((eb) => ({ committed_fen: eb("committed_fen", "+", amount) }))
    .where("id", "=", input.programmeId)
    .where((eb) => eb(eb("committed_fen", "+", amount), "<=", eb.ref("budget_fen")))
    .executeTakeFirst();
  if (committed.numUpdatedRows === 0n) {
    throw new RiskRefusal([message("risk:validation.budgetExhausted")]);
  }
  const cap = Number(programme.per_firm_year_cap_fen);
  const fyUpdate = () =>
    trx
      .updateTable("subsidy_firm_years")
      .set((eb) => ({ committed_fen: eb("committed_fen", "+", amount) }))
      .where("programme_id", "=", input.programmeId)
      .where("firm_org_id", "=", actor.orgId)
      .where("year", "=", preview.year)
      .where((eb) => eb(eb("committed_fen", "+", amount), "<=", cap))
      .executeTakeFirst();
  let fy = await fyUpdate();
  if (fy.numUpdatedRows === 0n) {
    const exists = await trx
      .selectFrom("subsidy_firm_years")
      .select("committed_fen")
      .where("programme_id", "=", input.programmeId)
      .where("firm_org_id", "=", actor.orgId)
      .where("year", "=", preview.year)
      .executeTakeFirst();
    if (exists) throw new ConflictError("risk:errors.firmCapReached");
    try {
      await trx
        .insertInto("subsidy_firm_years")
        .values({
          programme_id: input.programmeId,
          firm_org_id: actor.orgId,
          year: preview.year,
          committed_fen: amount,
        })
        .execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      fy = await fyUpdate();
      if (fy.numUpdatedRows === 0n) throw new ConflictError("risk:errors.firmCapReached");
    }
  }
  const now = nowInstant();
  const res = await trx
    .insertInto("subsidy_claims")
    .values({
      programme_id: input.programmeId,
      firm_org_id: actor.orgId,
      application_id: input.applicationId,
      year: preview.year,
      state: "pending",
      interest_fen: c.interestFen,
      computed_fen: c.computedFen,
      amount_fen: amount,
      lines_json: JSON.stringify(c.lines),
      reject_reason: null,
      idempotency_key: key,
      created_by: actor.userId,
      created_at: now,
      decided_by: null,
      decided_at: null,
    })
    .executeTakeFirstOrThrow();
  const claimId = Number(res.insertId);
  for (const line of c.lines) {
    await trx
      .insertInto("subsidised_interest")
      .values({
        payment_key: line.entryKey,
        claim_id: claimId,
        application_id: input.applicationId,
        interest_fen: line.interestFen,
      })
      .execute();
  }
  await writeAudit(trx, {
    actorUserId: actor.userId,
    orgId: actor.orgId,
    action: "subsidy_claim.file",
    entityType: "subsidy_claim",
    entityId: claimId,
    toState: "pending",
    detail: { amountFen: amount, interestFen: c.interestFen, limitedBy: c.limitedBy },
  });
  if (programme.auto_approve === 1) {
    await approveInTransaction(trx, actor, claimId, today);
    return { claimId, state: "approved" };
  }
  return { claimId, state: "pending" };
}

async function approveInTransaction(
  trx: Trx,
  actor: RiskActor,
  claimId: number,
  today: string,
): Promise<void> {
  const claim = await trx
    .selectFrom("subsidy_claims")
    .selectAll()
    .where("id", "=", claimId)
    .executeTakeFirstOrThrow();
  const upd = await trx
    .updateTable("subsidy_claims")
    .set((eb) => ({
      state: "approved",
      decided_by: actor.userId,
      decided_at: nowInstant(),
      version: eb("version", "+", 1),
    }))
    .where("id", "=", claimId)
    .where("state", "=", "pending")
    .executeTakeFirst();
  if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.alreadyDecided");
  const amount = Number(claim.amount_fen);
  const firm = await trx
    .selectFrom("organisations")
    .select("region_code")
    .where("id", "=", claim.firm_org_id)
    .executeTakeFirst();
  await trx
    .insertInto("subsidy_payouts")
    .values({
      claim_id: claimId,
      programme_id: claim.programme_id,
      firm_org_id: claim.firm_org_id,
      region_code: firm?.region_code ?? null,
      amount_fen: amount,
      value_date: today,
      idempotency_key: `subsidy-payout:${claimId}`,
      created_by: actor.userId,
      created_at: nowInstant(),
    })
    .execute();
  // Committed at filing, so this holds unless the budget was tampered with; a payout never takes
  // the paid total above the budget (the whole approval rolls back).
  const paid = await trx
    .updateTable("subsidy_programmes")
    .set((eb) => ({ paid_fen: eb("paid_fen", "+", amount) }))
    .where("id", "=", claim.programme_id)
    .where((eb) => eb(eb("paid_fen", "+", amount), "<=", eb.ref("budget_fen")))
    .executeTakeFirst();
  if (paid.numUpdatedRows === 0n) {
    throw new RiskRefusal([message("risk:validation.budgetExhausted")]);
  }
  await writeAudit(trx, {
    actorUserId: actor.userId,
    orgId: actor.orgId,
    action: "subsidy_claim.approve",
    entityType: "subsidy_claim",
    entityId: claimId,
    fromState: "pending",
    toState: "approved",
    detail: { amountFen: amount },
  });
}

/** The programme's government member approves (pays) or rejects (returns budget, cap and interest). */
export async function decideSubsidyClaim(
  db: Db,
  actor: RiskActor,
  claimId: number,
  d: { decision: "approve" } | { decision: "reject"; reason: string },
): Promise<void> {
  await runApplicationTransaction(db, async (trx) => {
    const claim = await trx
      .selectFrom("subsidy_claims")
      .selectAll()
      .where("id", "=", claimId)
      .executeTakeFirst();
    if (!claim) notFoundRefusal();
    const programme = await trx
      .selectFrom("subsidy_programmes")
      .select(["owner_org_id"])
      .where("id", "=", claim.programme_id)
      .executeTakeFirstOrThrow();
    if (!(
      actor.role === "admin" ||
      (actor.role === "alliance" && actor.orgId === programme.owner_org_id)
    )) {
      notFoundRefusal();
    }
    if (claim.state !== "pending") throw new ConflictError("risk:errors.alreadyDecided");
    if (d.decision === "approve") return approveInTransaction(trx, actor, claimId, todayInChina());
    if (!d.reason.trim()) throw new RiskRefusal([message("risk:errors.reasonRequired")]);
    const upd = await trx
      .updateTable("subsidy_claims")
      .set((eb) => ({
        state: "rejected",
        reject_reason: d.reason.trim(),
        decided_by: actor.userId,
        decided_at: nowInstant(),
        version: eb("version", "+", 1),
      }))
      .where("id", "=", claimId)
      .where("state", "=", "pending")
      .executeTakeFirst();
    if (upd.numUpdatedRows === 0n) throw new ConflictError("risk:errors.alreadyDecided");
    const amount = Number(claim.amount_fen);
    await trx
      .updateTable("subsidy_programmes")
      .set((eb) => ({ committed_fen: eb("committed_fen", "-", amount) }))
      .where("id", "=", claim.programme_id)
      .execute();
    await trx
      .updateTable("subsidy_firm_years")
      .set((eb) => ({ committed_fen: eb("committed_fen", "-", amount) }))
      .where("programme_id", "=", claim.programme_id)
      .where("firm_org_id", "=", claim.firm_org_id)
      .where("year", "=", claim.year)
      .execute();
    await trx.deleteFrom("subsidised_interest").where("claim_id", "=", claimId).execute();
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "subsidy_claim.reject",
      entityType: "subsidy_claim",
      entityId: claimId,
      fromState: "pending",
      toState: "rejected",
      reason: d.reason.trim(),
    });
  });
}

/** Programmes a government member owns (admin: all), with the budget's remainder. */
export async function listProgrammes(db: Executor, actor: RiskActor) {
  let q = db.selectFrom("subsidy_programmes").selectAll().orderBy("id");
  if (actor.role === "alliance") q = q.where("owner_org_id", "=", actor.orgId);
  else if (actor.role !== "admin") return [];
  const rows = await q.execute();
  return rows.map((p) => ({
    ...p,
    remainingFen: Number(p.budget_fen) - Number(p.committed_fen),
  }));
}

/** A firm's own subsidy claims. */
export async function listFirmSubsidyClaims(db: Executor, firmOrgId: number) {
  return db
    .selectFrom("subsidy_claims as c")
    .innerJoin("subsidy_programmes as p", "p.id", "c.programme_id")
    .select([
      "c.id",
      "p.name as programmeName",
      "c.application_id",
      "c.state",
      "c.interest_fen",
      "c.amount_fen",
      "c.created_at",
    ])
    .where("c.firm_org_id", "=", firmOrgId)
    .orderBy("c.id", "desc")
    .execute();
}

/**
 * What a firm can claim now: each of its disbursed loans against each programme, computed from
 * the repayment ledger; offers with nothing to claim or an ineligible firm are listed with why.
 */
export async function listFirmSubsidyOffers(
  db: Executor,
  actor: RiskActor,
  today = todayInChina(),
) {
  if (actor.role !== "firm") return [];
  const loans = await db
    .selectFrom("applications")
    .select("id")
    .where("firm_org_id", "=", actor.orgId)
    .where("disbursed_date", "is not", null)
    .orderBy("id", "desc")
    .limit(20)
    .execute();
  const programmes = await db
    .selectFrom("subsidy_programmes")
    .select("id")
    .where("window_start", "<=", today)
    .where("window_end", ">=", today)
    .orderBy("id")
    .execute();
  const offers: SubsidyPreview[] = [];
  for (const l of loans) {
    for (const p of programmes) offers.push(await previewSubsidy(db, actor, p.id, l.id, today));
  }
  return offers;
}

/** The LPR settings by effective date, newest first (the admin or a government member). */
export async function listLpr(db: Db, actor: RiskActor) {
  if (!(await isGovernmentOrAdmin(db, actor))) forbiddenRefusal();
  const rows = await db
    .selectFrom("lpr_settings")
    .select(["effective_date", "rate_bp", "created_at"])
    .orderBy("effective_date", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => ({
    effectiveDate: r.effective_date,
    rateBp: r.rate_bp,
    createdAt: r.created_at,
  }));
}

/** Products a programme may be limited to: every active product, with its bank. */
export async function listProgrammeProductChoices(db: Db) {
  return db
    .selectFrom("loan_products as p")
    .innerJoin("organisations as o", "o.id", "p.bank_org_id")
    .select(["p.id", "p.name", "o.name as bankName"])
    .where("p.active", "=", 1)
    .orderBy("p.id")
    .limit(500)
    .execute();
}

/**
 * One programme with its figures and its claims, for its government member (another member is
 * told it does not exist) or the admin. Remaining = budget − committed (pending and paid claims).
 */
export async function getProgrammeView(db: Db, actor: RiskActor, programmeId: number) {
  const p = await db
    .selectFrom("subsidy_programmes")
    .selectAll()
    .where("id", "=", programmeId)
    .executeTakeFirst();
  if (!p) notFoundRefusal();
  if (!(actor.role === "admin" || (actor.role === "alliance" && actor.orgId === p.owner_org_id))) {
    notFoundRefusal();
  }
  const claims = await db
    .selectFrom("subsidy_claims as c")
    .innerJoin("organisations as f", "f.id", "c.firm_org_id")
    .select([
      "c.id",
      "c.application_id",
      "c.state",
      "c.year",
      "c.interest_fen",
      "c.computed_fen",
      "c.amount_fen",
      "c.reject_reason",
      "c.created_at",
      "c.decided_at",
      "f.name as firmName",
      "f.region_code as firmRegion",
    ])
    .where("c.programme_id", "=", programmeId)
    .orderBy("c.id", "desc")
    .limit(500)
    .execute();
  const products = csv.numbers(p.product_ids);
  const productNames =
    products.length === 0
      ? []
      : await db
          .selectFrom("loan_products")
          .select(["id", "name"])
          .where("id", "in", products)
          .execute();
  const budgetFen = Number(p.budget_fen);
  const committedFen = Number(p.committed_fen);
  const paidFen = Number(p.paid_fen);
  return {
    id: p.id,
    name: p.name,
    ownerOrgId: p.owner_org_id,
    rules: programmeRules(p),
    autoApprove: p.auto_approve === 1,
    productNames: productNames.map((x) => x.name),
    budgetFen,
    committedFen,
    paidFen,
    pendingFen: committedFen - paidFen,
    remainingFen: budgetFen - committedFen,
    claims: claims.map((c) => ({
      id: c.id,
      applicationId: c.application_id,
      state: c.state,
      year: c.year,
      interestFen: Number(c.interest_fen),
      computedFen: Number(c.computed_fen),
      amountFen: Number(c.amount_fen),
      rejectReason: c.reject_reason,
      createdAt: c.created_at,
      decidedAt: c.decided_at,
      firmName: c.firmName,
      firmRegion: c.firmRegion,
    })),
  };
}
