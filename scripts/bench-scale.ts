/**
 * `npm run bench:scale`: the heavy pages at `seed:scale` size (issue 15), one user at a time.
 *
 * Uses DATABASE_URL, else ./data/scale.sqlite; seeds the scale data there unless the database
 * already has them (settings.scale_seed). Builds first when there is no build. The app runs in its
 * own child process (scripts/bench/app-server.ts, production builds); autocannon runs here with one
 * connection per page, signed in through session rows this script writes for a bench bank officer
 * (of the scale bank with the most products) and a bench admin. `npm run reconcile` is timed as a
 * separate process. Prints a table, then one JSON line:
 *   {"db":…,"pipeline_p95_ms":…,"alliance_review_p95_ms":…,"ledger_p95_ms":…,
 *    "admin_ledger_p95_ms":…,"reconcile_s":…,"ledger_entries":…,…}
 * alliance_review_first_view_ms is one view of a filter combination nobody has viewed yet (it waits
 * for its figures, decision 025); the other review figures are views of stored figures.
 * autocannon reports no p95; the *_p95_ms figures are its p97.5 (an upper bound of the p95). A page
 * slower than a quarter of the run is timed 3 times in a row instead (p95 = the slowest).
 */
import autocannon from "autocannon";
import { sql } from "kysely";
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { createDb } from "../app/utils/db.server";
import { nowInstant, todayInChina, toDbInstant } from "../app/utils/time";
import { readScaleInfo, SCALE_DEFAULTS, seedScale } from "./seed-scale";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

if (!existsSync(path.resolve("build/index.js"))) {
  console.log("no build yet: building…");
  const r = spawnSync("npx", ["remix", "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

mkdirSync("data", { recursive: true });
const url = process.env.DATABASE_URL ?? `file:${path.resolve("data/scale.sqlite")}`;
const dbKind = url.startsWith("mysql") ? "mysql" : "sqlite";
const secret = randomBytes(32).toString("hex");
await ensureDatabaseExists(url);
const { db } = createDb(url);
await migrateToLatest(db);
let info = await readScaleInfo(db);
if (!info) {
  console.log(`seeding scale data into ${url}…`);
  info = await seedScale(db, {
    ...SCALE_DEFAULTS,
    today: todayInChina(),
    log: (s) => console.log(`  ${s}`),
  });
}

/** A bench user of `orgId` with a fresh session; returns the cookie. */
async function benchSession(orgId: number, role: "bank_officer" | "admin"): Promise<string> {
  const email = `bench-${role}-${orgId}@scale.invalid`;
  let user = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirst();
  if (!user) {
    await db
      .insertInto("users")
      .values({
        org_id: orgId,
        email,
        // Never used to sign in: the bench writes its session row directly.
        password_hash: "!bench",
        role,
        display_name: `bench ${role}`,
        created_at: nowInstant(),
      })
      .execute();
    user = await db
      .selectFrom("users")
      .select("id")
      .where("email", "=", email)
      .executeTakeFirstOrThrow();
  }
  // A deployment (NODE_ENV=production, DEMO=0) requires two-factor authentication of admins and
  // bank officers: an admin who never enrolled is sent to /account/two-factor (302) by every page
  // behind a money-moving permission, /admin/ledger among them. The bench users are enrolled (the
  // secret is never used: the session row below stands for a completed sign-in).
  const totp = await db
    .selectFrom("user_totp")
    .select("user_id")
    .where("user_id", "=", user.id)
    .executeTakeFirst();
  if (!totp) {
    await db
      .insertInto("user_totp")
      .values({
        user_id: user.id,
        secret_enc: "!bench",
        created_at: nowInstant(),
        enabled_at: nowInstant(),
        last_step: null,
      })
      .execute();
  }
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  await db
    .insertInto("sessions")
    .values({
      id: createHmac("sha256", secret).update(token).digest("hex"),
      user_id: user.id,
      created_at: toDbInstant(now),
      last_seen_at: toDbInstant(now),
      expires_at: toDbInstant(new Date(now.getTime() + 6 * 3600_000)),
      ip: null,
    })
    .execute();
  return `zr_session=${token}`;
}

const bank = await db
  .selectFrom("loan_products")
  .select(["bank_org_id", sql<number>`COUNT(*)`.as("n")])
  .groupBy("bank_org_id")
  .orderBy(sql`COUNT(*)`, "desc")
  .executeTakeFirstOrThrow();
const product = await db
  .selectFrom("loan_products")
  .select("id")
  .where("bank_org_id", "=", bank.bank_org_id)
  .where("active", "=", 1)
  .orderBy("id")
  .executeTakeFirstOrThrow();
let platform = await db
  .selectFrom("organisations")
  .select("id")
  .where("kind", "=", "platform")
  .executeTakeFirst();
if (!platform) {
  await db
    .insertInto("organisations")
    .values({ kind: "platform", name: "平台（规模测试）", created_at: nowInstant() })
    .execute();
  platform = await db
    .selectFrom("organisations")
    .select("id")
    .where("kind", "=", "platform")
    .executeTakeFirstOrThrow();
}
const officer = await benchSession(bank.bank_org_id, "bank_officer");
const admin = await benchSession(platform.id, "admin");
const counts = await db
  .selectFrom("ledger_entries")
  .select([sql<number>`COUNT(*)`.as("n"), sql<number>`MAX(id)`.as("max")])
  .executeTakeFirstOrThrow();
// Page 200 as the "next" links reach it: a keyset cursor 199 pages below the newest entry.
const page200After = Number(counts.max) - 199 * 50 + 1;
const repayments = await db
  .selectFrom("repayment_entries")
  .select(sql<number>`COUNT(*)`.as("n"))
  .executeTakeFirstOrThrow();
await db.destroy();

const PAGES: Array<{ key: string; path: string; cookie: string }> = [
  { key: "pipeline", path: "/bank/pipeline", cookie: officer },
  // The bank's per-product state listing (issue 10): every open request judged by the engine into
  // ready / subject to appraisal / near miss; a state tab filters the same evaluated list.
  { key: "match", path: `/bank/products/${product.id}`, cookie: officer },
  { key: "alliance_review", path: "/alliance/review", cookie: admin },
  { key: "bank_review", path: "/alliance/review", cookie: officer },
  { key: "ledger", path: "/ledger", cookie: admin },
  { key: "ledger_page_200", path: `/ledger?page=200&after=${page200After}`, cookie: admin },
  { key: "admin_ledger", path: "/admin/ledger", cookie: admin },
  { key: "report", path: "/report", cookie: "" },
];

const child: ChildProcess = fork(path.resolve("scripts/bench/app-server.ts"), [], {
  execArgv: ["--import", "tsx"],
  env: {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: url,
    SESSION_SECRET: secret,
    DEMO: "0",
  },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const port = await new Promise<number>((resolve, reject) => {
  child.once("message", (m) => resolve((m as { port: number }).port));
  child.once("exit", (code) => reject(new Error(`app server exited with ${code}`)));
});

const loadavg = os.loadavg().map((x) => Math.round(x * 100) / 100);
const results: Record<
  string,
  { status: number; p50_ms: number; p95_ms: number; rps: number; errors: number }
> = {};
let firstViewMs = 0;
try {
  for (const p of PAGES) {
    const headers: Record<string, string> = {
      "accept-language": "zh-CN",
      "accept-encoding": "gzip",
    };
    if (p.cookie) headers.cookie = p.cookie;
    // Untimed warm-up (JIT, first render, caches), and a check that the page answers.
    const warm = await fetch(`http://127.0.0.1:${port}${p.path}`, { headers, redirect: "manual" });
    await warm.arrayBuffer();
    // A redirect (to log in, to two-factor enrolment) would time another page: say so loudly.
    if (warm.status !== 200) {
      console.error(
        `${p.key}: ${p.path} answered ${warm.status}${warm.headers.get("location") ? ` → ${warm.headers.get("location")}` : ""}`,
      );
    }
    // A page slower than the run would complete no request in autocannon: time 3 in a row.
    const t0 = performance.now();
    await (await fetch(`http://127.0.0.1:${port}${p.path}`, { headers })).arrayBuffer();
    const once = performance.now() - t0;
    if (once > (SECONDS * 1000) / 4) {
      const times = [once];
      for (let i = 0; i < 2; i++) {
        const t = performance.now();
        await (await fetch(`http://127.0.0.1:${port}${p.path}`, { headers })).arrayBuffer();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      results[p.key] = {
        status: warm.status,
        p50_ms: Math.round(times[1]),
        p95_ms: Math.round(times[2]),
        rps: Math.round((3000 / times.reduce((a, b) => a + b, 0)) * 10) / 10,
        errors: 0,
      };
      continue;
    }
    const r = await autocannon({
      url: `http://127.0.0.1:${port}${p.path}`,
      connections: 1,
      duration: SECONDS,
      headers,
    });
    results[p.key] = {
      status: warm.status,
      p50_ms: r.latency.p50,
      p95_ms: r.latency.p97_5,
      rps: Math.round(r.requests.average * 10) / 10,
      errors: r.errors + r.non2xx + r.timeouts,
    };
  }
  // The first view of a filter combination nobody has viewed yet waits for its figures (decision
  // 025): a period starting on a random day of this year, timed once.
  const today = todayInChina();
  const yearStart = Date.UTC(Number(today.slice(0, 4)), 0, 1);
  const days = Math.max(1, Math.round((Date.parse(`${today}T00:00:00Z`) - yearStart) / 86_400_000));
  const from = new Date(yearStart + Math.floor(Math.random() * days) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const t0 = performance.now();
  const first = await fetch(
    `http://127.0.0.1:${port}/alliance/review?from=${from}&to=${today}&region=150100`,
    { headers: { cookie: admin, "accept-language": "zh-CN", "accept-encoding": "gzip" } },
  );
  await first.arrayBuffer();
  firstViewMs = Math.round(performance.now() - t0);
  if (first.status !== 200) console.error(`first review view answered ${first.status}`);
} finally {
  child.kill();
}

const t0 = Date.now();
const rec = spawnSync("npx", ["tsx", "scripts/reconcile.ts"], {
  env: { ...process.env, DATABASE_URL: url },
  encoding: "utf8",
});
const reconcileS = Math.round((Date.now() - t0) / 100) / 10;
const recJson = JSON.parse(rec.stdout.trim().split("\n").at(-1) ?? "{}") as {
  drift_fen?: number;
  drift_count?: number;
};

console.log(
  `bench:scale on ${dbKind} (${url.replace(/\/\/[^@]*@/, "//…@")}), load ${loadavg.join(" ")}`,
);
console.log("page                 status  p50 ms  p95 ms   req/s  errors");
for (const [k, r] of Object.entries(results)) {
  console.log(
    `${k.padEnd(20)} ${String(r.status).padStart(6)} ${String(r.p50_ms).padStart(7)} ${String(r.p95_ms).padStart(7)} ${String(r.rps).padStart(7)} ${String(r.errors).padStart(7)}`,
  );
}
console.log(`alliance_review, a filter combination's first view: ${firstViewMs} ms`);
console.log(
  `reconcile: ${reconcileS} s, drift ${recJson.drift_fen ?? "?"} fen / ${recJson.drift_count ?? "?"}`,
);
console.log(
  JSON.stringify({
    db: dbKind,
    pipeline_p95_ms: results.pipeline.p95_ms,
    alliance_review_p95_ms: results.alliance_review.p95_ms,
    bank_review_p95_ms: results.bank_review.p95_ms,
    alliance_review_first_view_ms: firstViewMs,
    ledger_p95_ms: results.ledger.p95_ms,
    admin_ledger_p95_ms: results.admin_ledger.p95_ms,
    match_p95_ms: results.match.p95_ms,
    report_p95_ms: results.report.p95_ms,
    reconcile_s: reconcileS,
    reconcile_drift_fen: recJson.drift_fen ?? null,
    ledger_entries: Number(counts.n),
    repayment_entries: Number(repayments.n),
    entries_reconciled: Number(counts.n) + Number(repayments.n),
    errors: Object.values(results).reduce((s, r) => s + r.errors, 0),
    loadavg,
    pages: results,
  }),
);
