import { describe, expect, it } from "vitest";
import {
  evaluateProduct,
  explainFailure,
  explainPass,
  formatYears,
  matchProductToRequests,
  matchRequest,
  scoreMatch,
  type Failure,
  type FailureCode,
  type FinancingRequest,
  type FirmProfile,
  type OfferedAsset,
  type Reason,
} from "../../app/domain/matching";
import type { Message } from "../../app/domain/message";
import {
  classifyProducts,
  toProductColumns,
  type ProductColumnRow,
} from "../../app/domain/matching/classify";
import {
  industryBit,
  offeredAssetFromRow,
  productTermColumns,
  regionBit,
  type AssetRowWithLock,
} from "../../app/domain/matching/rows";
import type { LoanProductTerms } from "../../app/domain/product";
import { translateMessage } from "../../app/utils/messages";
import { getFixedT, type Locale } from "../../app/utils/i18n";

const TODAY = "2025-06-30";

/** An explanation as the match pages word it (amounts scaled to 万元 / million). */
const say = (m: Message, locale: Locale = "zh-CN") =>
  translateMessage(getFixedT(locale), m, locale, "auto");
const WAN = 1_000_000; // fen per 万元

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
    pledgeRateBp: { invention: 2500, utility_model: 1500, design: 1000, trademark: 5000 },
    acceptedIpTypes: ["invention", "utility_model", "trademark"],
    minRemainingYears: { invention: 5, utility_model: 3, design: 3, trademark: 0 },
    trademarkMinAgeYears: 3,
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

const FIRM: FirmProfile = {
  orgId: 7,
  regionCode: "150200",
  industrySection: "C",
  flags: ["high_tech"],
};

/**
 * Years of protection left, as the engine receives them: the decimal for the sentences and the
 * whole calendar years the rules compare (equal to its floor unless a span's 29 February tips it,
 * tested on real dates in "remaining protection in calendar years").
 */
function left(years: number): Pick<OfferedAsset, "remainingYears" | "wholeYearsLeft"> {
  return { remainingYears: years, wholeYearsLeft: Math.floor(years) };
}

/** A trademark's age as the engine receives it, the same way (floor, no 29 February at play). */
function age(years: number | null): Pick<OfferedAsset, "ageYears" | "wholeYearsRegistered"> {
  return { ageYears: years, wholeYearsRegistered: years === null ? null : Math.floor(years) };
}

/** A granted invention patent worth 400 万元 (formal, valid), lending 100 万元 at 25%. */
function invention(over: Partial<OfferedAsset> = {}): OfferedAsset {
  return {
    id: 11,
    ipType: "invention",
    title: "一种稀土永磁材料的制备方法",
    number: "ZL201710601862.3",
    status: "granted",
    remainingYears: 12,
    wholeYearsLeft: 12,
    ageYears: null,
    wholeYearsRegistered: null,
    formalValueFen: 400 * WAN,
    formalValidUntil: "2026-03-31",
    indicativeValueFen: 450 * WAN,
    pledged: false,
    ...over,
  };
}

function trademark(over: Partial<OfferedAsset> = {}): OfferedAsset {
  return {
    id: 21,
    ipType: "trademark",
    title: "草原红",
    number: "12345678",
    status: "registered",
    remainingYears: 6,
    wholeYearsLeft: 6,
    ageYears: 4,
    wholeYearsRegistered: 4,
    formalValueFen: 200 * WAN,
    formalValidUntil: "2026-03-31",
    indicativeValueFen: null,
    pledged: false,
    ...over,
  };
}

function request(over: Partial<FinancingRequest> = {}): FinancingRequest {
  return {
    id: 501,
    firmOrgId: 7,
    amountFen: 80 * WAN,
    termMonths: 12,
    maxRateBp: 450,
    offeredAssetIds: [11],
    ...over,
  };
}

interface Case {
  request?: Partial<FinancingRequest>;
  firm?: Partial<FirmProfile>;
  assets?: OfferedAsset[];
  product?: Partial<LoanProductTerms>;
  today?: string;
}

function evaluate(c: Case = {}) {
  const assets = c.assets ?? [invention()];
  return evaluateProduct(
    request({ offeredAssetIds: assets.map((a) => a.id), ...c.request }),
    { ...FIRM, ...c.firm },
    assets,
    product(c.product),
    c.today ?? TODAY,
  );
}

function failureCodes(c: Case): FailureCode[] {
  return evaluate(c).failures.map((f) => f.code);
}

describe("evaluateProduct: a request that passes every rule", () => {
  it("matches, passing each rule once, with the collateral capacity and the assets to pledge", () => {
    const e = evaluate();
    expect(e.status).toBe("match");
    expect(e.failures).toEqual([]);
    expect(e.notes).toEqual([]);
    expect(e.passes.map((p) => p.code)).toEqual([
      "product_active",
      "region",
      "industry",
      "firm_flags",
      "amount",
      "term",
      "rate",
      "quota",
      "ip_types",
      "assets_eligible",
      "capacity",
    ]);
    expect(e.capacityFen).toBe(100 * WAN);
    expect(e.eligibleAssetIds).toEqual([11]);
    expect(e.eligibleAssets).toEqual([
      {
        assetId: 11,
        ipType: "invention",
        valueFen: 400 * WAN,
        valueBasis: "formal",
        pledgeRateBp: 2500,
        capacityFen: 100 * WAN,
      },
    ]);
    expect(e.collateral).toEqual({
      assetIds: [11],
      pledgedValueFen: 400 * WAN,
      capacityFen: 100 * WAN,
      exact: true,
    });
    expect(e.score).toBeTypeOf("number");
    expect(e.gap).toBeUndefined();
  });
});

describe("evaluateProduct: product and firm rules", () => {
  it("a paused product fails only product_paused, which makes it a near miss", () => {
    const e = evaluate({ product: { active: false } });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([{ code: "product_paused" }]);
    expect(e.score).toBeUndefined();
  });

  it("a product limited to 包头市 and 鄂尔多斯市 takes a 包头 firm and refuses a 呼和浩特 one", () => {
    const regions: LoanProductTerms["regions"] = ["150200", "150600"];
    expect(evaluate({ product: { regions } }).status).toBe("match");
    const e = evaluate({ product: { regions }, firm: { regionCode: "150100" } });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      { code: "region", firmRegion: "150100", allowed: ["150200", "150600"] },
    ]);
    expect(say(explainFailure(e.failures[0]), "zh-CN")).toBe("仅限 包头市、鄂尔多斯市");
    expect(say(explainFailure(e.failures[0]), "en")).toBe("Only for Baotou, Ordos");
  });

  it("a firm without a known region fails a regional product but passes one open to all regions", () => {
    expect(failureCodes({ product: { regions: ["150200"] }, firm: { regionCode: null } })).toEqual([
      "region",
    ]);
    expect(evaluate({ firm: { regionCode: null } }).status).toBe("match");
  });

  it("a product limited to GB/T 4754 sections C and I refuses a wholesale (F) firm", () => {
    const industries: LoanProductTerms["industries"] = ["C", "I"];
    expect(evaluate({ product: { industries } }).status).toBe("match");
    expect(evaluate({ product: { industries }, firm: { industrySection: "F" } }).failures).toEqual([
      { code: "industry", firmIndustry: "F", allowed: ["C", "I"] },
    ]);
    expect(failureCodes({ product: { industries }, firm: { industrySection: null } })).toEqual([
      "industry",
    ]);
  });

  it("lists exactly the firm flags that are missing", () => {
    const requiredFlags: LoanProductTerms["requiredFlags"] = ["high_tech", "specialised"];
    expect(evaluate({ product: { requiredFlags } }).failures).toEqual([
      { code: "firm_flags", missing: ["specialised"] },
    ]);
    const both = evaluate({
      product: { requiredFlags },
      firm: { flags: ["specialised", "high_tech", "tech_sme"] },
    });
    expect(both.status).toBe("match");
  });
});

describe("evaluateProduct: loan terms", () => {
  it("an amount below the product minimum fails with both amounts", () => {
    const e = evaluate({ product: { minAmountFen: 100 * WAN } });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      { code: "amount_below_min", amountFen: 80 * WAN, minAmountFen: 100 * WAN },
    ]);
  });

  it("an amount above the product maximum fails with the maximum", () => {
    expect(evaluate({ product: { maxAmountFen: 50 * WAN } }).failures).toEqual([
      { code: "amount_above_max", amountFen: 80 * WAN, maxAmountFen: 50 * WAN },
    ]);
  });

  it("amount limits are inclusive", () => {
    expect(evaluate({ product: { minAmountFen: 80 * WAN } }).status).toBe("match");
    expect(evaluate({ product: { maxAmountFen: 80 * WAN } }).status).toBe("match");
  });

  it("a term outside the product's months fails, and the ends of the range pass", () => {
    expect(evaluate({ request: { termMonths: 3 } }).failures).toEqual([
      { code: "term_below_min", termMonths: 3, minTermMonths: 6 },
    ]);
    expect(evaluate({ request: { termMonths: 48 } }).failures).toEqual([
      { code: "term_above_max", termMonths: 48, maxTermMonths: 36 },
    ]);
    expect(evaluate({ request: { termMonths: 6 } }).status).toBe("match");
    expect(evaluate({ request: { termMonths: 36 } }).status).toBe("match");
  });

  it("a product whose minimum rate is above the firm's maximum fails; equal passes", () => {
    expect(evaluate({ request: { maxRateBp: 340 } }).failures).toEqual([
      { code: "rate_above_firm_max", minRateBp: 350, firmMaxRateBp: 340 },
    ]);
    expect(evaluate({ request: { maxRateBp: 350 } }).status).toBe("match");
  });

  it("compares the firm's maximum with the nominal rate, not the rate after 贴息", () => {
    const e = evaluate({
      product: { minRateBp: 500, maxRateBp: 600, interestSubsidyBp: 5000 },
      request: { maxRateBp: 400 },
    });
    expect(e.effectiveRateBp).toBe(250);
    expect(e.failures.map((f) => f.code)).toEqual(["rate_above_firm_max"]);
  });

  it("a remaining quota below the amount fails; exactly the amount passes", () => {
    expect(evaluate({ product: { quotaRemainingFen: 80 * WAN - 1 } }).failures).toEqual([
      { code: "quota_short", amountFen: 80 * WAN, quotaRemainingFen: 80 * WAN - 1 },
    ]);
    expect(evaluate({ product: { quotaRemainingFen: 80 * WAN } }).status).toBe("match");
  });
});

describe("evaluateProduct: IP types and asset eligibility", () => {
  it("fails ip_type_not_accepted when no offered asset is of an accepted type, with the value needed", () => {
    const e = evaluate({ product: { acceptedIpTypes: ["trademark"] } });
    expect(e.status).toBe("near_miss");
    // 80 万元 at the trademark rate of 50% needs 160 万元 of trademarks.
    expect(e.failures).toEqual([
      {
        code: "ip_type_not_accepted",
        offeredTypes: ["invention"],
        acceptedTypes: ["trademark"],
        neededCollateralValueFen: 160 * WAN,
      },
    ]);
    expect(e.notes.map((n) => n.code)).toEqual(["asset_type_not_accepted"]);
    // Asset and capacity rules are not evaluated when nothing could be pledged.
    expect(e.passes.map((p) => p.code)).not.toContain("capacity");
    expect(e.capacityFen).toBe(0);
  });

  it("a request offering no assets fails ip_type_not_accepted", () => {
    const e = evaluate({ assets: [] });
    expect(e.failures).toEqual([
      {
        code: "ip_type_not_accepted",
        offeredTypes: [],
        acceptedTypes: ["invention", "utility_model", "trademark"],
        neededCollateralValueFen: 160 * WAN,
      },
    ]);
  });

  it("a pending patent cannot be pledged", () => {
    const e = evaluate({ assets: [invention({ status: "pending" })] });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      {
        code: "asset_status",
        assetId: 11,
        assetTitle: "一种稀土永磁材料的制备方法",
        ipType: "invention",
        status: "pending",
      },
    ]);
    expect(say(explainFailure(e.failures[0]))).toBe(
      "「一种稀土永磁材料的制备方法」尚未授权，不能质押",
    );
  });

  it("a lapsed patent, an expired trademark and a status that does not fit the type cannot be pledged", () => {
    expect(failureCodes({ assets: [invention({ status: "lapsed" })] })).toEqual(["asset_status"]);
    expect(failureCodes({ assets: [trademark({ status: "expired" })] })).toEqual(["asset_status"]);
    expect(failureCodes({ assets: [trademark({ status: "granted" })] })).toEqual(["asset_status"]);
    expect(failureCodes({ assets: [invention({ status: "registered" })] })).toEqual([
      "asset_status",
    ]);
    expect(evaluate({ assets: [trademark()] }).status).toBe("match");
  });

  it("an asset a pledge lock holds is not collateral: asset_pledged, with a sentence", () => {
    const e = evaluate({ assets: [invention({ pledged: true })] });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      { code: "asset_pledged", assetId: 11, assetTitle: "一种稀土永磁材料的制备方法" },
    ]);
    expect(e.eligibleAssetIds).toEqual([]);
    expect(e.capacityFen).toBe(0);
    expect(say(explainFailure(e.failures[0]))).toBe(
      "「一种稀土永磁材料的制备方法」已质押给其他贷款，质押解除前不能再作质押物",
    );
    expect(say(explainFailure(e.failures[0]), "en")).toBe(
      "“一种稀土永磁材料的制备方法” is already pledged to another loan and cannot be pledged again until that pledge is released",
    );
    // Whatever else is wrong with it, the lock is one more rule failed.
    expect(failureCodes({ assets: [invention({ pledged: true, status: "lapsed" })] })).toEqual([
      "asset_status",
      "asset_pledged",
    ]);
    // Not even a product that would take it on an indicative value alone: still pledged.
    const pre = evaluate({
      assets: [invention({ pledged: true })],
      product: { requiresFormalAppraisal: false },
    });
    expect(pre.failures.map((f) => f.code)).toEqual(["asset_pledged"]);
    expect(pre.state).toBe("near_miss");
  });

  it("a pledged asset is a note when the free ones cover the amount, and lends nothing", () => {
    const free = invention({ id: 12, title: "空闲专利" });
    const e = evaluate({ assets: [invention({ pledged: true }), free] });
    expect(e.status).toBe("match");
    expect(e.eligibleAssetIds).toEqual([12]);
    expect(e.capacityFen).toBe(100 * WAN);
    expect(e.collateral?.assetIds).toEqual([12]);
    expect(e.notes.map((n) => n.code)).toEqual(["asset_pledged"]);
    // Without the pledged asset's capacity the free one falls short: only the capacity fails.
    const short = evaluate({
      assets: [invention({ pledged: true }), free],
      request: { amountFen: 150 * WAN },
    });
    expect(short.failures.map((f) => f.code)).toEqual(["capacity_short"]);
    expect(short.failures[0]).toMatchObject({ capacityFen: 100 * WAN });
  });

  it("reads the lock from the stored row: pledged while pledge_locks names an application", () => {
    const row = {
      id: 11,
      ip_type: "invention" as const,
      title: "t",
      number: "n",
      status: "granted",
      expiry_date: "2040-01-01",
      registration_date: null,
      formal_value_fen: 400 * WAN,
      formal_valid_until: "2031-12-31",
      indicative_value_fen: null,
    };
    expect(offeredAssetFromRow({ ...row, locked_by: 42 }, TODAY).pledged).toBe(true);
    expect(offeredAssetFromRow({ ...row, locked_by: null }, TODAY).pledged).toBe(false);
  });

  it("the in-memory classifier agrees: a pledged asset is never eligible collateral", () => {
    const products = [
      product({ id: 1 }),
      product({ id: 2, requiresFormalAppraisal: false }),
      product({ id: 3, minAmountFen: 200 * WAN }),
      product({ id: 4, acceptedIpTypes: ["trademark"] }),
    ];
    const cols = toProductColumns(
      products.map((p) => ({ id: p.id, ...productTermColumns(p) }) as ProductColumnRow),
    );
    const firm = {
      regionBit: regionBit(FIRM.regionCode),
      industryBit: industryBit("C"),
      flagsMask: 1,
    };
    for (const assets of [
      [invention({ pledged: true })],
      [invention({ pledged: true }), invention({ id: 12 })],
      [invention({ pledged: true }), trademark()],
      [invention({ pledged: true, status: "lapsed" })],
    ]) {
      const req = request({ offeredAssetIds: assets.map((a) => a.id) });
      const engine = products
        .map((p) => evaluateProduct(req, FIRM, assets, p, TODAY))
        .filter((e) => e.failedRuleCount <= 1)
        .map((e) => ({ id: e.productId, near: e.failedRuleCount === 1 }));
      const classified = classifyProducts(cols, req, firm, assets, TODAY).map((c) => ({
        id: c.id,
        near: c.near,
      }));
      expect(classified, JSON.stringify(assets.map((a) => a.id))).toEqual(engine);
    }
  });

  it("remaining protection below the product's minimum for the type fails with both numbers", () => {
    const e = evaluate({ assets: [invention(left(3.2))] });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      {
        code: "remaining_protection",
        assetId: 11,
        assetTitle: "一种稀土永磁材料的制备方法",
        remainingYears: 3.2,
        requiredYears: 5,
      },
    ]);
    expect(say(explainFailure(e.failures[0]))).toBe(
      "「一种稀土永磁材料的制备方法」剩余保护期 3.2 年，要求 ≥ 5 年",
    );
  });

  it("remaining protection equal to the minimum passes, and each type uses its own minimum", () => {
    expect(evaluate({ assets: [invention(left(5))] }).status).toBe("match");
    // A utility model with 4 years left passes its 3-year minimum (the invention minimum is 5).
    const utility = invention({
      ipType: "utility_model",
      ...left(4),
      formalValueFen: 600 * WAN,
    });
    expect(evaluate({ assets: [utility] }).status).toBe("match");
  });

  it("an expired right cannot be pledged even where the product asks for no remaining years", () => {
    const e = evaluate({ assets: [trademark(left(0))] });
    expect(e.failures.map((f) => f.code)).toEqual(["asset_expired"]);
  });

  it("a trademark registered for less than the product's minimum age fails; the minimum passes", () => {
    const e = evaluate({ assets: [trademark(age(1.5))] });
    expect(e.failures).toEqual([
      { code: "trademark_age", assetId: 21, assetTitle: "草原红", ageYears: 1.5, requiredYears: 3 },
    ]);
    expect(say(explainFailure(e.failures[0]))).toBe("「草原红」注册 1.5 年，要求 ≥ 3 年");
    expect(evaluate({ assets: [trademark(age(3))] }).status).toBe("match");
  });

  it("a trademark of unknown age fails a minimum age but passes a product without one", () => {
    expect(failureCodes({ assets: [trademark(age(null))] })).toEqual(["trademark_age"]);
    const noMinimum = evaluate({
      assets: [trademark(age(null))],
      product: { trademarkMinAgeYears: 0 },
    });
    expect(noMinimum.status).toBe("match");
  });

  it("the trademark age rule does not apply to patents", () => {
    expect(evaluate({ assets: [invention(age(0.5))] }).status).toBe("match");
  });
});

describe("evaluateProduct: remaining protection in calendar years (docs/domain.md#years-left)", () => {
  /** The invention as stored, expiring on `expiry` (the first day it is no longer in force). */
  function stored(expiry: string): AssetRowWithLock {
    return {
      id: 11,
      ip_type: "invention",
      title: "一种稀土永磁材料的制备方法",
      number: "201710601862.3",
      status: "granted",
      expiry_date: expiry,
      registration_date: null,
      formal_value_fen: 400 * WAN,
      formal_valid_until: "2031-12-31",
      indicative_value_fen: null,
      locked_by: null,
    };
  }
  const onDay = (expiry: string, day: string) =>
    evaluate({ assets: [offeredAssetFromRow(stored(expiry), day)], today: day });

  it("has five years left from 2025-03-01 to an expiry of 2030-03-01, though 1826 days ÷ 365.25 < 5", () => {
    // The five years hold one 29 February (2028): 5 × 365 + 1 = 1826 days = 4.9993 average years.
    expect(onDay("2030-03-01", "2025-03-01").status).toBe("match");
    const a = offeredAssetFromRow(stored("2030-03-01"), "2025-03-01");
    expect(a.remainingYears).toBeCloseTo(1826 / 365.25, 12);
    expect(a.remainingYears).toBeLessThan(5);
    expect(a.wholeYearsLeft).toBe(5);
  });

  it("falls short of five years when the right ends one day before 2025-03-01 + 5 years", () => {
    const e = onDay("2030-02-28", "2025-03-01");
    expect(e.failures).toEqual([
      {
        code: "remaining_protection",
        assetId: 11,
        assetTitle: "一种稀土永磁材料的制备方法",
        remainingYears: 1825 / 365.25,
        requiredYears: 5,
      },
    ]);
    // The sentence truncates, so it never shows a shortfall as "5.0".
    expect(say(explainFailure(e.failures[0]))).toBe(
      "「一种稀土永磁材料的制备方法」剩余保护期 4.9 年，要求 ≥ 5 年",
    );
  });

  it("counts 29 February + 5 years as 28 February of the common year 2033", () => {
    expect(onDay("2033-02-28", "2028-02-29").status).toBe("match");
    expect(onDay("2033-02-27", "2028-02-29").failures.map((f) => f.code)).toEqual([
      "remaining_protection",
    ]);
    // From 28 February the same five years end on the same day.
    expect(onDay("2033-02-28", "2028-02-28").status).toBe("match");
    expect(onDay("2033-02-28", "2028-03-01").failures.map((f) => f.code)).toEqual([
      "remaining_protection",
    ]);
  });

  it("counts 29 February + 4 years as 29 February, and treats the expiry day as expired", () => {
    expect(offeredAssetFromRow(stored("2032-02-29"), "2028-02-29").wholeYearsLeft).toBe(4);
    expect(offeredAssetFromRow(stored("2032-02-28"), "2028-02-29").wholeYearsLeft).toBe(3);
    const expired = offeredAssetFromRow(stored("2028-02-29"), "2028-02-29");
    expect([expired.remainingYears, expired.wholeYearsLeft]).toEqual([0, 0]);
    expect(onDay("2028-02-29", "2028-02-29").failures.map((f) => f.code)).toEqual([
      "asset_expired",
    ]);
  });
});

describe("evaluateProduct: trademark age in calendar years (docs/domain.md#years-left)", () => {
  function storedMark(registered: string): AssetRowWithLock {
    return {
      id: 21,
      ip_type: "trademark",
      title: "草原红",
      number: "12345678",
      status: "registered",
      expiry_date: "2040-01-01",
      registration_date: registered,
      formal_value_fen: 200 * WAN,
      formal_valid_until: "2031-12-31",
      indicative_value_fen: null,
      locked_by: null,
    };
  }
  const onDay = (registered: string, day: string) =>
    evaluate({ assets: [offeredAssetFromRow(storedMark(registered), day)], today: day });

  it("is three years old on the third anniversary, though 2020-03-01 → 2023-03-01 is 1095 days", () => {
    // No 29 February in the span: 3 × 365 = 1095 days = 2.998 average years.
    expect(onDay("2020-03-01", "2023-03-01").status).toBe("match");
    const a = offeredAssetFromRow(storedMark("2020-03-01"), "2023-03-01");
    expect(a.ageYears).toBeLessThan(3);
    expect(a.wholeYearsRegistered).toBe(3);
    expect(onDay("2020-03-01", "2023-02-28").failures.map((f) => f.code)).toEqual([
      "trademark_age",
    ]);
  });

  it("counts a mark registered on 29 February as three years old on 28 February", () => {
    expect(onDay("2024-02-29", "2027-02-28").status).toBe("match");
    expect(onDay("2024-02-29", "2027-02-27").failures.map((f) => f.code)).toEqual([
      "trademark_age",
    ]);
  });
});

describe("evaluateProduct: valuation usable on the day", () => {
  it("a formal appraisal is usable through its last valid day", () => {
    expect(evaluate({ assets: [invention({ formalValidUntil: TODAY })] }).status).toBe("match");
  });

  it("an appraisal that expired yesterday needs renewing, and says when it expired", () => {
    const e = evaluate({ assets: [invention({ formalValidUntil: "2025-06-29" })] });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      {
        code: "formal_appraisal_needed",
        assetId: 11,
        assetTitle: "一种稀土永磁材料的制备方法",
        formalExpiredOn: "2025-06-29",
      },
    ]);
  });

  it("a product requiring a formal appraisal does not accept an indicative value", () => {
    const onlyIndicative = invention({ formalValueFen: null, formalValidUntil: null });
    expect(evaluate({ assets: [onlyIndicative] }).failures).toEqual([
      {
        code: "formal_appraisal_needed",
        assetId: 11,
        assetTitle: "一种稀土永磁材料的制备方法",
        formalExpiredOn: null,
      },
    ]);
  });

  it("a product allowing pre-matching uses the indicative central value when there is no valid formal one", () => {
    const expired = invention({ formalValidUntil: "2025-01-01" });
    const e = evaluate({ assets: [expired], product: { requiresFormalAppraisal: false } });
    expect(e.status).toBe("match");
    // 450 万元 indicative × 25%.
    expect(e.capacityFen).toBe(112.5 * WAN);
    expect(e.eligibleAssets[0].valueBasis).toBe("indicative");
    const eligible = e.passes.find((p) => p.code === "assets_eligible");
    expect(eligible).toEqual({
      code: "assets_eligible",
      eligibleCount: 1,
      offeredCount: 1,
      indicativeCount: 1,
    });
    expect(say(explainPass(eligible!))).toBe(
      "1 项中 1 项可质押（其中 1 项按预估价值计，放款前需正式评估）",
    );
  });

  it("a valid formal value is used even when the indicative one is higher", () => {
    const e = evaluate({ product: { requiresFormalAppraisal: false } });
    expect(e.eligibleAssets[0]).toMatchObject({ valueFen: 400 * WAN, valueBasis: "formal" });
  });

  it("an asset with no usable value at all fails no_valuation when the product allows indicative values", () => {
    const bare = invention({
      formalValueFen: null,
      formalValidUntil: null,
      indicativeValueFen: null,
    });
    const e = evaluate({ assets: [bare], product: { requiresFormalAppraisal: false } });
    expect(e.failures[0]).toEqual({
      code: "no_valuation",
      assetId: 11,
      assetTitle: "一种稀土永磁材料的制备方法",
      formalExpiredOn: null,
    });
  });
});

describe("evaluateProduct: collateral capacity", () => {
  it("fails capacity_short with the shortfall and the collateral value still needed", () => {
    // 400 万元 × 25% lends 100 万元; 121.25 万元 is short by 21.25 万元 = 85 万元 of inventions.
    const e = evaluate({
      request: { amountFen: 121.25 * WAN },
      product: { acceptedIpTypes: ["invention"] },
    });
    expect(e.status).toBe("near_miss");
    expect(e.failures).toEqual([
      {
        code: "capacity_short",
        capacityFen: 100 * WAN,
        amountFen: 121.25 * WAN,
        shortfallCapacityFen: 21.25 * WAN,
        neededCollateralValueFen: 85 * WAN,
        bestPledgeRateBp: 2500,
      },
    ]);
    expect(say(explainFailure(e.failures[0]), "zh-CN")).toContain("还需约 85 万元的质押物价值");
    expect(say(explainFailure(e.failures[0]), "en")).toContain(
      "About ¥850,000 more collateral value",
    );
  });

  it("sizes the needed collateral at the best pledge rate among the accepted types", () => {
    const e = evaluate({ request: { amountFen: 120 * WAN } });
    // Short 20 万元; trademarks lend 50%, so ≈ 40 万元 of collateral.
    expect(e.failures[0]).toMatchObject({
      code: "capacity_short",
      shortfallCapacityFen: 20 * WAN,
      neededCollateralValueFen: 40 * WAN,
      bestPledgeRateBp: 5000,
    });
  });

  it("rounds each asset's capacity down to the fen and the needed value up", () => {
    const tiny = (id: number) => invention({ id, formalValueFen: 333 });
    const base: Case = {
      assets: [tiny(1), tiny(2)],
      product: { minAmountFen: 1, acceptedIpTypes: ["invention"] },
    };
    // 333 × 25% = 83.25 → 83 per asset, so 166 in all (not 166.5).
    expect(evaluate({ ...base, request: { amountFen: 166 } }).capacityFen).toBe(166);
    expect(evaluate({ ...base, request: { amountFen: 166 } }).status).toBe("match");
    const short = evaluate({ ...base, request: { amountFen: 167 } });
    // Short 1 fen at 25% → 4 fen of collateral (1 ÷ 0.25, rounded up).
    expect(short.failures).toEqual([
      {
        code: "capacity_short",
        capacityFen: 166,
        amountFen: 167,
        shortfallCapacityFen: 1,
        neededCollateralValueFen: 4,
        bestPledgeRateBp: 2500,
      },
    ]);
    const thirty = evaluate({
      ...base,
      request: { amountFen: 167 },
      product: { ...base.product, pledgeRateBp: { ...product().pledgeRateBp, invention: 3000 } },
    });
    // 333 × 30% = 99.9 → 99 each, 198 ≥ 167.
    expect(thirty.capacityFen).toBe(198);
  });

  it("still matches when some assets are ineligible but the rest cover; the others become notes", () => {
    const old = invention({ id: 12, title: "旧专利", ...left(3.2) });
    const e = evaluate({ assets: [invention(), old] });
    expect(e.status).toBe("match");
    expect(e.failures).toEqual([]);
    expect(e.notes).toEqual([
      {
        code: "remaining_protection",
        assetId: 12,
        assetTitle: "旧专利",
        remainingYears: 3.2,
        requiredYears: 5,
      },
    ]);
    expect(e.eligibleAssetIds).toEqual([11]);
    expect(e.capacityFen).toBe(100 * WAN);
  });

  it("with some assets eligible, only the capacity can fail; ineligible assets stay notes", () => {
    const old = invention({ id: 12, title: "旧专利", ...left(3.2) });
    const e = evaluate({ assets: [invention(), old], request: { amountFen: 120 * WAN } });
    expect(e.status).toBe("near_miss");
    expect(e.failures.map((f) => f.code)).toEqual(["capacity_short"]);
    expect(e.notes.map((n) => n.code)).toEqual(["remaining_protection"]);
  });

  it("when no asset is eligible for one reason, that reason is the one failing rule", () => {
    const a = invention(left(3.2));
    const b = invention({ id: 12, ...left(4.5) });
    const e = evaluate({ assets: [a, b] });
    expect(e.status).toBe("near_miss");
    expect(e.failedRuleCount).toBe(1);
    expect(e.failures.map((f) => [f.code, "assetId" in f ? f.assetId : null])).toEqual([
      ["remaining_protection", 11],
      ["remaining_protection", 12],
    ]);
  });

  it("when no asset is eligible for different reasons, it is no match", () => {
    const e = evaluate({
      assets: [invention(left(3.2)), invention({ id: 12, status: "pending" })],
    });
    expect(e.status).toBe("no_match");
    expect(e.failedRuleCount).toBe(2);
  });

  it("when no asset is eligible and they would not cover the amount anyway, both gaps are reported", () => {
    const e = evaluate({
      assets: [invention(left(3.2))],
      request: { amountFen: 150 * WAN },
    });
    expect(e.status).toBe("no_match");
    expect(e.capacityFen).toBe(0);
    // Measured against the 100 万元 the asset would lend once eligible.
    expect(e.failures[1]).toMatchObject({
      code: "capacity_short",
      capacityFen: 100 * WAN,
      shortfallCapacityFen: 50 * WAN,
    });
  });

  it("an asset of a type the product does not take is a note when other assets qualify", () => {
    const design = invention({ id: 31, ipType: "design", title: "包装盒" });
    const e = evaluate({ assets: [invention(), design] });
    expect(e.status).toBe("match");
    expect(e.notes).toEqual([
      { code: "asset_type_not_accepted", assetId: 31, assetTitle: "包装盒", ipType: "design" },
    ]);
    expect(say(explainFailure(e.notes[0]))).toBe("「包装盒」为外观设计专利，本产品不接受");
  });

  it("an asset offered twice counts once", () => {
    const e = evaluate({ request: { offeredAssetIds: [11, 11], amountFen: 150 * WAN } });
    expect(e.capacityFen).toBe(100 * WAN);
    expect(e.failures.map((f) => f.code)).toEqual(["capacity_short"]);
  });

  it("pledges the least collateral value that covers the amount and leaves the rest free", () => {
    const assets = [
      invention({ id: 1, formalValueFen: 400 * WAN }), // lends 100
      invention({ id: 2, formalValueFen: 200 * WAN }), // lends 50
      invention({ id: 3, formalValueFen: 240 * WAN }), // lends 60
    ];
    expect(evaluate({ assets, request: { amountFen: 100 * WAN } }).collateral?.assetIds).toEqual([
      1,
    ]);
    // 105 万元: {2, 3} pledges 440 万元, less than {1, 2} at 600 万元.
    const e = evaluate({ assets, request: { amountFen: 105 * WAN } });
    expect(e.capacityFen).toBe(210 * WAN);
    expect(e.collateral).toEqual({
      assetIds: [2, 3],
      pledgedValueFen: 440 * WAN,
      capacityFen: 110 * WAN,
      exact: true,
    });
  });
});

describe("evaluateProduct: near misses and several failures", () => {
  it("two failed rules make no match", () => {
    const e = evaluate({ product: { regions: ["150600"] }, request: { termMonths: 48 } });
    expect(e.status).toBe("no_match");
    expect(e.failures.map((f) => f.code)).toEqual(["region", "term_above_max"]);
    expect(e.gap).toBeUndefined();
  });

  it("a near miss carries how close it is: the relative gap for numbers, 1 for categories", () => {
    expect(evaluate({ request: { amountFen: 125 * WAN } }).gap).toBeCloseTo(0.2);
    expect(evaluate({ product: { maxAmountFen: 60 * WAN } }).gap).toBeCloseTo(0.25);
    expect(evaluate({ request: { termMonths: 48 } }).gap).toBeCloseTo(0.25);
    expect(evaluate({ request: { maxRateBp: 280 } }).gap).toBeCloseTo(0.2);
    expect(evaluate({ product: { quotaRemainingFen: 60 * WAN } }).gap).toBeCloseTo(0.25);
    expect(evaluate({ product: { regions: ["150600"] } }).gap).toBe(1);
  });
});

describe("evaluateProduct: caller mistakes fail loudly", () => {
  it("rejects an offered asset id that was not passed in", () => {
    expect(() => evaluate({ request: { offeredAssetIds: [11, 99] } })).toThrow(/asset 99/);
  });

  it("rejects a firm that does not own the request", () => {
    expect(() => evaluate({ firm: { orgId: 8 } })).toThrow(/org 7/);
  });

  it("rejects a malformed date and a non-positive amount", () => {
    expect(() => evaluate({ today: "2025/06/30" })).toThrow(/YYYY-MM-DD/);
    expect(() => evaluate({ request: { amountFen: 0 } })).toThrow(/amountFen/);
  });
});

describe("scoring", () => {
  it("reports the effective rate after 贴息, rounded half a bp up", () => {
    expect(evaluate({ product: { minRateBp: 385, interestSubsidyBp: 3000 } }).effectiveRateBp).toBe(
      270,
    );
    expect(evaluate().effectiveRateBp).toBe(350);
  });

  it("weights rate 40, risk share 20, headroom 25 and term fit 15", () => {
    // Effective 200 bp → rate 0.8; risk share 50%; capacity 2× the amount → headroom 1;
    // 16 months in 6–36 (middle 21, half-width 15) → term fit 2/3.
    const p = product({
      minRateBp: 400,
      maxRateBp: 500,
      interestSubsidyBp: 5000,
      riskShare: { governmentBp: 3000, insurerBp: 1000, guarantorBp: 1000 },
    });
    const { score, breakdown } = scoreMatch(
      request({ amountFen: 50 * WAN, termMonths: 16 }),
      p,
      100 * WAN,
    );
    expect(breakdown.rate).toBeCloseTo(0.8);
    expect(breakdown.riskShare).toBeCloseTo(0.5);
    expect(breakdown.headroom).toBe(1);
    expect(breakdown.termFit).toBeCloseTo(2 / 3);
    expect(score).toBe(77); // 32 + 10 + 25 + 10
  });

  it("caps headroom at twice the amount and scores 0 for an effective rate of 10% or more", () => {
    const p = product({ minRateBp: 1200, maxRateBp: 1500 });
    const { breakdown } = scoreMatch(request({ amountFen: 10 * WAN }), p, 100 * WAN);
    expect(breakdown.headroom).toBe(1);
    expect(breakdown.rate).toBe(0);
    expect(scoreMatch(request({ amountFen: 80 * WAN }), p, 80 * WAN).breakdown.headroom).toBe(0);
  });

  it("term fit is 1 in the middle of the range, 0 at its ends and 1 for a single-term product", () => {
    const p = product({ minTermMonths: 6, maxTermMonths: 36 });
    expect(scoreMatch(request({ termMonths: 21 }), p, 100 * WAN).breakdown.termFit).toBe(1);
    expect(scoreMatch(request({ termMonths: 6 }), p, 100 * WAN).breakdown.termFit).toBe(0);
    expect(scoreMatch(request({ termMonths: 36 }), p, 100 * WAN).breakdown.termFit).toBe(0);
    const fixed = product({ minTermMonths: 12, maxTermMonths: 12 });
    expect(scoreMatch(request({ termMonths: 12 }), fixed, 100 * WAN).breakdown.termFit).toBe(1);
  });
});

describe("matchRequest", () => {
  const run = (products: LoanProductTerms[], r: Partial<FinancingRequest> = {}) =>
    matchRequest(request(r), FIRM, [invention()], products, TODAY);

  it("orders matches by score, highest first", () => {
    const low = product({ id: 1, riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 } });
    const high = product({
      id: 2,
      riskShare: { governmentBp: 5000, insurerBp: 0, guarantorBp: 0 },
    });
    const r = run([low, high]);
    expect(r.matches.map((m) => m.productId)).toEqual([2, 1]);
    expect(r.matches[0].score!).toBeGreaterThan(r.matches[1].score!);
  });

  it("breaks a score tie by the lower effective rate, then by the lower product id", () => {
    // Y pays 10 bp more (−0.4 points) but shares 2% more risk (+0.4 points): equal scores.
    const x = product({
      id: 9,
      minRateBp: 300,
      riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
    });
    const y = product({
      id: 3,
      minRateBp: 310,
      riskShare: { governmentBp: 200, insurerBp: 0, guarantorBp: 0 },
    });
    const twinA = product({ id: 8, minRateBp: 320 });
    const twinB = product({ id: 5, minRateBp: 320 });
    // Full headroom and a mid-range term keep the score away from a rounding edge.
    const r = run([twinA, y, twinB, x], { amountFen: 50 * WAN, termMonths: 21 });
    const byId = new Map(r.matches.map((m) => [m.productId, m]));
    expect(byId.get(9)!.score).toBe(byId.get(3)!.score);
    expect(byId.get(8)!.score).toBe(byId.get(5)!.score);
    const xy = r.matches.filter((m) => m.productId === 9 || m.productId === 3);
    expect(xy.map((m) => m.productId)).toEqual([9, 3]);
    const twins = r.matches.filter((m) => m.productId === 8 || m.productId === 5);
    expect(twins.map((m) => m.productId)).toEqual([5, 8]);
  });

  it("orders near misses closest first and counts every outcome, skipping paused products", () => {
    const products = [
      product({ id: 1, regions: ["150600"] }), // region: gap 1
      product({ id: 2, maxAmountFen: 40 * WAN }), // 50% over the maximum
      product({
        id: 3,
        acceptedIpTypes: ["invention"],
        pledgeRateBp: { ...product().pledgeRateBp, invention: 2200 },
      }), // lends 88 ≥ 80
      product({ id: 4, active: false }), // would match, but paused
      product({ id: 5, regions: ["150600"], maxRateBp: 900, minRateBp: 800 }), // two rules
      product({ id: 6, quotaRemainingFen: 72 * WAN }), // 10% short of quota
    ];
    const r = run(products);
    expect(r.matches.map((m) => m.productId)).toEqual([3]);
    expect(r.nearMisses.map((m) => m.productId)).toEqual([6, 2, 1]);
    expect(r.counts).toEqual({ products: 6, matches: 1, nearMisses: 3, noMatches: 1, paused: 1 });
  });

  it("breaks a near-miss gap tie by the lower effective rate, then the product id", () => {
    const products = [
      product({ id: 4, regions: ["150600"], minRateBp: 380 }),
      product({ id: 2, regions: ["150600"], minRateBp: 360 }),
      product({ id: 3, regions: ["150600"], minRateBp: 360 }),
    ];
    expect(run(products).nearMisses.map((m) => m.productId)).toEqual([2, 3, 4]);
  });
});

describe("matchProductToRequests", () => {
  const candidate = (
    id: number,
    over: Partial<FinancingRequest> = {},
    firm: Partial<FirmProfile> = {},
  ) => ({
    request: request({ id, ...over }),
    firm: { ...FIRM, ...firm },
    assets: [invention()],
  });

  it("returns the requests a product fits, best score first, with the same reasons as evaluateProduct", () => {
    const candidates = [
      candidate(1, { amountFen: 80 * WAN }), // headroom 0.25
      candidate(2, { amountFen: 50 * WAN }), // headroom 1: higher score
      candidate(3, { amountFen: 120 * WAN }), // capacity short: near miss
      candidate(4, { termMonths: 48 }, { regionCode: null }), // two rules
    ];
    const p = product({ regions: ["150200"] });
    const r = matchProductToRequests(p, candidates, TODAY);
    expect(r.matches.map((m) => m.requestId)).toEqual([2, 1]);
    expect(r.nearMisses.map((m) => m.requestId)).toEqual([3]);
    expect(r.counts).toEqual({ requests: 4, matches: 2, nearMisses: 1, noMatches: 1 });
    const c = candidates[2];
    expect(r.nearMisses[0].evaluation).toEqual(
      evaluateProduct(c.request, c.firm, c.assets, p, TODAY),
    );
    expect(r.nearMisses[0].firmOrgId).toBe(7);
  });

  it("previews a paused product: requests that pass everything else come back as near misses", () => {
    const r = matchProductToRequests(
      product({ active: false }),
      [candidate(1), candidate(2, { termMonths: 48 })],
      TODAY,
    );
    expect(r.matches).toEqual([]);
    expect(r.nearMisses.map((m) => m.requestId)).toEqual([1]);
    expect(r.nearMisses[0].evaluation.failures).toEqual([{ code: "product_paused" }]);
    expect(r.counts.noMatches).toBe(1);
  });
});

describe("explanations", () => {
  const ref = { assetId: 1, assetTitle: "一种节能装置" };
  // Typed as one sample per code, so adding a failure code without a sample fails to compile.
  const failures: { [K in FailureCode]: Extract<Failure, { code: K }> } = {
    product_paused: { code: "product_paused" },
    region: { code: "region", firmRegion: "150100", allowed: ["150200"] },
    industry: { code: "industry", firmIndustry: "F", allowed: ["C", "I"] },
    firm_flags: { code: "firm_flags", missing: ["high_tech", "tech_sme"] },
    amount_below_min: { code: "amount_below_min", amountFen: 5 * WAN, minAmountFen: 10 * WAN },
    amount_above_max: { code: "amount_above_max", amountFen: 600 * WAN, maxAmountFen: 500 * WAN },
    term_below_min: { code: "term_below_min", termMonths: 3, minTermMonths: 6 },
    term_above_max: { code: "term_above_max", termMonths: 48, maxTermMonths: 36 },
    rate_above_firm_max: { code: "rate_above_firm_max", minRateBp: 435, firmMaxRateBp: 400 },
    quota_short: { code: "quota_short", amountFen: 80 * WAN, quotaRemainingFen: 50 * WAN },
    ip_type_not_accepted: {
      code: "ip_type_not_accepted",
      offeredTypes: ["design"],
      acceptedTypes: ["invention", "trademark"],
      neededCollateralValueFen: 160 * WAN,
    },
    asset_type_not_accepted: { ...ref, code: "asset_type_not_accepted", ipType: "design" },
    asset_status: { ...ref, code: "asset_status", ipType: "trademark", status: "pending" },
    asset_expired: { ...ref, code: "asset_expired" },
    asset_pledged: { ...ref, code: "asset_pledged" },
    remaining_protection: {
      ...ref,
      code: "remaining_protection",
      remainingYears: 4.96,
      requiredYears: 5,
    },
    trademark_age: { ...ref, code: "trademark_age", ageYears: null, requiredYears: 3 },
    formal_appraisal_needed: { ...ref, code: "formal_appraisal_needed", formalExpiredOn: null },
    no_valuation: { ...ref, code: "no_valuation", formalExpiredOn: "2025-01-31" },
    capacity_short: {
      code: "capacity_short",
      capacityFen: 100 * WAN,
      amountFen: 120 * WAN,
      shortfallCapacityFen: 20 * WAN,
      neededCollateralValueFen: null,
      bestPledgeRateBp: 0,
    },
  };
  const passes: { [K in Reason["code"]]: Extract<Reason, { code: K }> } = {
    product_active: { code: "product_active" },
    region: { code: "region", firmRegion: "150200", allowed: ["150200"] },
    industry: { code: "industry", firmIndustry: "C", allowed: "all" },
    firm_flags: { code: "firm_flags", required: ["specialised"] },
    amount: {
      code: "amount",
      amountFen: 80 * WAN,
      minAmountFen: 10 * WAN,
      maxAmountFen: 500 * WAN,
    },
    term: { code: "term", termMonths: 12, minTermMonths: 6, maxTermMonths: 36 },
    rate: { code: "rate", minRateBp: 385, effectiveRateBp: 270, firmMaxRateBp: 450 },
    quota: { code: "quota", amountFen: 80 * WAN, quotaRemainingFen: 5000 * WAN },
    ip_types: { code: "ip_types", ipTypes: ["invention"] },
    assets_eligible: {
      code: "assets_eligible",
      eligibleCount: 2,
      offeredCount: 3,
      indicativeCount: 0,
    },
    capacity: { code: "capacity", capacityFen: 100 * WAN, amountFen: 80 * WAN },
  };

  it("every failure and pass has a Chinese and an English sentence with its numbers filled in", () => {
    const sentences = [
      ...Object.values(failures).map((f) => [
        say(explainFailure(f), "zh-CN"),
        say(explainFailure(f), "en"),
      ]),
      ...Object.values(passes).map((p) => [
        say(explainPass(p), "zh-CN"),
        say(explainPass(p), "en"),
      ]),
    ];
    for (const [zh, en] of sentences) {
      expect(zh).not.toMatch(/undefined|NaN|null|\[object/);
      expect(en).not.toMatch(/undefined|NaN|null|\[object/);
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      // English may quote a Chinese asset title, but never Chinese punctuation or units.
      expect(en).not.toMatch(/[，、（）：]|万元|亿元/);
      expect(zh).not.toBe(en);
    }
  });

  it("writes the sentences the product shows", () => {
    expect(say(explainFailure(failures.firm_flags))).toBe(
      "需具备 高新技术企业、科技型中小企业 资质",
    );
    expect(say(explainFailure(failures.amount_above_max))).toBe(
      "申请金额 600 万元 超过产品最高 500 万元",
    );
    expect(say(explainFailure(failures.rate_above_firm_max))).toBe(
      "产品最低年利率 4.35%，高于可接受的 4.00%",
    );
    expect(say(explainFailure(failures.ip_type_not_accepted))).toBe(
      "仅接受 发明专利、商标 质押，约需 160 万元的质押物价值",
    );
    expect(say(explainFailure(failures.asset_status))).toBe(
      "「一种节能装置」尚未核准注册，不能质押",
    );
    // Truncated, so a failing 4.96 years never reads as the required 5.
    expect(say(explainFailure(failures.remaining_protection))).toBe(
      "「一种节能装置」剩余保护期 4.9 年，要求 ≥ 5 年",
    );
    expect(say(explainFailure(failures.no_valuation))).toBe(
      "「一种节能装置」的正式评估已于 2025-01-31 到期，且无预估价值",
    );
    expect(say(explainFailure(failures.capacity_short))).toBe(
      "质押物可贷 100 万元，不足申请金额 120 万元",
    );
    expect(say(explainPass(passes.rate))).toBe(
      "最低年利率 3.85%（贴息后 2.70%），不高于可接受的 4.50%",
    );
    expect(say(explainPass(passes.region))).toBe("企业所在地 包头市 在产品范围内");
    expect(say(explainPass(passes.capacity), "en")).toBe(
      "Collateral lends ¥1M ≥ ¥800,000 requested",
    );
  });

  it("formats years with one decimal, truncated, and whole years without a decimal", () => {
    expect(formatYears(3.2)).toBe("3.2");
    expect(formatYears(4.96)).toBe("4.9");
    expect(formatYears(5)).toBe("5");
    expect(formatYears(0.05)).toBe("0");
    expect(formatYears(12.34)).toBe("12.3");
  });
});
