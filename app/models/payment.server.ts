import { randomUUID } from "node:crypto";
import type Stripe from "stripe";
import {
  CANCELLABLE_STATUSES,
  decidePaymentEffect,
  isHandledStripeEvent,
  orderNumber,
  PAYABLE_STATUSES,
  type AppraisalOrderStatus,
  type PaymentEffect,
} from "../domain/appraisal";
import type { Db } from "../utils/db.server";
import { getFixedT } from "../utils/i18n";
import { getStripe } from "../utils/stripe.server";
import { nowInstant } from "../utils/time";
import { lockOrderRow, PAGE_SIZE, type Actor } from "./appraisal.server";
import { writeAudit } from "./audit.server";
import { ConflictError, isUniqueViolation, UserFacingError } from "./errors";
import { mailAppraisalOrderEvent } from "./notice-mail.server";

/**
 * Paying for a formal appraisal. Online: Stripe Checkout in CNY (card, Alipay, WeChat Pay); the
 * order becomes paid only from a verified webhook event, applied once. Offline (no Stripe key):
 * the firm transfers the fee quoting the order number and an admin confirms it.
 */

/** Where the firm's bank transfer goes in offline mode (fictional: this is a demo platform). */
export const OFFLINE_PAYEE = {
  accountName: "知融平台运营中心（演示）",
  bank: "内蒙古草原银行（演示）呼和浩特新城支行",
  account: "6217 0000 1234 5678 901",
} as const;

// ---------------------------------------------------------------------------------------------
// Stripe Checkout
// ---------------------------------------------------------------------------------------------

/** A session that Stripe would already have expired (or will within the minute) is not reused. */
const SESSION_EXPIRY_MARGIN_S = 60;

/**
 * Creates (or, for a repeated click, re-obtains) the Checkout session of a firm's order and returns
 * its URL. The Idempotency-Key is the order's key, so a double click or a retry after a timeout
 * yields the same session instead of a second charge. A new key is drawn only when the previous
 * attempt can no longer be paid: after a failed asynchronous payment, or once the session expired.
 */
export async function startCheckout(
  db: Db,
  actor: Actor,
  orderId: number,
  origin: string,
): Promise<{ url: string; sessionId: string }> {
  const stripe = getStripe();
  if (!stripe) throw new UserFacingError("appraisal:errors.stripeOff");
  let order = await firmOrderRow(db, actor.org_id, orderId);
  if (!order) throw new UserFacingError("appraisal:errors.orderNotFound", {}, undefined, 404);
  if (order.payment_mode !== "stripe") throw new UserFacingError("appraisal:errors.notStripe");
  if (order.status === "payment_failed") {
    await rotateAttempt(db, actor, order, "payment_failed");
    order = (await firmOrderRow(db, actor.org_id, orderId))!;
  }
  if (order.status !== "awaiting_payment") throw new UserFacingError("appraisal:errors.notPayable");
  if (order.stripe_payment_intent) throw new UserFacingError("appraisal:errors.paymentPending");

  const first = order;
  let session = await viaStripe(() => createSession(stripe, first, origin));
  if (session.expires_at <= Date.now() / 1000 + SESSION_EXPIRY_MARGIN_S) {
    // Stripe replayed the response of an old request (keys live ≥ 24 h, sessions 24 h). Ask what
    // became of that session before opening a new one: if it was paid, wait for the webhook.
    const replayedId = session.id;
    const current = await viaStripe(() => stripe.checkout.sessions.retrieve(replayedId));
    if (current.status === "complete") throw new UserFacingError("appraisal:errors.paymentPending");
    await rotateAttempt(db, actor, order, "awaiting_payment");
    const fresh = (await firmOrderRow(db, actor.org_id, orderId))!;
    order = fresh;
    session = await viaStripe(() => createSession(stripe, fresh, origin));
  }
  if (!session.url)
    throw new Error(`Stripe returned a Checkout session without a url: ${session.id}`);

  if (session.id !== order.stripe_session_id) {
    await db.transaction().execute(async (trx) => {
      // Not a state change (no version bump): the same attempt keeps the same key and session.
      const res = await trx
        .updateTable("appraisal_orders")
        .set({ stripe_session_id: session.id })
        .where("id", "=", order.id)
        .where("status", "=", "awaiting_payment")
        .where("idempotency_key", "=", order.idempotency_key)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
      await writeAudit(trx, {
        actorUserId: actor.id,
        orgId: actor.org_id,
        action: "appraisal_order.checkout",
        entityType: "appraisal_order",
        entityId: order.id,
        detail: { sessionId: session.id, previousSessionId: order.stripe_session_id },
      });
    });
  }
  return { url: session.url, sessionId: session.id };
}

/**
 * Stripe unreachable or refusing (after the SDK's own retries): the firm gets a message to try
 * again later, the operator a warning with the cause; nothing has been written.
 */
async function viaStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const type = (e as { type?: string })?.type ?? "";
    if (!type.startsWith("Stripe")) throw e;
    console.warn(`[stripe] ${type}: ${(e as Error).message}`);
    throw new UserFacingError("appraisal:errors.stripeUnavailable", {}, undefined, 502);
  }
}

type OrderRow = NonNullable<Awaited<ReturnType<typeof firmOrderRow>>>;

async function firmOrderRow(db: Db, firmOrgId: number, orderId: number) {
  return db
    .selectFrom("appraisal_orders")
    .selectAll()
    .where("id", "=", orderId)
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirst();
}

async function createSession(stripe: Stripe, order: OrderRow, origin: string) {
  const number = orderNumber(order.id, order.created_at);
  const back = `${origin}/firm/appraisals/${order.id}`;
  return stripe.checkout.sessions.create(
    {
      mode: "payment",
      currency: "cny",
      payment_method_types: ["card", "alipay", "wechat_pay"],
      // WeChat Pay in a desktop or mobile browser shows a QR code / hands over to the app.
      payment_method_options: { wechat_pay: { client: "web" } },
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: "cny",
            unit_amount: Number(order.fee_fen),
            // Always in Chinese: a repeated click reuses the idempotency key, and Stripe refuses
            // the same key with a different body (a firm that switched language in between).
            product_data: { name: getFixedT("zh-CN")("appraisal:payment.stripeItem", { number }) },
          },
        },
      ],
      client_reference_id: String(order.id),
      metadata: { order_id: String(order.id), order_number: number },
      payment_intent_data: { metadata: { order_id: String(order.id), order_number: number } },
      success_url: `${back}?checkout=success`,
      cancel_url: `${back}?checkout=cancelled`,
    },
    { idempotencyKey: order.idempotency_key },
  );
}

/** A fresh attempt: new idempotency key, no session; from payment_failed it also re-opens. */
async function rotateAttempt(
  db: Db,
  actor: Actor,
  order: OrderRow,
  from: "payment_failed" | "awaiting_payment",
) {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable("appraisal_orders")
      .set((eb) => ({
        status: "awaiting_payment",
        idempotency_key: randomUUID(),
        stripe_session_id: null,
        stripe_payment_intent: null,
        version: eb("version", "+", 1),
      }))
      .where("id", "=", order.id)
      .where("status", "=", from)
      .where("version", "=", order.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    await writeAudit(trx, {
      actorUserId: actor.id,
      orgId: actor.org_id,
      action: "appraisal_order.new_payment_attempt",
      entityType: "appraisal_order",
      entityId: order.id,
      fromState: from,
      toState: "awaiting_payment",
      detail: { previousSessionId: order.stripe_session_id },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The webhook
// ---------------------------------------------------------------------------------------------

export type WebhookOutcome =
  | { outcome: "applied"; effect: PaymentEffect; orderId: number }
  | { outcome: "duplicate" }
  | { outcome: "ignored"; why: "event_type" | "unknown_session" };

/**
 * Applies one signature-verified event. The stripe_events row (primary key: event id) is inserted
 * in the same transaction as the effect, so a redelivery collides and changes nothing. A second
 * event object for the same session is applied against the order's state at that moment (paying
 * twice is impossible: "pay" needs a payable status), so a signed event with the wrong amount
 * arriving first is recorded (audit `stripe_amount_mismatch`) without blocking the genuine one.
 * Events for sessions we do not know are acknowledged and not stored.
 */
export async function applyStripeEvent(db: Db, event: Stripe.Event): Promise<WebhookOutcome> {
  if (!isHandledStripeEvent(event.type)) return { outcome: "ignored", why: "event_type" };
  const session = event.data.object as Stripe.Checkout.Session;
  const orderId = await findOrderForSession(db, session);
  if (orderId === null) return { outcome: "ignored", why: "unknown_session" };
  try {
    return await db.transaction().execute(async (trx) => {
      const now = nowInstant();
      await trx
        .insertInto("stripe_events")
        .values({ event_id: event.id, type: event.type, session_id: session.id, received_at: now })
        .execute();
      const order = (await lockOrderRow(trx, orderId))!;
      const effect = decidePaymentEffect({
        type: event.type as Parameters<typeof decidePaymentEffect>[0]["type"],
        paymentStatus: session.payment_status ?? null,
        amountTotal: session.amount_total ?? null,
        currency: session.currency ?? null,
        orderStatus: order.status as AppraisalOrderStatus,
        orderFeeFen: Number(order.fee_fen),
        isCurrentSession: order.stripe_session_id === session.id,
      });
      const intent =
        typeof session.payment_intent === "string"
          ? session.payment_intent
          : (session.payment_intent?.id ?? null);
      const baseUpdate = () => trx.updateTable("appraisal_orders");
      const guard = (q: ReturnType<typeof baseUpdate>) =>
        q.where("id", "=", order.id).where("version", "=", order.version);
      let changed = true;
      if (effect === "pay") {
        const res = await guard(
          baseUpdate().set((eb) => ({
            status: "paid",
            paid_at: now,
            stripe_session_id: session.id,
            stripe_payment_intent: intent,
            version: eb("version", "+", 1),
          })),
        )
          .where("status", "in", [...PAYABLE_STATUSES])
          .executeTakeFirst();
        changed = Number(res.numUpdatedRows) === 1;
      } else if (effect === "fail") {
        const res = await guard(
          baseUpdate().set((eb) => ({ status: "payment_failed", version: eb("version", "+", 1) })),
        )
          .where("status", "=", "awaiting_payment")
          .executeTakeFirst();
        changed = Number(res.numUpdatedRows) === 1;
      } else if (effect === "pending") {
        const res = await guard(
          baseUpdate().set((eb) => ({
            stripe_payment_intent: intent ?? "pending",
            version: eb("version", "+", 1),
          })),
        )
          .where("status", "=", "awaiting_payment")
          .executeTakeFirst();
        changed = Number(res.numUpdatedRows) === 1;
      }
      // Someone else moved the order between our read and write: roll back (the event row too)
      // and let Stripe redeliver; the next attempt sees the new state.
      if (!changed) throw new ConflictError();
      if (effect !== "none") {
        const toState =
          effect === "pay" ? "paid" : effect === "fail" ? "payment_failed" : order.status;
        await writeAudit(trx, {
          actorUserId: null,
          orgId: order.firm_org_id,
          action: `appraisal_order.stripe_${effect}`,
          entityType: "appraisal_order",
          entityId: order.id,
          fromState: order.status,
          toState,
          detail: {
            eventId: event.id,
            eventType: event.type,
            sessionId: session.id,
            paymentIntent: intent,
            amountTotal: session.amount_total ?? null,
            currency: session.currency ?? null,
          },
        });
      }
      if (effect === "pay") await mailAppraisalOrderEvent(trx, order, "appraisalPaid");
      return { outcome: "applied" as const, effect, orderId: order.id };
    });
  } catch (e) {
    if (isUniqueViolation(e)) return { outcome: "duplicate" };
    throw e;
  }
}

/**
 * The order a session pays: the one that points at it, else — for a session of an earlier attempt
 * whose payment lands after the firm started a new one — the order named in the metadata we set
 * ourselves (the event is signed, so the metadata is ours). Only Stripe-mode orders qualify.
 */
async function findOrderForSession(db: Db, session: Stripe.Checkout.Session) {
  if (typeof session?.id !== "string") return null;
  const bySession = await db
    .selectFrom("appraisal_orders")
    .select("id")
    .where("stripe_session_id", "=", session.id)
    .executeTakeFirst();
  if (bySession) return bySession.id;
  const claimed = Number(session.metadata?.order_id);
  if (!Number.isSafeInteger(claimed) || String(claimed) !== session.client_reference_id) {
    return null;
  }
  const byMeta = await db
    .selectFrom("appraisal_orders")
    .select("id")
    .where("id", "=", claimed)
    .where("payment_mode", "=", "stripe")
    .executeTakeFirst();
  return byMeta?.id ?? null;
}

// ---------------------------------------------------------------------------------------------
// Offline payment (admin)
// ---------------------------------------------------------------------------------------------

export async function listAwaitingOfflineOrders(db: Db, page: number) {
  const base = db
    .selectFrom("appraisal_orders")
    .where("appraisal_orders.payment_mode", "=", "offline")
    .where("appraisal_orders.status", "=", "awaiting_payment");
  const [rows, count] = await Promise.all([
    base
      .innerJoin("organisations as firm", "firm.id", "appraisal_orders.firm_org_id")
      .innerJoin("organisations as valuer", "valuer.id", "appraisal_orders.valuer_org_id")
      .select([
        "appraisal_orders.id",
        "appraisal_orders.fee_fen",
        "appraisal_orders.created_at",
        "appraisal_orders.version",
        "firm.name as firmName",
        "valuer.name as valuerName",
      ])
      .orderBy("appraisal_orders.id", "asc")
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    rows: rows.map((r) => ({
      ...r,
      fee_fen: Number(r.fee_fen),
      orderNumber: orderNumber(r.id, r.created_at),
    })),
    total: Number(count.n),
  };
}

/** One offline order awaiting payment, for the admin's confirmation step; null otherwise. */
export async function getAwaitingOfflineOrder(db: Db, orderId: number) {
  const r = await db
    .selectFrom("appraisal_orders")
    .innerJoin("organisations as firm", "firm.id", "appraisal_orders.firm_org_id")
    .innerJoin("organisations as valuer", "valuer.id", "appraisal_orders.valuer_org_id")
    .select([
      "appraisal_orders.id",
      "appraisal_orders.fee_fen",
      "appraisal_orders.created_at",
      "appraisal_orders.version",
      "firm.name as firmName",
      "firm.uscc as firmUscc",
      "valuer.name as valuerName",
    ])
    .where("appraisal_orders.id", "=", orderId)
    .where("appraisal_orders.payment_mode", "=", "offline")
    .where("appraisal_orders.status", "=", "awaiting_payment")
    .executeTakeFirst();
  if (!r) return null;
  return { ...r, fee_fen: Number(r.fee_fen), orderNumber: orderNumber(r.id, r.created_at) };
}

/**
 * The admin confirms a bank transfer: awaiting_payment → paid, with the bank's reference (流水号)
 * as the audit reason. Stripe-mode orders are never marked paid by hand.
 */
export async function markOfflinePaid(
  db: Db,
  admin: Actor,
  orderId: number,
  expectedVersion: number,
  input: { reference: string; note?: string | null },
  opts: { now?: string } = {},
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = opts.now ?? nowInstant();
    const res = await trx
      .updateTable("appraisal_orders")
      .set((eb) => ({ status: "paid", paid_at: now, version: eb("version", "+", 1) }))
      .where("id", "=", orderId)
      .where("payment_mode", "=", "offline")
      .where("status", "=", "awaiting_payment")
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    const order = (await lockOrderRow(trx, orderId))!;
    await writeAudit(trx, {
      actorUserId: admin.id,
      orgId: order.firm_org_id,
      action: "appraisal_order.mark_paid_offline",
      entityType: "appraisal_order",
      entityId: orderId,
      fromState: "awaiting_payment",
      toState: "paid",
      reason: input.reference,
      detail: { reference: input.reference, note: input.note ?? null, feeFen: order.fee_fen },
    });
    await mailAppraisalOrderEvent(trx, order, "appraisalPaid");
  });
}

// ---------------------------------------------------------------------------------------------
// Cancelling (firm)
// ---------------------------------------------------------------------------------------------

/**
 * The firm withdraws an unpaid order, which frees its assets for a new one. An open Checkout session
 * is expired at Stripe first, so it can no longer take money; a session that has already completed
 * (payment settling) blocks the cancellation.
 */
export async function cancelAppraisalOrder(
  db: Db,
  actor: Actor,
  orderId: number,
  expectedVersion: number,
): Promise<void> {
  const order = await firmOrderRow(db, actor.org_id, orderId);
  if (!order) throw new UserFacingError("appraisal:errors.orderNotFound", {}, undefined, 404);
  if (!(CANCELLABLE_STATUSES as readonly string[]).includes(order.status)) {
    throw new UserFacingError("appraisal:errors.notCancellable");
  }
  if (order.version !== expectedVersion) throw new ConflictError();
  if (order.payment_mode === "stripe" && order.stripe_session_id) {
    if (order.stripe_payment_intent) throw new UserFacingError("appraisal:errors.paymentPending");
    const stripe = getStripe();
    if (!stripe) throw new UserFacingError("appraisal:errors.stripeOff");
    const sessionId = order.stripe_session_id;
    const session = await viaStripe(() => stripe.checkout.sessions.retrieve(sessionId));
    if (session.status === "complete") {
      throw new UserFacingError("appraisal:errors.paymentPending");
    }
    if (session.status === "open") {
      try {
        await stripe.checkout.sessions.expire(session.id);
      } catch {
        // The firm paid between our two calls: the webhook will mark the order paid.
        const again = await viaStripe(() => stripe.checkout.sessions.retrieve(session.id));
        if (again.status !== "expired")
          throw new UserFacingError("appraisal:errors.paymentPending");
      }
    }
  }
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable("appraisal_orders")
      .set((eb) => ({ status: "cancelled", version: eb("version", "+", 1) }))
      .where("id", "=", orderId)
      .where("firm_org_id", "=", actor.org_id)
      .where("status", "in", [...CANCELLABLE_STATUSES])
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    await writeAudit(trx, {
      actorUserId: actor.id,
      orgId: actor.org_id,
      action: "appraisal_order.cancel",
      entityType: "appraisal_order",
      entityId: orderId,
      fromState: order.status,
      toState: "cancelled",
    });
  });
}
