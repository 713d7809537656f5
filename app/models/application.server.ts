import { sql, type Updateable } from "kysely";
import type {
  Application,
  ApplicationState,
  ApplicationsTable,
  IpType,
  LoanProduct,
} from "../../db/schema";
import { isIsoDate } from "../domain/ip";
import { chooseLeastCollateral } from "../domain/matching";
import {
  checkApproval,
  checkDisbursement,
  checkDraft,
  BANK_OPEN_STATES,
  checkTransition,
  isVisibleToBank,
  canComment,
  monthOf,
  parseProductSnapshot,
  pledgeSetCapacity,
  type DealProblem,
  type PledgedAsset,
  type ProductSnapshot,
  type WorkflowAction,
  type WorkflowActor,
} from "../domain/workflow";
import type { Db } from "../utils/db.server";
import { nowInstant, todayInChina } from "../utils/time";
import { writeAudit } from "./audit.server";
import { ConflictError, isUniqueViolation, UserFacingError } from "./errors";
import {
  insertDisbursementEntry,
  runDealTransaction,
  type Executor,
  type LedgerHooks,
  type Trx,
} from "./ledger.server";
import { notifyOrganisation } from "./notification.server";
import { productSnapshot } from "./product.server";
import { emitProgressChanged } from "./progress-events.server";

/**
 * Applications and their workflow (docs/domain.md#workflow). Every transition is one
 * transaction that
 *   1. reads the application within the actor's scope (a firm its own, a bank those to its own
 *      products; anything else is "not found"),
 *   2. asks app/domain/workflow.ts whether the actor may do it and whether the numbers pass,
 *   3. moves the state with UPDATE … WHERE id = ? AND state = ? AND version = ? (zero rows: someone
 *      else changed it first → ConflictError),
 *   4. writes its side effects (quota, pledge locks, ledger, totals), the audit row and the other
 *      side's notifications.
 *
 * Quota: approval reserves the approved amount (a conditional UPDATE that never lets
 * quota_remaining_fen go below zero); rejection after approval returns it; a disbursement below
 * the approved amount returns the difference. Repayment does not restore quota: the quota is the
 * product's lending programme, not a revolving line. Every quota change bumps loan_products.version
 * so a product edit based on an older read is refused instead of overwriting the new remainder.
 *
 * Pledge locks: one pledge_locks row per asset (asset_id is the primary key) from approval until
 * release — on rejection, repayment, or default. A default is recorded once the pledged IP has
 * been disposed of (处置完成), so recording it releases the locks too; until then the deal stays
 * disbursed and the assets stay locked.
 */

export interface Actor {
  userId: number;
  orgId: number;
}

/** A refusal with every problem found, for the form to show each next to its field. */
export class DealProblemsError extends UserFacingError {
  constructor(public readonly problems: DealProblem[]) {
    super(`deals:problems.${problems[0].code}`, { ...problems[0] }, undefined, 400);
    this.name = "DealProblemsError";
  }
}

export function applicationNotFound(): UserFacingError {
  return new UserFacingError("deals:errors.notFound", {}, undefined, 404);
}

function linkFor(side: WorkflowActor, id: number): string {
  return side === "firm" ? `/firm/applications/${id}` : `/bank/applications/${id}`;
}

async function loadScoped(
  db: Executor,
  side: WorkflowActor,
  orgId: number,
  id: number,
): Promise<Application> {
  let q = db.selectFrom("applications").selectAll().where("id", "=", id);
  q = side === "firm" ? q.where("firm_org_id", "=", orgId) : q.where("bank_org_id", "=", orgId);
  const app = await q.executeTakeFirst();
  if (!app || (side === "bank" && !isVisibleToBank(app.state))) throw applicationNotFound();
  return app;
}

/** Asset facts the approval checks need, with the signing day of the current appraisal. */
async function loadPledgedAssets(
  db: Executor,
  firmOrgId: number,
  assetIds: readonly number[],
): Promise<PledgedAsset[]> {
  if (assetIds.length === 0) return [];
  const rows = await db
    .selectFrom("ip_assets")
    .leftJoin("appraisals", "appraisals.id", "ip_assets.formal_appraisal_id")
    .select([
      "ip_assets.id",
      "ip_assets.title",
      "ip_assets.ip_type",
      "ip_assets.status",
      "ip_assets.expiry_date",
      "ip_assets.formal_value_fen",
      "ip_assets.formal_valid_until",
      "appraisals.signed_date",
    ])
    .where("ip_assets.firm_org_id", "=", firmOrgId)
    .where("ip_assets.id", "in", [...assetIds])
    .orderBy("ip_assets.id")
    .execute();
  return rows.map((r) => ({
    assetId: r.id,
    title: r.title,
    ipType: r.ip_type,
    status: r.status,
    expiryDate: r.expiry_date,
    formalValueFen: r.formal_value_fen === null ? null : Number(r.formal_value_fen),
    formalValidUntil: r.formal_valid_until,
    formalSignedDate: r.signed_date ?? null,
  }));
}

function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Every requested asset must be the firm's own; another firm's id reads as "not found". */
async function ownAssets(
  db: Executor,
  firmOrgId: number,
  assetIds: readonly number[],
): Promise<PledgedAsset[]> {
  const ids = uniqueIds(assetIds);
  const assets = await loadPledgedAssets(db, firmOrgId, ids);
  if (assets.length !== ids.length) {
    throw new UserFacingError("deals:errors.assetNotFound", {}, "assetIds");
  }
  return assets;
}

async function writeApplicationAssets(
  trx: Trx,
  applicationId: number,
  assets: readonly PledgedAsset[],
  snapshot: ProductSnapshot,
): Promise<void> {
  await trx.deleteFrom("application_assets").where("application_id", "=", applicationId).execute();
  if (assets.length === 0) return;
  await trx
    .insertInto("application_assets")
    .values(
      assets.map((a) => ({
        application_id: applicationId,
        asset_id: a.assetId,
        ip_type: a.ipType,
        value_fen: a.formalValueFen ?? 0,
        pledge_rate_bp: snapshot.pledgeRateBp[a.ipType],
      })),
    )
    .execute();
}

function assertNoProblems(problems: DealProblem[]): void {
  if (problems.length > 0) throw new DealProblemsError(problems);
}

function assertDate(value: string, field: string, today: string): void {
  if (!isIsoDate(value)) throw new UserFacingError("deals:errors.badDate", {}, field);
  if (value > today) throw new UserFacingError("deals:errors.dateInFuture", { today }, field);
}

// ---------------------------------------------------------------------------------------------
// The firm's side
// ---------------------------------------------------------------------------------------------

export interface DraftInput {
  firmOrgId: number;
  userId: number;
  productId: number;
  requestId: number | null;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  assetIds: number[];
}

/**
 * A new draft application to a product: the product's terms are snapshotted now (later product
 * edits never change them), the firm's 盟市 and industry are copied, and each pledged asset is
 * stored with its current formal value and the snapshot's pledge rate. The matching page's
 * "apply" button and the catalogue's apply form both call this.
 */
export async function createApplicationDraft(
  db: Db,
  input: DraftInput,
): Promise<{ applicationId: number }> {
  return runDealTransaction(db, async (trx) => {
    const product = await trx
      .selectFrom("loan_products")
      .selectAll()
      .where("id", "=", input.productId)
      .executeTakeFirst();
    if (!product) throw new UserFacingError("deals:errors.productNotFound", {}, undefined, 404);
    if (product.active !== 1) throw new UserFacingError("deals:errors.productPaused");
    const firm = await trx
      .selectFrom("organisations")
      .select(["id", "kind", "region_code", "industry_section"])
      .where("id", "=", input.firmOrgId)
      .executeTakeFirst();
    if (!firm || firm.kind !== "firm")
      throw new UserFacingError("deals:errors.notAFirm", {}, undefined, 403);
    if (!firm.region_code) throw new UserFacingError("deals:errors.firmRegionMissing");
    if (input.requestId !== null) {
      const req = await trx
        .selectFrom("financing_requests")
        .select("id")
        .where("id", "=", input.requestId)
        .where("firm_org_id", "=", input.firmOrgId)
        .executeTakeFirst();
      if (!req) throw new UserFacingError("deals:errors.requestNotFound", {}, "requestId");
    }
    const snapshotJson = JSON.stringify(productSnapshot(product as LoanProduct));
    const snapshot = parseProductSnapshot(snapshotJson);
    const assets = await ownAssets(trx, input.firmOrgId, input.assetIds);
    assertNoProblems(
      checkDraft({
        snapshot,
        amountFen: input.amountFen,
        termMonths: input.termMonths,
        rateBp: input.rateBp,
        assets,
      }),
    );
    const now = nowInstant();
    const res = await trx
      .insertInto("applications")
      .values({
        request_id: input.requestId,
        product_id: product.id,
        firm_org_id: input.firmOrgId,
        bank_org_id: product.bank_org_id,
        region_code: firm.region_code,
        industry_section: firm.industry_section,
        state: "draft",
        version: 1,
        amount_fen: input.amountFen,
        term_months: input.termMonths,
        rate_bp: input.rateBp,
        product_snapshot_json: snapshotJson,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const applicationId = Number(res.insertId);
    await writeApplicationAssets(trx, applicationId, assets, snapshot);
    await writeAudit(trx, {
      actorUserId: input.userId,
      orgId: input.firmOrgId,
      action: "application.create",
      entityType: "application",
      entityId: applicationId,
      toState: "draft",
      detail: {
        productId: product.id,
        productVersion: product.version,
        amountFen: input.amountFen,
        assetIds: assets.map((a) => a.assetId),
      },
    });
    return { applicationId };
  });
}

export interface DraftEdit {
  applicationId: number;
  version: number;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  assetIds: number[];
}

/** Changes a draft's amount, term, rate and pledged assets (the snapshot stays). */
export async function updateDraft(db: Db, actor: Actor, edit: DraftEdit): Promise<void> {
  await runDealTransaction(db, async (trx) => {
    const app = await loadScoped(trx, "firm", actor.orgId, edit.applicationId);
    if (app.version !== edit.version) throw new ConflictError();
    if (app.state !== "draft") throw new UserFacingError("deals:errors.notEditable");
    const snapshot = parseProductSnapshot(app.product_snapshot_json);
    const assets = await ownAssets(trx, actor.orgId, edit.assetIds);
    assertNoProblems(
      checkDraft({
        snapshot,
        amountFen: edit.amountFen,
        termMonths: edit.termMonths,
        rateBp: edit.rateBp,
        assets,
      }),
    );
    const res = await trx
      .updateTable("applications")
      .set((eb) => ({
        amount_fen: edit.amountFen,
        term_months: edit.termMonths,
        rate_bp: edit.rateBp,
        version: eb("version", "+", 1),
        updated_at: nowInstant(),
      }))
      .where("id", "=", app.id)
      .where("state", "=", "draft")
      .where("version", "=", edit.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    await writeApplicationAssets(trx, app.id, assets, snapshot);
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "application.edit",
      entityType: "application",
      entityId: app.id,
      fromState: "draft",
      toState: "draft",
      detail: {
        amountFen: edit.amountFen,
        termMonths: edit.termMonths,
        rateBp: edit.rateBp,
        assetIds: assets.map((a) => a.assetId),
      },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------------

interface TransitionSpec {
  action: WorkflowAction;
  side: WorkflowActor;
  actor: Actor;
  applicationId: number;
  version: number;
  reason?: string | null;
  /** Checks and side effects after the state moved, inside the same transaction. */
  effects?: (trx: Trx, app: Application, to: ApplicationState) => Promise<Record<string, unknown>>;
  /** Checks before anything is written. */
  precheck?: (trx: Trx, app: Application) => Promise<void>;
  /** Extra columns written with the state. */
  columns?: (app: Application) => Updateable<ApplicationsTable>;
}

async function transition(trx: Trx, spec: TransitionSpec): Promise<Application> {
  const app = await loadScoped(trx, spec.side, spec.actor.orgId, spec.applicationId);
  if (app.version !== spec.version) throw new ConflictError();
  const check = checkTransition(spec.action, app.state, spec.side);
  if (!check.ok) {
    throw new UserFacingError(
      "deals:errors.actionNotAllowed",
      { state: app.state },
      undefined,
      409,
    );
  }
  await spec.precheck?.(trx, app);
  const now = nowInstant();
  const extra = spec.columns?.(app) ?? {};
  const res = await trx
    .updateTable("applications")
    .set((eb) => ({
      ...extra,
      state: check.to,
      version: eb("version", "+", 1),
      updated_at: now,
    }))
    .where("id", "=", app.id)
    .where("state", "=", app.state)
    .where("version", "=", spec.version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
  const detail = (await spec.effects?.(trx, app, check.to)) ?? {};
  await writeAudit(trx, {
    actorUserId: spec.actor.userId,
    orgId: spec.actor.orgId,
    action: `application.${spec.action}`,
    entityType: "application",
    entityId: app.id,
    fromState: app.state,
    toState: check.to,
    reason: spec.reason ?? null,
    detail: Object.keys(detail).length ? detail : undefined,
  });
  // The other side hears about it.
  const otherOrg = spec.side === "firm" ? app.bank_org_id : app.firm_org_id;
  await notifyOrganisation(trx, otherOrg, {
    kind: spec.action,
    params: { id: app.id, from: app.state, to: check.to },
    link: linkFor(spec.side === "firm" ? "bank" : "firm", app.id),
  });
  return { ...app, state: check.to, version: app.version + 1 };
}

interface Versioned {
  applicationId: number;
  version: number;
}

export async function submitApplication(db: Db, actor: Actor, v: Versioned): Promise<void> {
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "submit",
      side: "firm",
      actor,
      ...v,
      precheck: async (t, app) => {
        // Submit with the current values: the bank sees what the assets are worth today.
        const snapshot = parseProductSnapshot(app.product_snapshot_json);
        const ids = await assetIdsOf(t, app.id);
        const assets = await loadPledgedAssets(t, app.firm_org_id, ids);
        assertNoProblems(
          checkDraft({
            snapshot,
            amountFen: Number(app.amount_fen),
            termMonths: app.term_months,
            rateBp: app.rate_bp,
            assets,
          }),
        );
        await writeApplicationAssets(t, app.id, assets, snapshot);
      },
      columns: () => ({ submitted_at: nowInstant() }),
    }),
  );
}

export async function withdrawApplication(
  db: Db,
  actor: Actor,
  v: Versioned & { reason?: string },
): Promise<void> {
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "withdraw",
      side: "firm",
      actor,
      ...v,
      reason: v.reason?.trim() || null,
      columns: () => ({ closed_at: nowInstant() }),
      // Withdrawal happens before approval, so there are no locks or quota; release anyway so a
      // future change of the state machine cannot leave a lock behind.
      effects: async (t, app) => {
        await releaseLocks(t, app.id);
        return {};
      },
    }),
  );
}

export async function startReview(db: Db, actor: Actor, v: Versioned): Promise<void> {
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "start_review",
      side: "bank",
      actor,
      ...v,
      columns: () => ({ review_started_at: nowInstant() }),
    }),
  );
}

export interface ApprovalDecision extends Versioned {
  amountFen: number;
  rateBp: number;
  termMonths: number;
  /** The approval day; today in China unless a seed replays history. */
  day?: string;
}

async function assetIdsOf(db: Executor, applicationId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("application_assets")
    .select("asset_id")
    .where("application_id", "=", applicationId)
    .orderBy("asset_id")
    .execute();
  return rows.map((r) => r.asset_id);
}

/**
 * Approves: the domain checks (capacity under the snapshot's pledge rates, appraisals valid on
 * the day, rate and term in range), then reserves the quota and locks every pledged asset. A
 * lock already held by another application makes the whole approval roll back.
 */
export async function approveApplication(
  db: Db,
  actor: Actor,
  d: ApprovalDecision,
): Promise<{ primaryIpType: IpType }> {
  const day = d.day ?? todayInChina();
  let primary: IpType | null = null;
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "approve",
      side: "bank",
      actor,
      ...d,
      precheck: async (t, app) => {
        const snapshot = parseProductSnapshot(app.product_snapshot_json);
        const assets = await loadPledgedAssets(t, app.firm_org_id, await assetIdsOf(t, app.id));
        const result = checkApproval({
          snapshot,
          requestedFen: Number(app.amount_fen),
          amountFen: d.amountFen,
          termMonths: d.termMonths,
          rateBp: d.rateBp,
          assets,
          day,
        });
        assertNoProblems(result.problems);
        primary = result.primaryIpType;
        // Record the values the approval relied on.
        await writeApplicationAssets(t, app.id, assets, snapshot);
      },
      columns: () => ({
        approved_amount_fen: d.amountFen,
        approved_rate_bp: d.rateBp,
        approved_term_months: d.termMonths,
        primary_ip_type: primary,
        approved_at: nowInstant(),
      }),
      effects: async (t, app) => {
        const quota = await t
          .updateTable("loan_products")
          .set((eb) => ({
            quota_remaining_fen: eb("quota_remaining_fen", "-", d.amountFen),
            version: eb("version", "+", 1),
          }))
          .where("id", "=", app.product_id)
          .where("quota_remaining_fen", ">=", d.amountFen)
          .executeTakeFirst();
        if (Number(quota.numUpdatedRows) !== 1) {
          const p = await t
            .selectFrom("loan_products")
            .select("quota_remaining_fen")
            .where("id", "=", app.product_id)
            .executeTakeFirst();
          throw new UserFacingError(
            "deals:errors.quotaExhausted",
            { remainingFen: Number(p?.quota_remaining_fen ?? 0), amountFen: d.amountFen },
            "amount",
          );
        }
        const assets = await t
          .selectFrom("application_assets")
          .innerJoin("ip_assets", "ip_assets.id", "application_assets.asset_id")
          .select(["application_assets.asset_id", "ip_assets.title"])
          .where("application_assets.application_id", "=", app.id)
          .orderBy("application_assets.asset_id")
          .execute();
        const now = nowInstant();
        // Ascending asset ids: two approvals sharing assets take the locks in the same order.
        for (const a of assets) {
          try {
            await t
              .insertInto("pledge_locks")
              .values({ asset_id: a.asset_id, application_id: app.id, locked_at: now })
              .execute();
          } catch (e) {
            if (isUniqueViolation(e)) {
              throw new UserFacingError(
                "deals:errors.assetLocked",
                { title: a.title, assetId: a.asset_id },
                "assetIds",
                409,
              );
            }
            throw e;
          }
        }
        return {
          amountFen: d.amountFen,
          rateBp: d.rateBp,
          termMonths: d.termMonths,
          day,
          primaryIpType: primary,
          lockedAssetIds: assets.map((a) => a.asset_id),
        };
      },
    }),
  );
  return { primaryIpType: primary as unknown as IpType };
}

async function releaseLocks(trx: Trx, applicationId: number): Promise<number> {
  const res = await trx
    .deleteFrom("pledge_locks")
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

async function returnQuota(trx: Trx, productId: number, amountFen: number): Promise<void> {
  if (amountFen <= 0) return;
  await trx
    .updateTable("loan_products")
    .set((eb) => ({
      quota_remaining_fen: eb("quota_remaining_fen", "+", amountFen),
      version: eb("version", "+", 1),
    }))
    .where("id", "=", productId)
    .execute();
}

function requireReason(reason: string | undefined, field = "reason"): string {
  const r = (reason ?? "").trim();
  if (r.length < 2) throw new UserFacingError("deals:errors.reasonRequired", {}, field);
  if (r.length > 1000) throw new UserFacingError("deals:errors.reasonTooLong", {}, field);
  return r;
}

/** Rejects with a reason; after an approval it also releases the locks and returns the quota. */
export async function rejectApplication(
  db: Db,
  actor: Actor,
  v: Versioned & { reason: string },
): Promise<void> {
  const reason = requireReason(v.reason);
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "reject",
      side: "bank",
      actor,
      ...v,
      reason,
      columns: () => ({ reject_reason: reason, closed_at: nowInstant() }),
      effects: async (t, app) => {
        const released = await releaseLocks(t, app.id);
        const reserved =
          app.state === "approved" || app.state === "pledge_registered"
            ? Number(app.approved_amount_fen ?? 0)
            : 0;
        await returnQuota(t, app.product_id, reserved);
        return { releasedLocks: released, quotaReturnedFen: reserved };
      },
    }),
  );
}

/** 质押登记 at CNIPA: its registration number and date. */
export async function registerPledge(
  db: Db,
  actor: Actor,
  v: Versioned & { regNumber: string; regDate: string; today?: string },
): Promise<void> {
  const regNumber = v.regNumber.trim();
  if (regNumber.length < 4 || regNumber.length > 64) {
    throw new UserFacingError("deals:errors.regNumberInvalid", {}, "regNumber");
  }
  assertDate(v.regDate, "regDate", v.today ?? todayInChina());
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "register_pledge",
      side: "bank",
      actor,
      ...v,
      columns: () => ({
        pledge_reg_number: regNumber,
        pledge_reg_date: v.regDate,
        registered_at: nowInstant(),
      }),
      effects: async () => ({ regNumber, regDate: v.regDate }),
    }),
  );
}

/**
 * 放款: moves the application to disbursed and, in the same transaction, writes its one ledger
 * entry and the totals (app/models/ledger.server.ts). After the commit the running total's
 * listeners (the SSE stream) hear about it. `hooks` lets a test crash between the steps.
 */
export async function disburseApplication(
  db: Db,
  actor: Actor,
  v: Versioned & { amountFen: number; valueDate: string; today?: string },
  hooks: LedgerHooks = {},
): Promise<{ entryId: number }> {
  assertDate(v.valueDate, "valueDate", v.today ?? todayInChina());
  let entryId = 0;
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "disburse",
      side: "bank",
      actor,
      ...v,
      precheck: async (_t, app) => {
        assertNoProblems(
          checkDisbursement({
            approvedFen: Number(app.approved_amount_fen ?? 0),
            amountFen: v.amountFen,
            valueDate: v.valueDate,
            registeredDate: app.pledge_reg_date,
          }),
        );
        if (!app.primary_ip_type) throw new Error(`application ${app.id} has no primary IP type`);
      },
      columns: () => ({
        disbursed_amount_fen: v.amountFen,
        disbursed_date: v.valueDate,
        disbursed_at: nowInstant(),
      }),
      effects: async (t, app) => {
        const unused = Number(app.approved_amount_fen ?? 0) - v.amountFen;
        await returnQuota(t, app.product_id, unused);
        entryId = await insertDisbursementEntry(
          t,
          {
            applicationId: app.id,
            amountFen: v.amountFen,
            valueDate: v.valueDate,
            month: monthOf(v.valueDate),
            regionCode: app.region_code,
            bankOrgId: app.bank_org_id,
            ipType: app.primary_ip_type as IpType,
            firmOrgId: app.firm_org_id,
            createdBy: actor.userId,
          },
          hooks,
        );
        return {
          amountFen: v.amountFen,
          valueDate: v.valueDate,
          entryId,
          quotaReturnedFen: unused,
        };
      },
    }),
  );
  emitProgressChanged();
  return { entryId };
}

export async function recordRepayment(
  db: Db,
  actor: Actor,
  v: Versioned & { closedDate: string; today?: string },
): Promise<void> {
  assertDate(v.closedDate, "closedDate", v.today ?? todayInChina());
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "repay",
      side: "bank",
      actor,
      ...v,
      precheck: async (_t, app) => {
        if (app.disbursed_date && v.closedDate < app.disbursed_date) {
          throw new UserFacingError(
            "deals:errors.closedBeforeDisbursed",
            { day: app.disbursed_date },
            "closedDate",
          );
        }
      },
      columns: () => ({ closed_date: v.closedDate, closed_at: nowInstant() }),
      effects: async (t, app) => ({
        closedDate: v.closedDate,
        releasedLocks: await releaseLocks(t, app.id),
      }),
    }),
  );
}

/** Records a default once its disposal is complete, releasing the pledge (see the header). */
export async function recordDefault(
  db: Db,
  actor: Actor,
  v: Versioned & { closedDate: string; reason: string; today?: string },
): Promise<void> {
  const reason = requireReason(v.reason);
  assertDate(v.closedDate, "closedDate", v.today ?? todayInChina());
  await runDealTransaction(db, (trx) =>
    transition(trx, {
      action: "default",
      side: "bank",
      actor,
      ...v,
      reason,
      precheck: async (_t, app) => {
        if (app.disbursed_date && v.closedDate < app.disbursed_date) {
          throw new UserFacingError(
            "deals:errors.closedBeforeDisbursed",
            { day: app.disbursed_date },
            "closedDate",
          );
        }
      },
      columns: () => ({ closed_date: v.closedDate, closed_at: nowInstant() }),
      effects: async (t, app) => ({
        closedDate: v.closedDate,
        releasedLocks: await releaseLocks(t, app.id),
      }),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The thread
// ---------------------------------------------------------------------------------------------

export const MAX_COMMENT_LENGTH = 2000;

/**
 * A message in the application's thread, which both sides see. A bank officer may mark it as a
 * request for documents (补充材料). Not a state change, so no version check; the other side is
 * notified.
 */
export async function addComment(
  db: Db,
  actor: Actor,
  side: WorkflowActor,
  c: { applicationId: number; body: string; kind: "comment" | "document_request" },
): Promise<number> {
  const body = c.body.trim();
  if (!body) throw new UserFacingError("deals:errors.commentRequired", {}, "body");
  if ([...body].length > MAX_COMMENT_LENGTH) {
    throw new UserFacingError("deals:errors.commentTooLong", { max: MAX_COMMENT_LENGTH }, "body");
  }
  if (c.kind === "document_request" && side !== "bank") {
    throw new UserFacingError("deals:errors.actionNotAllowed", {}, undefined, 403);
  }
  return runDealTransaction(db, async (trx) => {
    const app = await loadScoped(trx, side, actor.orgId, c.applicationId);
    if (!canComment(app.state))
      throw new UserFacingError("deals:errors.commentOnDraft", {}, "body");
    const res = await trx
      .insertInto("application_comments")
      .values({
        application_id: app.id,
        author_user_id: actor.userId,
        author_org_id: actor.orgId,
        kind: c.kind,
        body,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const other = side === "firm" ? app.bank_org_id : app.firm_org_id;
    await notifyOrganisation(trx, other, {
      kind: c.kind,
      params: { id: app.id },
      link: linkFor(side === "firm" ? "bank" : "firm", app.id),
    });
    return Number(res.insertId);
  });
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export const APPLICATIONS_PAGE_SIZE = 20;

export interface ApplicationListRow {
  id: number;
  state: ApplicationState;
  version: number;
  productName: string;
  bankName: string;
  firmName: string;
  amountFen: number;
  approvedAmountFen: number | null;
  disbursedAmountFen: number | null;
  termMonths: number;
  rateBp: number;
  updatedAt: string;
}

function listQuery(db: Db) {
  return db
    .selectFrom("applications")
    .innerJoin("loan_products", "loan_products.id", "applications.product_id")
    .innerJoin("organisations as bank", "bank.id", "applications.bank_org_id")
    .innerJoin("organisations as firm", "firm.id", "applications.firm_org_id")
    .select([
      "applications.id",
      "applications.state",
      "applications.version",
      "loan_products.name as product_name",
      "bank.name as bank_name",
      "firm.name as firm_name",
      "applications.amount_fen",
      "applications.approved_amount_fen",
      "applications.disbursed_amount_fen",
      "applications.term_months",
      "applications.rate_bp",
      "applications.updated_at",
    ]);
}

type RawListRow = Awaited<ReturnType<ReturnType<typeof listQuery>["execute"]>>[number];

function toListRow(r: RawListRow): ApplicationListRow {
  return {
    id: r.id,
    state: r.state,
    version: r.version,
    productName: r.product_name,
    bankName: r.bank_name,
    firmName: r.firm_name,
    amountFen: Number(r.amount_fen),
    approvedAmountFen: r.approved_amount_fen === null ? null : Number(r.approved_amount_fen),
    disbursedAmountFen: r.disbursed_amount_fen === null ? null : Number(r.disbursed_amount_fen),
    termMonths: r.term_months,
    rateBp: r.rate_bp,
    updatedAt: r.updated_at,
  };
}

function pageOf(total: number, page: number) {
  const pages = Math.max(1, Math.ceil(total / APPLICATIONS_PAGE_SIZE));
  return { pages, page: Math.min(Math.max(1, page), pages) };
}

export async function listFirmApplications(db: Db, firmOrgId: number, page: number) {
  const count = await db
    .selectFrom("applications")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirstOrThrow();
  const total = Number(count.n);
  const p = pageOf(total, page);
  const rows = await listQuery(db)
    .where("applications.firm_org_id", "=", firmOrgId)
    .orderBy("applications.id", "desc")
    .limit(APPLICATIONS_PAGE_SIZE)
    .offset((p.page - 1) * APPLICATIONS_PAGE_SIZE)
    .execute();
  return { rows: rows.map(toListRow), total, ...p };
}

export async function listBankApplications(
  db: Db,
  bankOrgId: number,
  filter: { state: ApplicationState | "open" | "all"; page: number },
) {
  const byState = await db
    .selectFrom("applications")
    .select((eb) => ["state", eb.fn.countAll<number | string>().as("n")])
    .where("bank_org_id", "=", bankOrgId)
    .where("state", "!=", "draft")
    .groupBy("state")
    .execute();
  const counts: Partial<Record<ApplicationState, number>> = {};
  for (const r of byState) counts[r.state] = Number(r.n);
  const states: ApplicationState[] =
    filter.state === "all"
      ? (Object.keys(counts) as ApplicationState[])
      : filter.state === "open"
        ? [...BANK_OPEN_STATES]
        : [filter.state];
  const total = states.reduce((s, st) => s + (counts[st] ?? 0), 0);
  const p = pageOf(total, filter.page);
  const rows =
    total === 0 || filter.state === "draft"
      ? []
      : await listQuery(db)
          .where("applications.bank_org_id", "=", bankOrgId)
          .where("applications.state", "in", states)
          // The to-do list puts what waits longest in the workflow first: new submissions.
          .orderBy(
            sql`case applications.state when 'submitted' then 0 when 'under_review' then 1 when 'approved' then 2 when 'pledge_registered' then 3 else 4 end`,
          )
          .orderBy("applications.id", "desc")
          .limit(APPLICATIONS_PAGE_SIZE)
          .offset((p.page - 1) * APPLICATIONS_PAGE_SIZE)
          .execute();
  return { rows: rows.map(toListRow), total, counts, ...p };
}

export interface ApplicationAssetView {
  assetId: number;
  title: string;
  number: string;
  ipType: IpType;
  status: string;
  expiryDate: string;
  /** Stored with the application (the value at creation, submission or approval). */
  valueFen: number;
  pledgeRateBp: number;
  capacityFen: number;
  currentFormalValueFen: number | null;
  formalValidUntil: string | null;
  lockedBy: number | null;
}

export interface TimelineItem {
  id: number;
  action: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  actorName: string | null;
  actorOrg: string | null;
  at: string;
}

export interface CommentView {
  id: number;
  kind: "comment" | "document_request";
  body: string;
  authorName: string;
  authorSide: "firm" | "bank" | "other";
  at: string;
}

/**
 * Everything the detail page shows, for a viewer allowed to see it (the firm that applied, or an
 * officer of the bank once submitted); anyone else gets "not found".
 */
export async function getApplicationDetail(
  db: Db,
  side: WorkflowActor,
  orgId: number,
  applicationId: number,
) {
  const app = await loadScoped(db, side, orgId, applicationId);
  const snapshot = parseProductSnapshot(app.product_snapshot_json);
  const [assets, comments, timeline, names] = await Promise.all([
    db
      .selectFrom("application_assets")
      .innerJoin("ip_assets", "ip_assets.id", "application_assets.asset_id")
      .leftJoin("pledge_locks", "pledge_locks.asset_id", "application_assets.asset_id")
      .select([
        "application_assets.asset_id",
        "application_assets.ip_type",
        "application_assets.value_fen",
        "application_assets.pledge_rate_bp",
        "ip_assets.title",
        "ip_assets.number",
        "ip_assets.status",
        "ip_assets.expiry_date",
        "ip_assets.formal_value_fen",
        "ip_assets.formal_valid_until",
        "pledge_locks.application_id as locked_by",
      ])
      .where("application_assets.application_id", "=", app.id)
      .orderBy("application_assets.asset_id")
      .execute(),
    db
      .selectFrom("application_comments")
      .innerJoin("users", "users.id", "application_comments.author_user_id")
      .select([
        "application_comments.id",
        "application_comments.kind",
        "application_comments.body",
        "application_comments.author_org_id",
        "application_comments.created_at",
        "users.display_name",
      ])
      .where("application_comments.application_id", "=", app.id)
      .orderBy("application_comments.id")
      .execute(),
    db
      .selectFrom("audit_log")
      .leftJoin("users", "users.id", "audit_log.actor_user_id")
      .leftJoin("organisations", "organisations.id", "audit_log.org_id")
      .select([
        "audit_log.id",
        "audit_log.action",
        "audit_log.from_state",
        "audit_log.to_state",
        "audit_log.reason",
        "audit_log.created_at",
        "users.display_name",
        "organisations.name as org_name",
      ])
      .where("audit_log.entity_type", "=", "application")
      .where("audit_log.entity_id", "=", String(app.id))
      .orderBy("audit_log.id")
      .execute(),
    db
      .selectFrom("organisations")
      .select(["id", "name"])
      .where("id", "in", [app.firm_org_id, app.bank_org_id])
      .execute(),
  ]);
  const assetViews: ApplicationAssetView[] = assets.map((a) => {
    const valueFen = Number(a.value_fen);
    const cap = pledgeSetCapacity(
      [
        {
          assetId: a.asset_id,
          title: a.title,
          ipType: a.ip_type,
          formalValueFen: valueFen,
          formalValidUntil: null,
        },
      ],
      { pledgeRateBp: { ...snapshot.pledgeRateBp, [a.ip_type]: a.pledge_rate_bp } },
    );
    return {
      assetId: a.asset_id,
      title: a.title,
      number: a.number,
      ipType: a.ip_type,
      status: a.status,
      expiryDate: a.expiry_date,
      valueFen,
      pledgeRateBp: a.pledge_rate_bp,
      capacityFen: cap.capacityFen,
      currentFormalValueFen: a.formal_value_fen === null ? null : Number(a.formal_value_fen),
      formalValidUntil: a.formal_valid_until,
      lockedBy: a.locked_by ?? null,
    };
  });
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  return {
    app: {
      id: app.id,
      state: app.state,
      version: app.version,
      productId: app.product_id,
      requestId: app.request_id,
      firmOrgId: app.firm_org_id,
      firmName: nameOf.get(app.firm_org_id) ?? "",
      bankOrgId: app.bank_org_id,
      bankName: nameOf.get(app.bank_org_id) ?? "",
      regionCode: app.region_code,
      amountFen: Number(app.amount_fen),
      termMonths: app.term_months,
      rateBp: app.rate_bp,
      approvedAmountFen: app.approved_amount_fen === null ? null : Number(app.approved_amount_fen),
      approvedRateBp: app.approved_rate_bp,
      approvedTermMonths: app.approved_term_months,
      primaryIpType: app.primary_ip_type,
      pledgeRegNumber: app.pledge_reg_number,
      pledgeRegDate: app.pledge_reg_date,
      disbursedAmountFen:
        app.disbursed_amount_fen === null ? null : Number(app.disbursed_amount_fen),
      disbursedDate: app.disbursed_date,
      closedDate: app.closed_date,
      rejectReason: app.reject_reason,
      createdAt: app.created_at,
      updatedAt: app.updated_at,
    },
    snapshot,
    assets: assetViews,
    capacityFen: assetViews.reduce((s, a) => s + a.capacityFen, 0),
    comments: comments.map((c): CommentView => ({
      id: c.id,
      kind: c.kind,
      body: c.body,
      authorName: c.display_name,
      authorSide:
        c.author_org_id === app.firm_org_id
          ? "firm"
          : c.author_org_id === app.bank_org_id
            ? "bank"
            : "other",
      at: c.created_at,
    })),
    timeline: timeline.map((e): TimelineItem => ({
      id: e.id,
      action: e.action,
      fromState: e.from_state,
      toState: e.to_state,
      reason: e.reason,
      actorName: e.display_name ?? null,
      actorOrg: e.org_name ?? null,
      at: e.created_at,
    })),
  };
}

export type ApplicationDetail = Awaited<ReturnType<typeof getApplicationDetail>>;

/** The product a firm may apply to (active), with its bank's name, or null. */
export async function getApplicableProduct(db: Db, productId: number) {
  const row = await db
    .selectFrom("loan_products")
    .innerJoin("organisations", "organisations.id", "loan_products.bank_org_id")
    .selectAll("loan_products")
    .select("organisations.name as bank_name")
    .where("loan_products.id", "=", productId)
    .where("loan_products.active", "=", 1)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * The firm's assets a product could take, with their capacity under its pledge rates (formal
 * values valid today only) and whether another application holds them locked.
 */
export async function listPledgeableAssets(
  db: Db,
  firmOrgId: number,
  snapshot: ProductSnapshot,
  today: string = todayInChina(),
) {
  const rows = await db
    .selectFrom("ip_assets")
    .leftJoin("pledge_locks", "pledge_locks.asset_id", "ip_assets.id")
    .select([
      "ip_assets.id",
      "ip_assets.title",
      "ip_assets.number",
      "ip_assets.ip_type",
      "ip_assets.status",
      "ip_assets.expiry_date",
      "ip_assets.formal_value_fen",
      "ip_assets.formal_valid_until",
      "pledge_locks.application_id as locked_by",
    ])
    .where("ip_assets.firm_org_id", "=", firmOrgId)
    .where(
      "ip_assets.ip_type",
      "in",
      snapshot.acceptedIpTypes.length ? snapshot.acceptedIpTypes : ["invention"],
    )
    .orderBy("ip_assets.id")
    .execute();
  return rows.map((r) => {
    const valid =
      r.formal_value_fen !== null && r.formal_valid_until !== null && r.formal_valid_until >= today;
    const valueFen = valid ? Number(r.formal_value_fen) : 0;
    const cap = pledgeSetCapacity(
      [
        {
          assetId: r.id,
          title: r.title,
          ipType: r.ip_type,
          formalValueFen: valueFen,
          formalValidUntil: null,
        },
      ],
      snapshot,
    ).capacityFen;
    return {
      id: r.id,
      title: r.title,
      number: r.number,
      ipType: r.ip_type,
      formalValueFen: r.formal_value_fen === null ? null : Number(r.formal_value_fen),
      formalValidUntil: r.formal_valid_until,
      validToday: valid,
      capacityFen: cap,
      lockedBy: r.locked_by ?? null,
    };
  });
}

/**
 * What the approve form shows before the officer decides: the capacity of the pledged set with the
 * appraisals valid today, the problems an approval of the requested terms would meet, and the
 * product's remaining quota. Read-only; the approval itself checks again in its transaction.
 */
export async function previewApproval(
  db: Db,
  bankOrgId: number,
  applicationId: number,
  day: string = todayInChina(),
) {
  const app = await loadScoped(db, "bank", bankOrgId, applicationId);
  const snapshot = parseProductSnapshot(app.product_snapshot_json);
  const assets = await loadPledgedAssets(db, app.firm_org_id, await assetIdsOf(db, app.id));
  const result = checkApproval({
    snapshot,
    requestedFen: Number(app.amount_fen),
    amountFen: Number(app.amount_fen),
    termMonths: app.term_months,
    rateBp: app.rate_bp,
    assets,
    day,
  });
  const product = await db
    .selectFrom("loan_products")
    .select("quota_remaining_fen")
    .where("id", "=", app.product_id)
    .executeTakeFirst();
  return {
    day,
    capacityFen: result.capacity.capacityFen,
    problems: result.problems,
    quotaRemainingFen: Number(product?.quota_remaining_fen ?? 0),
  };
}

/** The amount and term of the firm's own financing request, to prefill an application. */
export async function getFirmRequestTerms(db: Db, firmOrgId: number, requestId: number) {
  const row = await db
    .selectFrom("financing_requests")
    .select(["id", "amount_fen", "term_months", "max_rate_bp"])
    .where("id", "=", requestId)
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        amountFen: Number(row.amount_fen),
        termMonths: row.term_months,
        maxRateBp: row.max_rate_bp,
      }
    : null;
}

/**
 * The least-collateral set (app/domain/matching/least-collateral.ts) among the assets that can lend today and are
 * not pledged elsewhere, for `amountFen`; null when they do not cover it together.
 */
export function suggestCollateral(
  assets: Awaited<ReturnType<typeof listPledgeableAssets>>,
  amountFen: number,
  ownApplicationId?: number,
) {
  const free = assets.filter(
    (a) =>
      a.validToday && a.capacityFen > 0 && (a.lockedBy === null || a.lockedBy === ownApplicationId),
  );
  return chooseLeastCollateral(
    free.map((a) => ({ id: a.id, valueFen: a.formalValueFen ?? 0, capacityFen: a.capacityFen })),
    amountFen,
  );
}

/** For tests and the reconcile script: the raw row. */
export async function getApplicationRow(db: Db, id: number): Promise<Application | undefined> {
  return db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirst();
}
