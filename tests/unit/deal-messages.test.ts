import { describe, expect, it } from "vitest";
import { messageParams, problemFieldErrors } from "../../app/utils/messages";
import type { TFunction } from "i18next";
import { createI18n } from "../../app/utils/i18n";

describe("deal messages", () => {
  it("turns fen, bp and months into the words a sentence needs", () => {
    expect(
      messageParams(
        { amountFen: 1_000_000, rateBp: 385, termMonths: 12, ipType: "trademark" },
        "zh-CN",
      ),
    ).toEqual({ amount: "10,000 元", rate: "3.85%", term: 12, type: "商标" });
  });

  it("names codes, joins lists the way each language does, and scales money when asked", () => {
    const params = {
      regions: ["150200", "150600"],
      otherRegion: "152900",
      industry: "C",
      flags: ["high_tech", "tech_sme"],
      pledgeIpTypes: ["invention", "trademark"],
      amountsFen: [1_000_000, 250_000_000],
      shareBp: null,
      remainingYears: 4.96,
      count: 2,
    };
    expect(messageParams(params, "zh-CN", "auto")).toEqual({
      regions: "包头市、鄂尔多斯市",
      otherRegion: "阿拉善盟",
      industry: "制造业",
      flags: "高新技术企业、科技型中小企业",
      pledgeIpTypes: "发明专利、商标",
      amounts: "1 万元、250 万元",
      share: "—",
      remaining: "4.9",
      count: 2,
    });
    expect(messageParams(params, "en", "auto")).toMatchObject({
      regions: "Baotou, Ordos",
      otherRegion: "Alxa League",
      flags: "high-tech enterprise, tech-based SME",
      pledgeIpTypes: "invention patent, trademark",
      amounts: "¥10,000, ¥2.5M",
    });
  });

  it("puts each refusal next to its field, in Chinese and in English", () => {
    const problems = [
      { code: "amount_above_capacity" as const, amountFen: 50_000_001, capacityFen: 50_000_000 },
      { code: "asset_no_formal_value" as const, assetId: 3, title: "一种方法" },
    ];
    const zh = problemFieldErrors(createI18n("zh-CN").t as TFunction, problems, "zh-CN");
    expect(zh).toEqual({
      amount: ["金额 500,000.01 元 超过质押物可贷额度 500,000 元（按申请时的产品质押率计算）"],
      assetIds: ["“一种方法”尚无正式评估价值"],
    });
    const en = problemFieldErrors(createI18n("en").t as TFunction, problems, "en", {
      assetIds: "",
    });
    expect(en[""]).toEqual(["“一种方法” has no formal appraisal"]);
    expect(en.amount[0]).toContain("exceeds the collateral's lending capacity");
  });
});
