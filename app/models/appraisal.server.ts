import { randomBytes, randomUUID } from "node:crypto";
import type { ExpressionBuilder, Transaction } from "kysely";
import type { AppraisalOrder, Database, Role } from "../../db/schema";
import {
  APPRAISAL_FEE_LIMITS,
  checkBasisDate,
  checkFormalRange,
  DEFAULT_APPRAISAL_FEE,
  formalValidUntil,
  isValidFeeSettings,
  MAX_ASSETS_PER_ORDER,
  OPEN_ORDER_STATUSES,
  orderFee,
  orderNumber,
  reportNumber,
  VALUER_QUEUE_STATUSES,
  VALUER_VISIBLE_STATUSES,
  type AppraisalFeeSettings,
  type AppraisalMethod,
  type AppraisalOrderStatus,
} from "../domain/appraisal";
import { scopeOf } from "../domain/permissions";
import type { Db } from "../utils/db.server";
import { isStripeEnabled } from "../utils/stripe.server";
import { nowInstant, todayInChina } from "../utils/time";
import { writeAudit } from "./audit.server";
import { ConflictError, isUniqueViolation, UserFacingError } from "./errors";
import { refreshRequestCollateralBounds } from "./request.server";
import { estimateAssumptions } from "./valuation.server";
import { mailAppraisalOrderEvent } from "./notice-mail.server";

/**
 * Formal appraisals: the firm's order, the valuer's queue and signature, the report and its public
 * verification. Payment (Stripe, offline confirmation, cancellation) is in payment.server.ts.
 * Every query is scoped by the caller's organisation; a row of another organisation is "not found".
 */

export interface Actor {
  id: number;
  org_id: number;
  role: Role;
}

export const PAGE_SIZE = 20;

type Executor = Db | Transaction<Database>;

// ---------------------------------------------------------------------------------------------
// Fee settings (admin)
// ---------------------------------------------------------------------------------------------

export const FEE_SETTING_NAMES = {
  minFeeFen: "appraisal_fee_min_fen",
  rateBp: "appraisal_fee_rate_bp",
} as const;

/** The fee rule in force; a missing or unreadable row falls back to the default, never to zero. */
export async function getAppraisalFeeSettings(db: Executor): Promise<AppraisalFeeSettings> {
  const rows = await db
    .selectFrom("settings")
    .select(["name", "value"])
    .where("name", "in", [FEE_SETTING_NAMES.minFeeFen, FEE_SETTING_NAMES.rateBp])
    .execute();
  const byName = new Map(rows.map((r) => [r.name, r.value]));
  const read = (name: string, fallback: number) => {
    const raw = byName.get(name);
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isSafeInteger(n) ? n : fallback;
  };
  const s = {
    minFeeFen: read(FEE_SETTING_NAMES.minFeeFen, DEFAULT_APPRAISAL_FEE.minFeeFen),
    rateBp: read(FEE_SETTING_NAMES.rateBp, DEFAULT_APPRAISAL_FEE.rateBp),
  };
  return isValidFeeSettings(s) ? s : { ...DEFAULT_APPRAISAL_FEE };
}

/**
 * Sets the fee rule. `expected` is what the admin saw: if another admin changed it meanwhile the
 * save is refused (ConflictError), not silently overwritten.
 */
export async function updateAppraisalFeeSettings(
  db: Db,
  admin: Actor,
  next: AppraisalFeeSettings,
  expected: AppraisalFeeSettings,
  reason: string | null = null,
): Promise<void> {
  if (!isValidFeeSettings(next)) {
    const { minFeeFen, rateBp } = APPRAISAL_FEE_LIMITS;
    throw new UserFacingError("appraisal:errors.feeSettingsRange", {
      minFeeFen: minFeeFen.min,
      maxFeeFen: minFeeFen.max,
      maxRateBp: rateBp.max,
    });
  }
  try {
    await db.transaction().execute(async (trx) => {
      const current = await getAppraisalFeeSettings(trx);
      if (current.minFeeFen !== expected.minFeeFen || current.rateBp !== expected.rateBp) {
        throw new ConflictError();
      }
      const existing = await trx
        .selectFrom("settings")
        .select(["name", "value"])
        .where("name", "in", [FEE_SETTING_NAMES.minFeeFen, FEE_SETTING_NAMES.rateBp])
        .execute();
      const stored = new Map(existing.map((r) => [r.name, r.value]));
      const now = nowInstant();
      for (const key of ["minFeeFen", "rateBp"] as const) {
        const name = FEE_SETTING_NAMES[key];
        const value = String(next[key]);
        const old = stored.get(name);
        if (old === undefined) {
          // A concurrent first save collides on the primary key and rolls back (→ conflict).
          await trx.insertInto("settings").values({ name, value, updated_at: now }).execute();
        } else {
          // Compare-and-set on the stored text: another admin's write in between → zero rows.
          const res = await trx
            .updateTable("settings")
            .set({ value, updated_at: now })
            .where("name", "=", name)
            .where("value", "=", old)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) === 0 && old !== value) throw new ConflictError();
        }
      }
      await writeAudit(trx, {
        actorUserId: admin.id,
        orgId: admin.org_id,
        action: "settings.appraisal_fee",
        entityType: "settings",
        entityId: "appraisal_fee",
        // The fee pair does not fit the 32-character state columns; it goes into the detail.
        detail: { from: current, to: next },
        reason,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Ordering (firm)
// ---------------------------------------------------------------------------------------------

export async function listValuerOrganisations(db: Executor) {
  return db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("kind", "=", "valuer")
    .orderBy("name")
    .execute();
}

/**
 * The firm's assets with what ordering needs: the indicative central value (from the estimate the
 * asset points at, else the copy on the asset) and the open order holding it, if any.
 */
export async function listOrderableAssets(db: Executor, firmOrgId: number, assetIds?: number[]) {
  let q = db
    .selectFrom("ip_assets")
    .leftJoin("valuation_estimates", "valuation_estimates.id", "ip_assets.indicative_estimate_id")
    .select([
      "ip_assets.id",
      "ip_assets.number",
      "ip_assets.title",
      "ip_assets.ip_type",
      "ip_assets.status",
      "ip_assets.expiry_date",
      "ip_assets.indicative_value_fen",
      "ip_assets.formal_value_fen",
      "ip_assets.formal_valid_until",
      "valuation_estimates.central_fen as estimateCentralFen",
      "valuation_estimates.valuation_date as estimateDate",
    ])
    .where("ip_assets.firm_org_id", "=", firmOrgId)
    .orderBy("ip_assets.id");
  if (assetIds) q = q.where("ip_assets.id", "in", assetIds.length ? assetIds : [-1]);
  const assets = await q.execute();
  const open = await openOrdersByAsset(
    db,
    assets.map((a) => a.id),
  );
  return assets.map((a) => {
    const central = a.estimateCentralFen ?? a.indicative_value_fen;
    return {
      ...a,
      indicativeCentralFen: central === null ? null : Number(central),
      openOrder: open.get(a.id) ?? null,
    };
  });
}
export type OrderableAsset = Awaited<ReturnType<typeof listOrderableAssets>>[number];

/** The open order (awaiting payment … in progress) holding each asset, if any. */
export async function openOrdersByAsset(db: Executor, assetIds: number[]) {
  const out = new Map<number, { orderId: number; orderNumber: string; status: string }>();
  if (!assetIds.length) return out;
  const rows = await db
    .selectFrom("appraisal_order_items")
    .innerJoin("appraisal_orders", "appraisal_orders.id", "appraisal_order_items.order_id")
    .select([
      "appraisal_order_items.asset_id",
      "appraisal_orders.id as orderId",
      "appraisal_orders.created_at",
      "appraisal_orders.status",
    ])
    .where("appraisal_order_items.asset_id", "in", assetIds)
    .where("appraisal_orders.status", "in", [...OPEN_ORDER_STATUSES])
    .execute();
  for (const r of rows) {
    out.set(r.asset_id, {
      orderId: r.orderId,
      orderNumber: orderNumber(r.orderId, r.created_at),
      status: r.status,
    });
  }
  return out;
}

export interface OrderInput {
  assetIds: number[];
  valuerOrgId: number;
}

export interface OrderPreview {
  valuer: { id: number; name: string };
  items: { assetId: number; number: string; title: string; centralFen: number; feeFen: number }[];
  feeFen: number;
  settings: AppraisalFeeSettings;
}

/**
 * Checks an order and prices it: the firm's own assets only (another firm's id reads as unknown),
 * each with an indicative estimate, none already in an open order, a valuer organisation.
 * An asset without an estimate is refused rather than priced at the floor: the fee is a share of
 * that value, and the valuer starts from it.
 */
export async function previewAppraisalOrder(
  db: Executor,
  firmOrgId: number,
  input: OrderInput,
): Promise<OrderPreview> {
  const ids = [...new Set(input.assetIds)];
  if (ids.length === 0) throw new UserFacingError("appraisal:errors.noAssets", {}, "assetIds");
  if (ids.length > MAX_ASSETS_PER_ORDER) {
    throw new UserFacingError(
      "appraisal:errors.tooManyAssets",
      { max: MAX_ASSETS_PER_ORDER },
      "assetIds",
    );
  }
  const valuer = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("id", "=", input.valuerOrgId)
    .where("kind", "=", "valuer")
    .executeTakeFirst();
  if (!valuer) throw new UserFacingError("appraisal:errors.valuerUnknown", {}, "valuerOrgId");
  const assets = await listOrderableAssets(db, firmOrgId, ids);
  if (assets.length !== ids.length) {
    throw new UserFacingError("appraisal:errors.assetUnknown", {}, "assetIds");
  }
  for (const a of assets) {
    if (a.indicativeCentralFen === null) {
      throw new UserFacingError(
        "appraisal:errors.noEstimate",
        { number: a.number, title: a.title },
        "assetIds",
      );
    }
    if (a.openOrder) {
      throw new UserFacingError(
        "appraisal:errors.alreadyOrdered",
        { number: a.number, order: a.openOrder.orderNumber },
        "assetIds",
      );
    }
  }
  const settings = await getAppraisalFeeSettings(db);
  const centrals = assets.map((a) => a.indicativeCentralFen ?? 0);
  const fee = orderFee(centrals, settings);
  return {
    valuer,
    items: assets.map((a, i) => ({
      assetId: a.id,
      number: a.number,
      title: a.title,
      centralFen: centrals[i],
      feeFen: fee.itemFeesFen[i],
    })),
    feeFen: fee.totalFen,
    settings,
  };
}

/**
 * Places the order (awaiting payment) in one transaction. The asset rows are locked first (a
 * no-op UPDATE takes InnoDB row locks; SQLite runs one writer at a time), so two concurrent orders
 * for one asset cannot both pass the open-order check.
 */
export async function createAppraisalOrder(
  db: Db,
  actor: Actor,
  input: OrderInput,
  opts: { paymentMode?: "stripe" | "offline"; now?: string } = {},
): Promise<{ orderId: number; feeFen: number }> {
  const ids = [...new Set(input.assetIds)].sort((a, b) => a - b);
  return db.transaction().execute(async (trx) => {
    if (ids.length) {
      await trx
        .updateTable("ip_assets")
        .set((eb) => ({ version: eb.ref("version") }))
        .where("id", "in", ids)
        .where("firm_org_id", "=", actor.org_id)
        .execute();
    }
    return insertAppraisalOrder(trx, actor, { ...input, assetIds: ids }, opts);
  });
}

/**
 * The order's rows and audit, inside the caller's transaction, which must already hold the
 * assets' row locks (see createAppraisalOrder). `source` goes into the audit detail (e.g. the
 * match page's request and product).
 */
export async function insertAppraisalOrder(
  trx: Transaction<Database>,
  actor: Actor,
  input: OrderInput,
  opts: {
    paymentMode?: "stripe" | "offline";
    now?: string;
    source?: Record<string, number | string>;
  } = {},
): Promise<{ orderId: number; feeFen: number }> {
  const paymentMode = opts.paymentMode ?? (isStripeEnabled() ? "stripe" : "offline");
  const ids = [...new Set(input.assetIds)].sort((a, b) => a - b);
  const preview = await previewAppraisalOrder(trx, actor.org_id, { ...input, assetIds: ids });
  const now = opts.now ?? nowInstant();
  const res = await trx
    .insertInto("appraisal_orders")
    .values({
      firm_org_id: actor.org_id,
      valuer_org_id: preview.valuer.id,
      status: "awaiting_payment",
      fee_fen: preview.feeFen,
      payment_mode: paymentMode,
      idempotency_key: randomUUID(),
      stripe_session_id: null,
      stripe_payment_intent: null,
      created_by: actor.id,
      created_at: now,
      paid_at: null,
    })
    .executeTakeFirstOrThrow();
  const orderId = Number(res.insertId);
  await trx
    .insertInto("appraisal_order_items")
    .values(
      preview.items.map((i) => ({
        order_id: orderId,
        asset_id: i.assetId,
        indicative_central_fen: i.centralFen,
      })),
    )
    .execute();
  await writeAudit(trx, {
    actorUserId: actor.id,
    orgId: actor.org_id,
    action: "appraisal_order.create",
    entityType: "appraisal_order",
    entityId: orderId,
    toState: "awaiting_payment",
    detail: {
      assetIds: ids,
      valuerOrgId: preview.valuer.id,
      feeFen: preview.feeFen,
      paymentMode,
      settings: preview.settings,
      ...(opts.source ? { source: opts.source } : {}),
    },
  });
  return { orderId, feeFen: preview.feeFen };
}

const ORDER_COLUMNS = [
  "appraisal_orders.id",
  "appraisal_orders.firm_org_id",
  "appraisal_orders.valuer_org_id",
  "appraisal_orders.status",
  "appraisal_orders.fee_fen",
  "appraisal_orders.payment_mode",
  "appraisal_orders.stripe_session_id",
  "appraisal_orders.stripe_payment_intent",
  "appraisal_orders.created_at",
  "appraisal_orders.paid_at",
  "appraisal_orders.version",
] as const;

/** A correlated subquery: how many assets the order covers. */
function itemCount(eb: ExpressionBuilder<Database, "appraisal_orders">) {
  return eb
    .selectFrom("appraisal_order_items")
    .select((e) => e.fn.countAll<number>().as("n"))
    .whereRef("appraisal_order_items.order_id", "=", "appraisal_orders.id")
    .as("assetCount");
}

export async function listFirmOrders(db: Db, firmOrgId: number, page: number) {
  const [rows, count] = await Promise.all([
    db
      .selectFrom("appraisal_orders")
      .innerJoin("organisations as valuer", "valuer.id", "appraisal_orders.valuer_org_id")
      .select([...ORDER_COLUMNS, "valuer.name as valuerName"])
      .select((eb) => itemCount(eb))
      .where("appraisal_orders.firm_org_id", "=", firmOrgId)
      .orderBy("appraisal_orders.id", "desc")
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    db
      .selectFrom("appraisal_orders")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", firmOrgId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({
      ...r,
      fee_fen: Number(r.fee_fen),
      assetCount: Number(r.assetCount),
      orderNumber: orderNumber(r.id, r.created_at),
    })),
    total: Number(count.n),
  };
}

/** Items of an order with their assets and, once signed, their appraisals. */
async function orderItems(db: Executor, orderId: number, firmOrgId: number) {
  const rows = await db
    .selectFrom("appraisal_order_items")
    .innerJoin("ip_assets", "ip_assets.id", "appraisal_order_items.asset_id")
    .leftJoin("appraisals", (j) =>
      j
        .onRef("appraisals.order_id", "=", "appraisal_order_items.order_id")
        .onRef("appraisals.asset_id", "=", "appraisal_order_items.asset_id"),
    )
    .select([
      "appraisal_order_items.asset_id as assetId",
      "appraisal_order_items.indicative_central_fen as indicativeCentralFen",
      "ip_assets.number",
      "ip_assets.title",
      "ip_assets.ip_type",
      "ip_assets.asset_kind",
      "ip_assets.status as assetStatus",
      "ip_assets.filing_date",
      "ip_assets.grant_date",
      "ip_assets.registration_date",
      "ip_assets.expiry_date",
      "ip_assets.ipc_class",
      "ip_assets.claims_count",
      "ip_assets.co_owned",
      "ip_assets.nice_class",
      "ip_assets.trademark_kind",
      "ip_assets.well_known",
      "ip_assets.geo_indication",
      "ip_assets.indicative_estimate_id",
      "appraisals.id as appraisalId",
      "appraisals.report_number",
      "appraisals.low_fen",
      "appraisals.central_fen",
      "appraisals.high_fen",
      "appraisals.signed_date",
      "appraisals.basis_date",
      "appraisals.valid_until",
    ])
    .where("appraisal_order_items.order_id", "=", orderId)
    .where("ip_assets.firm_org_id", "=", firmOrgId)
    .orderBy("appraisal_order_items.asset_id")
    .execute();
  return rows.map((r) => ({
    ...r,
    indicativeCentralFen: Number(r.indicativeCentralFen),
    low_fen: r.low_fen === null ? null : Number(r.low_fen),
    central_fen: r.central_fen === null ? null : Number(r.central_fen),
    high_fen: r.high_fen === null ? null : Number(r.high_fen),
  }));
}

function withNumbers<T extends { id: number; created_at: string; fee_fen: number }>(o: T) {
  return { ...o, fee_fen: Number(o.fee_fen), orderNumber: orderNumber(o.id, o.created_at) };
}

/** The firm's own order, or null (another firm's order is indistinguishable from none). */
export async function getFirmOrder(db: Db, firmOrgId: number, orderId: number) {
  const order = await db
    .selectFrom("appraisal_orders")
    .innerJoin("organisations as valuer", "valuer.id", "appraisal_orders.valuer_org_id")
    .select([...ORDER_COLUMNS, "valuer.name as valuerName"])
    .where("appraisal_orders.id", "=", orderId)
    .where("appraisal_orders.firm_org_id", "=", firmOrgId)
    .executeTakeFirst();
  if (!order) return null;
  return { ...withNumbers(order), items: await orderItems(db, orderId, firmOrgId) };
}

/** Raw order row inside a transaction, for state checks. */
export async function lockOrderRow(
  trx: Executor,
  orderId: number,
): Promise<AppraisalOrder | undefined> {
  return trx
    .selectFrom("appraisal_orders")
    .selectAll()
    .where("id", "=", orderId)
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// The valuer's side
// ---------------------------------------------------------------------------------------------

export type ValuerTab = "queue" | "signed";

export async function listValuerOrders(db: Db, valuerOrgId: number, tab: ValuerTab, page: number) {
  const statuses: readonly AppraisalOrderStatus[] =
    tab === "queue" ? VALUER_QUEUE_STATUSES : ["signed"];
  const base = db
    .selectFrom("appraisal_orders")
    .where("appraisal_orders.valuer_org_id", "=", valuerOrgId)
    .where("appraisal_orders.status", "in", [...statuses]);
  const [rows, count] = await Promise.all([
    base
      .innerJoin("organisations as firm", "firm.id", "appraisal_orders.firm_org_id")
      .select([...ORDER_COLUMNS, "firm.name as firmName", "firm.region_code"])
      .select((eb) => itemCount(eb))
      // Oldest paid first: the queue is worked in the order firms paid.
      .orderBy("appraisal_orders.paid_at", tab === "queue" ? "asc" : "desc")
      .orderBy("appraisal_orders.id", tab === "queue" ? "asc" : "desc")
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({ ...withNumbers(r), assetCount: Number(r.assetCount) })),
    total: Number(count.n),
  };
}

/**
 * An order assigned to this valuer, once paid, with each asset's details and the firm's latest
 * indicative estimate (low / central / high); null otherwise.
 */
export async function getValuerOrder(db: Db, valuerOrgId: number, orderId: number) {
  const order = await db
    .selectFrom("appraisal_orders")
    .innerJoin("organisations as firm", "firm.id", "appraisal_orders.firm_org_id")
    .select([
      ...ORDER_COLUMNS,
      "firm.name as firmName",
      "firm.region_code",
      "firm.industry_section",
      "firm.flag_high_tech",
    ])
    .where("appraisal_orders.id", "=", orderId)
    .where("appraisal_orders.valuer_org_id", "=", valuerOrgId)
    .where("appraisal_orders.status", "in", [...VALUER_VISIBLE_STATUSES])
    .executeTakeFirst();
  if (!order) return null;
  const items = await orderItems(db, orderId, order.firm_org_id);
  const estimateIds = items.map((i) => i.indicative_estimate_id).filter((id) => id !== null);
  const estimates = estimateIds.length
    ? await db
        .selectFrom("valuation_estimates")
        .select([
          "id",
          "low_fen",
          "central_fen",
          "high_fen",
          "valuation_date",
          "inputs_json",
          "result_json",
        ])
        .where("id", "in", estimateIds)
        .execute()
    : [];
  const byId = new Map(estimates.map((e) => [e.id, e]));
  return {
    ...withNumbers(order),
    items: items.map((i) => {
      const e = i.indicative_estimate_id === null ? undefined : byId.get(i.indicative_estimate_id);
      return {
        ...i,
        estimate: e
          ? {
              lowFen: Number(e.low_fen),
              centralFen: Number(e.central_fen),
              highFen: Number(e.high_fen),
              date: e.valuation_date,
            }
          : null,
        // The owner's assumptions behind that estimate, and what they warn about.
        assumptions: e ? estimateAssumptions(e.inputs_json, e.result_json) : null,
      };
    }),
  };
}

/** paid → in_progress: the valuer takes the order. */
export async function startAppraisalWork(
  db: Db,
  actor: Actor,
  orderId: number,
  expectedVersion: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable("appraisal_orders")
      .set((eb) => ({ status: "in_progress", version: eb("version", "+", 1) }))
      .where("id", "=", orderId)
      .where("valuer_org_id", "=", actor.org_id)
      .where("status", "=", "paid")
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    await writeAudit(trx, {
      actorUserId: actor.id,
      orgId: actor.org_id,
      action: "appraisal_order.start",
      entityType: "appraisal_order",
      entityId: orderId,
      fromState: "paid",
      toState: "in_progress",
    });
  });
}

/** The registration number this valuer gave at their last signature, offered at the next. */
export async function getValuerLicenceNumber(db: Db, userId: number): Promise<string | null> {
  const r = await db
    .selectFrom("users")
    .select("licence_number")
    .where("id", "=", userId)
    .executeTakeFirst();
  return r?.licence_number ?? null;
}

export interface SignedValueInput {
  assetId: number;
  lowFen: number;
  centralFen: number;
  highFen: number;
  method: AppraisalMethod;
  assumptions: string;
  reportText: string;
}

/**
 * Signs every asset of the order at once (in_progress → signed): one appraisals row per asset
 * with its report number and a random verification token, and the asset's formal value, validity
 * and appraisal id, all in one transaction. The order row is updated first, so of two concurrent
 * signatures the second fails its version check before writing anything.
 *
 * One engagement has one 评估基准日 (basisDate; the signing date when none is given, the rule the
 * rows signed before it existed were carried over by), and validity runs 12 months from it. The
 * signing valuer's registration number is copied onto each report and kept on the user for the
 * next signature.
 */
export async function signAppraisalOrder(
  db: Db,
  actor: Actor,
  orderId: number,
  expectedVersion: number,
  values: SignedValueInput[],
  opts: {
    signedDate?: string;
    now?: string;
    basisDate?: string;
    valuerLicenceNumber?: string | null;
  } = {},
): Promise<{ appraisalIds: number[] }> {
  const today = todayInChina();
  const signedDate = opts.signedDate ?? today;
  const basisDate = opts.basisDate ?? signedDate;
  // A signing date given by the caller (seeded history, tests) may lie ahead of the clock; a basis
  // date up to it is then not "in the future".
  const basisProblem = checkBasisDate(
    basisDate,
    signedDate,
    signedDate > today ? signedDate : today,
  );
  if (basisProblem) {
    throw new UserFacingError(`appraisal:errors.basisDate.${basisProblem}`, {}, "basisDate");
  }
  const validUntil = formalValidUntil(basisDate);
  const licence = opts.valuerLicenceNumber?.trim() || null;
  for (const v of values) {
    const problem = checkFormalRange(v.lowFen, v.centralFen, v.highFen);
    if (problem) {
      throw new UserFacingError(`appraisal:errors.range.${problem}`, {}, `asset-${v.assetId}`);
    }
  }
  return db.transaction().execute(async (trx) => {
    const order = await lockOrderRow(trx, orderId);
    if (!order || order.valuer_org_id !== actor.org_id) {
      throw new UserFacingError("appraisal:errors.orderNotFound", {}, undefined, 404);
    }
    const items = await trx
      .selectFrom("appraisal_order_items")
      .select("asset_id")
      .where("order_id", "=", orderId)
      .execute();
    const expectedIds = items.map((i) => i.asset_id).sort((a, b) => a - b);
    const givenIds = values.map((v) => v.assetId).sort((a, b) => a - b);
    if (expectedIds.join(",") !== givenIds.join(",")) {
      throw new UserFacingError("appraisal:errors.signAllAssets");
    }
    const now = opts.now ?? nowInstant();
    const upd = await trx
      .updateTable("appraisal_orders")
      .set((eb) => ({ status: "signed", version: eb("version", "+", 1) }))
      .where("id", "=", orderId)
      .where("valuer_org_id", "=", actor.org_id)
      .where("status", "=", "in_progress")
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) throw new ConflictError();

    const appraisalIds: number[] = [];
    const reports: string[] = [];
    for (const v of values) {
      const res = await trx
        .insertInto("appraisals")
        .values({
          order_id: orderId,
          asset_id: v.assetId,
          valuer_org_id: actor.org_id,
          // Replaced below by the number derived from the id, unique like the id itself.
          report_number: `tmp-${randomBytes(12).toString("hex")}`,
          verification_token: randomBytes(24).toString("base64url"),
          low_fen: v.lowFen,
          central_fen: v.centralFen,
          high_fen: v.highFen,
          method: v.method,
          assumptions: v.assumptions,
          report_text: v.reportText,
          signed_by: actor.id,
          signed_at: now,
          signed_date: signedDate,
          basis_date: basisDate,
          valid_until: validUntil,
          valuer_licence_number: licence,
        })
        .executeTakeFirstOrThrow();
      const id = Number(res.insertId);
      const number = reportNumber(id, signedDate);
      await trx
        .updateTable("appraisals")
        .set({ report_number: number })
        .where("id", "=", id)
        .execute();
      // An older appraisal (seeded history, or signed out of order) never replaces a newer value.
      await trx
        .updateTable("ip_assets")
        .set((eb) => ({
          formal_value_fen: v.centralFen,
          formal_valid_until: validUntil,
          formal_appraisal_id: id,
          version: eb("version", "+", 1),
          updated_at: now,
        }))
        .where("id", "=", v.assetId)
        .where("firm_org_id", "=", order.firm_org_id)
        .where((eb) =>
          eb.or([eb("formal_valid_until", "is", null), eb("formal_valid_until", "<=", validUntil)]),
        )
        .execute();
      // Open requests offering this asset carry collateral bounds the bank-side matching uses.
      await refreshRequestCollateralBounds(trx, v.assetId);
      appraisalIds.push(id);
      reports.push(number);
    }
    if (licence) {
      await trx
        .updateTable("users")
        .set({ licence_number: licence })
        .where("id", "=", actor.id)
        .execute();
    }
    await writeAudit(trx, {
      actorUserId: actor.id,
      orgId: actor.org_id,
      action: "appraisal_order.sign",
      entityType: "appraisal_order",
      entityId: orderId,
      fromState: "in_progress",
      toState: "signed",
      detail: {
        signedDate,
        basisDate,
        validUntil,
        valuerLicenceNumber: licence,
        appraisals: values.map((v, i) => ({
          id: appraisalIds[i],
          reportNumber: reports[i],
          assetId: v.assetId,
          lowFen: v.lowFen,
          centralFen: v.centralFen,
          highFen: v.highFen,
          method: v.method,
        })),
      },
    });
    await mailAppraisalOrderEvent(trx, order, "appraisalSigned");
    return { appraisalIds };
  });
}

// ---------------------------------------------------------------------------------------------
// The report and its verification
// ---------------------------------------------------------------------------------------------

/**
 * The full report for the firm that ordered it, the valuer that signed it, or an admin; null for
 * anyone else.
 */
export async function getAppraisalReport(db: Db, viewer: Actor, appraisalId: number) {
  let q = db
    .selectFrom("appraisals")
    .innerJoin("appraisal_orders", "appraisal_orders.id", "appraisals.order_id")
    .innerJoin("ip_assets", "ip_assets.id", "appraisals.asset_id")
    .innerJoin("organisations as firm", "firm.id", "appraisal_orders.firm_org_id")
    .innerJoin("organisations as valuer", "valuer.id", "appraisals.valuer_org_id")
    .innerJoin("users as signer", "signer.id", "appraisals.signed_by")
    .select([
      "appraisals.id",
      "appraisals.order_id",
      "appraisals.report_number",
      "appraisals.verification_token",
      "appraisals.low_fen",
      "appraisals.central_fen",
      "appraisals.high_fen",
      "appraisals.method",
      "appraisals.assumptions",
      "appraisals.report_text",
      "appraisals.signed_at",
      "appraisals.signed_date",
      "appraisals.basis_date",
      "appraisals.valid_until",
      "appraisals.valuer_licence_number as signerLicenceNumber",
      "appraisal_orders.created_at as orderCreatedAt",
      "appraisal_orders.firm_org_id",
      "appraisals.valuer_org_id",
      "ip_assets.number",
      "ip_assets.title",
      "ip_assets.ip_type",
      "ip_assets.asset_kind",
      "ip_assets.status as assetStatus",
      "ip_assets.filing_date",
      "ip_assets.grant_date",
      "ip_assets.registration_date",
      "ip_assets.expiry_date",
      "ip_assets.nice_class",
      "firm.name as firmName",
      "firm.uscc as firmUscc",
      "valuer.name as valuerName",
      "valuer.licence_number as valuerLicenceNumber",
      "signer.display_name as signerName",
    ])
    .where("appraisals.id", "=", appraisalId);
  const scope = scopeOf(viewer, "appraisalReport.view");
  if (scope === "firmOrgId") q = q.where("appraisal_orders.firm_org_id", "=", viewer.org_id);
  else if (scope === "valuerOrgId") q = q.where("appraisals.valuer_org_id", "=", viewer.org_id);
  else if (scope !== "any") return null;
  const r = await q.executeTakeFirst();
  if (!r) return null;
  return {
    ...r,
    low_fen: Number(r.low_fen),
    central_fen: Number(r.central_fen),
    high_fen: Number(r.high_fen),
    orderNumber: orderNumber(r.order_id, r.orderCreatedAt),
  };
}

/**
 * What the public verification page may show: the report's identity, the asset, the value range,
 * the valuer and the dates — nothing else about the firm.
 */
export async function verifyAppraisalToken(db: Db, token: string) {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return null;
  const r = await db
    .selectFrom("appraisals")
    .innerJoin("ip_assets", "ip_assets.id", "appraisals.asset_id")
    .innerJoin("organisations as valuer", "valuer.id", "appraisals.valuer_org_id")
    .select([
      "appraisals.report_number",
      "appraisals.low_fen",
      "appraisals.central_fen",
      "appraisals.high_fen",
      "appraisals.signed_date",
      "appraisals.basis_date",
      "appraisals.valid_until",
      "appraisals.valuer_licence_number as signerLicenceNumber",
      "ip_assets.number",
      "ip_assets.title",
      "ip_assets.ip_type",
      "valuer.name as valuerName",
      "valuer.licence_number as valuerLicenceNumber",
    ])
    .where("appraisals.verification_token", "=", token)
    .executeTakeFirst();
  if (!r) return null;
  return {
    ...r,
    low_fen: Number(r.low_fen),
    central_fen: Number(r.central_fen),
    high_fen: Number(r.high_fen),
  };
}
