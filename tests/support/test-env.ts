/** Small helpers shared by the test files, the global setups and scripts/test.ts (no vitest import). */
import { randomBytes } from "node:crypto";
import type { DbKind } from "../../app/utils/db.server";

export const TEST_DB_PREFIX = "zr_test_";

/** The database kind this run targets: TEST_DB=sqlite|mysql (default sqlite). */
export function testDbKind(): DbKind {
  const v = (process.env.TEST_DB ?? "sqlite").toLowerCase();
  if (v === "sqlite" || v === "mysql") return v;
  if (v === "mariadb") return "mysql";
  throw new Error(`TEST_DB must be "sqlite" or "mysql", not "${process.env.TEST_DB}"`);
}

/** 8 base-36 digits of the start time, then 3 random ones: sortable and unique enough. */
export function newRunId(): string {
  return (
    Date.now().toString(36).padStart(8, "0") +
    randomBytes(2).readUInt16BE(0).toString(36).padStart(3, "0").slice(-3)
  );
}

/** When the run with this id started (ms since epoch), or NaN. */
export function runStartedAt(runId: string): number {
  return /^[0-9a-z]{11}$/.test(runId) ? parseInt(runId.slice(0, 8), 36) : NaN;
}
