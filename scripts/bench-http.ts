/**
 * `npm run bench:http [-- --db=sqlite|mysql]`: HTTP load on the public pages with autocannon.
 * The app (production builds, as under `npm start`) and a bare node:http baseline each run in
 * their own child process; autocannon runs here. A fresh demo database: SQLite in a temporary
 * directory, or a throwaway MariaDB database on 127.0.0.1:3306 (`--db=mysql`, or DATABASE_URL).
 * Builds first when there is no build. Prints a table, then one JSON line (issue 15).
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { initialJs } from "./bench/initial-js";
import { createMysqlDatabase, dropMysqlDatabase } from "./bench/mysql-db";
import { createDb } from "../app/utils/db.server";
import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { seedDemo } from "../db/seed";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUTES = ["/", "/products", "/report", "/report.json", "/report.csv", "/healthz"];
const dbArg = process.argv.find((a) => a.startsWith("--db="))?.slice(5);

if (!existsSync(path.resolve("build/index.js"))) {
  console.log("no build yet: building…");
  const r = spawnSync("npx", ["remix", "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const dir = mkdtempSync(path.join(os.tmpdir(), "zr-bench-http-"));
const mysql = dbArg === "mysql" && !process.env.DATABASE_URL ? await createMysqlDatabase() : null;
const url = mysql?.url ?? process.env.DATABASE_URL ?? `file:${path.join(dir, "bench.sqlite")}`;
await ensureDatabaseExists(url);
const handle = createDb(url);
await migrateToLatest(handle.db);
await seedDemo(handle.db);
await handle.db.destroy();

const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production" as const,
  DATABASE_URL: url,
  DATA_DIR: dir,
  SESSION_SECRET: randomBytes(32).toString("hex"),
  DEMO: "0",
};

function start(script: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.resolve(script), [], {
    execArgv: ["--import", "tsx"],
    env: childEnv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ child, port: (m as { port: number }).port }));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function load(port: number, route: string) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${route}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "accept-language": "zh-CN", "accept-encoding": "gzip" },
  });
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
  };
}

type RouteResult = Awaited<ReturnType<typeof load>> & { baseline_rps?: number; ratio?: number };
const results: Record<string, RouteResult> = {};
const app = await start("scripts/bench/app-server.ts");
const baseline = await start("scripts/bench/baseline-server.ts");
const loadavgBefore = os.loadavg().map((x) => Math.round(x * 100) / 100);
try {
  // Warm both servers (first renders, JIT, caches) before anything is timed.
  for (const route of ROUTES)
    await fetch(`http://127.0.0.1:${app.port}${route}`).then((r) => r.arrayBuffer());
  await fetch(`http://127.0.0.1:${baseline.port}/`).then((r) => r.arrayBuffer());
  for (const route of ROUTES) {
    const r: RouteResult = await load(app.port, route);
    if (route === "/") {
      // Right after the app's own run, in the same conditions of the shared machine.
      const b = await load(baseline.port, "/");
      r.baseline_rps = b.rps;
      r.ratio = b.rps ? Math.round((r.rps / b.rps) * 1000) / 1000 : 0;
    }
    results[route] = r;
  }
} finally {
  app.child.kill();
  baseline.child.kill();
  if (mysql) await dropMysqlDatabase(mysql.name);
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\nHTTP load (${CONNECTIONS} connections, ${SECONDS} s per route, ${handle.kind}, accept-encoding: gzip)`,
);
console.log(
  "route".padEnd(14) +
    "req/s".padStart(8) +
    "p50 ms".padStart(9) +
    "p99 ms".padStart(9) +
    "errors".padStart(8) +
    "baseline".padStart(10) +
    "ratio".padStart(8),
);
for (const [route, x] of Object.entries(results)) {
  console.log(
    route.padEnd(14) +
      String(x.rps).padStart(8) +
      String(x.p50_ms).padStart(9) +
      String(x.p99_ms).padStart(9) +
      String(x.errors).padStart(8) +
      String(x.baseline_rps ?? "").padStart(10) +
      String(x.ratio ?? "").padStart(8),
  );
}
const homeJs = initialJs("routes/_index");
console.log(
  `\nhome page initial JS: ${homeJs.files} files, ${(homeJs.bytes / 1024).toFixed(1)} KB, ` +
    `${(homeJs.gzip / 1024).toFixed(1)} KB gzipped (target ≤ 150 KB gzipped)`,
);
console.log(
  JSON.stringify({
    db: handle.kind,
    home_js_gzip_kb: Math.round((homeJs.gzip / 1024) * 10) / 10,
    connections: CONNECTIONS,
    seconds: SECONDS,
    loadavg: loadavgBefore,
    routes: results,
  }),
);
process.exit(Object.values(results).some((x) => x.errors > 0) ? 1 : 0);
