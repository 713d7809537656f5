import { describe, expect, it } from "vitest";
import { collateralCoverage } from "../../app/domain/coverage";
import {
  bestSingleChange,
  evaluateProduct,
  groupByState,
  stateFailures,
  MATCH_STATES,
  type FinancingRequest,
  type FirmProfile,
  type OfferedAsset,
} from "../../app/domain/matching";
import type { LoanProductTerms } from "../../app/domain/product";
import {
  checkApproval,
  parseProductSnapshot,
  type PledgedAsset,
} from "../../app/domain/application";

const TODAY = "2026-12-05";
const WAN = 1_000_000;

function product(over: Partial<LoanProductTerms> = {}): LoanProductTerms {
  return {
    id: 1,
    bankOrgId: 100,
    name: "科创知识产权质押贷",
    minAmountFen: 10 * WAN,
    maxAmountFen: 500 * WAN,
    minTermMonths: 6,
    maxTermMonths: 36,
    minRateBp: 350,
    maxRateBp: 500,
    pledgeRateBp: { invention: 5000, utility_model: 3000, design: 2000, trademark: 4000 },
    acceptedIpTypes: ["invention", "utility_model", "trademark"],
    minRemainingYears: { invention: 3, utility_model: 2, design: 2, trademark: 0 },
    trademarkMinAgeYears: 0,
    regions: "all",
    industries: "all",
    requiredFlags: [],
    requiresFormalAppraisal: true,
    quotaTotalFen: 10_000 * WAN,
    quotaRemainingFen: 5_000 * WAN,
    riskShare: { governmentBp: 3000, insurerBp: 2000, guarantorBp: 0 },
    interestSubsidyBp: 0,
    active: true,
    ...over,
  };
}

const FIRM: FirmProfile = { orgId: 7, regionCode: "150100", industrySection: "C", flags: [] };

function asset(id: number, over: Partial<OfferedAsset> = {}): OfferedAsset {
  return {
    id,
    ipType: "invention",
    title: `专利${id}`,
    number: `20211034567${id}.X`,
    status: "granted",
    remainingYears: 12,
    wholeYearsLeft: 12,
    ageYears: null,
    wholeYearsRegistered: null,
    formalValueFen: null,
    formalValidUntil: null,
    indicativeValueFen: 400 * WAN,
    pledged: false,
    ...over,
  };
}

function request(amountWan: number, assetIds: number[], over: Partial<FinancingRequest> = {}) {
  return {
    id: 1,
    firmOrgId: 7,
    amountFen: amountWan * WAN,
    termMonths: 12,
    maxRateBp: 600,
    offeredAssetIds: assetIds,
    ...over,
  };
}

describe("the four states of a product for a request (300万元 over 12 months)", () => {
  it("is subject to appraisal when only indicative values cover the amount, naming the assets", () => {
    // Two inventions worth 400万 each (indicative) lend 200万 each at 50%; 300万 needs both.
    const assets = [asset(1), asset(2)];
    const e = evaluateProduct(request(300, [1, 2]), FIRM, assets, product(), TODAY);
    expect(e.state).toBe("needs_appraisal");
    expect(e.appraisalAssetIds).toEqual([1, 2]);
  });

  it("is ready once valid formal appraisals cover the amount", () => {
    const valid = { formalValueFen: 400 * WAN, formalValidUntil: "2027-06-30" };
    const assets = [asset(1, valid), asset(2, valid)];
    const e = evaluateProduct(request(300, [1, 2]), FIRM, assets, product(), TODAY);
    expect(e.state).toBe("ready");
  });

  it("never counts an expired appraisal as ready, and asks for a new one", () => {
    const expired = { formalValueFen: 400 * WAN, formalValidUntil: "2026-12-04" };
    const assets = [asset(1, expired), asset(2, expired)];
    const e = evaluateProduct(request(300, [1, 2]), FIRM, assets, product(), TODAY);
    expect(e.state).toBe("needs_appraisal");
    expect(e.appraisalAssetIds).toEqual([1, 2]);
  });

  it("counts the appraisal valid through today as ready (valid-until inclusive)", () => {
    const lastDay = { formalValueFen: 400 * WAN, formalValidUntil: TODAY };
    const e = evaluateProduct(
      request(300, [1, 2]),
      FIRM,
      [asset(1, lastDay), asset(2, lastDay)],
      product(),
      TODAY,
    );
    expect(e.state).toBe("ready");
  });

  it("is subject to appraisal on a pre-matching product that matched on indicative values", () => {
    const e = evaluateProduct(
      request(300, [1, 2]),
      FIRM,
      [asset(1), asset(2)],
      product({ requiresFormalAppraisal: false }),
      TODAY,
    );
    expect(e.status).toBe("match");
    expect(e.state).toBe("needs_appraisal");
  });

  it("is a near miss with one failed rule and not suitable with several, every rule listed", () => {
    const near = evaluateProduct(
      request(300, [1, 2]),
      FIRM,
      [asset(1), asset(2)],
      product({ maxAmountFen: 200 * WAN }),
      TODAY,
    );
    expect(near.state).toBe("near_miss");
    expect(stateFailures(near).map((f) => f.code)).toEqual(["amount_above_max"]);
    const not = evaluateProduct(
      request(300, [1, 2]),
      FIRM,
      [asset(1), asset(2)],
      product({ maxAmountFen: 200 * WAN, regions: ["150200"], minTermMonths: 24 }),
      TODAY,
    );
    expect(not.state).toBe("not_suitable");
    expect(
      stateFailures(not)
        .map((f) => f.code)
        .sort(),
    ).toEqual(["amount_above_max", "region", "term_below_min"].sort());
  });

  it("puts every product in exactly one group and names the change that opens the most", () => {
    const assets = [asset(1), asset(2)];
    const products = [
      product({ id: 1 }),
      product({ id: 2 }),
      product({ id: 3, maxAmountFen: 200 * WAN }),
      product({ id: 4, regions: ["150200"], minTermMonths: 24 }),
    ];
    const evaluations = products.map((p) =>
      evaluateProduct(request(300, [1, 2]), FIRM, assets, p, TODAY),
    );
    const groups = groupByState(evaluations);
    const all = MATCH_STATES.flatMap((s) => groups[s].map((e) => e.productId)).sort();
    expect(all).toEqual([1, 2, 3, 4]);
    expect(groups.needs_appraisal.map((e) => e.productId)).toEqual([1, 2]);
    expect(bestSingleChange(groups)).toEqual({ kind: "appraisal", products: 2, assetIds: [1, 2] });
  });

  it("suggests a smaller amount when that opens more products than anything else", () => {
    const assets = [asset(1), asset(2)];
    const evaluations = [100, 150, 250].map((maxWan, i) =>
      evaluateProduct(
        request(300, [1, 2]),
        FIRM,
        assets,
        product({ id: i + 1, maxAmountFen: maxWan * WAN }),
        TODAY,
      ),
    );
    expect(bestSingleChange(groupByState(evaluations))).toEqual({
      kind: "smaller_amount",
      products: 3,
      amountFen: 100 * WAN,
    });
  });

  it("says nothing when a product is already ready", () => {
    const valid = { formalValueFen: 800 * WAN, formalValidUntil: "2027-06-30" };
    const e = evaluateProduct(request(300, [1]), FIRM, [asset(1, valid)], product(), TODAY);
    expect(bestSingleChange(groupByState([e]))).toBeNull();
  });

  it("sorts a group by effective rate when asked", () => {
    const assets = [asset(1), asset(2)];
    const evaluations = [400, 350].map((rate, i) =>
      evaluateProduct(
        request(300, [1, 2]),
        FIRM,
        assets,
        product({ id: i + 1, minRateBp: rate }),
        TODAY,
      ),
    );
    expect(groupByState(evaluations, "rate").needs_appraisal.map((e) => e.productId)).toEqual([
      2, 1,
    ]);
  });
});

/** Deterministic generator (mulberry32), so a failure names its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("collateralCoverage is the one answer of the engine and the approval check", () => {
  it("never lets 'ready' and the bank's approval disagree on generated portfolios", () => {
    const days = ["2026-12-04", "2026-12-05", "2026-12-06"];
    let ready = 0;
    let notReady = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = prng(seed);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
      const n = 1 + Math.floor(r() * 4);
      const assets: OfferedAsset[] = [];
      for (let i = 1; i <= n; i++) {
        const hasFormal = r() < 0.7;
        assets.push(
          asset(i, {
            ipType: pick(["invention", "utility_model", "trademark"] as const),
            status: r() < 0.9 ? "granted" : "pending",
            formalValueFen: hasFormal ? Math.floor(r() * 500) * WAN + Math.floor(r() * 100) : null,
            formalValidUntil: hasFormal ? pick(days) : null,
            indicativeValueFen: r() < 0.8 ? Math.floor(r() * 500) * WAN : null,
          }),
        );
      }
      // Trademarks are "registered" when pledgeable.
      for (const a of assets)
        if (a.ipType === "trademark" && a.status === "granted") a.status = "registered";
      const p = product({ requiresFormalAppraisal: r() < 0.5 });
      const amountWan = 10 + Math.floor(r() * 490);
      const req = request(
        amountWan,
        assets.map((a) => a.id),
      );
      const e = evaluateProduct(req, FIRM, assets, p, TODAY);
      // The bank approves the firm's formally valued, eligible assets at the product's terms.
      const pledged: PledgedAsset[] = e.eligibleAssets
        .filter((x) => x.valueBasis === "formal")
        .map((x) => {
          const a = assets.find((y) => y.id === x.assetId)!;
          return {
            assetId: a.id,
            title: a.title,
            ipType: a.ipType,
            formalValueFen: a.formalValueFen,
            formalValidUntil: a.formalValidUntil,
            status: a.status,
          };
        });
      const approval = checkApproval({
        snapshot: parseProductSnapshot(JSON.stringify(p)),
        requestedFen: req.amountFen,
        amountFen: req.amountFen,
        termMonths: req.termMonths,
        rateBp: p.minRateBp,
        assets: pledged,
        day: TODAY,
      });
      const approvable = approval.problems.length === 0;
      if (e.status === "match") {
        expect(e.state === "ready", `seed ${seed}`).toBe(approvable);
      } else {
        expect(e.state, `seed ${seed}`).not.toBe("ready");
      }
      // The shared function is literally what both called.
      expect(
        collateralCoverage(pledged, p.pledgeRateBp, req.amountFen, TODAY).supported,
        `seed ${seed}`,
      ).toBe(pledged.length > 0 && approvable);
      if (e.state === "ready") ready++;
      else notReady++;
    }
    // The generator reaches both sides, or the property says nothing.
    expect(ready).toBeGreaterThan(20);
    expect(notReady).toBeGreaterThan(20);
  });
});
