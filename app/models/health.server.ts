import { sql } from "kysely";
import { getDbHandle, type DbKind } from "../utils/db.server";

export type DatabaseHealth =
  { ok: true; db: DbKind; pingMs: number } | { ok: false; db: DbKind; error: string };

/** One round trip to the app's database (`select 1`), for /healthz. */
export async function pingDatabase(): Promise<DatabaseHealth> {
  const { db, kind } = getDbHandle();
  const started = performance.now();
  try {
    await sql`select 1`.execute(db);
    return { ok: true, db: kind, pingMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (e) {
    return { ok: false, db: kind, error: (e as Error).message };
  }
}
