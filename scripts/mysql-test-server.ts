/**
 * Finds the MariaDB/MySQL server the integration suite runs against, or starts a throwaway one.
 *
 * Order: MYSQL_TEST_URL when set (must answer, or we fail), else mysql://root@127.0.0.1:3306
 * (the server this kind of machine starts), else a private `mariadbd` on a free port with a
 * temporary datadir, stopped by `stop()`. When MariaDB is not installed, scripts/ensure-system-deps.sh
 * installs it (as root) or prints the exact command to run.
 *
 * Used by scripts/test.ts and by the integration project's global setup, so `TEST_DB=mysql npx
 * vitest run --project integration` works on its own too.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";

export const DEFAULT_MYSQL_TEST_URL = "mysql://root@127.0.0.1:3306";

export interface MysqlTestServer {
  /** Server URL without a database, e.g. mysql://root@127.0.0.1:3306 */
  url: string;
  host: string;
  port: number;
  /** e.g. "10.11.19-MariaDB-0+deb12u1" */
  version: string;
  /** e.g. "MariaDB 10.11.19 at 127.0.0.1:3306" or "MariaDB 10.11.19 (throwaway) at 127.0.0.1:40123" */
  label: string;
  /** True when this process started the server (and `stop()` ends it). */
  started: boolean;
  stop(): Promise<void>;
}

type Probe = { ok: true; version: string } | { ok: false; error: string; code?: string };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function probeMysql(url: string, timeoutMs = 3000): Promise<Probe> {
  const u = new URL(url);
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username || "root"),
      password: decodeURIComponent(u.password),
      connectTimeout: timeoutMs,
    });
    const [rows] = await conn.query("SELECT VERSION() AS v");
    return { ok: true, version: String((rows as Array<{ v: string }>)[0].v) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, error: err.message || String(e), code: err.code };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** "10.11.19-MariaDB-0+deb12u1" → "MariaDB 10.11.19"; "8.0.36" → "MySQL 8.0.36". */
export function describeVersion(version: string): string {
  const num = /^(\d+\.\d+\.\d+)/.exec(version)?.[1] ?? version;
  return `${/mariadb/i.test(version) ? "MariaDB" : "MySQL"} ${num}`;
}

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port ? Number(u.port) : 3306 };
}

/** Returns a server that answers, starting a throwaway MariaDB when needed. Never skips. */
export async function ensureMysqlServer(
  log: (line: string) => void = (l) => console.log(l),
): Promise<MysqlTestServer> {
  const explicit = process.env.MYSQL_TEST_URL;
  const url = (explicit || DEFAULT_MYSQL_TEST_URL).replace(/\/+$/, "");
  // ZR_TEST_MYSQL=throwaway skips the default server (to try the throwaway path); an explicit
  // MYSQL_TEST_URL always wins, so a run that already started a throwaway does not start another.
  if (explicit || process.env.ZR_TEST_MYSQL !== "throwaway") {
    const probe = await probeMysql(url);
    if (probe.ok) {
      const { host, port } = hostPort(url);
      return {
        url,
        host,
        port,
        version: probe.version,
        label: `${describeVersion(probe.version)} at ${host}:${port}`,
        started: false,
        stop: async () => undefined,
      };
    }
    if (explicit) {
      throw new Error(
        `MYSQL_TEST_URL=${redact(url)} does not answer: ${probe.error}. ` +
          `Start that server, or unset MYSQL_TEST_URL to use ${DEFAULT_MYSQL_TEST_URL} or a throwaway MariaDB.`,
      );
    }
    log(
      `[mysql] ${DEFAULT_MYSQL_TEST_URL} does not answer (${probe.error}); starting a throwaway MariaDB`,
    );
  }
  return startThrowawayMariadb(log);
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

function which(
  names: string[],
  dirs = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"],
) {
  const pathDirs = (process.env.PATH ?? "").split(":").filter(Boolean);
  for (const name of names) {
    for (const dir of [...dirs, ...pathDirs]) {
      const p = path.join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

function findMariadbBinaries() {
  return {
    server: which(["mariadbd", "mysqld"]),
    installDb: which(["mariadb-install-db", "mysql_install_db"]),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

export async function startThrowawayMariadb(
  log: (line: string) => void = (l) => console.log(l),
): Promise<MysqlTestServer> {
  let bins = findMariadbBinaries();
  if (!bins.server || !bins.installDb) {
    log("[mysql] mariadbd is not installed; running scripts/ensure-system-deps.sh mariadb");
    const r = spawnSync("bash", [path.join(repoRoot, "scripts/ensure-system-deps.sh"), "mariadb"], {
      stdio: "inherit",
    });
    bins = findMariadbBinaries();
    if (r.status !== 0 || !bins.server || !bins.installDb) {
      throw new Error(
        "MariaDB is not installed and could not be installed (see the message above)",
      );
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "zr-mariadb-"));
  const datadir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const errorLog = path.join(dir, "error.log");
  const userArgs = isRoot ? ["--user=root"] : [];

  const init = spawnSync(
    bins.installDb,
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      "--skip-name-resolve",
      ...userArgs,
    ],
    { encoding: "utf8" },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }

  const port = await freePort();
  const child: ChildProcess = spawn(
    bins.server,
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--pid-file=${path.join(dir, "mysqld.pid")}`,
      `--log-error=${errorLog}`,
      "--skip-name-resolve",
      "--skip-log-bin",
      "--max-connections=500",
      "--innodb-buffer-pool-size=256M",
      // A throwaway server: durability buys nothing, speed does.
      "--innodb-flush-log-at-trx-commit=0",
      "--innodb-doublewrite=0",
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_unicode_ci",
      ...userArgs,
    ],
    { stdio: "ignore", detached: false },
  );
  let exited = false;
  child.on("exit", () => (exited = true));
  const killOnExit = () => {
    if (!exited) child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);

  const url = `mysql://root@127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let probe: Probe = { ok: false, error: "not started" };
  while (Date.now() < deadline && !exited) {
    probe = await probeMysql(url, 1000);
    if (probe.ok) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async () => {
    process.off("exit", killOnExit);
    if (!exited) {
      const done = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!probe.ok) {
    const logText = tail(errorLog);
    await stop();
    throw new Error(
      `throwaway mariadbd did not come up on port ${port}: ${probe.error}\n${logText}`,
    );
  }
  log(`[mysql] throwaway ${describeVersion(probe.version)} running on 127.0.0.1:${port} (${dir})`);
  return {
    url,
    host: "127.0.0.1",
    port,
    version: probe.version,
    label: `${describeVersion(probe.version)} (throwaway) at 127.0.0.1:${port}`,
    started: true,
    stop,
  };
}

// `tsx scripts/mysql-test-server.ts` prints which server the suite would use (and starts none for long).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await ensureMysqlServer();
  console.log(`${server.label} → ${server.url}`);
  await server.stop();
}
