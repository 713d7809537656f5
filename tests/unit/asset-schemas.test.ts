import { describe, expect, it } from "vitest";
import {
  importProblemMessage,
  patentFormSchema,
  trademarkFormSchema,
  valuationFormSchema,
} from "../../app/utils/asset-schemas";
import { createI18n } from "../../app/utils/i18n";

const TODAY = "2025-06-15";
const zh = createI18n("zh-CN").t;
const en = createI18n("en").t;

function issues(result: {
  success: boolean;
  error?: { issues: { path: (string | number)[]; message: string }[] };
}) {
  if (result.success) throw new Error("expected a failure");
  return Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]));
}

describe("patentFormSchema (the same schema in the browser and on the server)", () => {
  it("puts every problem next to its field, in Chinese", () => {
    const r = patentFormSchema(zh, "zh-CN", TODAY).safeParse({
      number: "201710601862.4",
      filingDate: "2018-01-01",
      status: "granted",
    });
    expect(issues(r)).toEqual({
      number: "校验位错误：应为“3”，请核对申请号是否抄错",
      title: "请填写此项",
      grantDate: "已授权的专利请填写授权公告日",
    });
  });

  it("says the same in English", () => {
    const r = patentFormSchema(en, "en", TODAY).safeParse({
      number: "201710601862.3",
      title: "x",
      status: "granted",
      filingDate: "2018-01-01",
      grantDate: "2019-01-01",
    });
    expect(issues(r)).toEqual({
      filingDate: "The filing date must be in the year of the number (2017)",
    });
  });

  it("returns the normalised record and the version on success", () => {
    const r = patentFormSchema(zh, "zh-CN", TODAY).safeParse({
      number: "ZL 201710601862.3",
      title: "一种稀土永磁材料的制备方法",
      status: "granted",
      filingDate: "2017-07-21",
      grantDate: "2020-03-10",
      claimsCount: "10",
      coOwned: true,
      version: 3,
    });
    expect(r.success && r.data).toMatchObject({
      record: { number: "201710601862.3", claimsCount: 10, coOwned: true },
      version: 3,
    });
  });

  it("refuses a claim count that is not a whole number", () => {
    const r = patentFormSchema(zh, "zh-CN", TODAY).safeParse({
      number: "201710601862.3",
      title: "x",
      status: "pending",
      filingDate: "2017-07-21",
      claimsCount: "十",
    });
    expect(issues(r)).toEqual({ claimsCount: "权利要求项数应为 1–999 的整数" });
  });
});

describe("trademarkFormSchema", () => {
  it("reads the Nice class and renewals typed as text", () => {
    const r = trademarkFormSchema(zh, "zh-CN", TODAY).safeParse({
      number: "12345678",
      title: "草原鹿城",
      status: "registered",
      niceClass: "29",
      registrationDate: "2016-05-14",
      renewals: "",
    });
    expect(r.success && r.data.record).toMatchObject({ niceClass: 29, renewals: 0 });
  });

  it("names a registration that has ended", () => {
    const r = trademarkFormSchema(zh, "zh-CN", TODAY).safeParse({
      number: "12345678",
      title: "草原鹿城",
      status: "registered",
      niceClass: "29",
      registrationDate: "2015-01-01",
    });
    expect(issues(r)).toEqual({
      status: "注册有效期已于 2025-01-01 届满，请把状态改为“期限届满”",
    });
  });
});

describe("valuationFormSchema", () => {
  const valid = {
    revenue: "500万",
    growth: "-2.5",
    royalty: "3.5",
    discountRate: "14",
    tax: "15",
    share: "50",
    life: 8.5,
  };

  it("turns yuan into fen and percentages into basis points", () => {
    const r = valuationFormSchema(zh, "trademark").safeParse(valid);
    expect(r.success && r.data).toEqual({
      year1RevenueFen: 500_000_000,
      growthBp: -250,
      royaltyRateBp: 350,
      discountRateBp: 1400,
      taxRateBp: 1500,
      attributionShareBp: 5000,
      economicLifeYears: 8.5,
      indicators: null,
      firmAnnualRevenueFen: null,
    });
  });

  it("reads the firm's stated annual revenue when given, and refuses one that is not money", () => {
    const r = valuationFormSchema(zh, "trademark").safeParse({ ...valid, firmRevenue: "3000万" });
    expect(r.success && r.data.firmAnnualRevenueFen).toBe(3_000_000_000);
    const bad = valuationFormSchema(zh, "trademark").safeParse({ ...valid, firmRevenue: "很多" });
    expect(bad.success).toBe(false);
  });

  it("refuses rates outside the model's ranges and a life with two decimals", () => {
    const r = valuationFormSchema(zh, "invention").safeParse({
      ...valid,
      royalty: "31",
      discountRate: "3",
      life: 8.25,
      revenue: "很多",
    });
    expect(issues(r)).toEqual({
      royalty: "应在 0% 到 30% 之间",
      discountRate: "应在 5% 到 50% 之间",
      life: "应为 0.1 到 30 年之间的数字，最多一位小数",
      revenue: "请输入金额（元），最多两位小数，可用“万”“亿”，如 500万",
    });
  });

  it("asks for every value-degree answer when the patent is to be scored", () => {
    const r = valuationFormSchema(zh, "invention").safeParse({
      ...valid,
      scorePvd: true,
      family: 2,
      coOwners: 0,
      stability: "upheld",
      advancement: 5,
    });
    expect(Object.keys(issues(r)).sort()).toEqual([
      "marketShare",
      "marketSize",
      "maturity",
      "nonSubstitutability",
      "policyFit",
    ]);
    const full = valuationFormSchema(zh, "design").safeParse({
      ...valid,
      scorePvd: true,
      claims: 4,
      family: 2,
      coOwners: 0,
      stability: "upheld",
      advancement: 5,
      nonSubstitutability: 4,
      maturity: 3,
      marketSize: 3,
      marketShare: 2,
      policyFit: 4,
    });
    // A design has no claims, whatever was typed.
    expect(full.success && full.data.indicators).toMatchObject({
      claimCount: null,
      advancement: 5,
    });
  });
});

describe("importProblemMessage", () => {
  it("translates the type in a kind mismatch and falls back to the form messages", () => {
    expect(
      importProblemMessage(zh, "zh-CN", {
        field: "kind",
        code: "kind_mismatch",
        params: { number: "201720601862.1", kind: "utility_model" },
      }),
    ).toBe("申请号 201720601862.1 表示“实用新型专利”，与类别不符");
    expect(importProblemMessage(en, "en", { field: "title", code: "required" })).toBe("Required");
  });
});
