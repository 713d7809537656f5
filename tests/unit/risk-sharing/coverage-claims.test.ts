import { describe, expect, it } from "vitest";
import {
  computeLoss,
  claimProblems,
  decideApproval,
} from "../../../app/domain/risk-sharing/claims";
import {
  decideCoverage,
  leverageBp,
  leverageLimitFen,
  poolRulesProblems,
  releaseOnRepayment,
  type PoolRules,
} from "../../../app/domain/risk-sharing/coverage";

const WAN = 1_000_000;
const rules: PoolRules = {
  shares: { pool: 4000, insurer: 3000, guarantor: 2000, bank: 1000 },
  perLoanCapFen: 500 * WAN,
  leverageMultipleBp: 189_400,
  interestDaysAllowed: 90,
  productIds: [1, 2],
  regionCodes: ["150200"],
};

describe("pool rules", () => {
  it("accept the regional pool's rules", () => {
    expect(poolRulesProblems(rules)).toEqual([]);
  });

  it("refuse negative caps, a zero leverage, no products and an unknown 盟市", () => {
    expect(
      poolRulesProblems({
        ...rules,
        perLoanCapFen: -1,
        leverageMultipleBp: 0,
        interestDaysAllowed: 400,
        productIds: [],
        regionCodes: ["110000"],
      }).map((m) => m.key),
    ).toEqual([
      "risk:validation.capNotPositive",
      "risk:validation.leverageNotPositive",
      "risk:validation.interestDaysOutOfRange",
      "risk:validation.noProducts",
      "risk:validation.unknownRegions",
    ]);
  });
});

describe("coverage at disbursement (18.94× on a 1,000万 pool)", () => {
  const pool = { balanceFen: 1000 * WAN, exposureFen: 0 };

  it("carries up to 18,940万", () => {
    expect(leverageLimitFen(1000 * WAN, 189_400)).toBe(18_940 * WAN);
  });

  it("reserves min(principal, per-loan cap)", () => {
    expect(
      decideCoverage(rules, pool, { productId: 1, regionCode: "150200", principalFen: 800 * WAN }),
    ).toEqual({
      covered: true,
      reservedFen: 500 * WAN,
    });
    expect(
      decideCoverage(rules, pool, { productId: 2, regionCode: "150200", principalFen: 300 * WAN }),
    ).toEqual({
      covered: true,
      reservedFen: 300 * WAN,
    });
  });

  it("does not cover another product or 盟市", () => {
    expect(
      decideCoverage(rules, pool, { productId: 3, regionCode: "150200", principalFen: WAN }),
    ).toEqual({
      covered: false,
      reason: "product",
    });
    expect(
      decideCoverage(rules, pool, { productId: 1, regionCode: "150100", principalFen: WAN }),
    ).toEqual({
      covered: false,
      reason: "region",
    });
    expect(
      decideCoverage({ ...rules, regionCodes: [] }, pool, {
        productId: 1,
        regionCode: "150100",
        principalFen: WAN,
      }).covered,
    ).toBe(true);
  });

  it("reserves up to the limit exactly and refuses one fen more", () => {
    const nearlyFull = { balanceFen: 1000 * WAN, exposureFen: 18_940 * WAN - 300 * WAN };
    expect(
      decideCoverage(rules, nearlyFull, {
        productId: 1,
        regionCode: "150200",
        principalFen: 300 * WAN,
      }),
    ).toEqual({ covered: true, reservedFen: 300 * WAN });
    const refused = decideCoverage(rules, nearlyFull, {
      productId: 1,
      regionCode: "150200",
      principalFen: 300 * WAN + 1,
    });
    expect(refused).toEqual({
      covered: false,
      reason: "leverage",
      message: {
        key: "risk:validation.leverageExceeded",
        params: {
          reservedFen: 300 * WAN + 1,
          exposureFen: 18_640 * WAN,
          limitFen: 18_940 * WAN,
          multiple: 18.94,
        },
      },
    });
  });

  it("releases as the principal falls below the cap (the worked example)", () => {
    const cap = 600_000;
    expect(releaseOnRepayment(600_000, 700_000, cap)).toEqual({
      reservedFen: 600_000,
      releasedFen: 0,
    });
    expect(releaseOnRepayment(600_000, 400_000, cap)).toEqual({
      reservedFen: 400_000,
      releasedFen: 200_000,
    });
    expect(releaseOnRepayment(400_000, 0, cap)).toEqual({ reservedFen: 0, releasedFen: 400_000 });
  });

  it("states leverage as exposure over balance", () => {
    expect(leverageBp(18_940 * WAN, 1000 * WAN)).toBe(189_400);
    expect(leverageBp(1, 0)).toBeNull();
  });
});

describe("claims", () => {
  it("compute the loss of the worked example: 500万 covered + 54,375 元 of interest", () => {
    expect(
      computeLoss({
        outstandingPrincipalFen: 800 * WAN,
        unpaidInterestFen: 12 * WAN,
        rateBp: 435,
        perLoanCapFen: 500 * WAN,
        interestDaysAllowed: 90,
      }),
    ).toEqual({
      coveredPrincipalFen: 500 * WAN,
      allowedInterestFen: 5_437_500,
      lossFen: 505_437_500,
    });
  });

  it("allow no more interest than is unpaid, and none when the rules allow 0 days", () => {
    const base = { outstandingPrincipalFen: 100 * WAN, rateBp: 500, perLoanCapFen: 500 * WAN };
    expect(computeLoss({ ...base, unpaidInterestFen: 1000, interestDaysAllowed: 90 }).lossFen).toBe(
      100 * WAN + 1000,
    );
    expect(computeLoss({ ...base, unpaidInterestFen: 1000, interestDaysAllowed: 0 }).lossFen).toBe(
      100 * WAN,
    );
  });

  it("refuse a claim above the loss and list each missing document", () => {
    expect(
      claimProblems({
        claimedFen: 101,
        lossFen: 100,
        required: ["loan_contract", "default_notice"],
        provided: ["loan_contract"],
      }),
    ).toEqual([
      { key: "risk:validation.claimAboveLoss", params: { claimedFen: 101, lossFen: 100 } },
      { key: "risk:validation.documentMissing", params: { document: "default_notice" } },
    ]);
    expect(claimProblems({ claimedFen: 100, lossFen: 100, required: [], provided: [] })).toEqual(
      [],
    );
    expect(claimProblems({ claimedFen: 0, lossFen: 100, required: [], provided: [] })[0].key).toBe(
      "risk:validation.claimNotPositive",
    );
  });

  it("approve in part, split by the shares", () => {
    const d = decideApproval({
      claimedFen: 505_437_500,
      approvedFen: 500 * WAN + 1,
      shares: rules.shares,
      poolBalanceFen: 1000 * WAN,
    });
    expect(d).toEqual({
      ok: true,
      payout: {
        approvedFen: 500 * WAN + 1,
        parts: { pool: 200 * WAN + 1, insurer: 150 * WAN, guarantor: 100 * WAN, bank: 50 * WAN },
      },
    });
  });

  it("refuse an approval above the claim, or whose pool part the balance cannot pay", () => {
    const base = { claimedFen: 100, shares: rules.shares, poolBalanceFen: 40 };
    expect(decideApproval({ ...base, approvedFen: 101 })).toMatchObject({
      ok: false,
      problems: [{ key: "risk:validation.approvalAboveClaim" }],
    });
    expect(decideApproval({ ...base, approvedFen: 100 }).ok).toBe(true);
    expect(decideApproval({ ...base, poolBalanceFen: 39, approvedFen: 100 })).toEqual({
      ok: false,
      problems: [
        { key: "risk:validation.poolExhausted", params: { neededFen: 40, balanceFen: 39 } },
      ],
    });
  });
});
