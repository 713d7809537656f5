import { type Updateable } from "kysely";
import type { Application, ApplicationState, ApplicationsTable, IpType } from "../../../db/schema";
import {
  checkApproval,
  checkDisbursement,
  checkDraft,
  checkTransition,
  monthOf,
  parseProductSnapshot,
  type ApplicationAction,
  type ApplicationActor,
} from "../../domain/application";
import type { Db } from "../../utils/db.server";
import { nowInstant, todayInChina } from "../../utils/time";
import { openLoanAccount } from "../servicing/loan.server";
import {
  ALL_REPAYMENT_METHODS_MASK,
  methodsInMask,
  type RepaymentMethod,
} from "../../domain/servicing/schedule";
import { writeAudit } from "../audit.server";
import { lockedAssetIds, releasePledgeLocks, takePledgeLocks } from "../pledge-locks.server";
import { reserveCoverage, syncReservation } from "../risk-sharing/pools.server";
import { ConflictError, UserFacingError } from "../errors";
import {
  quotaChangeOnDisbursement,
  quotaHeldFen,
  type DisbursementSlot,
} from "../../domain/disbursement";
import {
  disbursementSlotOf,
  insertDisbursementEntry,
  runApplicationTransaction,
  type Executor,
  type LedgerHooks,
  type Trx,
} from "../ledger.server";
import { notifyOrganisation } from "../notification.server";
import { mailOrganisation } from "../notice-mail.server";
import { applicationEventMail } from "../../domain/mail";
import { emitProgressChanged } from "../progress-events.server";
import {
  assertDate,
  assertNoProblems,
  linkFor,
  loadPledgedAssets,
  loadScoped,
  writeApplicationAssets,
  type Actor,
} from "./shared.server";

// ---------------------------------------------------------------------------------------------
// Transitions
// ---------------------------------------------------------------------------------------------

interface TransitionSpec {
  action: ApplicationAction;
  side: ApplicationActor;
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
      "applications:errors.actionNotAllowed",
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
  await mailEvent(trx, spec.action, app.id, otherOrg, spec.side === "firm" ? "bank" : "firm");
  return { ...app, state: check.to, version: app.version + 1 };
}

/**
 * The deal events that are mailed (submitted → the bank; approved, rejected, disbursed → the
 * firm), in the same transaction as the state change: a rolled-back transition mails nothing.
 */
async function mailEvent(
  trx: Trx,
  action: ApplicationAction,
  applicationId: number,
  orgId: number,
  side: ApplicationActor,
): Promise<void> {
  const template = applicationEventMail(action);
  if (!template) return;
  const row = await trx
    .selectFrom("applications")
    .select(["amount_fen", "approved_amount_fen", "disbursed_amount_fen", "reject_reason"])
    .where("id", "=", applicationId)
    .executeTakeFirstOrThrow();
  const amount =
    action === "disburse"
      ? (row.disbursed_amount_fen ?? row.approved_amount_fen ?? row.amount_fen)
      : action === "approve"
        ? (row.approved_amount_fen ?? row.amount_fen)
        : row.amount_fen;
  await mailOrganisation(trx, orgId, {
    template,
    params: { id: applicationId, reason: row.reject_reason ?? "" },
    money: { amount: Number(amount) },
    link: linkFor(side, applicationId),
  });
}

interface Versioned {
  applicationId: number;
  version: number;
}

export async function submitApplication(db: Db, actor: Actor, v: Versioned): Promise<void> {
  await runApplicationTransaction(db, (trx) =>
    transition(trx, {
      action: "submit",
      side: "firm",
      actor,
      ...v,
      precheck: async (t, app) => {
        // A self-registered firm submits only once its e-mail is verified (issue 11).
        const who = await t
          .selectFrom("users")
          .select("email_verified")
          .where("id", "=", actor.userId)
          .executeTakeFirst();
        if (Number(who?.email_verified) !== 1) {
          throw new UserFacingError("auth:verify.requiredToSubmit", {}, undefined, 403);
        }
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
  await runApplicationTransaction(db, (trx) =>
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
  await runApplicationTransaction(db, (trx) =>
    transition(trx, {
      action: "start_review",
      side: "bank",
      actor,
      ...v,
      columns: () => ({ review_started_at: nowInstant() }),
    }),
  );
}

/** The bank's repayment method, checked against the methods the product offers (decision 010). */
async function chooseRepaymentMethod(
  t: Trx,
  productId: number,
  requested: RepaymentMethod | undefined,
): Promise<RepaymentMethod> {
  const product = await t
    .selectFrom("loan_products")
    .select("repayment_methods_mask")
    .where("id", "=", productId)
    .executeTakeFirst();
  const offered = methodsInMask(product?.repayment_methods_mask ?? ALL_REPAYMENT_METHODS_MASK);
  if (requested === undefined) return offered[0] ?? "equal_instalment";
  if (!offered.includes(requested)) {
    throw new UserFacingError("servicing:refusals.methodNotOffered", {}, "repaymentMethod");
  }
  return requested;
}

export interface ApprovalDecision extends Versioned {
  amountFen: number;
  rateBp: number;
  termMonths: number;
  /** The approval day; today in China unless a seed replays history. */
  day?: string;
  /** One of the methods the product offers; its first offered method when left out. */
  repaymentMethod?: RepaymentMethod;
}

export async function assetIdsOf(db: Executor, applicationId: number): Promise<number[]> {
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
  let method: RepaymentMethod | null = null;
  await runApplicationTransaction(db, (trx) =>
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
        method = await chooseRepaymentMethod(t, app.product_id, d.repaymentMethod);
        // Record the values the approval relied on.
        await writeApplicationAssets(t, app.id, assets, snapshot);
      },
      columns: () => ({
        approved_amount_fen: d.amountFen,
        approved_rate_bp: d.rateBp,
        approved_term_months: d.termMonths,
        primary_ip_type: primary,
        repayment_method: method,
        approved_at: nowInstant(),
      }),
      effects: async (t, app) => {
        await takeQuota(t, app.product_id, d.amountFen);
        const assets = await t
          .selectFrom("application_assets")
          .innerJoin("ip_assets", "ip_assets.id", "application_assets.asset_id")
          .select(["application_assets.asset_id", "ip_assets.title"])
          .where("application_assets.application_id", "=", app.id)
          .orderBy("application_assets.asset_id")
          .execute();
        await takePledgeLocks(
          t,
          app.id,
          assets,
          (a) =>
            new UserFacingError(
              "applications:errors.assetLocked",
              { title: a.title, assetId: a.asset_id },
              "assetIds",
              409,
            ),
        );
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

/** Takes `amountFen` more of the product's quota, or refuses as approval does when it is gone. */
async function takeQuota(trx: Trx, productId: number, amountFen: number): Promise<void> {
  const quota = await trx
    .updateTable("loan_products")
    .set((eb) => ({
      quota_remaining_fen: eb("quota_remaining_fen", "-", amountFen),
      version: eb("version", "+", 1),
    }))
    .where("id", "=", productId)
    .where("quota_remaining_fen", ">=", amountFen)
    .executeTakeFirst();
  if (Number(quota.numUpdatedRows) === 1) return;
  const p = await trx
    .selectFrom("loan_products")
    .select("quota_remaining_fen")
    .where("id", "=", productId)
    .executeTakeFirst();
  throw new UserFacingError(
    "applications:errors.quotaExhausted",
    { remainingFen: Number(p?.quota_remaining_fen ?? 0), amountFen },
    "amount",
  );
}

async function releaseLocks(trx: Trx, applicationId: number): Promise<number> {
  return (await releasePledgeLocks(trx, applicationId)).length;
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
  if (r.length < 2) throw new UserFacingError("applications:errors.reasonRequired", {}, field);
  if (r.length > 1000) throw new UserFacingError("applications:errors.reasonTooLong", {}, field);
  return r;
}

/** Rejects with a reason; after an approval it also releases the locks and returns the quota. */
export async function rejectApplication(
  db: Db,
  actor: Actor,
  v: Versioned & { reason: string },
): Promise<void> {
  const reason = requireReason(v.reason);
  await runApplicationTransaction(db, (trx) =>
    transition(trx, {
      action: "reject",
      side: "bank",
      actor,
      ...v,
      reason,
      columns: () => ({ reject_reason: reason, closed_at: nowInstant() }),
      effects: async (t, app) => {
        const released = await releaseLocks(t, app.id);
        // After a reversal the application holds the reversed amount, not the approved one.
        const reserved =
          app.state === "approved" || app.state === "pledge_registered"
            ? quotaHeldFen(
                Number(app.approved_amount_fen ?? 0),
                await disbursementSlotOf(t, app.id),
              )
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
    throw new UserFacingError("applications:errors.regNumberInvalid", {}, "regNumber");
  }
  assertDate(v.regDate, "regDate", v.today ?? todayInChina());
  await runApplicationTransaction(db, (trx) =>
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
 * 放款: moves the application to disbursed and, in the same transaction, writes its ledger entry
 * and the totals (app/models/ledger.server.ts). After a reversal (decision 021) the same action
 * enters the corrected disbursement: it fills the slot the reversal opened, and the quota the
 * application still holds (the reversed amount) is settled against the new amount. After the
 * commit the running total's listeners (the SSE stream) hear about it. `hooks` lets a test crash
 * between the steps.
 */
export async function disburseApplication(
  db: Db,
  actor: Actor,
  v: Versioned & { amountFen: number; valueDate: string; today?: string },
  hooks: LedgerHooks = {},
): Promise<{ entryId: number }> {
  assertDate(v.valueDate, "valueDate", v.today ?? todayInChina());
  let entryId = 0;
  let slot: DisbursementSlot = { kind: "first" };
  await runApplicationTransaction(db, (trx) =>
    transition(trx, {
      action: "disburse",
      side: "bank",
      actor,
      ...v,
      precheck: async (t, app) => {
        assertNoProblems(
          checkDisbursement({
            approvedFen: Number(app.approved_amount_fen ?? 0),
            amountFen: v.amountFen,
            valueDate: v.valueDate,
            registeredDate: app.pledge_reg_date,
          }),
        );
        if (!app.primary_ip_type) throw new Error(`application ${app.id} has no primary IP type`);
        slot = await disbursementSlotOf(t, app.id);
        if (slot.kind === "taken") throw new ConflictError("applications:errors.alreadyDisbursed");
      },
      columns: () => ({
        disbursed_amount_fen: v.amountFen,
        disbursed_date: v.valueDate,
        disbursed_at: nowInstant(),
      }),
      effects: async (t, app) => {
        const afterReversalId = slot.kind === "after_reversal" ? slot.reversalId : null;
        const held = quotaHeldFen(Number(app.approved_amount_fen ?? 0), slot);
        const unused = quotaChangeOnDisbursement(held, v.amountFen);
        if (unused >= 0) await returnQuota(t, app.product_id, unused);
        else await takeQuota(t, app.product_id, -unused);
        entryId = await insertDisbursementEntry(
          t,
          {
            applicationId: app.id,
            afterReversalId,
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
        // The loan account and its schedule (docs/domain.md#servicing), in the same transaction.
        await openLoanAccount(t, app.id);
        // Risk-pool coverage (docs/domain.md#risk-pools): refused over the leverage cap.
        const coverage = await reserveCoverage(
          t,
          {
            applicationId: app.id,
            productId: app.product_id,
            regionCode: app.region_code,
            principalFen: v.amountFen,
          },
          actor.userId,
        );
        return {
          coverage,
          amountFen: v.amountFen,
          valueDate: v.valueDate,
          entryId,
          quotaReturnedFen: unused,
          ...(afterReversalId === null ? {} : { afterReversalId }),
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
  await runApplicationTransaction(db, (trx) =>
    transition(trx, {
      action: "repay",
      side: "bank",
      actor,
      ...v,
      precheck: async (_t, app) => {
        if (app.disbursed_date && v.closedDate < app.disbursed_date) {
          throw new UserFacingError(
            "applications:errors.closedBeforeDisbursed",
            { day: app.disbursed_date },
            "closedDate",
          );
        }
      },
      columns: () => ({ closed_date: v.closedDate, closed_at: nowInstant() }),
      effects: async (t, app) => ({
        closedDate: v.closedDate,
        releasedLocks: await releaseLocks(t, app.id),
        coverageReleasedFen: await syncReservation(t, app.id, 0, actor.userId),
      }),
    }),
  );
}

/**
 * Records a default on the application alone (loans disbursed before loan accounts existed; the
 * bank's forms go through recordLoanDefault). The pledge stands: its locks end with the
 * disposal's sale or the bank's explicit release (see the header, decision 022).
 */
export async function recordDefault(
  db: Db,
  actor: Actor,
  v: Versioned & { closedDate: string; reason: string; today?: string },
): Promise<void> {
  const reason = requireReason(v.reason);
  assertDate(v.closedDate, "closedDate", v.today ?? todayInChina());
  await runApplicationTransaction(db, (trx) =>
    transition(trx, {
      action: "default",
      side: "bank",
      actor,
      ...v,
      reason,
      precheck: async (_t, app) => {
        if (app.disbursed_date && v.closedDate < app.disbursed_date) {
          throw new UserFacingError(
            "applications:errors.closedBeforeDisbursed",
            { day: app.disbursed_date },
            "closedDate",
          );
        }
      },
      columns: () => ({ closed_date: v.closedDate, closed_at: nowInstant() }),
      effects: async (t, app) => ({
        closedDate: v.closedDate,
        pledgedAssetIds: await lockedAssetIds(t, app.id),
      }),
    }),
  );
}
