import Stripe from "stripe";
import { getEnv } from "./env.server";

/**
 * The one Stripe client. Without STRIPE_SECRET_KEY the platform runs in offline-payment mode
 * (bank transfer, confirmed by an admin) and this returns null. STRIPE_API_BASE points the SDK at
 * another server — the tests' local fake (tests/mocks/fake-stripe.ts) — so no test reaches Stripe.
 */
let cached: { key: string; base: string | undefined; client: Stripe } | undefined;

export function isStripeEnabled(): boolean {
  return Boolean(getEnv().STRIPE_SECRET_KEY);
}

export function getStripe(): Stripe | null {
  const env = getEnv();
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return null;
  const base = env.STRIPE_API_BASE;
  if (cached && cached.key === key && cached.base === base) return cached.client;
  let hostOptions: Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> = {};
  if (base) {
    const u = new URL(base);
    hostOptions = {
      host: u.hostname,
      port: u.port || (u.protocol === "http:" ? 80 : 443),
      protocol: u.protocol === "http:" ? "http" : "https",
    };
  }
  const client = new Stripe(key, {
    ...hostOptions,
    // A checkout request is idempotent (we always send an Idempotency-Key), so a retry is safe.
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "zhirong" },
  });
  cached = { key, base, client };
  return client;
}

/** The endpoint's signing secret (whsec_…); null when webhooks are not configured. */
export function getWebhookSecret(): string | null {
  return getEnv().STRIPE_WEBHOOK_SECRET || null;
}

/**
 * The event, if `payload` (the raw request body, byte for byte) carries a valid signature from
 * the endpoint secret within Stripe's 5-minute tolerance; null for anything else.
 */
export function verifyStripeWebhook(
  payload: string,
  signature: string | null,
  secret: string,
): Stripe.Event | null {
  if (!signature) return null;
  try {
    return Stripe.webhooks.constructEvent(payload, signature, secret);
  } catch {
    return null;
  }
}
