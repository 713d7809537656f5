/**
 * Starts the built app for e2e tests as a child process (tests/e2e/support/serve.ts) on a free
 * port, with a fresh temporary SQLite database — or, with E2E_DB=mysql, a fresh database on
 * MYSQL_TEST_URL (dropped at stop) — migrated and seeded (db/seed.ts) when a seed exists.
 * Its output goes to tests/.artifacts/e2e-server.log; its stderr is echoed with a prefix.
 */
import { fork, type ChildProcess } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { freePort } from "../../../scripts/mysql-test-server";
import { booksDrift } from "./books";

export interface E2EServer {
  baseURL: string;
  databaseUrl: string;
  seeded: boolean;
  logFile: string;
  stop(): Promise<void>;
}

export const ARTIFACTS_DIR = path.resolve("tests/.artifacts");

type ChildMessage =
  { type: "ready"; port: number; seeded: boolean } | { type: "error"; message: string };

export async function startE2EServer(env: Record<string, string> = {}): Promise<E2EServer> {
  if (!existsSync(path.resolve("build/index.js"))) {
    throw new Error("build/index.js not found: run `npm run build` before the e2e tests");
  }
  // The port is chosen here so PORT and APP_ORIGIN are real values for the app's env schema; the
  // rare race where another process takes it first is met by trying again.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOnPort(port, env);
    } catch (e) {
      if (attempt >= 3 || !String(e).includes("EADDRINUSE")) throw e;
    }
  }
}

async function startOnPort(port: number, env: Record<string, string>): Promise<E2EServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "zr-e2e-"));
  const mysqlDb = process.env.E2E_DB === "mysql" ? await createMysqlDatabase() : null;
  const databaseUrl = mysqlDb?.url ?? `file:${path.join(dir, "e2e.sqlite")}`;
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const logFile = path.join(ARTIFACTS_DIR, "e2e-server.log");
  const log = createWriteStream(logFile);

  const child: ChildProcess = fork(path.resolve("tests/e2e/support/serve.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      HOST: "127.0.0.1",
      PORT: String(port),
      SESSION_SECRET: "e2e-session-secret-0123456789abcdef0123456789",
      APP_ORIGIN: `http://127.0.0.1:${port}`,
      ...env,
    },
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.on("data", (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString().split("\n")) {
      if (line.trim()) process.stderr.write(`[e2e-server] ${line}\n`);
    }
  });

  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );

  const ready = await new Promise<{ port: number; seeded: boolean }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("e2e server did not start within 180 s")),
      180_000,
    );
    child.on("message", (m: ChildMessage) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === "error") {
        clearTimeout(timer);
        reject(new Error(`e2e server failed to start:\n${m.message}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`e2e server exited with code ${code} before it was ready (see ${logFile})`));
    });
  }).catch(async (e: unknown) => {
    if (!exited) child.kill("SIGKILL");
    await exitPromise;
    log.end();
    rmSync(dir, { recursive: true, force: true });
    await mysqlDb?.drop();
    throw e;
  });

  return {
    baseURL: `http://127.0.0.1:${ready.port}`,
    databaseUrl,
    seeded: ready.seeded,
    logFile,
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exitPromise;
        clearTimeout(timer);
      }
      log.end();
      // Whatever the browser did, the books still balance (reconcile: zero drift after the suite).
      let drifts: string[] = [];
      try {
        drifts = await booksDrift(databaseUrl);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await mysqlDb?.drop();
      }
      // npm test reads this file and counts a drift as a failure (vitest only logs an error
      // thrown while its global set-up is torn down).
      if (process.env.E2E_BOOKS_FILE) {
        writeFileSync(process.env.E2E_BOOKS_FILE, JSON.stringify({ databaseUrl, drifts }));
      }
      if (drifts.length)
        throw new Error(`the e2e database does not reconcile: ${drifts.join("; ")}`);
      console.log(
        "[e2e] the database reconciles: no drift in the deal ledger, loans or risk sharing",
      );
    },
  };
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const u = new URL(serverUrl);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
  });
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}

/** A fresh utf8mb4 database for the e2e server on MYSQL_TEST_URL (or the local server). */
async function createMysqlDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = new URL(process.env.MYSQL_TEST_URL || "mysql://root@127.0.0.1:3306");
  server.pathname = "";
  const base = server.toString().replace(/\/+$/, "");
  const name = `zr_e2e_${randomBytes(4).toString("hex")}`;
  await adminQuery(
    base,
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  return {
    url: `${base}/${name}`,
    drop: () => adminQuery(base, `DROP DATABASE IF EXISTS \`${name}\``),
  };
}
