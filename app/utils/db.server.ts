import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, MysqlDialect, SqliteDialect } from "kysely";
import { createPool } from "mysql2";
import type { Database } from "../../db/schema";

export type DbKind = "sqlite" | "mysql";
export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  kind: DbKind;
  /** Human-readable target without credentials, for logs and /healthz. */
  target: string;
}

/**
 * The one database factory. `DATABASE_URL` unset → ./data/app.sqlite;
 * `file:/path.sqlite` → that file; `mysql://user:pass@host:port/db` → a mysql2 pool.
 */
export function createDb(
  url: string | undefined,
  opts: { dataDir?: string; poolSize?: number } = {},
): DbHandle {
  if (url && url.startsWith("mysql://")) {
    const u = new URL(url);
    const pool = createPool({
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username || "root"),
      password: decodeURIComponent(u.password),
      database: u.pathname.replace(/^\//, "") || undefined,
      charset: "utf8mb4_unicode_ci",
      timezone: "Z",
      // Money is BIGINT fen: keep it exact. Values beyond 2^53 come back as strings.
      supportBigNumbers: true,
      bigNumberStrings: false,
      // SUM() over BIGINT is DECIMAL; our sums stay far below 2^53 fen.
      decimalNumbers: true,
      dateStrings: true,
      connectionLimit: opts.poolSize ?? Number(u.searchParams.get("connectionLimit") ?? 10),
    });
    pool.on("connection", (conn) => {
      conn.query("SET time_zone = '+00:00'");
      conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')");
    });
    return {
      db: new Kysely<Database>({ dialect: new MysqlDialect({ pool }) }),
      kind: "mysql",
      target: `mysql://${u.hostname}:${u.port || 3306}${u.pathname}`,
    };
  }
  const file = url?.startsWith("file:")
    ? url.slice("file:".length)
    : path.join(opts.dataDir ?? "./data", "app.sqlite");
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }),
    kind: "sqlite",
    target: `file:${file}`,
  };
}

// Kept on globalThis so the server build and the scripts/tests that load it share one pool.
const holder = globalThis as typeof globalThis & { __zrDbHandle?: DbHandle };

/** The process-wide handle used by the running app (created lazily from the env). */
export function getDbHandle(): DbHandle {
  holder.__zrDbHandle ??= createDb(process.env.DATABASE_URL || undefined, {
    dataDir: process.env.DATA_DIR,
  });
  return holder.__zrDbHandle;
}

export function getDb(): Db {
  return getDbHandle().db;
}

/** Used by tests and scripts that create their own handle. */
export function setDbHandle(h: DbHandle | undefined) {
  holder.__zrDbHandle = h;
}
