/**
 * Global setup of the integration project. With TEST_DB=mysql it makes sure a server answers
 * (starting a throwaway MariaDB when none does — never skipping), hands its URL to the test files,
 * sweeps test databases left by crashed runs more than a day old, and drops this run's leftovers
 * at the end.
 */
import mysql from "mysql2/promise";
import type { TestProject } from "vitest/node";
import { ensureMysqlServer } from "../../scripts/mysql-test-server";
import { newRunId, runStartedAt, TEST_DB_PREFIX, testDbKind } from "./test-env";
import "./vitest-context";

const DAY_MS = 24 * 60 * 60 * 1000;

async function dropTestDatabases(serverUrl: string, shouldDrop: (runId: string) => boolean) {
  const u = new URL(serverUrl);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
  });
  try {
    const [rows] = await conn.query("SHOW DATABASES LIKE 'zr\\_test\\_%'");
    const names = (rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
    for (const name of names) {
      const runId = name.slice(TEST_DB_PREFIX.length).split("_")[0];
      if (shouldDrop(runId)) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  } finally {
    await conn.end();
  }
}

export default async function setup(project: TestProject) {
  const runId = process.env.ZR_TEST_RUN_ID || newRunId();
  project.provide("testRunId", runId);
  if (testDbKind() !== "mysql") {
    project.provide("mysqlUrl", "");
    return;
  }
  const server = await ensureMysqlServer((line) => console.log(line));
  project.provide("mysqlUrl", server.url);
  const now = Date.now();
  await dropTestDatabases(server.url, (id) => {
    const t = runStartedAt(id);
    return Number.isFinite(t) && now - t > DAY_MS;
  });
  return async () => {
    try {
      await dropTestDatabases(server.url, (id) => id === runId);
    } finally {
      await server.stop();
    }
  };
}
