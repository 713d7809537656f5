import { sql, type Kysely } from "kysely";
import { isMysql } from "./portable";

// The alliance review's stored figures (decision 025, issue 15). At marketplace scale the review's
// SQL sums take one to two seconds, so a view is answered from the figures a refresh in the
// background stored here: one row per viewer scope and filter combination (a hash of both), the
// figures as JSON, the data version they were computed at, when and how long it took, and a lease
// so one process refreshes a combination at a time. Plain table, no triggers: portable SQLite +
// MySQL/MariaDB + TiDB. MEDIUMTEXT on MySQL: with every bank and 盟市 the figures pass TEXT's 64 KB.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("review_snapshots")
    .addColumn("snapshot_key", "varchar(64)", (c) => c.primaryKey())
    .addColumn("scope", "varchar(32)", (c) => c.notNull())
    .addColumn("filters_json", "text", (c) => c.notNull())
    // Null until the first refresh has finished (the row may exist only to hold the lease).
    .addColumn("figures_json", isMysql(db) ? sql`mediumtext` : "text")
    .addColumn("data_version", "varchar(100)")
    .addColumn("computed_at", "varchar(23)")
    .addColumn("compute_ms", "integer")
    .addColumn("refresh_started_at", "varchar(23)")
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("review_snapshots").execute();
}
