import type { Kysely } from "kysely";

// The bank pipeline's stored counts (decision 024, issue 15). At marketplace scale the engine needs
// seconds to judge every open request against a page of products, so the pipeline shows counts a
// background refresh stored here: one row per product, with the day and product version they were
// judged for, when they were computed and how long it took, and a lease so one process refreshes a
// product at a time. Plain table, no triggers: portable SQLite + MySQL/MariaDB + TiDB.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("pipeline_counts")
    .addColumn("product_id", "integer", (c) => c.primaryKey())
    // Null until the first refresh has finished (the row may exist only to hold the lease).
    .addColumn("as_of_day", "varchar(10)")
    .addColumn("product_version", "integer")
    .addColumn("ready", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("needs_appraisal", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("near_miss", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("computed_at", "varchar(23)")
    .addColumn("compute_ms", "integer")
    .addColumn("refresh_started_at", "varchar(23)")
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("pipeline_counts").execute();
}
