import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { I18N_USAGE_ID } from "../../app/utils/i18n-loaders";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

/** Issue 15: the home page's JavaScript before it is interactive, gzipped, at most this. */
const BUDGET_BYTES = 150 * 1024;

const PUBLIC_DIR = path.resolve("public");

interface Manifest {
  entry: { module: string; imports?: string[] };
  routes: Record<string, { module: string; imports?: string[] }>;
}

/** The manifest of the last `remix build` (public/build/manifest-*.js). */
function readManifest(): Manifest {
  const dir = path.join(PUBLIC_DIR, "build");
  const file = readdirSync(dir).find((n) => /^manifest-[A-Z0-9]+\.js$/.test(n));
  if (!file) throw new Error("no public/build/manifest-*.js: run `npm run build` first");
  const text = readFileSync(path.join(dir, file), "utf8");
  return JSON.parse(text.replace(/^window\.__remixManifest=/, "").replace(/;\s*$/, "")) as Manifest;
}

const gz = (b: Buffer | string) => gzipSync(b, { level: 9 }).length;

/** Every module the page preloads: the entry, root and the route, with their imports. */
function preloadedModules(m: Manifest, routeId: string): string[] {
  const mods = new Set<string>([m.entry.module, ...(m.entry.imports ?? [])]);
  for (const id of ["root", routeId]) {
    const r = m.routes[id];
    if (!r) throw new Error(`route ${id} is not in the manifest`);
    mods.add(r.module);
    for (const i of r.imports ?? []) mods.add(i);
  }
  return [...mods];
}

describe("home page weight (issue 15)", () => {
  useTestDb();
  const app = useAppServer();

  for (const lang of ["zh-CN", "en"]) {
    it(`loads at most 150 KB gzipped of JavaScript before hydrating (${lang})`, async () => {
      const m = readManifest();
      const modules = preloadedModules(m, "routes/_index");
      const js = modules.reduce((sum, u) => sum + gz(readFileSync(path.join(PUBLIC_DIR, u))), 0);
      // The page lists the translation chunks it loads before hydrating; count them too (as
      // their JSON, gzipped).
      const html = await (
        await app.fetch("/", {
          headers: { "accept-language": lang, "accept-encoding": "identity" },
        })
      ).text();
      const list = new RegExp(
        `<script type="application/json" id="${I18N_USAGE_ID}">([^<]*)</script>`,
      ).exec(html);
      expect(list, "the page lists the translations it used").not.toBeNull();
      const pairs = JSON.parse(list![1]) as string[];
      expect(pairs).toContain(`${lang}/common`);
      // Only the page's language, never every namespace of both.
      expect(pairs.every((p) => p.startsWith(`${lang}/`) || p.startsWith("zh-CN/"))).toBe(true);
      expect(pairs.length).toBeLessThan(6);
      const translations = pairs.reduce((sum, p) => {
        const [l, ns] = p.split("/");
        const json = readFileSync(path.resolve("app/locales", l, `${ns}.json`), "utf8");
        return sum + gz(JSON.stringify(JSON.parse(json)));
      }, 0);
      const total = js + translations;
      console.log(
        `home (${lang}): ${modules.length} modules ${(js / 1024).toFixed(1)} KB + translations ${(translations / 1024).toFixed(1)} KB = ${(total / 1024).toFixed(1)} KB gzipped`,
      );
      expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
      // What used to be preloaded: no translation strings in the preloaded modules.
      for (const u of modules) {
        expect(readFileSync(path.join(PUBLIC_DIR, u), "utf8"), u).not.toContain("catalogue");
      }
    });
  }
});
