import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { ConflictError } from "../models/errors";
import { applyStripeEvent } from "../models/payment.server";
import { withDb } from "../models/with-db.server";
import { getWebhookSecret, verifyStripeWebhook } from "../utils/stripe.server";

/**
 * Stripe's webhook endpoint (exempt from the CSRF origin check in scripts/server.ts: it is
 * authenticated by its signature). The raw body is verified against the endpoint secret before
 * anything is read from it; a bad signature is 400 and writes nothing. 2xx tells Stripe to stop
 * retrying — duplicates and events for unknown sessions included — while a concurrent change
 * (409) or a crash (500) makes it deliver again later.
 */
/**
 * What we read from an event. A correctly signed event can still have a shape we do not expect
 * (an API version change, a test event): that is a 400 and a log line, not a crash.
 */
const EventShape = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(64),
  data: z.object({
    object: z
      .object({
        id: z.string().min(1).max(255),
        amount_total: z.number().int().nullable().optional(),
        currency: z.string().nullable().optional(),
        payment_status: z.string().nullable().optional(),
        client_reference_id: z.string().nullable().optional(),
        metadata: z.record(z.string()).nullable().optional(),
      })
      .passthrough(),
  }),
});

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") {
    return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
  }
  const secret = getWebhookSecret();
  if (!secret) return new Response("Stripe webhooks are not configured", { status: 503 });
  const payload = await request.text();
  const event = verifyStripeWebhook(payload, request.headers.get("stripe-signature"), secret);
  if (!event) return new Response("Invalid signature", { status: 400 });
  const shape = EventShape.safeParse(event);
  if (!shape.success) {
    const where = shape.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
    console.warn(
      `[stripe webhook] refused event ${String(event.id)}: unexpected shape at ${where}`,
    );
    return new Response("Unexpected event shape", { status: 400 });
  }
  try {
    const result = await withDb(applyStripeEvent, event);
    return Response.json({ received: true, ...result });
  } catch (e) {
    if (e instanceof ConflictError) return Response.json({ received: false }, { status: 409 });
    throw e;
  }
}

export function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
