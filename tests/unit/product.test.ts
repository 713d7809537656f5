import { describe, expect, it } from "vitest";
import {
  effectiveRateBp,
  productErrorMessage,
  riskShareTotalBp,
  validateProductTerms,
  type LoanProductTerms,
  type ProductErrorCode,
  type ProductFieldError,
} from "../../app/domain/product";
import type { Message } from "../../app/domain/message";
import { translateMessage } from "../../app/utils/messages";
import { getFixedT, type Locale } from "../../app/utils/i18n";

/** A validation message as the product form words it (amounts scaled to 万元 / million). */
const say = (m: Message, locale: Locale = "zh-CN") =>
  translateMessage(getFixedT(locale), m, locale, "auto");

function validProduct(over: Partial<LoanProductTerms> = {}): LoanProductTerms {
  return {
    id: 1,
    bankOrgId: 100,
    name: "科创知识产权质押贷",
    minAmountFen: 10_000_000,
    maxAmountFen: 500_000_000,
    minTermMonths: 6,
    maxTermMonths: 36,
    minRateBp: 350,
    maxRateBp: 500,
    pledgeRateBp: { invention: 2500, utility_model: 1500, design: 0, trademark: 5000 },
    acceptedIpTypes: ["invention", "utility_model", "trademark"],
    minRemainingYears: { invention: 5, utility_model: 3, design: 0, trademark: 0 },
    trademarkMinAgeYears: 3,
    regions: ["150200", "150600"],
    industries: ["C", "I"],
    requiredFlags: ["high_tech"],
    requiresFormalAppraisal: true,
    quotaTotalFen: 10_000_000_000,
    quotaRemainingFen: 4_000_000_000,
    riskShare: { governmentBp: 3000, insurerBp: 2000, guarantorBp: 1000 },
    interestSubsidyBp: 3000,
    active: true,
    ...over,
  };
}

/** [field, code] pairs, the shape the form cares about. */
function codes(errors: ProductFieldError[]): [string, ProductErrorCode][] {
  return errors.map((e) => [e.field, e.code]);
}

describe("validateProductTerms", () => {
  it("accepts a complete, consistent product", () => {
    expect(validateProductTerms(validProduct())).toEqual([]);
  });

  it("accepts 'all' regions and industries and a product needing no flags", () => {
    const p = validProduct({ regions: "all", industries: "all", requiredFlags: [] });
    expect(validateProductTerms(p)).toEqual([]);
  });

  it("accepts equal minimum and maximum amount, term and rate", () => {
    const p = validProduct({
      minAmountFen: 1,
      maxAmountFen: 1,
      minTermMonths: 12,
      maxTermMonths: 12,
      minRateBp: 400,
      maxRateBp: 400,
    });
    expect(validateProductTerms(p)).toEqual([]);
  });

  it("requires a name and limits it to 100 characters", () => {
    expect(codes(validateProductTerms(validProduct({ name: "   " })))).toEqual([
      ["name", "required"],
    ]);
    const long = validateProductTerms(validProduct({ name: "贷".repeat(101) }));
    expect(long).toEqual([{ field: "name", code: "too_long", params: { max: 100 } }]);
    expect(validateProductTerms(validProduct({ name: "贷".repeat(100) }))).toEqual([]);
  });

  it("rejects a minimum amount above the maximum, with both amounts", () => {
    const errors = validateProductTerms(
      validProduct({ minAmountFen: 600_000_000, maxAmountFen: 500_000_000 }),
    );
    expect(errors).toEqual([
      {
        field: "maxAmountFen",
        code: "amount_min_gt_max",
        params: { minAmountFen: 600_000_000, maxAmountFen: 500_000_000 },
      },
    ]);
  });

  it("rejects amounts that are not whole fen or not positive, and skips the min ≤ max check then", () => {
    expect(codes(validateProductTerms(validProduct({ minAmountFen: 10.5 })))).toEqual([
      ["minAmountFen", "not_integer"],
    ]);
    expect(codes(validateProductTerms(validProduct({ minAmountFen: 0 })))).toEqual([
      ["minAmountFen", "not_positive"],
    ]);
    expect(codes(validateProductTerms(validProduct({ maxAmountFen: -5 })))).toEqual([
      ["maxAmountFen", "not_positive"],
    ]);
  });

  it("keeps the term between 1 and 360 months with min ≤ max", () => {
    expect(validateProductTerms(validProduct({ minTermMonths: 0 }))).toEqual([
      {
        field: "minTermMonths",
        code: "out_of_range",
        params: { min: 1, max: 360, unit: "months" },
      },
    ]);
    expect(codes(validateProductTerms(validProduct({ maxTermMonths: 361 })))).toEqual([
      ["maxTermMonths", "out_of_range"],
    ]);
    expect(codes(validateProductTerms(validProduct({ maxTermMonths: 360 })))).toEqual([]);
    expect(codes(validateProductTerms(validProduct({ minTermMonths: 6.5 })))).toEqual([
      ["minTermMonths", "not_integer"],
    ]);
    expect(
      codes(validateProductTerms(validProduct({ minTermMonths: 24, maxTermMonths: 12 }))),
    ).toEqual([["maxTermMonths", "term_min_gt_max"]]);
  });

  it("keeps annual rates between 0 and 3000 bp with min ≤ max", () => {
    expect(validateProductTerms(validProduct({ maxRateBp: 3001 }))).toEqual([
      { field: "maxRateBp", code: "out_of_range", params: { min: 0, max: 3000, unit: "bp" } },
    ]);
    expect(codes(validateProductTerms(validProduct({ minRateBp: -1 })))).toEqual([
      ["minRateBp", "out_of_range"],
    ]);
    expect(codes(validateProductTerms(validProduct({ minRateBp: 0, maxRateBp: 3000 })))).toEqual(
      [],
    );
    expect(codes(validateProductTerms(validProduct({ minRateBp: 500, maxRateBp: 450 })))).toEqual([
      ["maxRateBp", "rate_min_gt_max"],
    ]);
  });

  it("keeps each pledge rate between 0 and 10000 bp", () => {
    const p = validProduct({
      pledgeRateBp: { invention: 10_001, utility_model: 1500, design: -1, trademark: 10_000 },
    });
    expect(codes(validateProductTerms(p))).toEqual([
      ["pledgeRateBp.invention", "out_of_range"],
      ["pledgeRateBp.design", "out_of_range"],
    ]);
  });

  it("rejects a 0% pledge rate for an accepted IP type but allows it for one not accepted", () => {
    const p = validProduct({
      pledgeRateBp: { invention: 0, utility_model: 1500, design: 0, trademark: 5000 },
    });
    expect(validateProductTerms(p)).toEqual([
      {
        field: "pledgeRateBp.invention",
        code: "pledge_rate_zero_for_accepted_type",
        params: { ipType: "invention" },
      },
    ]);
  });

  it("requires at least one accepted IP type, known and not repeated", () => {
    expect(codes(validateProductTerms(validProduct({ acceptedIpTypes: [] })))).toEqual([
      ["acceptedIpTypes", "ip_types_required"],
    ]);
    const repeated = validProduct({ acceptedIpTypes: ["invention", "invention"] });
    expect(codes(validateProductTerms(repeated))).toEqual([["acceptedIpTypes", "duplicate_value"]]);
    // A form or API could send anything; the type only describes what valid input looks like.
    const unknown = validProduct({
      acceptedIpTypes: ["software"] as unknown as LoanProductTerms["acceptedIpTypes"],
    });
    expect(validateProductTerms(unknown)).toEqual([
      { field: "acceptedIpTypes", code: "unknown_value", params: { value: "software" } },
    ]);
  });

  it("keeps minimum remaining protection between 0 and 20 years and trademark age ≥ 0", () => {
    const p = validProduct({
      minRemainingYears: { invention: 21, utility_model: -1, design: Number.NaN, trademark: 0 },
      trademarkMinAgeYears: -0.5,
    });
    expect(codes(validateProductTerms(p))).toEqual([
      ["minRemainingYears.invention", "out_of_range"],
      ["minRemainingYears.utility_model", "out_of_range"],
      ["minRemainingYears.design", "out_of_range"],
      ["trademarkMinAgeYears", "out_of_range"],
    ]);
    const decimals = validProduct({
      minRemainingYears: { invention: 7.5, utility_model: 0, design: 0, trademark: 0 },
    });
    expect(validateProductTerms(decimals)).toEqual([]);
  });

  it("requires regions and industries to be 'all' or a non-empty list of known codes", () => {
    expect(codes(validateProductTerms(validProduct({ regions: [] })))).toEqual([
      ["regions", "regions_required"],
    ]);
    expect(codes(validateProductTerms(validProduct({ industries: [] })))).toEqual([
      ["industries", "industries_required"],
    ]);
    const bad = validProduct({
      regions: ["150200", "110000"] as unknown as LoanProductTerms["regions"],
      industries: ["C", "C", "Z"] as unknown as LoanProductTerms["industries"],
    });
    expect(validateProductTerms(bad)).toEqual([
      { field: "regions", code: "unknown_value", params: { value: "110000" } },
      { field: "industries", code: "duplicate_value", params: { value: "C" } },
      { field: "industries", code: "unknown_value", params: { value: "Z" } },
    ]);
  });

  it("rejects unknown or repeated firm flags", () => {
    const p = validProduct({
      requiredFlags: [
        "high_tech",
        "high_tech",
        "unicorn",
      ] as unknown as LoanProductTerms["requiredFlags"],
    });
    expect(codes(validateProductTerms(p))).toEqual([
      ["requiredFlags", "duplicate_value"],
      ["requiredFlags", "unknown_value"],
    ]);
  });

  it("rejects a remaining quota above the total quota", () => {
    const p = validProduct({ quotaTotalFen: 100, quotaRemainingFen: 101 });
    expect(validateProductTerms(p)).toEqual([
      {
        field: "quotaRemainingFen",
        code: "quota_remaining_gt_total",
        params: { quotaRemainingFen: 101, quotaTotalFen: 100 },
      },
    ]);
    expect(
      validateProductTerms(validProduct({ quotaTotalFen: 100, quotaRemainingFen: 100 })),
    ).toEqual([]);
    expect(codes(validateProductTerms(validProduct({ quotaRemainingFen: -1 })))).toEqual([
      ["quotaRemainingFen", "out_of_range"],
    ]);
  });

  it("rejects risk shares adding up to more than 100%, but allows exactly 100%", () => {
    const over = validProduct({
      riskShare: { governmentBp: 5000, insurerBp: 3000, guarantorBp: 2001 },
    });
    expect(validateProductTerms(over)).toEqual([
      { field: "riskShare", code: "risk_share_total_gt_100", params: { totalBp: 10_001 } },
    ]);
    const whole = validProduct({
      riskShare: { governmentBp: 5000, insurerBp: 3000, guarantorBp: 2000 },
    });
    expect(validateProductTerms(whole)).toEqual([]);
    const negative = validProduct({
      riskShare: { governmentBp: -100, insurerBp: 0, guarantorBp: 0 },
    });
    expect(codes(validateProductTerms(negative))).toEqual([
      ["riskShare.governmentBp", "out_of_range"],
    ]);
  });

  it("keeps the interest subsidy between 0 and 100%", () => {
    expect(codes(validateProductTerms(validProduct({ interestSubsidyBp: 10_001 })))).toEqual([
      ["interestSubsidyBp", "out_of_range"],
    ]);
    expect(validateProductTerms(validProduct({ interestSubsidyBp: 10_000 }))).toEqual([]);
  });

  it("reports every problem at once, in field order", () => {
    const p = validProduct({
      name: "",
      minAmountFen: 9,
      maxAmountFen: 8,
      acceptedIpTypes: [],
      quotaTotalFen: 1,
      quotaRemainingFen: 2,
    });
    expect(codes(validateProductTerms(p))).toEqual([
      ["name", "required"],
      ["maxAmountFen", "amount_min_gt_max"],
      ["acceptedIpTypes", "ip_types_required"],
      ["quotaRemainingFen", "quota_remaining_gt_total"],
    ]);
  });
});

describe("productErrorMessage", () => {
  it("formats amounts in 万元 and rates as percentages", () => {
    expect(
      say(
        productErrorMessage("amount_min_gt_max", {
          minAmountFen: 600_000_000,
          maxAmountFen: 500_000_000,
        }),
      ),
    ).toBe("最高金额 500 万元 低于最低金额 600 万元");
    expect(
      say(productErrorMessage("out_of_range", { min: 0, max: 3000, unit: "bp" }), "zh-CN"),
    ).toBe("须在 0.00% 到 30.00% 之间");
    expect(
      say(productErrorMessage("out_of_range", { min: 1, max: 360, unit: "months" }), "en"),
    ).toBe("Must be between 1 month and 360 months");
    expect(say(productErrorMessage("risk_share_total_gt_100", { totalBp: 10_001 }), "zh-CN")).toBe(
      "风险分担比例合计 100.01%，不能超过 100%",
    );
  });

  it("names the IP type whose pledge rate is 0", () => {
    expect(
      say(
        productErrorMessage("pledge_rate_zero_for_accepted_type", { ipType: "invention" }),
        "zh-CN",
      ),
    ).toBe("已接受发明专利，质押率须大于 0");
  });

  it("has a Chinese and an English sentence for every code an invalid product produces", () => {
    const bad = validProduct({
      name: "",
      minAmountFen: 0.5,
      maxAmountFen: 0,
      minTermMonths: 30,
      maxTermMonths: 12,
      minRateBp: 600,
      maxRateBp: 500,
      acceptedIpTypes: [],
      regions: [],
      industries: [],
      quotaTotalFen: 1,
      quotaRemainingFen: 2,
      riskShare: { governmentBp: 9000, insurerBp: 2000, guarantorBp: 0 },
    });
    const errors = [
      ...validateProductTerms(bad),
      ...validateProductTerms(
        validProduct({ name: "x".repeat(101), minAmountFen: 9, maxAmountFen: 8 }),
      ),
      ...validateProductTerms(
        validProduct({
          pledgeRateBp: { invention: 0, utility_model: 20_000, design: 0, trademark: 5000 },
          acceptedIpTypes: ["invention", "trademark", "trademark"],
          regions: ["999999" as "150100"],
        }),
      ),
    ];
    const seen = new Set(errors.map((e) => e.code));
    const all: ProductErrorCode[] = [
      "required",
      "too_long",
      "not_integer",
      "not_positive",
      "out_of_range",
      "amount_min_gt_max",
      "term_min_gt_max",
      "rate_min_gt_max",
      "ip_types_required",
      "pledge_rate_zero_for_accepted_type",
      "unknown_value",
      "duplicate_value",
      "regions_required",
      "industries_required",
      "quota_remaining_gt_total",
      "risk_share_total_gt_100",
    ];
    expect([...seen].sort()).toEqual([...all].sort());
    for (const e of errors) {
      const zh = say(productErrorMessage(e.code, e.params), "zh-CN");
      const en = say(productErrorMessage(e.code, e.params), "en");
      for (const msg of [zh, en]) {
        expect(msg).not.toMatch(/undefined|NaN|\[object/);
        expect(msg.length).toBeGreaterThan(1);
      }
      expect(zh).not.toBe(en);
    }
  });
});

describe("effective rate and risk share", () => {
  it("applies 贴息 to the minimum rate and rounds half a bp up", () => {
    expect(effectiveRateBp(385, 3000)).toBe(270); // 269.5
    expect(effectiveRateBp(400, 5000)).toBe(200);
    expect(effectiveRateBp(350, 0)).toBe(350);
    expect(effectiveRateBp(350, 10_000)).toBe(0);
    expect(effectiveRateBp(333, 3333)).toBe(222); // 221.9889
  });

  it("adds the government, insurer and guarantor shares", () => {
    expect(riskShareTotalBp({ governmentBp: 3000, insurerBp: 2000, guarantorBp: 1000 })).toBe(6000);
  });
});
