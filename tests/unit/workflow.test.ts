import { describe, expect, it } from "vitest";
import {
  APPLICATION_STATES,
  availableActions,
  checkApproval,
  checkDisbursement,
  checkDraft,
  checkTransition,
  monthOf,
  parseProductSnapshot,
  pledgeSetCapacity,
  primaryIpType,
  TRANSITIONS,
  WORKFLOW_ACTIONS,
  type PledgedAsset,
  type ProductSnapshot,
} from "../../app/domain/application";

const snapshot: ProductSnapshot = {
  id: 7,
  bankOrgId: 3,
  name: "知识产权质押贷",
  minAmountFen: 10_000_000, // 10万元
  maxAmountFen: 1_000_000_000, // 1000万元
  minTermMonths: 6,
  maxTermMonths: 36,
  minRateBp: 300,
  maxRateBp: 450,
  pledgeRateBp: { invention: 2500, utility_model: 1500, design: 1000, trademark: 5000 },
  acceptedIpTypes: ["invention", "utility_model", "trademark"],
  interestSubsidyBp: 3000,
};

function asset(id: number, p: Partial<PledgedAsset> = {}): PledgedAsset {
  return {
    assetId: id,
    title: `资产${id}`,
    ipType: "invention",
    formalValueFen: 100_000_000, // 100万元
    formalValidUntil: "2026-06-30",
    formalSignedDate: "2025-07-01",
    ...p,
  };
}

describe("the state machine", () => {
  it("lets the firm submit a draft and withdraw while submitted or under review", () => {
    expect(checkTransition("submit", "draft", "firm")).toEqual({ ok: true, to: "submitted" });
    expect(checkTransition("withdraw", "submitted", "firm")).toEqual({ ok: true, to: "withdrawn" });
    expect(checkTransition("withdraw", "under_review", "firm")).toEqual({
      ok: true,
      to: "withdrawn",
    });
    expect(checkTransition("withdraw", "approved", "firm")).toEqual({
      ok: false,
      reason: "wrong_state",
    });
  });

  it("refuses a bank officer's submit and a firm's approval as the wrong actor", () => {
    expect(checkTransition("submit", "draft", "bank")).toEqual({
      ok: false,
      reason: "wrong_actor",
    });
    expect(checkTransition("approve", "under_review", "firm")).toEqual({
      ok: false,
      reason: "wrong_actor",
    });
  });

  it("walks the happy path draft → … → repaid with the bank doing every step after submit", () => {
    const path = [
      ["submit", "firm", "draft", "submitted"],
      ["start_review", "bank", "submitted", "under_review"],
      ["approve", "bank", "under_review", "approved"],
      ["register_pledge", "bank", "approved", "pledge_registered"],
      ["disburse", "bank", "pledge_registered", "disbursed"],
      ["repay", "bank", "disbursed", "repaid"],
    ] as const;
    for (const [action, actor, from, to] of path) {
      expect(checkTransition(action, from, actor)).toEqual({ ok: true, to });
    }
    expect(checkTransition("default", "disbursed", "bank")).toEqual({ ok: true, to: "defaulted" });
  });

  it("rejects from review and from approval or registration, never after money moved", () => {
    for (const from of ["under_review", "approved", "pledge_registered"] as const) {
      expect(checkTransition("reject", from, "bank").ok).toBe(true);
    }
    for (const from of ["draft", "submitted", "disbursed", "repaid", "defaulted"] as const) {
      expect(checkTransition("reject", from, "bank").ok).toBe(false);
    }
  });

  it("has no way out of a final state", () => {
    for (const s of ["rejected", "withdrawn", "repaid", "defaulted"] as const) {
      expect(availableActions(s, "firm")).toEqual([]);
      expect(availableActions(s, "bank")).toEqual([]);
    }
  });

  it("reaches every state from draft", () => {
    const seen = new Set<string>(["draft"]);
    let frontier = ["draft"];
    while (frontier.length) {
      const next: string[] = [];
      for (const a of WORKFLOW_ACTIONS) {
        const rule = TRANSITIONS[a];
        if (
          frontier.some((f) => (rule.from as readonly string[]).includes(f)) &&
          !seen.has(rule.to)
        ) {
          seen.add(rule.to);
          next.push(rule.to);
        }
      }
      frontier = next;
    }
    expect([...seen].sort()).toEqual([...APPLICATION_STATES].sort());
  });

  it("lists the bank's actions on an application under review", () => {
    expect(availableActions("under_review", "bank")).toEqual(["approve", "reject"]);
    expect(availableActions("under_review", "firm")).toEqual(["withdraw"]);
  });
});

describe("capacity of a pledged set", () => {
  it("floors value × pledge rate per asset with the snapshot's rates", () => {
    const c = pledgeSetCapacity(
      [
        asset(1, { formalValueFen: 333_333 }), // 25% → 83,333.25 → 83,333
        asset(2, { formalValueFen: 333_333 }),
        asset(3, { ipType: "trademark", formalValueFen: 101 }), // 50% → 50.5 → 50
      ],
      snapshot,
    );
    expect(c.perAsset.map((a) => a.capacityFen)).toEqual([83_333, 83_333, 50]);
    expect(c.capacityFen).toBe(166_716);
    expect(c.capacityByType.invention).toBe(166_666);
    expect(c.pledgedValueFen).toBe(666_767);
  });

  it("lends nothing on an asset without a formal value", () => {
    expect(pledgeSetCapacity([asset(1, { formalValueFen: null })], snapshot).capacityFen).toBe(0);
  });
});

describe("the primary IP type of a deal", () => {
  it("is the type contributing the most capacity", () => {
    expect(
      primaryIpType([
        { ipType: "invention", capacityFen: 100 },
        { ipType: "trademark", capacityFen: 80 },
        { ipType: "trademark", capacityFen: 80 },
      ]),
    ).toBe("trademark");
  });

  it("breaks ties by the fixed order invention → utility model → design → trademark", () => {
    expect(
      primaryIpType([
        { ipType: "trademark", capacityFen: 50 },
        { ipType: "utility_model", capacityFen: 50 },
      ]),
    ).toBe("utility_model");
    expect(
      primaryIpType([
        { ipType: "design", capacityFen: 0 },
        { ipType: "trademark", capacityFen: 0 },
      ]),
    ).toBe("design");
  });

  it("does not depend on the order the assets are listed", () => {
    const a = [
      { ipType: "trademark" as const, capacityFen: 7 },
      { ipType: "invention" as const, capacityFen: 7 },
    ];
    expect(primaryIpType(a)).toBe(primaryIpType([...a].reverse()));
  });
});

describe("the approval checks", () => {
  const base = {
    snapshot,
    requestedFen: 50_000_000,
    amountFen: 50_000_000, // 50万元 = capacity of two 100万元 inventions at 25%
    termMonths: 12,
    rateBp: 385,
    assets: [asset(1), asset(2)],
    day: "2026-01-15",
  };

  it("approves an amount equal to the capacity with valid appraisals", () => {
    const r = checkApproval(base);
    expect(r.problems).toEqual([]);
    expect(r.capacity.capacityFen).toBe(50_000_000);
    expect(r.primaryIpType).toBe("invention");
  });

  it("refuses one fen above the capacity, saying by how much", () => {
    const r = checkApproval({ ...base, requestedFen: 60_000_000, amountFen: 50_000_001 });
    expect(r.problems).toEqual([
      { code: "amount_above_capacity", amountFen: 50_000_001, capacityFen: 50_000_000 },
    ]);
  });

  it("refuses more than the firm applied for", () => {
    const r = checkApproval({
      ...base,
      amountFen: 50_000_001,
      assets: [asset(1), asset(2), asset(3)],
    });
    expect(r.problems.map((p) => p.code)).toEqual(["amount_above_requested"]);
  });

  it("accepts an appraisal valid until the approval day itself and refuses it the day after", () => {
    const lastDay = checkApproval({ ...base, day: "2026-06-30" });
    expect(lastDay.problems).toEqual([]);
    const after = checkApproval({ ...base, day: "2026-07-01" });
    expect(after.problems.map((p) => p.code)).toContain("asset_appraisal_expired");
    // Expired assets lend nothing, so the capacity falls short too.
    expect(after.problems.map((p) => p.code)).toContain("amount_above_capacity");
  });

  it("refuses an asset with no formal appraisal and one signed after the approval day", () => {
    const r = checkApproval({
      ...base,
      assets: [asset(1, { formalValueFen: null, formalValidUntil: null }), asset(2)],
      amountFen: 1_000_000,
      day: "2025-06-01",
    });
    expect(r.problems).toEqual([
      { code: "asset_no_formal_value", assetId: 1, title: "资产1" },
      { code: "asset_appraisal_after_day", assetId: 2, title: "资产2", signedDate: "2025-07-01" },
      { code: "amount_above_capacity", amountFen: 1_000_000, capacityFen: 0 },
    ]);
  });

  it("refuses a lapsed patent and a right that expired before the approval day", () => {
    const r = checkApproval({
      ...base,
      amountFen: 1,
      assets: [
        asset(1, { status: "lapsed", expiryDate: "2030-01-01" }),
        asset(2, { status: "granted", expiryDate: "2026-01-14" }),
        asset(3, { ipType: "trademark", status: "registered", expiryDate: "2026-01-16" }),
      ],
    });
    expect(r.problems).toEqual([
      { code: "asset_not_pledgeable", assetId: 1, title: "资产1", status: "lapsed" },
      { code: "asset_expired", assetId: 2, title: "资产2", expiryDate: "2026-01-14" },
    ]);
    // Only the trademark lends: expiring 2026-01-16, its last day in force is the approval day.
    expect(r.capacity.capacityFen).toBe(50_000_000);
  });

  it("refuses a right whose expiry date is the approval day: it is no longer in force that day", () => {
    // The stored expiry is the first day without protection (docs/domain.md#pledgeable), the
    // day matching already calls the asset expired.
    const r = checkApproval({
      ...base,
      assets: [asset(1), asset(2, { status: "granted", expiryDate: "2026-01-15" })],
    });
    expect(r.problems).toEqual([
      { code: "asset_expired", assetId: 2, title: "资产2", expiryDate: "2026-01-15" },
      { code: "amount_above_capacity", amountFen: 50_000_000, capacityFen: 25_000_000 },
    ]);
    // The day before, it is still in force and lends.
    expect(checkApproval({ ...base, day: "2026-01-14" }).problems).toEqual([]);
    expect(
      checkApproval({
        ...base,
        day: "2026-01-14",
        assets: [asset(1), asset(2, { status: "granted", expiryDate: "2026-01-15" })],
      }).problems,
    ).toEqual([]);
  });

  it("refuses a rate or a term outside the snapshot's ranges", () => {
    const r = checkApproval({ ...base, rateBp: 451, termMonths: 5 });
    expect(r.problems).toEqual([
      { code: "term_out_of_range", termMonths: 5, minTermMonths: 6, maxTermMonths: 36 },
      { code: "rate_out_of_range", rateBp: 451, minRateBp: 300, maxRateBp: 450 },
    ]);
  });

  it("refuses an asset of a type the product does not accept", () => {
    const r = checkApproval({
      ...base,
      assets: [asset(1), asset(2), asset(3, { ipType: "design" })],
    });
    expect(r.problems).toEqual([
      { code: "asset_type_not_accepted", assetId: 3, title: "资产3", ipType: "design" },
    ]);
  });

  it("refuses a zero amount and an empty pledge set", () => {
    const r = checkApproval({ ...base, amountFen: 0, assets: [] });
    expect(r.problems.map((p) => p.code)).toEqual(["no_assets", "amount_not_positive"]);
    expect(r.primaryIpType).toBeNull();
  });
});

describe("the draft checks", () => {
  it("needs an amount in the product's range, the term and rate in range, and assets", () => {
    expect(
      checkDraft({ snapshot, amountFen: 5_000_000, termMonths: 48, rateBp: 200, assets: [] }).map(
        (p) => p.code,
      ),
    ).toEqual(["amount_out_of_range", "term_out_of_range", "rate_out_of_range", "no_assets"]);
    expect(
      checkDraft({
        snapshot,
        amountFen: 50_000_000,
        termMonths: 12,
        rateBp: 385,
        assets: [asset(1)],
      }),
    ).toEqual([]);
  });

  it("does not refuse a draft whose assets still await a formal appraisal", () => {
    expect(
      checkDraft({
        snapshot,
        amountFen: 50_000_000,
        termMonths: 12,
        rateBp: 385,
        assets: [asset(1, { formalValueFen: null, formalValidUntil: null })],
      }),
    ).toEqual([]);
  });
});

describe("the disbursement checks", () => {
  it("allows up to the approved amount and not a fen more", () => {
    const ok = { approvedFen: 100, amountFen: 100, valueDate: "2026-02-01", registeredDate: null };
    expect(checkDisbursement(ok)).toEqual([]);
    expect(checkDisbursement({ ...ok, amountFen: 101 })).toEqual([
      { code: "amount_above_approved", amountFen: 101, approvedFen: 100 },
    ]);
    expect(checkDisbursement({ ...ok, amountFen: 0 })).toEqual([{ code: "amount_not_positive" }]);
  });

  it("refuses a value date before the pledge registration and a date that does not exist", () => {
    expect(
      checkDisbursement({
        approvedFen: 100,
        amountFen: 50,
        valueDate: "2026-01-31",
        registeredDate: "2026-02-01",
      }).map((p) => p.code),
    ).toEqual(["value_date_before_registration"]);
    expect(
      checkDisbursement({
        approvedFen: 100,
        amountFen: 50,
        valueDate: "2026-02-30",
        registeredDate: null,
      }),
    ).toEqual([{ code: "bad_date", field: "valueDate" }]);
  });

  it("buckets a value date by its month", () => {
    expect(monthOf("2025-03-31")).toBe("2025-03");
  });
});

describe("the product snapshot", () => {
  it("round-trips through JSON and ignores extra fields of the full product terms", () => {
    const json = JSON.stringify({ ...snapshot, regions: "all", riskShare: { governmentBp: 0 } });
    expect(parseProductSnapshot(json)).toMatchObject(snapshot);
  });

  it("reads the products model's snapshot, which nests the terms", () => {
    const json = JSON.stringify({ productId: 7, version: 3, name: "x", terms: snapshot });
    expect(parseProductSnapshot(json)).toMatchObject(snapshot);
  });

  it("throws on a snapshot missing its pledge rates", () => {
    const { pledgeRateBp: _omit, ...broken } = snapshot;
    expect(() => parseProductSnapshot(JSON.stringify(broken))).toThrow();
  });
});
