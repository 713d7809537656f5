import "./production-env";
import { spawnSync } from "node:child_process";
import cluster, { type Worker } from "node:cluster";
import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { DEMO_PASSWORD, isDatabaseEmpty, seedDemo, type DemoLogin } from "../db/seed";
import { getDbHandle } from "../app/utils/db.server";
import { getEnv } from "../app/utils/env.server";
import { printLogins } from "./logins";
import { serve, shutdownOnSignals } from "./serve";

// `npm start`: build → migrate → (demo: seed an empty database) → serve → (demo: print log-ins).
// Production builds of React always; DEMO=0 makes it a deployment (docs/decisions/012-…).
// WEB_CONCURRENCY=N (N > 1): this process does the steps before serving, then N workers
// (node:cluster) serve on the one port; only the first runs the daily scheduler (docs/decisions/017-…).
const env = getEnv();
if (cluster.isWorker) {
  const server = await serve(env.PORT);
  shutdownOnSignals(server);
  await new Promise(() => {});
}
const demo = env.DEMO;
if (process.env.ZR_SKIP_BUILD !== "1") {
  console.log("building…");
  const r = spawnSync("npx", ["remix", "build"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (await ensureDatabaseExists(process.env.DATABASE_URL)) console.log("created the MySQL database");
const { db, kind, target } = getDbHandle();
const migrated = await migrateToLatest(db);
const applied = migrated.results?.filter((r) => r.status === "Success").length ?? 0;
console.log(`database: ${kind} (${target}), ${applied} migration(s) applied`);

let logins: DemoLogin[] | null = null;
if (!demo) {
  // A deployment never fills its database with demo organisations and a known password.
} else if (await isDatabaseEmpty(db)) {
  console.log("empty database: seeding the demo world…");
  logins = await seedDemo(db, { log: (s) => console.log("  " + s) });
} else {
  const known = await db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .select(["users.email", "users.role", "organisations.name"])
    .where("users.email", "in", [
      "admin@zhirong.demo",
      "firm01@firms.demo",
      "officer1@nmgbank.demo",
      "officer1@baotoubank.demo",
      "officer1@nongshang.demo",
      "appraiser@valuer.demo",
      "alliance@amr.demo",
    ])
    .execute();
  if (known.length) logins = known.map((k) => ({ role: k.role, email: k.email, org: k.name }));
}

const workers = env.WEB_CONCURRENCY;
const mode = `database: ${kind}, ${demo ? "demo" : "deployment"}, NODE_ENV=${env.NODE_ENV}`;
if (workers <= 1) {
  const server = await serve(env.PORT);
  shutdownOnSignals(server);
  console.log(`\n知融 is running on http://localhost:${env.PORT}  (${mode})`);
} else {
  await db.destroy();
  await runWorkers(workers);
  console.log(
    `\n知融 is running on http://localhost:${env.PORT}  (${mode}, ${workers} workers${process.env.REDIS_URL ? ", events through Redis" : ", no REDIS_URL: live events stay in each worker"})`,
  );
}
if (logins) printLogins(logins, DEMO_PASSWORD);

/** Forks the workers, waits until all listen, and replaces one that dies unasked. */
async function runWorkers(n: number): Promise<void> {
  let stopping = false;
  const fork = (scheduler: boolean): Worker => {
    const w = cluster.fork({
      ZR_SKIP_BUILD: "1",
      // The scheduler's runs are idempotent through job_runs; one worker is enough.
      ZR_NO_SCHEDULER: scheduler ? (process.env.ZR_NO_SCHEDULER ?? "0") : "1",
    });
    w.on("exit", (code, signal) => {
      if (stopping) return;
      console.error(`worker ${w.process.pid} exited (${signal ?? code}); starting another`);
      fork(scheduler);
    });
    return w;
  };
  const started = Array.from({ length: n }, (_, i) => fork(i === 0));
  await Promise.all(
    started.map((w) => new Promise<void>((resolve) => w.once("listening", () => resolve()))),
  );
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    setTimeout(() => process.exit(0), 4000).unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGTERM"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
