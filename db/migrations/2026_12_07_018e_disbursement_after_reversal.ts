import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// A corrected disbursement after a reversal (docs/domain.md#disbursement, decision 021).
//
// 1. ledger_entries.after_reversal_id: a disbursement entered after its application's previous
//    disbursement was reversed names that reversal. Unique, so each reversal lets in at most one
//    new disbursement; the first disbursement keeps disbursement_key = application_id (unique, as
//    since 004). Ledger rows are never updated, so the "live" disbursement cannot be marked on the
//    row itself; instead every disbursement fills one slot — the application's first, or the one
//    a reversal opened — and each slot is a unique key, so an application never has two
//    disbursements standing at once and of two racing re-disbursements one fails on the key.
//    Existing rows are all first disbursements: nothing to backfill.
// 2. ledger_entries_application (application_id, entry_type, amount_fen): the readers find an
//    application's standing disbursement and its amount from the index, without the ledger's rows
//    (as 015e's disbursement_key index did for the first disbursement).
// Plain column and indexes, no triggers: portable SQLite + MySQL/MariaDB.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("ledger_entries").addColumn("after_reversal_id", "integer").execute();
  await db.schema
    .createIndex("ledger_entries_after_reversal")
    .on("ledger_entries")
    .column("after_reversal_id")
    .unique()
    .execute();
  await db.schema
    .createIndex("ledger_entries_application")
    .on("ledger_entries")
    .columns(["application_id", "entry_type", "amount_fen"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "ledger_entries_application", "ledger_entries");
  await dropIndex(db, "ledger_entries_after_reversal", "ledger_entries");
  await db.schema.alterTable("ledger_entries").dropColumn("after_reversal_id").execute();
}
