import { MysqlIntrospector, type Kysely } from "kysely";

// Helpers for the few statements whose syntax differs between SQLite and MySQL. Part of the
// migrations (frozen with them), not app code.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export function isMysql(db: Kysely<any>): boolean {
  return db.introspection instanceof MysqlIntrospector;
}

/** MySQL needs `DROP INDEX name ON table`; SQLite refuses the ON clause. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function dropIndex(db: Kysely<any>, name: string, table: string): Promise<void> {
  const stmt = db.schema.dropIndex(name).ifExists();
  await (isMysql(db) ? stmt.on(table) : stmt).execute();
}
