import { MysqlIntrospector, type Kysely } from "kysely";

// appraisal_orders.payment_mode ('stripe' | 'offline') was created as DATE in migration 002. MySQL in
// strict mode refuses the words ("Incorrect date value: 'offline'"), so no order could be written
// there. SQLite gives a DATE column NUMERIC affinity, which keeps non-numeric text as TEXT, so the
// column already works there and SQLite cannot change a column's type without rebuilding the table:
// only MySQL/MariaDB (and TiDB, which speaks the same dialect) need the fix.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
function isMysql(db: Kysely<any>): boolean {
  return db.introspection instanceof MysqlIntrospector;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  if (!isMysql(db)) return;
  await db.schema
    .alterTable("appraisal_orders")
    .modifyColumn("payment_mode", "varchar(12)", (c) => c.notNull())
    .execute();
}

// Deliberately a no-op: turning the column back into DATE would destroy every value it can hold.
// Migration 002's down drops the table.
export async function down(): Promise<void> {}
