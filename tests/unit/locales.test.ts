import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
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

/** Every file under `dir` whose name ends with one of `exts`. */
function sourceFiles(dir: string, exts: string[]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p, exts);
    return exts.some((e) => d.name.endsWith(e)) && !d.name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("keys the code names", () => {
  // t("ns:key") and t(`ns:key`) written out in full: a key missing from a locale file renders as
  // its own name ("cover.coveredBy" once did on the bank's loan page). Keys built at run time
  // (`risk:claims.state.${s}`) are not checked here; the namespace tests above cover their files.
  const root = path.resolve(__dirname, "../../app");
  const literal = /\bt\(\s*(["'`])([a-zA-Z]+):([A-Za-z0-9_.]+)\1/g;
  const named = sourceFiles(root, [".ts", ".tsx"]).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(literal)].map((m) => ({
      where: path.relative(root, file),
      ns: m[2],
      key: m[3],
    })),
  );

  it("finds the keys (the pattern still matches the code)", () => {
    expect(named.length).toBeGreaterThan(500);
  });

  for (const lang of ["zh-CN", "en"] as const) {
    it(`resolves each in ${lang}`, () => {
      const has = (ns: string, key: string) => {
        const tree = (resources[lang] as Record<string, unknown>)[ns];
        const find = (k: string) =>
          k.split(".").reduce<unknown>((o, part) => {
            return o && typeof o === "object" ? (o as Record<string, unknown>)[part] : undefined;
          }, tree);
        return [key, `${key}_one`, `${key}_other`].some((k) => find(k) !== undefined);
      };
      const missing = named
        .filter((n) => !has(n.ns, n.key))
        .map((n) => `${n.where}: ${n.ns}:${n.key}`);
      expect([...new Set(missing)]).toEqual([]);
    });
  }
});
