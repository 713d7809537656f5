/**
 * A fresh, migrated database for one integration test file (or one test).
 *
 *   import { useTestDb } from "../support/db";
 *   const t = useTestDb(); // beforeAll: create + migrate + setDbHandle; afterAll: drop
 *   it("…", async () => { await t.db.selectFrom("users").selectAll().execute(); });
 *
 * or, by hand: `const t = await createTestDb(); … await t.cleanup();`
 *
 * Which database: TEST_DB=sqlite (default; a new file under the OS temp dir) or TEST_DB=mysql (a new
 * database `zr_test_<runid>_<random>` on MYSQL_TEST_URL / the server the global setup found,
 * utf8mb4_unicode_ci, dropped again by cleanup()). The handle is installed with setDbHandle(), so
 * app code (getDb()) and the built server loaded in this process use the same database.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, inject } from "vitest";
import {
  createDb,
  setDbHandle,
  type Db,
  type DbHandle,
  type DbKind,
} from "../../app/utils/db.server";
import { migrateToLatest } from "../../db/migrate";
import { newRunId, TEST_DB_PREFIX, testDbKind } from "./test-env";
import "./vitest-context";

export { testDbKind };

export interface TestDb {
  db: Db;
  kind: DbKind;
  /** DATABASE_URL-style address: `file:/tmp/…/test.sqlite` or `mysql://root@host:port/zr_test_…` */
  url: string;
  handle: DbHandle;
  /** The MySQL database name, or the SQLite file path. */
  name: string;
  /** Closes the pool and drops the database / deletes the file. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface TestDbOptions {
  /** Defaults to TEST_DB (sqlite when unset). */
  kind?: DbKind;
  /** Run migrateToLatest (default true). */
  migrate?: boolean;
  /** Install the handle with setDbHandle() for app code (default true). */
  global?: boolean;
  /** MySQL pool size (default 10). For a test that needs many connections, see below. */
  poolSize?: number;
}

function safeInject<K extends "mysqlUrl" | "testRunId">(key: K): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined;
  }
}

/** Server URL without a database. */
export function mysqlServerUrl(): string {
  const url = safeInject("mysqlUrl") || process.env.MYSQL_TEST_URL || "mysql://root@127.0.0.1:3306";
  const u = new URL(url);
  u.pathname = "";
  u.search = "";
  return u.toString().replace(/\/+$/, "");
}

let fallbackRunId: string | undefined;

/** Shared by every file of one run, so a crashed run's databases can be found and dropped. */
export function testRunId(): string {
  const id = process.env.ZR_TEST_RUN_ID || safeInject("testRunId");
  if (id) return id;
  fallbackRunId ??= newRunId();
  return fallbackRunId;
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const u = new URL(serverUrl);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    connectTimeout: 5000,
  });
  try {
    await conn.query(statement);
  } finally {
    await conn.end();
  }
}

export async function createTestDb(opts: TestDbOptions = {}): Promise<TestDb> {
  const kind = opts.kind ?? testDbKind();
  let handle: DbHandle;
  let url: string;
  let name: string;
  let drop: () => Promise<void>;

  if (kind === "mysql") {
    const server = mysqlServerUrl();
    name = `${TEST_DB_PREFIX}${testRunId()}_${randomBytes(4).toString("hex")}`;
    await adminQuery(
      server,
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    url = `${server}/${name}`;
    handle = createDb(url, { poolSize: opts.poolSize ?? 10 });
    drop = () => adminQuery(server, `DROP DATABASE IF EXISTS \`${name}\``);
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), "zr-test-"));
    name = path.join(dir, "test.sqlite");
    url = `file:${name}`;
    handle = createDb(url);
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (globalHandleIs(handle)) setDbHandle(undefined);
    try {
      await handle.db.destroy();
    } finally {
      await drop();
    }
  };

  try {
    if (opts.migrate ?? true) await migrateToLatest(handle.db);
  } catch (e) {
    await cleanup();
    throw e;
  }
  if (opts.global ?? true) setDbHandle(handle);
  return { db: handle.db, kind, url, handle, name, cleanup };
}

function globalHandleIs(h: DbHandle): boolean {
  try {
    return (globalThis as { __zrDbHandle?: DbHandle }).__zrDbHandle === h;
  } catch {
    return false;
  }
}

/**
 * Registers beforeAll/afterAll hooks that give this file its own database. The returned object's
 * fields are readable inside tests and hooks (after beforeAll has run).
 */
export function useTestDb(opts: TestDbOptions = {}): TestDb {
  let current: TestDb | undefined;
  beforeAll(async () => {
    current = await createTestDb(opts);
  });
  afterAll(async () => {
    await current?.cleanup();
    current = undefined;
  });
  const get = (): TestDb => {
    if (!current) {
      throw new Error(
        "useTestDb(): the database exists only inside tests and hooks after beforeAll",
      );
    }
    return current;
  };
  return {
    get db() {
      return get().db;
    },
    get kind() {
      return get().kind;
    },
    get url() {
      return get().url;
    },
    get handle() {
      return get().handle;
    },
    get name() {
      return get().name;
    },
    cleanup: () => get().cleanup(),
  };
}

/**
 * Re-exported for tests that need a second handle on the same database, e.g. one with 60
 * connections: `const big = createDb(t.url, { poolSize: 60 }); … await big.db.destroy();`
 */
export { createDb };
