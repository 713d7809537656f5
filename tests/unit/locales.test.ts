import { describe, expect, it } from "vitest";
import { NAMESPACES, resources } from "../../app/utils/i18n";

/** A key without its plural suffix: English has "_one"/"_other" where Chinese has one form. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");

function keys(obj: unknown, prefix = ""): string[] {
  if (obj === null || typeof obj !== "object") return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    keys(v, prefix ? `${prefix}.${k}` : k),
  );
}

describe("locale files", () => {
  it("lists every namespace of both languages in NAMESPACES (the browser loads by that list)", () => {
    expect([...NAMESPACES].sort()).toEqual(Object.keys(resources["zh-CN"]).sort());
    expect([...NAMESPACES].sort()).toEqual(Object.keys(resources.en).sort());
  });

  for (const ns of Object.keys(resources["zh-CN"]) as (keyof (typeof resources)["zh-CN"])[]) {
    it(`namespace ${ns} has the same keys in zh-CN and en`, () => {
      const zh = [...new Set(keys(resources["zh-CN"][ns]).map(base))].sort();
      const en = [...new Set(keys(resources.en[ns]).map(base))].sort();
      expect(en).toEqual(zh);
    });
  }

  it("has no empty strings in zh-CN", () => {
    const empty: string[] = [];
    const walk = (o: unknown, p: string) => {
      if (typeof o === "string") {
        if (!o.trim()) empty.push(p);
      } else if (o && typeof o === "object") {
        for (const [k, v] of Object.entries(o)) walk(v, `${p}.${k}`);
      }
    };
    walk(resources["zh-CN"], "zh-CN");
    expect(empty).toEqual([]);
  });
});
