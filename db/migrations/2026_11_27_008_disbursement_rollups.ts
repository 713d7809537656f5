import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// Rollups of the running totals, so a dashboard reads about 70 rows however long the ledger and
// however many 盟市 × bank × IP type × month buckets there are. One row per (dimension, bucket):
//   total   ''          everything
//   month   'YYYY-MM'   by month of the value date
//   region  '150200'    by 盟市
//   bank    '<org id>'  by bank
//   ip_type 'invention' by the deal's primary IP type
//   firms   ''          entry_count = firms with a net disbursement count > 0 (amount_fen unused)
// Kept in the same transaction as each ledger entry, next to disbursement_totals, and checked by
// `npm run reconcile` like every other total. Extra indexes let the ledger page filter a million
// entries by month, bank or firm without a scan.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("disbursement_rollups")
    .addColumn("dimension", "varchar(8)", (c) => c.notNull())
    .addColumn("bucket", "varchar(16)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("entry_count", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("disbursement_rollups_pk", ["dimension", "bucket"])
    .execute();
  await db.schema
    .createIndex("ledger_entries_month")
    .on("ledger_entries")
    .columns(["month", "id"])
    .execute();
  await db.schema
    .createIndex("ledger_entries_bank")
    .on("ledger_entries")
    .columns(["bank_org_id", "id"])
    .execute();
  await db.schema
    .createIndex("ledger_entries_firm")
    .on("ledger_entries")
    .columns(["firm_org_id", "id"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "ledger_entries_firm", "ledger_entries");
  await dropIndex(db, "ledger_entries_bank", "ledger_entries");
  await dropIndex(db, "ledger_entries_month", "ledger_entries");
  await db.schema.dropTable("disbursement_rollups").ifExists().execute();
}
