import { describe, expect, it } from "vitest";
import { getFixedT, getI18n } from "../../app/utils/i18n";

describe("shared i18n instances", () => {
  it("builds one instance per locale and reuses it", () => {
    const zh = getI18n("zh-CN");
    expect(getI18n("zh-CN")).toBe(zh);
    expect(getI18n("en")).not.toBe(zh);
    expect(zh.language).toBe("zh-CN");
    expect(getI18n("en").language).toBe("en");
  });

  it("fixed translation functions keep their own language, whatever the other instance does", () => {
    const zh = getFixedT("zh-CN");
    const en = getFixedT("en");
    expect(getFixedT("zh-CN")).toBe(zh);
    const key = "errors.notFoundTitle";
    expect(zh(key)).not.toBe(en(key));
    expect(getI18n("zh-CN").t(key)).toBe(zh(key));
    expect(getI18n("en").t(key)).toBe(en(key));
    // A namespaced key resolves through the same bound function.
    expect(en("appraisal:payment.stripeItem", { number: "A-1" })).toContain("A-1");
  });
});
