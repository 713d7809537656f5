import { describe, expect, it } from "vitest";
import {
  nextDisbursementSlot,
  quotaChangeOnDisbursement,
  quotaHeldFen,
  reversalRefusal,
  type LedgerFact,
  type ReversalFacts,
} from "../../app/domain/disbursement";

const d = (id: number, amountFen: number): LedgerFact => ({
  id,
  entryType: "disbursement",
  reversesEntryId: null,
  amountFen,
});
const r = (id: number, of: LedgerFact): LedgerFact => ({
  id,
  entryType: "reversal",
  reversesEntryId: of.id,
  amountFen: -of.amountFen,
});

describe("the slot of an application's next disbursement", () => {
  it("is the first while nothing was disbursed", () => {
    expect(nextDisbursementSlot([])).toEqual({ kind: "first" });
  });

  it("is taken while a disbursement stands", () => {
    const d1 = d(10, 5_000_000);
    expect(nextDisbursementSlot([d1])).toEqual({ kind: "taken", entryId: 10 });
    const r1 = r(11, d1);
    const d2 = d(14, 50_000_000);
    expect(nextDisbursementSlot([d1, r1, d2])).toEqual({ kind: "taken", entryId: 14 });
  });

  it("is opened by the reversal of the latest disbursement, which it names with the amount", () => {
    const d1 = d(10, 5_000_000);
    const r1 = r(11, d1);
    expect(nextDisbursementSlot([d1, r1])).toEqual({
      kind: "after_reversal",
      reversalId: 11,
      reversedEntryId: 10,
      reversedFen: 5_000_000,
    });
    const d2 = d(14, 50_000_000);
    const r2 = r(20, d2);
    // In any order, as the rows come back from the database.
    expect(nextDisbursementSlot([r2, d1, d2, r1])).toEqual({
      kind: "after_reversal",
      reversalId: 20,
      reversedEntryId: 14,
      reversedFen: 50_000_000,
    });
  });
});

describe("the quota a deal holds and settles", () => {
  it("holds the approved amount until disbursed, then the amount of the disbursement reversed", () => {
    expect(quotaHeldFen(50_000_000, { kind: "first" })).toBe(50_000_000);
    expect(
      quotaHeldFen(50_000_000, {
        kind: "after_reversal",
        reversalId: 11,
        reversedEntryId: 10,
        reversedFen: 5_000_000,
      }),
    ).toBe(5_000_000);
  });

  it("returns what a disbursement leaves unused and takes what it needs beyond the held amount", () => {
    expect(quotaChangeOnDisbursement(50_000_000, 30_000_000)).toBe(20_000_000);
    expect(quotaChangeOnDisbursement(5_000_000, 50_000_000)).toBe(-45_000_000);
    expect(quotaChangeOnDisbursement(5_000_000, 5_000_000)).toBe(0);
  });
});

describe("whether a disbursement may be reversed", () => {
  const open: ReversalFacts = {
    state: "disbursed",
    loanStatus: "open",
    standingRepayments: 0,
    subsidyClaims: 0,
  };

  it("may while the loan is open and untouched, with or without a loan account", () => {
    expect(reversalRefusal(open)).toBeNull();
    expect(reversalRefusal({ ...open, loanStatus: null })).toBeNull();
  });

  it("may not once the loan is repaid or defaulted", () => {
    for (const state of ["repaid", "defaulted"] as const) {
      expect(reversalRefusal({ ...open, state })).toEqual({
        key: "applications:errors.reverseClosedLoan",
        params: { state },
      });
    }
    expect(reversalRefusal({ ...open, loanStatus: "closed" })?.key).toBe(
      "applications:errors.reverseClosedLoan",
    );
    expect(reversalRefusal({ ...open, loanStatus: "defaulted" })?.key).toBe(
      "applications:errors.reverseClosedLoan",
    );
  });

  it("may not while a repayment stands or 贴息 was claimed on the loan", () => {
    expect(reversalRefusal({ ...open, standingRepayments: 2 })).toEqual({
      key: "applications:errors.reverseRepaymentsFirst",
      params: { count: 2 },
    });
    expect(reversalRefusal({ ...open, subsidyClaims: 1 })).toEqual({
      key: "applications:errors.reverseSubsidised",
      params: { count: 1 },
    });
  });
});
