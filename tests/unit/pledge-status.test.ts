import { describe, expect, it } from "vitest";
import { appraisalStatusCounts, assetAppraisalStatus } from "../../app/domain/pledge-status";

const DAY = "2026-12-06";

describe("an asset's appraisal status on a day", () => {
  const formal = (validUntil: string | null) => ({
    formalValueFen: 1_000_000,
    formalValidUntil: validUntil,
  });
  const none = { formalValueFen: null, formalValidUntil: null };

  it("is signed while the formal value is valid, the last day included", () => {
    expect(assetAppraisalStatus(formal(DAY), null, DAY)).toBe("signed");
    expect(assetAppraisalStatus(formal("2027-01-01"), "awaiting_payment", DAY)).toBe("signed");
  });

  it("follows the open order before or after payment", () => {
    expect(assetAppraisalStatus(none, "awaiting_payment", DAY)).toBe("ordered");
    expect(assetAppraisalStatus(none, "payment_failed", DAY)).toBe("ordered");
    expect(assetAppraisalStatus(none, "paid", DAY)).toBe("paid");
    expect(assetAppraisalStatus(formal("2026-12-05"), "in_progress", DAY)).toBe("paid");
  });

  it("is expired the day after valid-until, and none without any appraisal or order", () => {
    expect(assetAppraisalStatus(formal("2026-12-05"), null, DAY)).toBe("expired");
    expect(assetAppraisalStatus(none, null, DAY)).toBe("none");
    // A cancelled or signed order is not open: it does not count.
    expect(assetAppraisalStatus(none, "cancelled", DAY)).toBe("none");
  });

  it("counts statuses in reading order, without zeros", () => {
    expect(appraisalStatusCounts(["signed", "none", "signed", "paid"])).toEqual([
      { status: "none", count: 1 },
      { status: "paid", count: 1 },
      { status: "signed", count: 2 },
    ]);
    expect(appraisalStatusCounts([])).toEqual([]);
  });
});
