/**
 * Landed migrations are frozen (docs/decisions/008-landed-migrations-are-frozen.md). Kysely records
 * the name of each migration a database has run, never its content, so an edit to a migration
 * that a deployed database already ran reaches fresh databases only and the two drift apart
 * silently. db/migrations/frozen.json holds the sha256 of every file in db/migrations that has
 * landed on main (the migrations and the portable.ts helpers they import).
 *
 * Adding a migration: name it `YYYY_MM_DD_NNN_title.ts` with the next number (006 stays unused),
 * list it in db/migrations/index.ts, and change it as you like while it exists only on a branch.
 * The merge that lands it on main adds its line to frozen.json:
 *   "2026_12_05_009_title.ts": "<sha256sum db/migrations/2026_12_05_009_title.ts>",
 * A line already in frozen.json is never changed or removed; a fix goes in a new migration. A new
 * helper for migrations goes in a new file, recorded the same way.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { migrations } from "../../db/migrations/index";

const DIR = fileURLToPath(new URL("../../db/migrations", import.meta.url));
const MIGRATION_FILE = /^\d{4}_\d{2}_\d{2}_\d{3}_[a-z0-9_]+\.ts$/;
const RECORD = "docs/decisions/008-landed-migrations-are-frozen.md";

const frozen = JSON.parse(readFileSync(join(DIR, "frozen.json"), "utf8")) as Record<string, string>;
const frozenFiles = Object.keys(frozen);
const frozenMigrations = frozenFiles.filter((f) => MIGRATION_FILE.test(f)).sort();

/** sha256 of the file as committed: CRLF read as LF, so a Windows checkout hashes the same. */
function sha256(file: string): string {
  const text = readFileSync(join(DIR, file)).toString("latin1").replace(/\r\n/g, "\n");
  return createHash("sha256").update(Buffer.from(text, "latin1")).digest("hex");
}

describe("landed migrations are frozen", () => {
  it("records plain file names with a sha256 each, the migrations among them", () => {
    expect(frozenMigrations.length).toBeGreaterThan(0);
    for (const [file, hash] of Object.entries(frozen)) {
      expect(file, file).toMatch(/^[a-z0-9_]+\.ts$/);
      expect(hash, file).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it.each(frozenFiles)("%s is unchanged since it landed", (file) => {
    expect(existsSync(join(DIR, file)), `${file} was deleted after it landed (${RECORD})`).toBe(
      true,
    );
    expect(
      sha256(file),
      `${file} was edited after it landed: restore it and put the change in a new migration ` +
        `(${RECORD})`,
    ).toBe(frozen[file]);
  });

  it("keeps every landed migration in the migration list", () => {
    const listed = Object.keys(migrations);
    for (const file of frozenMigrations) {
      expect(listed, `${file} is missing from db/migrations/index.ts`).toContain(
        file.replace(/\.ts$/, ""),
      );
    }
  });

  it("sorts every migration not yet landed after the landed ones", () => {
    // Kysely refuses a database whose executed migrations are not the first in name order.
    const last = frozenMigrations[frozenMigrations.length - 1];
    const pending = readdirSync(DIR).filter((f) => MIGRATION_FILE.test(f) && !(f in frozen));
    for (const file of pending) {
      expect(file > last, `${file} must sort after ${last}; take the next number`).toBe(true);
    }
  });
});
