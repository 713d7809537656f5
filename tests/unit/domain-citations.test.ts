/**
 * Code cites the domain reference as `docs/domain.md#<anchor>`. A citation whose anchor does not
 * exist sends the reader nowhere, so every one must name an `<a id="…">` in docs/domain.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCANNED = ["app", "db", "scripts", "tests", "docs", "README.md"];
const SKIP = new Set(["node_modules", "build", ".artifacts"]);

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (/\.(ts|tsx|md)$/.test(path)) return [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const child = join(path, e.name);
    return e.isDirectory()
      ? files(child)
      : /\.(ts|tsx|md)$/.test(e.name)
        ? [join(ROOT, child)]
        : [];
  });
}

const domain = readFileSync(join(ROOT, "docs/domain.md"), "utf8");
const anchors = new Set([...domain.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]));

describe("citations of docs/domain.md", () => {
  it("has anchors", () => {
    expect(anchors.size).toBeGreaterThan(20);
  });

  it("name anchors that exist", () => {
    const broken: string[] = [];
    let count = 0;
    for (const file of SCANNED.flatMap(files)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/domain\.md#([A-Za-z0-9_-]+)/g)) {
        count++;
        if (!anchors.has(m[1])) broken.push(`${relative(ROOT, file)}: #${m[1]}`);
      }
    }
    expect(count).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});
