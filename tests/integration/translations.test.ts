/**
 * A tab fetches only its own language's translations (GET /i18n/:locale) before hydrating; the
 * browser bundle carries none. The URL the root preloads is versioned by the translations' hash
 * and cached for good; anything else is revalidated.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe("translations served per language", () => {
  useTestDb();
  const app = useAppServer();

  it("preloads the page's own language at an immutable, versioned URL", async () => {
    const home = await (await app.fetch("/", { headers: { "accept-language": "en" } })).text();
    const href = /<link rel="preload" as="fetch"[^>]*href="([^"]+)"[^>]*data-translations/.exec(
      home,
    )?.[1];
    expect(href).toMatch(/^\/i18n\/en\?v=[0-9a-f]{12}$/);
    const res = await app.fetch(href!.replace(/&amp;/g, "&"));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const body = (await res.json()) as { common: { appTagline: string } };
    expect(body.common.appTagline).toBe("IP pledge financing for Inner Mongolia");

    const zh = await (await app.fetch("/", { headers: { "accept-language": "zh-CN" } })).text();
    expect(zh).toMatch(/href="\/i18n\/zh-CN\?v=[0-9a-f]{12}"/);
  });

  it("revalidates an unversioned or stale URL, answers 304 to its ETag, and 404 to an unknown language", async () => {
    const stale = await app.fetch("/i18n/zh-CN?v=000000000000");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
    const etag = stale.headers.get("etag")!;
    expect(((await stale.json()) as { common: { appTagline: string } }).common.appTagline).toBe(
      "内蒙古知识产权质押融资服务平台",
    );
    const again = await app.fetch("/i18n/zh-CN", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await app.fetch("/i18n/xx")).status).toBe(404);
  });

  it("leaves every translation out of the browser bundle", () => {
    const build = path.resolve(import.meta.dirname, "../../public/build");
    const js = filesUnder(build).filter((f) => f.endsWith(".js"));
    expect(js.length).toBeGreaterThan(0);
    for (const f of js) {
      const text = readFileSync(f, "utf8");
      // esbuild may write the Chinese as \u escapes; check both spellings.
      expect(text, f).not.toContain("IP pledge financing for Inner Mongolia");
      expect(text, f).not.toContain("内蒙古知识产权质押融资服务平台");
      expect(text.toLowerCase(), f).not.toContain("\\u5185\\u8499\\u53e4\\u77e5\\u8bc6");
    }
  });
});
