import { describe, expect, it } from "vitest";
import { getFixedT, getI18n, LOCALES, NAMESPACES } from "../../app/utils/i18n";
import { NAMESPACE_LOADERS } from "../../app/utils/i18n-loaders";
import {
  collectNamespaceUse,
  trackNamespaceUse,
  usageList,
} from "../../app/utils/i18n-usage.server";

describe("browser translation chunks", () => {
  it("has a loader for every namespace of every language, and no other", () => {
    expect(Object.keys(NAMESPACE_LOADERS).sort()).toEqual([...LOCALES].sort());
    for (const lng of LOCALES) {
      expect(Object.keys(NAMESPACE_LOADERS[lng]).sort(), lng).toEqual([...NAMESPACES].sort());
    }
  });

  it("notes the (language, namespace) pairs a render read, cross-namespace keys included", async () => {
    trackNamespaceUse(getI18n("en"));
    trackNamespaceUse(getI18n("en")); // once per instance, not twice
    const used = new Set<string>();
    await collectNamespaceUse(used, async () => {
      const t = getFixedT("en");
      t("common:nav.home");
      await new Promise((r) => setTimeout(r, 1));
      t("products:catalogue.title");
    });
    expect(usageList(used)).toEqual(["en/common", "en/products"]);
    // Outside a render nothing is collected.
    getFixedT("en")("applications:ledger.title");
    expect(usageList(used)).toEqual(["en/common", "en/products"]);
  });
});
