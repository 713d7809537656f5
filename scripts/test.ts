/**
 * `npm test`: every check the project has, in order, then one summary line.
 *
 *   1. static       tsc --noEmit · eslint . --max-warnings 0 · prettier --check .
 *   2. unit         vitest project "unit" (tests/unit/**, app/**\/*.test.ts)
 *   3. build        remix build (the integration HTTP tests and e2e run the build)
 *   4. sqlite       vitest project "integration" with TEST_DB=sqlite
 *   5. mysql        the same files with TEST_DB=mysql (MYSQL_TEST_URL, else 127.0.0.1:3306, else
 *                   a throwaway mariadbd; never skipped)
 *   6. e2e          vitest project "e2e": the built app + headless Debian Chromium, on SQLite and
 *                   on MariaDB: the money flows on both, the page checks once (E2E_ONE_DATABASE)
 *
 * Every stage runs even when an earlier one failed; the exit code is non-zero when anything failed.
 * The last line is exactly `N passed, N failed` (`, N skipped` is added when tests were skipped).
 *
 *   npm test -- --only=unit,sqlite     run some stages (the others are reported as not run)
 *   npm test -- --skip=e2e             run all but some
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newRunId } from "../tests/support/test-env";
import { ensureMysqlServer, type MysqlTestServer } from "./mysql-test-server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
mkdirSync(path.join(root, "tests", ".artifacts"), { recursive: true });
// vitest's JSON reports go to a private folder, so two runs in one work tree do not mix them up.
const reportDir = mkdtempSync(path.join(os.tmpdir(), "zr-test-reports-"));

/**
 * The browser tests that check pages (layout, language, accessibility, printing, forms' messages)
 * rather than money moving through the database: each runs in one e2e stage only, the two lists
 * balanced by measured time, because what they check is the same on either database (the
 * integration stages run every model and route on both). The money flows (deal, appraisal,
 * servicing, default → claim → disposal, the first firm's path) are in neither list and run on
 * both databases, as does any new file until it is listed here. The page crawl is split by role
 * inside crawl.test.ts (ZR_CRAWL_SHARE). Without a MariaDB stage, SQLite runs them all.
 */
const E2E_ONE_DATABASE = {
  sqlite: ["print", "home", "foundation", "assets", "matching"],
  mysql: ["account", "alliance", "risk-report", "risk-pools"],
} as const;
const e2eExclude = (files: readonly string[]) =>
  files.flatMap((f) => ["--exclude", `tests/e2e/${f}.test.ts`]);

const STAGES = ["static", "unit", "build", "sqlite", "mysql", "e2e"] as const;
type Stage = (typeof STAGES)[number];

interface Row {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  note?: string;
}

const rows: Row[] = [];
const skippedTests: string[] = [];
const failedTests: string[] = [];
const notRun: string[] = [];

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => paint("1", s);
const red = (s: string) => paint("31", s);
const green = (s: string) => paint("32", s);
const yellow = (s: string) => paint("33", s);

function header(title: string) {
  console.log(`\n${bold(`== ${title} ==`)}\n`);
}

function parseStageList(flag: string): Set<Stage> | undefined {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${flag}=`));
  if (!arg) return undefined;
  const list = arg
    .slice(flag.length + 3)
    .split(",")
    .filter(Boolean);
  for (const s of list) {
    if (!(STAGES as readonly string[]).includes(s)) {
      console.error(`unknown stage "${s}" in --${flag}; stages: ${STAGES.join(", ")}`);
      process.exit(2);
    }
  }
  return new Set(list as Stage[]);
}
const only = parseStageList("only");
const skip = parseStageList("skip");
const wanted = (s: Stage) => (!only || only.has(s)) && !skip?.has(s);

const children = new Set<ReturnType<typeof spawn>>();
const runStarted = Date.now();

/** Runs a command; its output goes to ours, or into `capture` when given. */
function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  capture?: string[],
): Promise<number> {
  return new Promise((resolve) => {
    // Without a terminal (CI logs), keep escape codes out of every tool's output.
    const colorEnv: Record<string, string> = color ? {} : { NO_COLOR: "1" };
    const child = spawn(cmd, args, {
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
      env: { ...process.env, ...colorEnv, ...env },
    });
    children.add(child);
    child.stdout?.on("data", (d: Buffer) => capture?.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => capture?.push(d.toString()));
    child.on("error", (e) => {
      capture?.push(`could not start ${cmd}: ${e.message}\n`);
      if (!capture) console.error(red(`could not start ${cmd}: ${e.message}`));
      resolve(127);
    });
    child.on("close", (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function check(name: string, cmd: string, args: string[], env?: Record<string, string>) {
  header(name);
  const started = Date.now();
  const code = await run(cmd, args, env);
  return recordCheck(name, code, started);
}

/**
 * Checks that only read the tree, run side by side (each single-threaded, on a 2-core machine);
 * each one's output is printed whole, in the listed order, as it finishes.
 */
async function checksInParallel(list: Array<{ name: string; cmd: string; args: string[] }>) {
  const started = Date.now();
  const runs = list.map((c) => {
    const output: string[] = [];
    const done = run(c.cmd, c.args, {}, output).then((code) => ({ code, finished: Date.now() }));
    return { ...c, output, done };
  });
  for (const r of runs) {
    const { code, finished } = await r.done;
    header(r.name);
    process.stdout.write(r.output.join(""));
    recordCheck(r.name, code, started, finished);
  }
}

function recordCheck(name: string, code: number, started: number, finished = Date.now()) {
  const ok = code === 0;
  rows.push({
    name,
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    seconds: (finished - started) / 1000,
    note: ok ? undefined : `exit code ${code}`,
  });
  if (!ok) failedTests.push(`[${name}] exit code ${code}`);
  console.log(ok ? green(`✓ ${name}`) : red(`✗ ${name} (exit code ${code})`));
  return ok;
}

interface JsonAssertion {
  ancestorTitles: string[];
  title: string;
  status: string;
}
interface JsonFile {
  name: string;
  status: string;
  message?: string;
  assertionResults: JsonAssertion[];
}
interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: JsonFile[];
}

/**
 * After an e2e stage its database must still reconcile (deal ledger, loans, risk sharing): the
 * e2e server's teardown writes what it found to `file` (tests/e2e/support/server.ts).
 */
function booksRow(title: string, file: string) {
  const row: Row = { name: title, passed: 0, failed: 0, skipped: 0, seconds: 0 };
  let found: { drifts: string[] } | undefined;
  try {
    found = JSON.parse(readFileSync(file, "utf8")) as { drifts: string[] };
  } catch {
    found = undefined;
  }
  if (!found) {
    row.failed = 1;
    row.note = "the e2e database was not reconciled (no report)";
  } else if (found.drifts.length) {
    row.failed = 1;
    row.note = found.drifts.join("; ");
  } else {
    row.passed = 1;
    row.note = "zero drift";
  }
  if (row.failed) failedTests.push(`[${title}] ${row.note}`);
  console.log(`${title}: ${row.failed ? red(row.note ?? "") : green(row.note ?? "")}`);
  rows.push(row);
}

async function vitestStage(
  title: string,
  project: string,
  env: Record<string, string> = {},
  extraArgs: string[] = [],
) {
  header(title);
  const jsonFile = path.join(reportDir, `${project}${env.TEST_DB ? "-" + env.TEST_DB : ""}.json`);
  rmSync(jsonFile, { force: true });
  const started = Date.now();
  const code = await run(
    bin("vitest"),
    [
      "run",
      "--project",
      project,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${jsonFile}`,
      ...extraArgs,
    ],
    env,
  );
  const row: Row = { name: title, passed: 0, failed: 0, skipped: 0, seconds: 0 };
  let report: JsonReport | undefined;
  try {
    report = JSON.parse(readFileSync(jsonFile, "utf8")) as JsonReport;
  } catch {
    report = undefined;
  }
  if (!report) {
    row.failed = 1;
    row.note = `vitest exited with code ${code} and wrote no report`;
    failedTests.push(`[${title}] ${row.note}`);
  } else {
    row.passed = report.numPassedTests;
    row.failed = report.numFailedTests;
    row.skipped = report.numPendingTests + report.numTodoTests;
    for (const file of report.testResults) {
      const rel = path.relative(root, file.name);
      for (const a of file.assertionResults) {
        const full = `[${title}] ${rel} > ${[...a.ancestorTitles, a.title].join(" > ")}`;
        if (a.status === "failed") failedTests.push(full);
        else if (a.status !== "passed") skippedTests.push(`${full} (${a.status})`);
      }
      // A file that failed to load (or whose hooks failed) has no failed test to count.
      const failedInFile = file.assertionResults.filter((a) => a.status === "failed").length;
      if (file.status === "failed" && failedInFile === 0) {
        row.failed += 1;
        const why = (file.message ?? "").split("\n")[0];
        failedTests.push(`[${title}] ${rel}: file failed${why ? `: ${why}` : ""}`);
      }
    }
    if (code !== 0 && row.failed === 0) {
      row.failed = 1;
      row.note = `vitest exited with code ${code} (unhandled error?)`;
      failedTests.push(`[${title}] ${row.note}`);
    }
    if (row.passed + row.failed + row.skipped === 0) {
      row.failed = 1;
      row.note = "no tests ran";
      failedTests.push(`[${title}] no tests ran`);
    }
  }
  row.seconds = (Date.now() - started) / 1000;
  rows.push(row);
}

function notRunRow(name: string, why: string, countsAsFailure: boolean) {
  if (!countsAsFailure) {
    notRun.push(`${name}: ${why}`);
    return;
  }
  rows.push({ name, passed: 0, failed: 1, skipped: 0, seconds: 0, note: why });
  failedTests.push(`[${name}] ${why}`);
}

let mysqlServer: MysqlTestServer | undefined;

async function stopMysql() {
  const s = mysqlServer;
  mysqlServer = undefined;
  await s
    ?.stop()
    .catch((e: unknown) => console.error(`stopping the throwaway MariaDB: ${String(e)}`));
}

async function shutdown() {
  rmSync(reportDir, { recursive: true, force: true });
  await stopMysql();
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const child of children) child.kill(sig);
    void shutdown().finally(() => process.exit(130));
  });
}

function printSummary() {
  header("summary");
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  const line = (name: string, p: string, f: string, s: string, t: string, note = "") =>
    `${name.padEnd(w)}  ${p.padStart(6)}  ${f.padStart(6)}  ${s.padStart(7)}  ${t.padStart(7)}  ${note}`.trimEnd();
  console.log(line("stage", "passed", "failed", "skipped", "time"));
  console.log("-".repeat(w + 36));
  for (const r of rows) {
    const text = line(
      r.name,
      String(r.passed),
      String(r.failed),
      String(r.skipped),
      `${r.seconds.toFixed(1)}s`,
      r.note ?? "",
    );
    console.log(r.failed ? red(text) : r.skipped ? yellow(text) : text);
  }
  const total = rows.reduce(
    (a, r) => ({ p: a.p + r.passed, f: a.f + r.failed, s: a.s + r.skipped }),
    { p: 0, f: 0, s: 0 },
  );
  // Wall time: the static checks run side by side, so their rows overlap.
  const seconds = (Date.now() - runStarted) / 1000;
  console.log("-".repeat(w + 36));
  console.log(
    line("total", String(total.p), String(total.f), String(total.s), `${seconds.toFixed(1)}s`),
  );

  if (notRun.length) {
    console.log(yellow(`\nNot run (by request):\n  - ${notRun.join("\n  - ")}`));
  }
  if (skippedTests.length) {
    console.log(
      yellow(
        bold(
          `\n!!! ${skippedTests.length} SKIPPED TEST(S): every skip needs a reason in the code and in the report !!!`,
        ),
      ),
    );
    for (const s of skippedTests) console.log(yellow(`  - ${s}`));
  }
  if (failedTests.length) {
    console.log(red(bold(`\nFAILED (${failedTests.length}):`)));
    for (const f of failedTests.slice(0, 100)) console.log(red(`  - ${f}`));
    if (failedTests.length > 100) console.log(red(`  … and ${failedTests.length - 100} more`));
  }
  console.log("");
  return total;
}

async function main() {
  const runId = newRunId();
  const baseEnv = { ZR_TEST_RUN_ID: runId };
  console.log(`知融 test run ${runId} — stages: ${STAGES.filter(wanted).join(", ")}`);

  // 1. static checks
  if (wanted("static")) {
    await checksInParallel([
      { name: "typecheck (tsc --noEmit)", cmd: bin("tsc"), args: ["--noEmit"] },
      {
        name: "lint (eslint --max-warnings 0)",
        cmd: bin("eslint"),
        args: [".", "--max-warnings", "0"],
      },
      { name: "format (prettier --check)", cmd: bin("prettier"), args: ["--check", "."] },
    ]);
  } else notRunRow("static checks", "not requested", false);

  // 2. unit
  if (wanted("unit")) await vitestStage("unit", "unit", baseEnv);
  else notRunRow("unit", "not requested", false);

  // 3. build
  let buildOk = existsSync(path.join(root, "build", "index.js"));
  if (wanted("build")) {
    // A stale build must not stand in for a failed one.
    rmSync(path.join(root, "build"), { recursive: true, force: true });
    rmSync(path.join(root, "public", "build"), { recursive: true, force: true });
    buildOk = await check("build (remix build)", bin("remix"), ["build"]);
  } else
    notRunRow(
      "build",
      buildOk ? "not requested (using the existing build/)" : "not requested",
      false,
    );

  // 4. integration on SQLite
  if (wanted("sqlite")) {
    await vitestStage("integration (SQLite)", "integration", { ...baseEnv, TEST_DB: "sqlite" });
  } else notRunRow("integration (SQLite)", "not requested", false);

  // 5. integration on MariaDB/MySQL — never skipped silently
  if (wanted("mysql")) {
    try {
      mysqlServer = await ensureMysqlServer((l) => console.log(l));
    } catch (e) {
      header("integration (MySQL: no server)");
      console.error(red(String(e instanceof Error ? e.message : e)));
      notRunRow("integration (MySQL)", "no MySQL/MariaDB server could be found or started", true);
    }
    if (mysqlServer) {
      await vitestStage(`integration (${mysqlServer.label})`, "integration", {
        ...baseEnv,
        TEST_DB: "mysql",
        MYSQL_TEST_URL: mysqlServer.url,
      });
      // Kept running: the e2e stage runs the browser tests on MariaDB too.
    }
  } else notRunRow("integration (MySQL)", "not requested", false);

  // 6. e2e
  if (wanted("e2e")) {
    if (!buildOk) {
      header("e2e (Chromium)");
      console.error(red("The build failed or is missing, so the e2e tests cannot run."));
      notRunRow("e2e (Chromium)", "not run: no build", true);
    } else {
      const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
      if (!existsSync(chromium)) {
        console.log(`[e2e] ${chromium} is missing; running scripts/ensure-system-deps.sh chromium`);
        await run("bash", [path.join(root, "scripts", "ensure-system-deps.sh"), "chromium"]);
      }
      if (!existsSync(chromium)) {
        header("e2e (Chromium)");
        notRunRow("e2e (Chromium)", `not run: ${chromium} is missing (see above)`, true);
      } else {
        const sqliteBooks = path.join(reportDir, "books-sqlite.json");
        // The page crawl (every page × 2 widths × 2 languages, axe on two of them) reads only, and
        // what it checks does not depend on the database: half of its roles crawl here, half on
        // MariaDB, so each page is crawled once and the two stages take about as long. Without
        // a MariaDB stage to take the other half, all of it runs here.
        await vitestStage(
          "e2e (Chromium, SQLite)",
          "e2e",
          {
            ...baseEnv,
            E2E_BOOKS_FILE: sqliteBooks,
            ...(mysqlServer ? { ZR_CRAWL_SHARE: "1" } : {}),
          },
          mysqlServer ? e2eExclude(E2E_ONE_DATABASE.mysql) : [],
        );
        booksRow("reconcile after e2e (SQLite)", sqliteBooks);
        if (mysqlServer) {
          // The crawl's other half, the money flows again, and the other page checks.
          const mysqlBooks = path.join(reportDir, "books-mysql.json");
          await vitestStage(
            `e2e (Chromium, ${mysqlServer.label})`,
            "e2e",
            {
              ...baseEnv,
              E2E_DB: "mysql",
              MYSQL_TEST_URL: mysqlServer.url,
              E2E_BOOKS_FILE: mysqlBooks,
              ZR_CRAWL_SHARE: "2",
            },
            e2eExclude(E2E_ONE_DATABASE.sqlite),
          );
          booksRow(`reconcile after e2e (${mysqlServer.label})`, mysqlBooks);
        } else if (wanted("mysql")) {
          notRunRow("e2e (Chromium, MySQL)", "no MySQL/MariaDB server (see above)", true);
        }
      }
    }
  } else notRunRow("e2e (Chromium)", "not requested", false);

  await shutdown();
  const total = printSummary();
  console.log(`${total.p} passed, ${total.f} failed${total.s ? `, ${total.s} skipped` : ""}`);
  process.exitCode = total.f > 0 ? 1 : 0;
}

main().catch(async (e: unknown) => {
  console.error(
    red(`scripts/test.ts crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );
  await shutdown();
  const total = rows.reduce((a, r) => ({ p: a.p + r.passed, f: a.f + r.failed }), { p: 0, f: 0 });
  console.log(`${total.p} passed, ${total.f + 1} failed`);
  process.exit(1);
});
