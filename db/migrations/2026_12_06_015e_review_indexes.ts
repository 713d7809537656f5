import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// Covering indexes for the alliance review at seed:scale size (issue 15, item 5). The review sums
// every deal with a step in the period; read from the table, each pass drags every application's
// product snapshot (about 0.9 kB a row, most of the table) through the cache, and on MariaDB the
// table outgrows a 128 MB buffer pool. These indexes hold just the columns the review reads, so
// each pass scans a narrow index instead:
//  - applications_review: the filters (盟市, primary IP type, bank, state), the amounts and rate,
//    and every step's instant or date. Sixteen columns, the most a MySQL index may have; the
//    industry and firm-flag filters read the table as before.
//  - applications_request: a request's applications and how far each got (the request funnel and
//    the cohort).
//  - ledger_entries by disbursement key and by reversed entry, with the amount: a deal's net
//    disbursed amount without visiting the ledger's rows.
//  - application_assets by application with type, value and pledge rate (pledged assets by type,
//    and the IP type filter).
//  - financing_requests by creation instant with what the request funnel sums and filters on.
// And two for `npm run reconcile` over the repayment ledger (decision 010): its sums by loan and
// by 月 × 盟市 × bank × IP type read from an index in group order, without a sort or a visit to
// each of a million rows.
// Plain indexes, no triggers: portable SQLite + MySQL/MariaDB.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("applications_review")
    .on("applications")
    .columns([
      "region_code",
      "primary_ip_type",
      "bank_org_id",
      "state",
      "amount_fen",
      "approved_amount_fen",
      "approved_rate_bp",
      "submitted_at",
      "review_started_at",
      "approved_at",
      "registered_at",
      "pledge_reg_date",
      "disbursed_at",
      "disbursed_date",
      "closed_at",
      "closed_date",
    ])
    .execute();
  await db.schema
    .createIndex("applications_request")
    .on("applications")
    .columns(["request_id", "bank_org_id", "submitted_at", "approved_at", "disbursed_date"])
    .execute();
  await db.schema
    .createIndex("ledger_entries_disbursement_amount")
    .on("ledger_entries")
    .columns(["disbursement_key", "amount_fen"])
    .execute();
  await db.schema
    .createIndex("ledger_entries_reversal_amount")
    .on("ledger_entries")
    .columns(["reverses_entry_id", "amount_fen"])
    .execute();
  await db.schema
    .createIndex("application_assets_review")
    .on("application_assets")
    .columns(["application_id", "ip_type", "value_fen", "pledge_rate_bp"])
    .execute();
  await db.schema
    .createIndex("financing_requests_created")
    .on("financing_requests")
    .columns(["created_at", "region_code", "offered_types_mask", "amount_fen", "firm_org_id"])
    .execute();
  await db.schema
    .createIndex("repayment_entries_loan_sums")
    .on("repayment_entries")
    .columns(["application_id", "principal_fen", "interest_fen"])
    .execute();
  await db.schema
    .createIndex("repayment_entries_bucket_sums")
    .on("repayment_entries")
    .columns(["month", "region_code", "bank_org_id", "ip_type", "principal_fen", "interest_fen"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "repayment_entries_bucket_sums", "repayment_entries");
  await dropIndex(db, "repayment_entries_loan_sums", "repayment_entries");
  await dropIndex(db, "financing_requests_created", "financing_requests");
  await dropIndex(db, "application_assets_review", "application_assets");
  await dropIndex(db, "ledger_entries_reversal_amount", "ledger_entries");
  await dropIndex(db, "ledger_entries_disbursement_amount", "ledger_entries");
  await dropIndex(db, "applications_request", "applications");
  await dropIndex(db, "applications_review", "applications");
}
