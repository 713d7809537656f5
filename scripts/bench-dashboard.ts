/**
 * `npm run bench:dashboard` — how long the dashboards take to read the running total with 1,000
 * and with 1,000,000 ledger entries. It times getProgressSummary(), the one function the home
 * page, every dashboard and the SSE stream call, on a fresh database per size, filled with
 * synthetic entries (2022–2025, 3 banks, 12 盟市, 4 IP types, 20,000 firms) and the totals,
 * rollups and financed_firms that go with them, written with multi-row inserts.
 *
 *   npm run bench:dashboard                       SQLite, then MariaDB when reachable
 *   npm run bench:dashboard -- --db=sqlite        one database only
 *   npm run bench:dashboard -- --large=200000     another large size
 *
 * MariaDB: BENCH_MYSQL_URL, else MYSQL_TEST_URL, else mysql://root@127.0.0.1:3306 (a scratch
 * database zr_bench_<random> is created and dropped). Target: large p50 ≤ 1.5 × small p50.
 * The last line is JSON for the last database run.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import type { IpType, RollupDimension } from "../db/schema";
import { migrateToLatest } from "../db/migrate";
import { IP_TYPES } from "../app/domain/ip";
import { REGION_CODES } from "../app/domain/regions";
import { getProgressSummary } from "../app/models/progress.server";
import { createDb, type Db, type DbKind } from "../app/utils/db.server";
import { nowInstant } from "../app/utils/time";

const arg = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const SMALL = 1_000;
const LARGE = Number(arg("large") ?? 1_000_000);
const FIRMS = 20_000;
const ITERATIONS = Number(arg("iterations") ?? 300);
const only = arg("db") as DbKind | undefined;

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function setupOrgs(db: Db): Promise<{ banks: number[]; firmBase: number }> {
  const now = nowInstant();
  const banks: number[] = [];
  for (const name of ["草原银行", "鹿城银行", "北疆农商"]) {
    const r = await db
      .insertInto("organisations")
      .values({ kind: "bank", name, created_at: now })
      .executeTakeFirstOrThrow();
    banks.push(Number(r.insertId));
  }
  // Firms are only referenced by id from the ledger; the dashboard never joins them.
  return { banks, firmBase: 1_000 };
}

/** Fills the ledger and every total that goes with it; prints progress for the big run. */
async function fill(db: Db, entries: number, log: (s: string) => void): Promise<void> {
  const { banks, firmBase } = await setupOrgs(db);
  const rand = prng(20251231);
  const months: string[] = [];
  for (let y = 2022; y <= 2025; y++) {
    for (let m = 1; m <= 12; m++) months.push(`${y}-${String(m).padStart(2, "0")}`);
  }
  // A growing history: later months are likelier (weight ∝ month index + 6).
  const cumulative: number[] = [];
  months.forEach((_, i) => cumulative.push((cumulative[i - 1] ?? 0) + i + 6));
  const totalWeight = cumulative[cumulative.length - 1];
  const pickMonth = () => {
    const x = rand() * totalWeight;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return months[lo];
  };
  const buckets = new Map<string, { fen: number; n: number }>();
  const rollups = new Map<string, { fen: number; n: number }>();
  const firms = new Map<number, { n: number; first: string }>();
  const bump = (m: Map<string, { fen: number; n: number }>, k: string, fen: number) => {
    const v = m.get(k) ?? { fen: 0, n: 0 };
    v.fen += fen;
    v.n += 1;
    m.set(k, v);
  };
  const now = nowInstant();
  const BATCH = 1_000;
  const started = Date.now();
  for (let done = 0; done < entries; done += BATCH) {
    const rows = [];
    for (let i = done; i < Math.min(entries, done + BATCH); i++) {
      const month = pickMonth();
      const valueDate = `${month}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`;
      const region = REGION_CODES[Math.floor(rand() * REGION_CODES.length)];
      const bank = banks[Math.floor(rand() * banks.length)];
      const ipType: IpType = IP_TYPES[Math.floor(rand() * IP_TYPES.length)];
      const firm = firmBase + Math.floor(rand() * FIRMS);
      // 50万 … 2000万元, in fen
      const amountFen = 50_000_000 + Math.floor(rand() * 1_950_000_000);
      const appId = i + 1;
      rows.push({
        entry_type: "disbursement" as const,
        application_id: appId,
        disbursement_key: appId,
        reverses_entry_id: null,
        amount_fen: amountFen,
        value_date: valueDate,
        month,
        region_code: region,
        bank_org_id: bank,
        firm_org_id: firm,
        ip_type: ipType,
        reason: null,
        created_by: 1,
        created_at: now,
      });
      bump(buckets, `${region}|${bank}|${ipType}|${month}`, amountFen);
      bump(rollups, "total|", amountFen);
      bump(rollups, `month|${month}`, amountFen);
      bump(rollups, `region|${region}`, amountFen);
      bump(rollups, `bank|${bank}`, amountFen);
      bump(rollups, `ip_type|${ipType}`, amountFen);
      const f = firms.get(firm);
      if (f) {
        f.n += 1;
        if (valueDate < f.first) f.first = valueDate;
      } else firms.set(firm, { n: 1, first: valueDate });
    }
    await db.insertInto("ledger_entries").values(rows).execute();
    const n = Math.min(entries, done + BATCH);
    if (entries >= 100_000 && (n % 100_000 === 0 || n === entries)) {
      log(
        `  … ${n.toLocaleString("en")} entries (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const bucketRows = [...buckets].map(([k, v]) => {
    const [region, bank, ipType, month] = k.split("|");
    return {
      region_code: region,
      bank_org_id: Number(bank),
      ip_type: ipType,
      month,
      amount_fen: v.fen,
      entry_count: v.n,
    };
  });
  for (let i = 0; i < bucketRows.length; i += BATCH) {
    await db
      .insertInto("disbursement_totals")
      .values(bucketRows.slice(i, i + BATCH))
      .execute();
  }
  const firmRows = [...firms].map(([id, f]) => ({
    firm_org_id: id,
    disbursement_count: f.n,
    first_value_date: f.first,
  }));
  for (let i = 0; i < firmRows.length; i += BATCH) {
    await db
      .insertInto("financed_firms")
      .values(firmRows.slice(i, i + BATCH))
      .execute();
  }
  rollups.set("firms|", { fen: 0, n: firms.size });
  await db
    .insertInto("disbursement_rollups")
    .values(
      [...rollups].map(([k, v]) => {
        const [dimension, bucket] = k.split("|");
        return {
          dimension: dimension as RollupDimension,
          bucket,
          amount_fen: v.fen,
          entry_count: v.n,
        };
      }),
    )
    .execute();
}

/**
 * Times the two databases alternately (small, large, small, …) after a warm-up, so a burst of
 * load from another process on this shared machine falls on both sizes alike.
 */
async function timeBoth(small: Db, large: Db): Promise<{ small: Timing; large: Timing }> {
  for (let i = 0; i < 30; i++) {
    await getProgressSummary(small);
    await getProgressSummary(large);
  }
  const samples = { small: [] as number[], large: [] as number[] };
  for (let i = 0; i < ITERATIONS; i++) {
    for (const [key, db] of [
      ["small", small],
      ["large", large],
    ] as const) {
      const t0 = performance.now();
      await getProgressSummary(db);
      samples[key].push(performance.now() - t0);
    }
  }
  const stats = (list: number[]): Timing => {
    list.sort((a, b) => a - b);
    const at = (q: number) => list[Math.min(list.length - 1, Math.floor(q * list.length))];
    return { p50: at(0.5), p95: at(0.95) };
  };
  return { small: stats(samples.small), large: stats(samples.large) };
}

interface Timing {
  p50: number;
  p95: number;
}

interface Scratch {
  db: Db;
  drop(): Promise<void>;
}

async function scratchSqlite(): Promise<Scratch> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "zr-bench-"));
  const h = createDb(`file:${path.join(dir, "bench.sqlite")}`);
  return {
    db: h.db,
    drop: async () => {
      await h.db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mysqlServerUrl(): string {
  const u = new URL(
    process.env.BENCH_MYSQL_URL || process.env.MYSQL_TEST_URL || "mysql://root@127.0.0.1:3306",
  );
  u.pathname = "";
  return u.toString().replace(/\/+$/, "");
}

async function admin(url: string, statement: string) {
  const u = new URL(url);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    connectTimeout: 3000,
  });
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}

async function scratchMysql(): Promise<Scratch> {
  const server = mysqlServerUrl();
  const name = `zr_bench_${randomBytes(4).toString("hex")}`;
  await admin(
    server,
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  const h = createDb(`${server}/${name}`, { poolSize: 4 });
  return {
    db: h.db,
    drop: async () => {
      await h.db.destroy();
      await admin(server, `DROP DATABASE IF EXISTS \`${name}\``);
    },
  };
}

async function mysqlReachable(): Promise<boolean> {
  try {
    await admin(mysqlServerUrl(), "SELECT 1");
    return true;
  } catch {
    return false;
  }
}

interface Run {
  db: DbKind;
  entries: number;
  p50: number;
  p95: number;
  fillSeconds: number;
}

async function prepare(kind: DbKind, entries: number) {
  const scratch = kind === "sqlite" ? await scratchSqlite() : await scratchMysql();
  try {
    await migrateToLatest(scratch.db);
    const t0 = Date.now();
    console.log(`[${kind}] generating ${entries.toLocaleString("en")} ledger entries …`);
    await fill(scratch.db, entries, (s) => console.log(s));
    return { scratch, fillSeconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    await scratch.drop();
    throw e;
  }
}

async function runKind(kind: DbKind): Promise<{ small: Run; large: Run }> {
  const small = await prepare(kind, SMALL);
  try {
    const large = await prepare(kind, LARGE);
    try {
      const timing = await timeBoth(small.scratch.db, large.scratch.db);
      return {
        small: { db: kind, entries: SMALL, ...timing.small, fillSeconds: small.fillSeconds },
        large: { db: kind, entries: LARGE, ...timing.large, fillSeconds: large.fillSeconds },
      };
    } finally {
      await large.scratch.drop();
    }
  } finally {
    await small.scratch.drop();
  }
}

const kinds: DbKind[] = [];
if (!only || only === "sqlite") kinds.push("sqlite");
if (!only || only === "mysql") {
  if (await mysqlReachable()) kinds.push("mysql");
  else console.log("MariaDB not reachable: SQLite only");
}

const results: { kind: DbKind; small: Run; large: Run }[] = [];
for (const kind of kinds) {
  results.push({ kind, ...(await runKind(kind)) });
}

console.log("");
console.log("db      entries      p50 ms   p95 ms   fill s");
for (const { small, large } of results) {
  for (const r of [small, large]) {
    console.log(
      `${r.db.padEnd(7)} ${r.entries.toLocaleString("en").padStart(9)}  ${r.p50.toFixed(3).padStart(7)}  ${r.p95
        .toFixed(3)
        .padStart(7)}  ${r.fillSeconds.toFixed(1).padStart(7)}`,
    );
  }
  const ratio = large.p50 / small.p50;
  console.log(
    `${small.db.padEnd(7)} ratio large/small p50 = ${ratio.toFixed(2)}× (target ≤ 1.5×) ${ratio <= 1.5 ? "OK" : "OVER TARGET"}`,
  );
}
for (const { kind, small, large } of results) {
  console.log(
    JSON.stringify({
      entries_small: small.entries,
      entries_large: large.entries,
      small_p50_ms: Number(small.p50.toFixed(3)),
      large_p50_ms: Number(large.p50.toFixed(3)),
      small_p95_ms: Number(small.p95.toFixed(3)),
      large_p95_ms: Number(large.p95.toFixed(3)),
      ratio: Number((large.p50 / small.p50).toFixed(3)),
      db: kind,
    }),
  );
}
if (results.some((r) => r.large.p50 / r.small.p50 > 1.5)) process.exitCode = 1;
