/**
 * `npm run bench:http`: HTTP load on the public pages with autocannon, against the built app
 * served in this process on a free loopback port, on a fresh demo database (SQLite by default,
 * or DATABASE_URL). Bounded: a few seconds per route, loopback only. Prints a table, then one JSON
 * line with the figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createDb, setDbHandle } from "../app/utils/db.server";
import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { seedDemo } from "../db/seed";
import { createApp, loadBuild } from "./server";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUTES = ["/healthz", "/", "/products", "/report"];

const dir = mkdtempSync(path.join(os.tmpdir(), "zr-bench-http-"));
const url = process.env.DATABASE_URL || `file:${path.join(dir, "bench.sqlite")}`;
await ensureDatabaseExists(url);
const handle = createDb(url);
setDbHandle(handle);
await migrateToLatest(handle.db);
await seedDemo(handle.db);
const server = createApp(await loadBuild()).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const { port } = server.address() as AddressInfo;

const results: Record<string, { rps: number; p50_ms: number; p99_ms: number; errors: number }> = {};
for (const route of ROUTES) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${route}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "accept-language": "zh-CN" },
  });
  results[route] = {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}
server.close();
await handle.db.destroy();
rmSync(dir, { recursive: true, force: true });

console.log(`\nHTTP load (${CONNECTIONS} connections, ${SECONDS} s per route, ${handle.kind})`);
console.log(
  "route".padEnd(12) +
    "req/s".padStart(8) +
    "p50 ms".padStart(9) +
    "p99 ms".padStart(9) +
    "errors".padStart(8),
);
for (const [route, x] of Object.entries(results)) {
  console.log(
    route.padEnd(12) +
      String(x.rps).padStart(8) +
      String(x.p50_ms).padStart(9) +
      String(x.p99_ms).padStart(9) +
      String(x.errors).padStart(8),
  );
}
console.log(
  JSON.stringify({ db: handle.kind, connections: CONNECTIONS, seconds: SECONDS, routes: results }),
);
process.exit(Object.values(results).some((x) => x.errors > 0) ? 1 : 0);
