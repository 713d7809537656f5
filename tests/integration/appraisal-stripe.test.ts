/**
 * Paying for a formal appraisal through Stripe, against the local fake (tests/mocks/fake-stripe.ts)
 * and the built app's webhook endpoint: Checkout creation with an idempotency key, and webhook
 * events that are replayed, reordered, duplicated under a new id, forged or unknown.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createAppraisalOrder, type Actor } from "../../app/models/appraisal.server";
import { UserFacingError } from "../../app/models/errors";
import { cancelAppraisalOrder, startCheckout } from "../../app/models/payment.server";
import { resetEnvForTests } from "../../app/utils/env.server";
import { startFakeStripe, type FakeStripe } from "../mocks/fake-stripe";
import {
  appraisalRowCounts,
  FIRM_PASSWORD,
  makeAsset,
  makeFirm,
  makeValuer,
  orderRow,
} from "../support/appraisal";
import { loginCookie } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

/** The SDK's retries and our warning are expected while the fake is "down"; keep the log quiet. */
function allowConsoleWarn() {
  const original = console.warn;
  console.warn = () => {};
  onTestFinished(() => {
    console.warn = original;
  });
}

const WEBHOOK_SECRET = "whsec_test_appraisal_0123456789abcdef";
const ORIGIN = "http://zhirong.test";

describe(`Stripe payment of appraisal orders (${testDbKind()})`, () => {
  let fake: FakeStripe;
  // Registered before the database and the app, so the built server reads this environment.
  beforeAll(async () => {
    fake = await startFakeStripe();
    process.env.STRIPE_SECRET_KEY = "sk_test_fake_appraisal";
    process.env.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET;
    process.env.STRIPE_API_BASE = fake.url;
    resetEnvForTests();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const t = useTestDb();
  const app = useAppServer();

  let firm: Actor & { email: string };
  let valuer: Actor;
  beforeAll(async () => {
    firm = await makeFirm(t.db, "支付");
    valuer = await makeValuer(t.db);
  });

  /** A Stripe-mode order (¥3,000 or 0.6 %) with an open Checkout session. */
  async function orderWithSession(centralFen = 100_000_000) {
    const asset = await makeAsset(t.db, firm, { centralFen });
    const { orderId, feeFen } = await createAppraisalOrder(t.db, firm, {
      assetIds: [asset],
      valuerOrgId: valuer.org_id,
    });
    const { sessionId } = await startCheckout(t.db, firm, orderId, ORIGIN);
    return { orderId, feeFen, sessionId, asset };
  }

  async function deliver(body: string, signature: string | null) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signature !== null) headers["stripe-signature"] = signature;
    const res = await app.fetch("/webhooks/stripe", { method: "POST", headers, body });
    const text = await res.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  }

  async function send(
    type: string,
    sessionId: string,
    opts: Parameters<FakeStripe["webhook"]>[3] = {},
  ) {
    const w = fake.webhook(type, sessionId, WEBHOOK_SECRET, opts);
    return { ...(await deliver(w.body, w.signature)), eventId: w.eventId, body: w.body };
  }

  async function auditActions(orderId: number) {
    const rows = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity_type", "=", "appraisal_order")
      .where("entity_id", "=", String(orderId))
      .orderBy("id")
      .execute();
    return rows.map((r) => r.action);
  }

  describe("Checkout", () => {
    it("creates a CNY session for card, Alipay and WeChat Pay with the order's idempotency key", async () => {
      const { orderId, feeFen, sessionId } = await orderWithSession(100_000_000);
      expect(feeFen).toBe(600_000);
      const order = await orderRow(t.db, orderId);
      expect(order.payment_mode).toBe("stripe");
      expect(order.stripe_session_id).toBe(sessionId);
      const req = fake.requests.filter((r) => r.path === "/v1/checkout/sessions").at(-1)!;
      expect(req.idempotencyKey).toBe(order.idempotency_key);
      expect(req.authorization).toBe("Bearer sk_test_fake_appraisal");
      expect(req.params).toMatchObject({
        mode: "payment",
        currency: "cny",
        payment_method_types: ["card", "alipay", "wechat_pay"],
        payment_method_options: { wechat_pay: { client: "web" } },
        client_reference_id: String(orderId),
        metadata: { order_id: String(orderId) },
        line_items: [{ quantity: "1", price_data: { currency: "cny", unit_amount: "600000" } }],
        success_url: `${ORIGIN}/firm/appraisals/${orderId}?checkout=success`,
        cancel_url: `${ORIGIN}/firm/appraisals/${orderId}?checkout=cancelled`,
      });
      expect(fake.sessions.get(sessionId)?.url).toMatch(
        /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/,
      );
    });

    it("returns the same session for a repeated click (same key), never a second one", async () => {
      const { orderId, sessionId } = await orderWithSession();
      const before = fake.sessions.size;
      const again = await startCheckout(t.db, firm, orderId, ORIGIN);
      expect(again.sessionId).toBe(sessionId);
      expect(fake.sessions.size).toBe(before);
      const keys = fake.requests
        .filter((r) => r.path === "/v1/checkout/sessions")
        .slice(-2)
        .map((r) => r.idempotencyKey);
      expect(keys[0]).toBe(keys[1]);
      expect(
        (await auditActions(orderId)).filter((a) => a === "appraisal_order.checkout"),
      ).toHaveLength(1);
    });

    it("sends the firm to Stripe from the order page (POST → 303/302 to checkout.stripe.com)", async () => {
      const asset = await makeAsset(t.db, firm);
      const { orderId } = await createAppraisalOrder(t.db, firm, {
        assetIds: [asset],
        valuerOrgId: valuer.org_id,
      });
      const cookie = await loginCookie(app, firm.email, FIRM_PASSWORD);
      const res = await app.fetch(`/firm/appraisals/${orderId}`, {
        method: "POST",
        headers: {
          cookie,
          origin: app.baseURL,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "intent=pay",
      });
      expect([302, 303]).toContain(res.status);
      expect(res.headers.get("location")).toMatch(
        /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/,
      );
      const order = await orderRow(t.db, orderId);
      expect(res.headers.get("location")).toContain(order.stripe_session_id!);
      // The success URL brings the firm back to its order, which waits for the webhook.
      expect(fake.sessions.get(order.stripe_session_id!)?.success_url).toMatch(
        new RegExp(`/firm/appraisals/${orderId}\\?checkout=success$`),
      );
      const page = await app.fetch(`/firm/appraisals/${orderId}?checkout=success`, {
        headers: { cookie },
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-testid="payment-confirming"');
      expect(order.status).toBe("awaiting_payment");
    });

    it("tells the firm to try later when Stripe cannot be reached, writing nothing", async () => {
      allowConsoleWarn();
      const asset = await makeAsset(t.db, firm);
      const { orderId } = await createAppraisalOrder(t.db, firm, {
        assetIds: [asset],
        valuerOrgId: valuer.org_id,
      });
      const before = {
        order: await orderRow(t.db, orderId),
        counts: await appraisalRowCounts(t.db),
      };
      fake.down = true;
      try {
        const e = await startCheckout(t.db, firm, orderId, ORIGIN).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UserFacingError);
        expect((e as UserFacingError).key).toBe("appraisal:errors.stripeUnavailable");
      } finally {
        fake.down = false;
      }
      expect(await orderRow(t.db, orderId)).toEqual(before.order);
      expect(await appraisalRowCounts(t.db)).toEqual(before.counts);
      // Once Stripe answers again, the same order pays normally.
      expect((await startCheckout(t.db, firm, orderId, ORIGIN)).sessionId).toMatch(/^cs_test_/);
    });

    it("opens a new session (new key) once the old one has expired unpaid", async () => {
      const { orderId, sessionId } = await orderWithSession();
      const oldKey = (await orderRow(t.db, orderId)).idempotency_key;
      fake.expireSession(sessionId);
      const next = await startCheckout(t.db, firm, orderId, ORIGIN);
      expect(next.sessionId).not.toBe(sessionId);
      const order = await orderRow(t.db, orderId);
      expect(order.idempotency_key).not.toBe(oldKey);
      expect(order.stripe_session_id).toBe(next.sessionId);
      expect(order.status).toBe("awaiting_payment");
    });
  });

  describe("the webhook", () => {
    it("marks the order paid on checkout.session.completed with payment_status 'paid'", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const r = await send("checkout.session.completed", sessionId);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ received: true, outcome: "applied", effect: "pay" });
      const order = await orderRow(t.db, orderId);
      expect(order.status).toBe("paid");
      expect(order.paid_at).not.toBeNull();
      expect(order.stripe_payment_intent).toMatch(/^pi_test_/);
      expect(await auditActions(orderId)).toContain("appraisal_order.stripe_pay");
      const events = await t.db
        .selectFrom("stripe_events")
        .selectAll()
        .where("session_id", "=", sessionId)
        .execute();
      expect(events).toEqual([
        expect.objectContaining({ event_id: r.eventId, type: "checkout.session.completed" }),
      ]);
    });

    it("applies a replayed event once (same event id delivered twice, also late)", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const w = fake.webhook("checkout.session.completed", sessionId, WEBHOOK_SECRET);
      expect((await deliver(w.body, w.signature)).status).toBe(200);
      const after = {
        order: await orderRow(t.db, orderId),
        counts: await appraisalRowCounts(t.db),
      };
      // Stripe re-signs each delivery attempt; the event id is what stays the same.
      const again = fake.webhook("checkout.session.completed", sessionId, WEBHOOK_SECRET, {
        payload: w.body,
      });
      const r = await deliver(again.body, again.signature);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ outcome: "duplicate" });
      expect(await orderRow(t.db, orderId)).toEqual(after.order);
      expect(await appraisalRowCounts(t.db)).toEqual(after.counts);
    });

    it("applies one payment when deliveries race (same event twice, and completed + succeeded)", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const w = fake.webhook("checkout.session.completed", sessionId, WEBHOOK_SECRET);
      const s = fake.webhook("checkout.session.async_payment_succeeded", sessionId, WEBHOOK_SECRET);
      const results = await Promise.all([
        deliver(w.body, w.signature),
        deliver(w.body, w.signature),
        deliver(s.body, s.signature),
      ]);
      // 409 means "changed under me, deliver again" — which Stripe does; do it here.
      for (const [i, r] of results.entries()) {
        expect([200, 409]).toContain(r.status);
        if (r.status === 409) {
          const src = i === 2 ? s : w;
          expect((await deliver(src.body, src.signature)).status).toBe(200);
        }
      }
      expect((await orderRow(t.db, orderId)).status).toBe("paid");
      expect(
        (await auditActions(orderId)).filter((a) => a === "appraisal_order.stripe_pay"),
      ).toHaveLength(1);
    });

    it("pays once when a second event object arrives for the same session and type", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const first = await send("checkout.session.completed", sessionId);
      expect(first.json).toMatchObject({ outcome: "applied", effect: "pay" });
      const before = await orderRow(t.db, orderId);
      const second = await send("checkout.session.completed", sessionId); // new evt_ id
      expect(second.eventId).not.toBe(first.eventId);
      expect(second.status).toBe(200);
      expect(second.json).toMatchObject({ outcome: "applied", effect: "none" });
      expect(await orderRow(t.db, orderId)).toEqual(before);
      expect(
        (await auditActions(orderId)).filter((a) => a === "appraisal_order.stripe_pay"),
      ).toHaveLength(1);
    });

    it("records a signed event with a wrong amount without blocking the genuine one after it", async () => {
      const { orderId, sessionId, feeFen } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const wrong = await send("checkout.session.completed", sessionId, {
        session: { amount_total: feeFen - 1 },
      });
      expect(wrong.json).toMatchObject({ outcome: "applied", effect: "amount_mismatch" });
      expect((await orderRow(t.db, orderId)).status).toBe("awaiting_payment");
      const genuine = await send("checkout.session.completed", sessionId);
      expect(genuine.json).toMatchObject({ outcome: "applied", effect: "pay" });
      expect((await orderRow(t.db, orderId)).status).toBe("paid");
      expect(await auditActions(orderId)).toEqual(
        expect.arrayContaining([
          "appraisal_order.stripe_amount_mismatch",
          "appraisal_order.stripe_pay",
        ]),
      );
    });

    it("refuses a correctly signed event of an unexpected shape with 400 and writes nothing", async () => {
      const before = await appraisalRowCounts(t.db);
      const warned: string[] = [];
      const original = console.warn;
      console.warn = (...a: unknown[]) => void warned.push(a.join(" "));
      onTestFinished(() => {
        console.warn = original;
      });
      for (const payload of [
        { id: "evt_no_data", type: "checkout.session.completed" },
        { id: "evt_bad_object", type: "checkout.session.completed", data: { object: "x" } },
        { id: 42, type: "checkout.session.completed", data: { object: { id: "cs_1" } } },
      ]) {
        const w = fake.webhook("checkout.session.completed", "cs_unused", WEBHOOK_SECRET, {
          payload: JSON.stringify(payload),
        });
        const r = await deliver(w.body, w.signature);
        expect(r.status).toBe(400);
      }
      expect(warned.filter((w) => w.includes("unexpected shape"))).toHaveLength(3);
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    it("waits for async_payment_succeeded when checkout completes unpaid", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "unpaid");
      const completed = await send("checkout.session.completed", sessionId);
      expect(completed.json).toMatchObject({ outcome: "applied", effect: "pending" });
      let order = await orderRow(t.db, orderId);
      expect(order.status).toBe("awaiting_payment");
      expect(order.stripe_payment_intent).toMatch(/^pi_test_/);
      // While it settles, the firm cannot open a second Checkout.
      const e = await startCheckout(t.db, firm, orderId, ORIGIN).catch((x: unknown) => x);
      expect((e as UserFacingError).key).toBe("appraisal:errors.paymentPending");

      fake.sessions.get(sessionId)!.payment_status = "paid";
      const ok = await send("checkout.session.async_payment_succeeded", sessionId);
      expect(ok.json).toMatchObject({ effect: "pay" });
      order = await orderRow(t.db, orderId);
      expect(order.status).toBe("paid");
    });

    it("pays on 'succeeded' that arrives after 'failed'", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "unpaid");
      const failed = await send("checkout.session.async_payment_failed", sessionId);
      expect(failed.json).toMatchObject({ effect: "fail" });
      expect((await orderRow(t.db, orderId)).status).toBe("payment_failed");
      const ok = await send("checkout.session.async_payment_succeeded", sessionId, {
        session: { payment_status: "paid" },
      });
      expect(ok.json).toMatchObject({ effect: "pay" });
      expect((await orderRow(t.db, orderId)).status).toBe("paid");
    });

    it("never un-pays on a 'failed' that arrives after 'succeeded'", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      await send("checkout.session.async_payment_succeeded", sessionId);
      const paid = await orderRow(t.db, orderId);
      expect(paid.status).toBe("paid");
      const late = await send("checkout.session.async_payment_failed", sessionId, {
        session: { payment_status: "unpaid" },
      });
      expect(late.status).toBe(200);
      expect(late.json).toMatchObject({ effect: "none" });
      expect(await orderRow(t.db, orderId)).toEqual(paid);
    });

    it("applies 'succeeded' then 'completed' (reordered) as one payment", async () => {
      const { orderId, sessionId } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const ok = await send("checkout.session.async_payment_succeeded", sessionId);
      expect(ok.json).toMatchObject({ effect: "pay" });
      const paid = await orderRow(t.db, orderId);
      const completed = await send("checkout.session.completed", sessionId);
      expect(completed.json).toMatchObject({ outcome: "applied", effect: "none" });
      expect(await orderRow(t.db, orderId)).toEqual(paid);
      expect(
        (await auditActions(orderId)).filter((a) => a === "appraisal_order.stripe_pay"),
      ).toHaveLength(1);
    });

    it("pays a late success of an earlier session after the firm started a new attempt", async () => {
      const { orderId, sessionId: first } = await orderWithSession();
      fake.completeSession(first, "unpaid");
      await send("checkout.session.async_payment_failed", first);
      const retry = await startCheckout(t.db, firm, orderId, ORIGIN);
      expect(retry.sessionId).not.toBe(first);
      expect((await orderRow(t.db, orderId)).status).toBe("awaiting_payment");
      // The first payment settles after all.
      const late = await send("checkout.session.async_payment_succeeded", first, {
        session: { payment_status: "paid" },
      });
      expect(late.json).toMatchObject({ effect: "pay" });
      expect(await orderRow(t.db, orderId)).toMatchObject({
        status: "paid",
        stripe_session_id: first,
      });
      // If the second attempt is paid too, nothing changes; the admin sees a refund case.
      fake.completeSession(retry.sessionId, "paid");
      const dup = await send("checkout.session.completed", retry.sessionId);
      expect(dup.json).toMatchObject({ effect: "duplicate_payment" });
      expect(await auditActions(orderId)).toContain("appraisal_order.stripe_duplicate_payment");
    });

    it("refuses to pay when the charged amount or currency differs from the fee", async () => {
      const { orderId, sessionId, feeFen } = await orderWithSession();
      fake.completeSession(sessionId, "paid");
      const r = await send("checkout.session.completed", sessionId, {
        session: { amount_total: feeFen - 1 },
      });
      expect(r.json).toMatchObject({ effect: "amount_mismatch" });
      expect((await orderRow(t.db, orderId)).status).toBe("awaiting_payment");
      expect(await auditActions(orderId)).toContain("appraisal_order.stripe_amount_mismatch");
    });

    it("records a payment for a cancelled order without resurrecting it", async () => {
      const { orderId, sessionId } = await orderWithSession();
      await cancelAppraisalOrder(t.db, firm, orderId, 1);
      expect(fake.sessions.get(sessionId)?.status).toBe("expired");
      const r = await send("checkout.session.completed", sessionId, {
        session: { payment_status: "paid", status: "complete" },
      });
      expect(r.json).toMatchObject({ effect: "paid_after_cancel" });
      expect((await orderRow(t.db, orderId)).status).toBe("cancelled");
    });

    it("answers 200 to an event for an unknown session and stores nothing", async () => {
      const before = await appraisalRowCounts(t.db);
      const r = await send("checkout.session.completed", "cs_test_not_ours", {
        session: {
          payment_status: "paid",
          amount_total: 300_000,
          currency: "cny",
          metadata: {},
          client_reference_id: null,
        },
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ outcome: "ignored", why: "unknown_session" });
      // Metadata naming an order does not help without the matching client_reference_id.
      const { orderId } = await orderWithSession();
      const before2 = await appraisalRowCounts(t.db);
      const r2 = await send("checkout.session.completed", "cs_test_forged_meta", {
        session: {
          payment_status: "paid",
          amount_total: 600_000,
          currency: "cny",
          metadata: { order_id: String(orderId) },
          client_reference_id: "999999",
        },
      });
      expect(r2.json).toMatchObject({ outcome: "ignored" });
      expect(await appraisalRowCounts(t.db)).toEqual(before2);
      expect(before.events).toBe(before2.events);
    });

    it("acknowledges event types it does not handle without storing them", async () => {
      const { sessionId } = await orderWithSession();
      const before = await appraisalRowCounts(t.db);
      const r = await send("checkout.session.expired", sessionId);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ outcome: "ignored", why: "event_type" });
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    describe("forged deliveries are refused with 400 and write nothing", () => {
      it.each([
        ["signed with another secret", "wrong-secret"],
        ["a tampered body", "tampered"],
        ["no signature header", "missing"],
        ["a malformed signature header", "garbage"],
        ["a signature from the wrong time", "stale"],
      ])("%s", async (_label, kind) => {
        const { orderId, sessionId } = await orderWithSession();
        fake.completeSession(sessionId, "paid");
        const before = {
          order: await orderRow(t.db, orderId),
          counts: await appraisalRowCounts(t.db),
        };
        const good = fake.webhook("checkout.session.completed", sessionId, WEBHOOK_SECRET);
        let body = good.body;
        let signature: string | null = good.signature;
        if (kind === "wrong-secret") {
          signature = fake.webhook("checkout.session.completed", sessionId, "whsec_other", {
            payload: body,
          }).signature;
        } else if (kind === "tampered") {
          body = body.replace(/"amount_total":\d+/, '"amount_total":1');
        } else if (kind === "missing") {
          signature = null;
        } else if (kind === "garbage") {
          signature = "t=1,v1=deadbeef";
        } else if (kind === "stale") {
          const { default: Stripe } = await import("stripe");
          signature = Stripe.webhooks.generateTestHeaderString({
            payload: body,
            secret: WEBHOOK_SECRET,
            timestamp: Math.floor(Date.now() / 1000) - 3600,
          });
        }
        expect(body === good.body || kind === "tampered").toBe(true);
        const r = await deliver(body, signature);
        expect(r.status).toBe(400);
        expect(await orderRow(t.db, orderId)).toEqual(before.order);
        expect(await appraisalRowCounts(t.db)).toEqual(before.counts);
      });
    });

    it("answers 405 to a GET", async () => {
      const res = await app.fetch("/webhooks/stripe");
      expect(res.status).toBe(405);
      await res.body?.cancel();
    });
  });
});
