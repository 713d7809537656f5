/**
 * A small local stand-in for the Stripe API, so no test reaches the network. It implements what
 * the app calls — Checkout sessions: create (honouring Idempotency-Key), retrieve, expire — and
 * builds signed webhook deliveries with the SDK's own test-header helper.
 *
 *   const fake = await startFakeStripe();
 *   process.env.STRIPE_API_BASE = fake.url;   // app/utils/stripe.server.ts points the SDK here
 *   …
 *   const { body, signature } = fake.webhook("checkout.session.completed", sessionId, secret);
 *   await fake.close();
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

export interface FakeSession {
  id: string;
  object: "checkout.session";
  url: string | null;
  status: "open" | "complete" | "expired";
  payment_status: "paid" | "unpaid" | "no_payment_required";
  mode: string;
  currency: string;
  amount_total: number;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  payment_method_types: string[];
  payment_method_options: unknown;
  payment_intent: string | null;
  success_url: string;
  cancel_url: string;
  created: number;
  expires_at: number;
  livemode: false;
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  authorization: string | null;
  params: Record<string, unknown>;
}

export interface FakeStripe {
  url: string;
  requests: RecordedRequest[];
  sessions: Map<string, FakeSession>;
  /** Lifetime of new sessions in seconds (Stripe's default: 24 h). */
  sessionTtlSeconds: number;
  /** While true, every API call answers 503 (Stripe down or unreachable). */
  down: boolean;
  /** Marks a session as paid at checkout (card, Alipay, WeChat Pay) — no webhook is sent. */
  completeSession(id: string, paymentStatus?: "paid" | "unpaid"): FakeSession;
  /** Pretends the session's 24 hours have passed. */
  expireSession(id: string): FakeSession;
  /** A webhook delivery for a session, signed with `secret` (or an explicit payload). */
  webhook(
    type: string,
    sessionId: string,
    secret: string,
    opts?: { eventId?: string; session?: Partial<FakeSession>; payload?: string },
  ): { body: string; signature: string; eventId: string };
  close(): Promise<void>;
}

/** Decodes Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function decodeStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]);
      const key: string | number = Array.isArray(node) ? Number(part) : part;
      const container = node as Record<string | number, unknown>;
      if (last) container[key] = value;
      else {
        container[key] ??= nextIsIndex ? [] : {};
        node = container[key] as Record<string, unknown> | unknown[];
      }
    });
  }
  return root;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": "req_fake",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function stripeError(res: ServerResponse, status: number, type: string, message: string) {
  send(res, status, { error: { type, message } });
}

const nowS = () => Math.floor(Date.now() / 1000);

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, FakeSession>();
  const byKey = new Map<string, { body: string; sessionId: string }>();
  // What the create call first answered: an idempotent replay returns exactly this.
  const firstResponse = new Map<string, FakeSession>();

  const fake: FakeStripe = {
    url: "",
    close: async () => {},
    requests,
    sessions,
    sessionTtlSeconds: 24 * 3600,
    down: false,
    completeSession(id, paymentStatus = "paid") {
      const s = sessions.get(id);
      if (!s) throw new Error(`fake-stripe: no session ${id}`);
      s.status = "complete";
      s.payment_status = paymentStatus;
      s.payment_intent = `pi_test_${randomBytes(8).toString("hex")}`;
      s.url = null;
      return s;
    },
    expireSession(id) {
      const s = sessions.get(id);
      if (!s) throw new Error(`fake-stripe: no session ${id}`);
      s.expires_at = nowS() - 1;
      if (s.status === "open") s.status = "expired";
      // A replay of the create call shows the same (now past) expiry, as it would a day later.
      const first = firstResponse.get(id);
      if (first) first.expires_at = s.expires_at;
      return s;
    },
    webhook(type, sessionId, secret, opts = {}) {
      const base = sessions.get(sessionId);
      const session = {
        ...(base ?? { id: sessionId, object: "checkout.session" }),
        ...opts.session,
      };
      const eventId = opts.eventId ?? `evt_test_${randomBytes(10).toString("hex")}`;
      const body =
        opts.payload ??
        JSON.stringify({
          id: eventId,
          object: "event",
          api_version: "2025-10-29.clover",
          created: nowS(),
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          type,
          data: { object: session },
        });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
      return { body, signature, eventId };
    },
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const body = await readBody(req);
      const params = req.method === "POST" ? decodeStripeForm(body) : {};
      const idempotencyKey = (req.headers["idempotency-key"] as string | undefined) ?? null;
      requests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        idempotencyKey,
        authorization: (req.headers.authorization as string | undefined) ?? null,
        params,
      });
      if (fake.down) return stripeError(res, 503, "api_error", "Service unavailable (fake)");
      if (!/^Bearer sk_(test|live)_/.test(req.headers.authorization ?? "")) {
        return stripeError(res, 401, "invalid_request_error", "Invalid API Key provided");
      }

      if (req.method === "POST" && url.pathname === "/v1/checkout/sessions") {
        if (idempotencyKey) {
          const seen = byKey.get(idempotencyKey);
          if (seen) {
            if (seen.body !== body) {
              return stripeError(
                res,
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
              );
            }
            // Stripe replays the first response, whatever became of the session since.
            return send(res, 200, firstResponse.get(seen.sessionId), {
              "idempotent-replayed": "true",
            });
          }
        }
        const p = params as {
          currency?: string;
          mode?: string;
          client_reference_id?: string;
          metadata?: Record<string, string>;
          payment_method_types?: string[];
          payment_method_options?: unknown;
          success_url?: string;
          cancel_url?: string;
          line_items?: { quantity?: string; price_data?: { unit_amount?: string } }[];
        };
        const amount = (p.line_items ?? []).reduce(
          (sum, li) => sum + Number(li.price_data?.unit_amount ?? 0) * Number(li.quantity ?? 1),
          0,
        );
        const id = `cs_test_${randomBytes(12).toString("hex")}`;
        const session: FakeSession = {
          id,
          object: "checkout.session",
          url: `https://checkout.stripe.com/c/pay/${id}`,
          status: "open",
          payment_status: "unpaid",
          mode: p.mode ?? "payment",
          currency: p.currency ?? "cny",
          amount_total: amount,
          client_reference_id: p.client_reference_id ?? null,
          metadata: p.metadata ?? {},
          payment_method_types: p.payment_method_types ?? [],
          payment_method_options: p.payment_method_options ?? {},
          payment_intent: null,
          success_url: p.success_url ?? "",
          cancel_url: p.cancel_url ?? "",
          created: nowS(),
          expires_at: nowS() + fake.sessionTtlSeconds,
          livemode: false,
        };
        sessions.set(id, session);
        firstResponse.set(id, { ...session });
        if (idempotencyKey) byKey.set(idempotencyKey, { body, sessionId: id });
        return send(res, 200, session);
      }

      const m = /^\/v1\/checkout\/sessions\/([^/]+)(\/expire)?$/.exec(url.pathname);
      if (m) {
        const s = sessions.get(m[1]);
        if (!s)
          return stripeError(
            res,
            404,
            "invalid_request_error",
            `No such checkout.session: '${m[1]}'`,
          );
        if (req.method === "GET" && !m[2]) return send(res, 200, s);
        if (req.method === "POST" && m[2]) {
          if (s.status !== "open") {
            return stripeError(
              res,
              400,
              "invalid_request_error",
              `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`,
            );
          }
          s.status = "expired";
          s.url = null;
          return send(res, 200, s);
        }
      }
      return stripeError(
        res,
        404,
        "invalid_request_error",
        `Unrecognized request URL (${req.method}: ${url.pathname})`,
      );
    })().catch((e: unknown) => {
      send(res, 500, { error: { type: "api_error", message: String(e) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return fake;
}
