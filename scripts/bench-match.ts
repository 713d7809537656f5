/**
 * Matching benchmark: `npm run bench:match [-- --n-requests 200 --n-products 60]`.
 *
 * On SQLite (./data/bench-match.sqlite, kept between runs) and, when reachable, MariaDB/MySQL
 * (BENCH_MYSQL_URL or mysql://root@127.0.0.1:3306; its own database zr_bench_match, created and
 * dropped by this run): seeds the scale data if missing (scripts/seed-scale.ts: 10,000 products,
 * 20,000 firms, 100,000 requests), then times
 *   – random open requests against every product (findMatchesForRequest),
 *   – random active products against every request (findRequestsForProduct: first page + exact
 *     total).
 * Prints a table and, per database, one JSON line; the last line is the last database's.
 * Targets: request p95 ≤ 10 ms, product p95 ≤ 200 ms.
 */
import mysql from "mysql2/promise";
import os from "node:os";
import path from "node:path";
import { migrateToLatest } from "../db/migrate";
import { createDb, type Db, type DbHandle } from "../app/utils/db.server";
import {
  findMatchesForRequest,
  findRequestsForProduct,
  MATCH_PAGE_SIZE,
  NEAR_MISS_PAGE_SIZE,
} from "../app/models/matching.server";
import { readScaleInfo, seedScale } from "./seed-scale";

const SCALE = { products: 10_000, firms: 20_000, requests: 100_000, seed: 42 };
const MYSQL_DB = "zr_bench_match";
/** The firm's match page: the first page of matches and of near misses, with exact counts. */
const PAGE = { matchLimit: MATCH_PAGE_SIZE, nearMissLimit: NEAR_MISS_PAGE_SIZE };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

const round = (x: number) => Math.round(x * 100) / 100;

interface Result {
  products: number;
  requests: number;
  request_p50_ms: number;
  request_p95_ms: number;
  request_max_ms: number;
  product_p50_ms: number;
  product_p95_ms: number;
  product_max_ms: number;
  db: "sqlite" | "mysql";
}

async function sample(
  db: Db,
  table: "financing_requests" | "loan_products",
  n: number,
  seed: number,
) {
  const rows =
    table === "financing_requests"
      ? await db.selectFrom(table).select("id").where("status", "=", "open").execute()
      : await db.selectFrom(table).select("id").where("active", "=", 1).execute();
  const rand = prng(seed);
  // Without replacement (a partial shuffle), so no id is both warmed up and timed.
  const ids = rows.map((r) => r.id);
  const k = Math.min(n, ids.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (ids.length - i));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids.slice(0, k);
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function run(handle: DbHandle, label: string): Promise<Result> {
  const { db } = handle;
  await migrateToLatest(db);
  let info = await readScaleInfo(db);
  if (!info) {
    console.log(`[${label}] seeding scale data (${JSON.stringify(SCALE)}) …`);
    info = await seedScale(db, {
      ...SCALE,
      today: "2026-11-27",
      log: (s) => console.log(`[${label}]   ${s}`),
    });
    console.log(`[${label}] seeded in ${info.seconds} s`);
  } else {
    console.log(`[${label}] scale data present: ${JSON.stringify(info)}`);
  }
  const today = info.today;
  const nRequests = arg("n-requests", 200);
  const nProducts = arg("n-products", 60);
  // Warm-up ids are drawn with the timed ones but never timed: a timed id must not find its rows
  // already in the database's cache because the warm-up just read them.
  const WARM_REQUESTS = 10;
  const WARM_PRODUCTS = 3;
  const drawnRequests = await sample(db, "financing_requests", nRequests + WARM_REQUESTS, 7);
  const drawnProducts = await sample(db, "loan_products", nProducts + WARM_PRODUCTS, 8);
  const warmRequests = drawnRequests.slice(0, WARM_REQUESTS);
  const warmProducts = drawnProducts.slice(0, WARM_PRODUCTS);
  const requestIds = drawnRequests.slice(WARM_REQUESTS);
  const productIds = drawnProducts.slice(WARM_PRODUCTS);

  // Warm up the JIT and the connection pool, untimed.
  for (const id of warmRequests) await findMatchesForRequest(db, id, today, PAGE);
  for (const id of warmProducts) await findRequestsForProduct(db, id, {}, today);

  const reqTimes: number[] = [];
  let matches = 0;
  let nearMisses = 0;
  for (const id of requestIds) {
    reqTimes.push(
      await time(async () => {
        const r = await findMatchesForRequest(db, id, today, PAGE);
        matches += r?.matchCount ?? 0;
        nearMisses += r?.nearMissCount ?? 0;
      }),
    );
  }
  const prodTimes: number[] = [];
  let totals = 0;
  for (const id of productIds) {
    prodTimes.push(
      await time(async () => {
        const r = await findRequestsForProduct(db, id, { page: 1, pageSize: 20 }, today);
        totals += r?.total ?? 0;
      }),
    );
  }
  reqTimes.sort((a, b) => a - b);
  prodTimes.sort((a, b) => a - b);
  const result: Result = {
    products: info.products,
    requests: info.requests,
    request_p50_ms: round(percentile(reqTimes, 50)),
    request_p95_ms: round(percentile(reqTimes, 95)),
    request_max_ms: round(reqTimes[reqTimes.length - 1]),
    product_p50_ms: round(percentile(prodTimes, 50)),
    product_p95_ms: round(percentile(prodTimes, 95)),
    product_max_ms: round(prodTimes[prodTimes.length - 1]),
    db: handle.kind,
  };
  console.log(`\n${label}: ${info.products} products, ${info.requests} requests, today ${today}`);
  console.table([
    {
      direction: "request → products",
      runs: reqTimes.length,
      "p50 ms": result.request_p50_ms,
      "p95 ms": result.request_p95_ms,
      "max ms": result.request_max_ms,
      target: "p95 ≤ 10",
      avg: `${round(matches / reqTimes.length)} matches, ${round(nearMisses / reqTimes.length)} near misses`,
    },
    {
      direction: "product → requests",
      runs: prodTimes.length,
      "p50 ms": result.product_p50_ms,
      "p95 ms": result.product_p95_ms,
      "max ms": result.product_max_ms,
      target: "p95 ≤ 200",
      avg: `${round(totals / prodTimes.length)} matching requests`,
    },
  ]);
  return result;
}

async function mysqlReachable(serverUrl: string): Promise<boolean> {
  const u = new URL(serverUrl);
  try {
    const conn = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username || "root"),
      password: decodeURIComponent(u.password),
      connectTimeout: 3000,
    });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

async function admin(serverUrl: string, statement: string) {
  const u = new URL(serverUrl);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
  });
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}

async function main() {
  const only = process.argv.includes("--sqlite-only")
    ? "sqlite"
    : process.argv.includes("--mysql-only")
      ? "mysql"
      : "both";
  const results: Result[] = [];
  if (only !== "mysql") {
    const file = process.env.BENCH_SQLITE ?? path.resolve("data", "bench-match.sqlite");
    const handle = createDb(`file:${file}`);
    try {
      results.push(await run(handle, `SQLite ${file}`));
    } finally {
      await handle.db.destroy();
    }
  }
  if (only !== "sqlite") {
    const server = (process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306").replace(
      /\/+$/,
      "",
    );
    if (await mysqlReachable(server)) {
      // BENCH_KEEP=1 keeps the database between runs (seeding it takes minutes).
      const keep = process.env.BENCH_KEEP === "1";
      if (!keep) await admin(server, `DROP DATABASE IF EXISTS \`${MYSQL_DB}\``);
      await admin(
        server,
        `CREATE DATABASE IF NOT EXISTS \`${MYSQL_DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      const handle = createDb(`${server}/${MYSQL_DB}`, { poolSize: 4 });
      try {
        results.push(await run(handle, `MariaDB ${server}/${MYSQL_DB}`));
      } finally {
        await handle.db.destroy();
        if (!keep) await admin(server, `DROP DATABASE IF EXISTS \`${MYSQL_DB}\``);
      }
    } else {
      console.log(`MariaDB/MySQL not reachable at ${server}: SQLite only.`);
    }
  }
  console.log("");
  const loadavg = os.loadavg().map((x) => Math.round(x * 100) / 100);
  for (const r of results) console.log(JSON.stringify({ ...r, loadavg }));
}

await main();
