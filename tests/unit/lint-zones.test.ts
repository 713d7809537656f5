import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The architecture's boundaries are ESLint zones (eslint.config.js). These probes prove each zone
// still fires: deleting or loosening one fails here, not only in a later code review.
const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages
    .filter((m) => m.ruleId === "no-restricted-imports")
    .map((m) => /^'([^']+)'/.exec(m.message)?.[1] ?? m.message);
}

describe("import boundaries", () => {
  it("keep the domain pure", async () => {
    const code = [
      'import { sql } from "kysely";',
      'import { createHash } from "node:crypto";',
      'import { getEnv } from "../utils/env.server";',
      'import { writeAudit } from "../models/audit.server";',
      'import { data } from "@remix-run/node";',
      'import { money } from "./money";',
      'import { z } from "zod";',
      "export const all = [sql, createHash, getEnv, writeAudit, data, money, z];",
    ].join("\n");
    const refused = await restrictedImports("app/domain/probe.ts", code);
    expect(new Set(refused)).toEqual(
      new Set([
        "kysely",
        "node:crypto",
        "../utils/env.server",
        "../models/audit.server",
        "@remix-run/node",
      ]),
    );
  }, 30_000);

  it("keep routes off the database", async () => {
    const code = [
      'import { sql } from "kysely";',
      'import { getDb } from "../utils/db.server";',
      'import { withDb } from "../models/with-db.server";',
      "export const all = [sql, getDb, withDb];",
    ].join("\n");
    expect(await restrictedImports("app/routes/probe.tsx", code)).toEqual([
      "kysely",
      "../utils/db.server",
    ]);
  }, 30_000);

  it("keep migrations free of application code", async () => {
    const code = [
      'import { REGIONS } from "../../app/domain/regions";',
      'import { sql } from "kysely";',
      "export const all = [REGIONS, sql];",
    ].join("\n");
    expect(await restrictedImports("db/migrations/2099_probe.ts", code)).toEqual([
      "../../app/domain/regions",
    ]);
  }, 30_000);
});
