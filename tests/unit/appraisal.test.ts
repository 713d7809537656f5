import { describe, expect, it } from "vitest";
import {
  checkBasisDate,
  checkFormalRange,
  decidePaymentEffect,
  DEFAULT_APPRAISAL_FEE,
  formalValidity,
  formalValidUntil,
  isOpenOrder,
  isValidFeeSettings,
  orderFee,
  orderNumber,
  reportNumber,
  type PaymentEventFacts,
} from "../../app/domain/appraisal";

describe("the appraisal fee: max(floor, rate × indicative central value) per asset", () => {
  it("charges the floor of ¥3,000 below ¥500,000 of value", () => {
    // 0.6 % × ¥400,000 = ¥2,400 < ¥3,000
    expect(orderFee([40_000_000], DEFAULT_APPRAISAL_FEE)).toEqual({
      itemFeesFen: [300_000],
      totalFen: 300_000,
    });
  });

  it("charges 0.6 % above it: ¥1,000,000 → ¥6,000", () => {
    expect(orderFee([100_000_000], DEFAULT_APPRAISAL_FEE).totalFen).toBe(600_000);
  });

  it("is exactly the floor at ¥500,000 (0.6 % × 500,000 = 3,000)", () => {
    expect(orderFee([50_000_000], DEFAULT_APPRAISAL_FEE).totalFen).toBe(300_000);
  });

  it("adds each asset's own fee, so every report carries the floor", () => {
    // ¥100,000 → ¥3,000 (floor); ¥2,000,000 → ¥12,000; total ¥15,000
    expect(orderFee([10_000_000, 200_000_000], DEFAULT_APPRAISAL_FEE)).toEqual({
      itemFeesFen: [300_000, 1_200_000],
      totalFen: 1_500_000,
    });
  });

  it("rounds the proportional part half-up to a fen: 0.6 % × ¥1,234,567.89 = ¥7,407.41", () => {
    // 123,456,789 fen × 60 / 10,000 = 740,740.734 → 740,741 fen
    expect(orderFee([123_456_789], DEFAULT_APPRAISAL_FEE).totalFen).toBe(740_741);
  });

  it("follows the admin's setting: floor ¥5,000 and 1 %", () => {
    const s = { minFeeFen: 500_000, rateBp: 100 };
    expect(orderFee([40_000_000, 100_000_000], s).itemFeesFen).toEqual([500_000, 1_000_000]);
  });

  it("accepts settings only inside ¥100–¥100,000 and 0–5 %", () => {
    expect(isValidFeeSettings(DEFAULT_APPRAISAL_FEE)).toBe(true);
    expect(isValidFeeSettings({ minFeeFen: 10_000, rateBp: 0 })).toBe(true);
    expect(isValidFeeSettings({ minFeeFen: 10_000_000, rateBp: 500 })).toBe(true);
    expect(isValidFeeSettings({ minFeeFen: 9_999, rateBp: 60 })).toBe(false);
    expect(isValidFeeSettings({ minFeeFen: 10_000_001, rateBp: 60 })).toBe(false);
    expect(isValidFeeSettings({ minFeeFen: 300_000, rateBp: 501 })).toBe(false);
    expect(isValidFeeSettings({ minFeeFen: 300_000, rateBp: 60.5 })).toBe(false);
    expect(isValidFeeSettings({ minFeeFen: 300_000.5, rateBp: 60 })).toBe(false);
  });
});

describe("numbers people quote", () => {
  it("makes the order number PG + year + six-digit id (a bank memo keeps it intact)", () => {
    expect(orderNumber(123, "2026-11-27 09:00:00.000")).toBe("PG2026000123");
    expect(orderNumber(1_234_567, "2027-01-01 00:00:00.000")).toBe("PG20271234567");
  });

  it("makes the report number ZR-PG-<year signed>-<id>", () => {
    expect(reportNumber(123, "2026-02-28")).toBe("ZR-PG-2026-000123");
  });
});

describe("the signed value", () => {
  it("needs low ≤ central ≤ high and a positive central value", () => {
    expect(checkFormalRange(1, 2, 3)).toBeNull();
    expect(checkFormalRange(2, 2, 2)).toBeNull();
    expect(checkFormalRange(3, 2, 4)).toBe("low_above_central");
    expect(checkFormalRange(1, 5, 4)).toBe("central_above_high");
    expect(checkFormalRange(0, 0, 0)).toBe("zero_central");
  });

  it("is valid 12 months from the 评估基准日, inclusive, Feb 29 → Feb 28", () => {
    expect(formalValidUntil("2026-03-15")).toBe("2027-03-15");
    expect(formalValidUntil("2028-02-29")).toBe("2029-02-28");
  });

  describe("the 评估基准日 a valuer enters when signing", () => {
    const signed = "2026-12-06";
    it("may be the signing day itself or any day up to 12 months before it", () => {
      expect(checkBasisDate("2026-12-06", signed, signed)).toBeNull();
      expect(checkBasisDate("2026-11-30", signed, signed)).toBeNull();
      // basis 2025-12-06 is valid through 2026-12-06: still valid on the signing day
      expect(checkBasisDate("2025-12-06", signed, signed)).toBeNull();
    });
    it("is refused when the report would already have expired on signing", () => {
      expect(checkBasisDate("2025-12-05", signed, signed)).toBe("expired_at_signing");
    });
    it("is refused in the future", () => {
      expect(checkBasisDate("2026-12-07", signed, signed)).toBe("future");
    });
    it("is refused after the signing date even when that is past", () => {
      expect(checkBasisDate("2026-12-02", "2026-12-01", signed)).toBe("after_signing");
    });
    it("is refused when it is no date", () => {
      expect(checkBasisDate("2026-02-30", signed, signed)).toBe("invalid");
      expect(checkBasisDate("", signed, signed)).toBe("invalid");
    });
  });

  it("is 'expiring' in its last 30 days and 'expired' the day after valid_until", () => {
    expect(formalValidity("2027-03-15", "2027-02-12")).toBe("valid");
    expect(formalValidity("2027-03-15", "2027-02-13")).toBe("expiring");
    expect(formalValidity("2027-03-15", "2027-03-15")).toBe("expiring");
    expect(formalValidity("2027-03-15", "2027-03-16")).toBe("expired");
    expect(() => formalValidity("2027-02-30", "2027-01-01")).toThrow(RangeError);
  });

  it("keeps an asset in an open order until it is signed or cancelled", () => {
    for (const s of ["awaiting_payment", "payment_failed", "paid", "in_progress"]) {
      expect(isOpenOrder(s)).toBe(true);
    }
    for (const s of ["signed", "cancelled"]) expect(isOpenOrder(s)).toBe(false);
  });
});

describe("applying a Stripe Checkout event to an order", () => {
  const base: PaymentEventFacts = {
    type: "checkout.session.completed",
    paymentStatus: "paid",
    amountTotal: 300_000,
    currency: "cny",
    orderStatus: "awaiting_payment",
    orderFeeFen: 300_000,
    isCurrentSession: true,
  };
  const effect = (over: Partial<PaymentEventFacts>) => decidePaymentEffect({ ...base, ...over });

  it("pays on completed + paid, and on async_payment_succeeded", () => {
    expect(effect({})).toBe("pay");
    expect(
      effect({ type: "checkout.session.async_payment_succeeded", paymentStatus: "paid" }),
    ).toBe("pay");
  });

  it("waits when checkout completes unpaid (an asynchronous method is settling)", () => {
    expect(effect({ paymentStatus: "unpaid" })).toBe("pending");
    expect(effect({ paymentStatus: "unpaid", isCurrentSession: false })).toBe("none");
  });

  it("pays on success after a failure, and never un-pays on a failure after success", () => {
    expect(
      effect({ type: "checkout.session.async_payment_succeeded", orderStatus: "payment_failed" }),
    ).toBe("pay");
    for (const orderStatus of ["paid", "in_progress", "signed"] as const) {
      expect(effect({ type: "checkout.session.async_payment_failed", orderStatus })).toBe("none");
    }
    expect(effect({ type: "checkout.session.async_payment_failed" })).toBe("fail");
  });

  it("ignores a failure of an earlier session once the firm started a new attempt", () => {
    expect(effect({ type: "checkout.session.async_payment_failed", isCurrentSession: false })).toBe(
      "none",
    );
  });

  it("does nothing when the same session's success arrives again for a paid order", () => {
    expect(effect({ orderStatus: "paid" })).toBe("none");
  });

  it("flags money received twice, or after cancelling, or of the wrong amount", () => {
    expect(effect({ orderStatus: "paid", isCurrentSession: false })).toBe("duplicate_payment");
    expect(effect({ orderStatus: "cancelled" })).toBe("paid_after_cancel");
    expect(effect({ amountTotal: 299_999 })).toBe("amount_mismatch");
    expect(effect({ currency: "usd" })).toBe("amount_mismatch");
    expect(effect({ amountTotal: null })).toBe("amount_mismatch");
  });
});
