import { addDays, parseIsoDate } from "./ip";
import { appraisalFeeFen, appraisalValidUntil, isWithinValidity } from "./valuation";

/**
 * The formal appraisal (docs/domain.md#appraisal): a firm orders it, pays the fee, an accredited
 * valuer (资产评估机构) signs a low / central / high value per asset as of a valuation basis date
 * (评估基准日), valid 12 months from that date. Pure rules only; the workflow's writes live in app/models/appraisal.server.ts.
 */

export const APPRAISAL_ORDER_STATUSES = [
  "awaiting_payment",
  "payment_failed",
  "paid",
  "in_progress",
  "signed",
  "cancelled",
] as const;
export type AppraisalOrderStatus = (typeof APPRAISAL_ORDER_STATUSES)[number];

/**
 * An order in one of these states still "holds" its assets: ordering the same asset again would
 * mean paying twice for one appraisal. payment_failed is open because the firm may retry paying.
 */
export const OPEN_ORDER_STATUSES: readonly AppraisalOrderStatus[] = [
  "awaiting_payment",
  "payment_failed",
  "paid",
  "in_progress",
];

/** What the valuer works on: orders that are paid, and those it has started. */
export const VALUER_QUEUE_STATUSES: readonly AppraisalOrderStatus[] = ["paid", "in_progress"];
/** What the valuer may open at all: its queue and what it has signed (never unpaid orders). */
export const VALUER_VISIBLE_STATUSES: readonly AppraisalOrderStatus[] = [
  "paid",
  "in_progress",
  "signed",
];
/** A payment (Stripe or bank transfer) may still arrive and be applied. */
export const PAYABLE_STATUSES: readonly AppraisalOrderStatus[] = [
  "awaiting_payment",
  "payment_failed",
];
/** The firm may cancel only before any money has been received. */
export const CANCELLABLE_STATUSES: readonly AppraisalOrderStatus[] = [
  "awaiting_payment",
  "payment_failed",
];

export function isOpenOrder(status: string): boolean {
  return (OPEN_ORDER_STATUSES as readonly string[]).includes(status);
}

/** The valuation approaches of 资产评估基本准则 第十六条: income, market and cost. */
export const APPRAISAL_METHODS = ["income", "market", "cost"] as const;
export type AppraisalMethod = (typeof APPRAISAL_METHODS)[number];

/** One order is one engagement letter; a valuer will not take a hundred assets in one go. */
export const MAX_ASSETS_PER_ORDER = 20;

// ---------------------------------------------------------------------------------------------
// The fee
// ---------------------------------------------------------------------------------------------

export interface AppraisalFeeSettings {
  minFeeFen: number;
  rateBp: number;
}

/** The platform's defaults, ¥3,000 floor and 0.6 % (docs/domain.md#appraisal-fee: 0.5–1 %). */
export const DEFAULT_APPRAISAL_FEE: AppraisalFeeSettings = { minFeeFen: 300_000, rateBp: 60 };

/**
 * What the admin may set. The floor never drops below ¥100: Stripe refuses CNY charges under ¥4
 * and a valuer cannot sign a report for less than its cost. Above 5 % the "fee" would be a tax.
 */
export const APPRAISAL_FEE_LIMITS = {
  minFeeFen: { min: 10_000, max: 10_000_000 },
  rateBp: { min: 0, max: 500 },
} as const;

export function isValidFeeSettings(s: AppraisalFeeSettings): boolean {
  const { minFeeFen, rateBp } = APPRAISAL_FEE_LIMITS;
  return (
    Number.isSafeInteger(s.minFeeFen) &&
    Number.isInteger(s.rateBp) &&
    s.minFeeFen >= minFeeFen.min &&
    s.minFeeFen <= minFeeFen.max &&
    s.rateBp >= rateBp.min &&
    s.rateBp <= rateBp.max
  );
}

export interface OrderFee {
  /** One fee per asset, in the order given. */
  itemFeesFen: number[];
  totalFen: number;
}

/**
 * The fee is charged per asset: max(floor, rate × that asset's indicative central value), summed.
 * Each asset gets its own signed report, so each carries the floor that pays for the valuer's
 * fixed work (docs/decisions/003-appraisal-fee-and-payment.md). A sum-then-floor rule would
 * let a firm bundle ten assets for the price of one report.
 */
export function orderFee(centralsFen: readonly number[], s: AppraisalFeeSettings): OrderFee {
  const itemFeesFen = centralsFen.map((c) =>
    appraisalFeeFen(c, { minFeeFen: s.minFeeFen, rateBp: s.rateBp }),
  );
  return { itemFeesFen, totalFen: itemFeesFen.reduce((a, b) => a + b, 0) };
}

// ---------------------------------------------------------------------------------------------
// Numbers people read
// ---------------------------------------------------------------------------------------------

/**
 * The order number a firm quotes as its bank-transfer reference: PG + the year it was placed +
 * the id, e.g. PG2026000123. Letters and digits only, because bank memo fields drop punctuation.
 */
export function orderNumber(id: number, createdAt: string): string {
  return `PG${createdAt.slice(0, 4)}${String(id).padStart(6, "0")}`;
}

/** The appraisal report number: ZR-PG-<year signed>-<appraisal id>, e.g. ZR-PG-2026-000123. */
export function reportNumber(appraisalId: number, signedDate: string): string {
  return `ZR-PG-${signedDate.slice(0, 4)}-${String(appraisalId).padStart(6, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// The signed value
// ---------------------------------------------------------------------------------------------

export type FormalRangeProblem = "low_above_central" | "central_above_high" | "zero_central";

/** low ≤ central ≤ high, and a formal value of zero is no value at all. */
export function checkFormalRange(
  lowFen: number,
  centralFen: number,
  highFen: number,
): FormalRangeProblem | null {
  if (centralFen <= 0) return "zero_central";
  if (lowFen > centralFen) return "low_above_central";
  if (centralFen > highFen) return "central_above_high";
  return null;
}

/** The last day the signed value may be relied on (basis date + 12 months, inclusive). */
export function formalValidUntil(basisDate: string): string {
  return appraisalValidUntil(basisDate);
}

export type BasisDateProblem = "invalid" | "future" | "after_signing" | "expired_at_signing";

/**
 * The 评估基准日 a valuer enters when signing: a real date, not in the future, on or before the
 * signing date (a value cannot be stated as of a day after the report that states it), and recent
 * enough that the report is still valid on the day it is signed.
 */
export function checkBasisDate(
  basisDate: string,
  signedDate: string,
  today: string,
): BasisDateProblem | null {
  if (!parseIsoDate(basisDate)) return "invalid";
  if (basisDate > today) return "future";
  if (basisDate > signedDate) return "after_signing";
  if (!isWithinValidity(appraisalValidUntil(basisDate), signedDate)) return "expired_at_signing";
  return null;
}

export type FormalValidity = "valid" | "expiring" | "expired";

/** Within 30 days of expiry a firm should order a new appraisal before it applies for a loan. */
export const EXPIRING_WITHIN_DAYS = 30;

export function formalValidity(validUntil: string, today: string): FormalValidity {
  if (!parseIsoDate(validUntil) || !parseIsoDate(today)) {
    throw new RangeError(`bad date: ${validUntil} / ${today}`);
  }
  if (!isWithinValidity(validUntil, today)) return "expired";
  const warnFrom = addDays(validUntil, -EXPIRING_WITHIN_DAYS);
  return today >= warnFrom ? "expiring" : "valid";
}

// ---------------------------------------------------------------------------------------------
// Applying a verified Stripe Checkout event to an order
// ---------------------------------------------------------------------------------------------

export const STRIPE_CHECKOUT_EVENTS = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
] as const;
export type StripeCheckoutEventType = (typeof STRIPE_CHECKOUT_EVENTS)[number];

export function isHandledStripeEvent(type: string): type is StripeCheckoutEventType {
  return (STRIPE_CHECKOUT_EVENTS as readonly string[]).includes(type);
}

export interface PaymentEventFacts {
  type: StripeCheckoutEventType;
  /** The session's payment_status: 'paid' | 'unpaid' | 'no_payment_required'. */
  paymentStatus: string | null;
  amountTotal: number | null;
  currency: string | null;
  orderStatus: AppraisalOrderStatus;
  orderFeeFen: number;
  /** The event's session is the one the order currently points at. */
  isCurrentSession: boolean;
}

/**
 * What an event does to the order. Stripe may deliver late, twice, or out of order, so the effect
 * depends only on the order's state now, never on what arrived before:
 *   pay               — money received for an order still waiting for it (incl. after a failure:
 *                       "succeeded" arriving after "failed" pays)
 *   fail              — the current session's async payment failed while the order still waits
 *   pending           — checkout completed but an asynchronous method has not settled yet
 *   none              — nothing to do (a failure after payment never un-pays)
 *   duplicate_payment — money received again for an order already paid by another session
 *   paid_after_cancel — money received for an order the firm cancelled
 *   amount_mismatch   — the session charged something other than the order's fee in CNY
 * The last three change nothing; they are recorded for an admin to refund or investigate.
 */
export type PaymentEffect =
  | "pay"
  | "fail"
  | "pending"
  | "none"
  | "duplicate_payment"
  | "paid_after_cancel"
  | "amount_mismatch";

export function decidePaymentEffect(f: PaymentEventFacts): PaymentEffect {
  const succeeded =
    f.type === "checkout.session.async_payment_succeeded" ||
    (f.type === "checkout.session.completed" && f.paymentStatus === "paid");
  if (succeeded) {
    if (f.amountTotal !== f.orderFeeFen || (f.currency ?? "").toLowerCase() !== "cny") {
      return "amount_mismatch";
    }
    if ((PAYABLE_STATUSES as readonly string[]).includes(f.orderStatus)) return "pay";
    if (f.orderStatus === "cancelled") return "paid_after_cancel";
    return f.isCurrentSession ? "none" : "duplicate_payment";
  }
  if (f.type === "checkout.session.async_payment_failed") {
    return f.orderStatus === "awaiting_payment" && f.isCurrentSession ? "fail" : "none";
  }
  // completed, not (yet) paid: an asynchronous method is still settling.
  if (f.paymentStatus === "unpaid" && f.orderStatus === "awaiting_payment" && f.isCurrentSession) {
    return "pending";
  }
  return "none";
}
