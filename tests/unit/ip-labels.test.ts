import { describe, expect, it } from "vitest";
import { IP_TYPES, ipTypeLabel } from "../../app/domain/ip";
import { messageParams } from "../../app/utils/messages";
import { createI18n, resources } from "../../app/utils/i18n";

/**
 * The IP-type names people read have one source, common:ipTypes in the locale files, read through
 * ipTypeLabel(t, type) (and, for the domain's own sentences, messageParams).
 */
const zh = createI18n("zh-CN").t;
const en = createI18n("en").t;

describe("ipTypeLabel", () => {
  it.each([
    ["invention", "发明专利", "Invention patent"],
    ["utility_model", "实用新型专利", "Utility model patent"],
    ["design", "外观设计专利", "Design patent"],
    ["trademark", "商标", "Trademark"],
  ] as const)("names %s %j in Chinese and %j in English", (type, zhName, enName) => {
    expect(ipTypeLabel(zh, type)).toBe(zhName);
    expect(ipTypeLabel(en, type)).toBe(enName);
  });

  it("has a name for every IP type in both languages", () => {
    for (const type of IP_TYPES) {
      expect(Object.keys(resources["zh-CN"].common.ipTypes)).toContain(type);
      expect(Object.keys(resources.en.common.ipTypes)).toContain(type);
    }
  });

  it("gives the domain's sentences the same names (lower-case mid-sentence in English)", () => {
    for (const type of IP_TYPES) {
      expect(messageParams({ pledgeIpType: type }, "zh-CN").pledgeIpType).toBe(
        ipTypeLabel(zh, type),
      );
      expect(messageParams({ pledgeIpType: type }, "en").pledgeIpType).toBe(
        ipTypeLabel(en, type).toLowerCase(),
      );
    }
  });

  it("keeps no second copy of the names elsewhere in the locale files", () => {
    const names = new Set(
      IP_TYPES.flatMap((type) => [ipTypeLabel(zh, type), ipTypeLabel(en, type)]),
    );
    const copies: string[] = [];
    const walk = (o: unknown, path: string) => {
      if (typeof o === "string") {
        // An asset's kind (patent or trademark) is another concept that shares the word 商标.
        const own = path.includes(".common.ipTypes.") || path.endsWith(".assets.kinds.trademark");
        if (names.has(o) && !own) copies.push(path);
      } else if (o && typeof o === "object") {
        for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
      }
    };
    walk(resources, "");
    expect(copies).toEqual([]);
  });
});
