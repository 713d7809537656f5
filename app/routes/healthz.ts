import { sql } from "kysely";
import { getDbHandle } from "../utils/db.server";

export async function loader() {
  const { db, kind } = getDbHandle();
  const started = performance.now();
  try {
    await sql`select 1`.execute(db);
    return Response.json(
      { ok: true, db: kind, pingMs: Math.round((performance.now() - started) * 10) / 10 },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (e) {
    return Response.json(
      { ok: false, db: kind, error: (e as Error).message },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
