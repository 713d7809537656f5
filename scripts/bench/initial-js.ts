import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

interface Manifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, { module: string; imports?: string[] }>;
}

/**
 * The JavaScript a first visit to one route loads before hydrating, read off the build's manifest:
 * the entry, the root and the route, with their imports (what Remix's <Scripts> preloads).
 */
export function initialJs(routeId: string, publicDir = path.resolve("public")) {
  const buildDir = path.join(publicDir, "build");
  const name = readdirSync(buildDir).find((f) => /^manifest-.*\.js$/.test(f));
  if (!name) throw new Error("no build manifest: run npm run build");
  const text = readFileSync(path.join(buildDir, name), "utf8");
  const manifest = JSON.parse(
    text.replace(/^window\.__remixManifest=/, "").replace(/;\s*$/, ""),
  ) as Manifest;
  const files = new Set([manifest.entry.module, ...manifest.entry.imports]);
  for (const id of ["root", routeId]) {
    const r = manifest.routes[id];
    if (!r) throw new Error(`no route ${id} in the manifest`);
    files.add(r.module);
    for (const f of r.imports ?? []) files.add(f);
  }
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const b = readFileSync(path.join(publicDir, f));
    bytes += b.length;
    gzip += gzipSync(b).length;
  }
  return { files: files.size, bytes, gzip };
}
