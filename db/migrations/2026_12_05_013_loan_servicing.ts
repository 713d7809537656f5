import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// Loan servicing (issue 13; decisions 010 and 011):
//  - loan_products.repayment_methods_mask: bit 1 等额本息, 2 等额本金, 4 按月付息到期还本,
//    8 到期一次还本付息 (all four by default); min_coverage_bp: the watch list's threshold.
//  - applications.repayment_method: chosen by the bank at approval.
//  - loan_accounts: one row per disbursed loan, the terms its schedule was built from and its
//    running figures (outstanding principal, repaid, days past due, class), updated in the same
//    transaction as each repayment entry. `version` is bumped by every entry.
//  - loan_schedule_rows: the schedule stored at disbursement, never edited.
//  - repayment_entries: append-only; idempotency_key unique (a retried post records once);
//    reverses_entry_id unique (an entry is reversed at most once).
//  - servicing_rollups: outstanding principal (as a delta per month of the value date), principal
//    and interest repaid, per dimension (total, month, region, bank, ip_type), like
//    disbursement_rollups (decision 005).
//  - loan_classification_overrides, loan_defaults, collateral_fee_payments, legal_status_events,
//    job_runs (unique job × day: two processes never run a day's job twice), reminders (unique
//    dedupe key: a reminder is sent once).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("loan_products")
    .addColumn("repayment_methods_mask", "integer", (c) => c.notNull().defaultTo(15))
    .execute();
  await db.schema
    .alterTable("loan_products")
    .addColumn("min_coverage_bp", "integer", (c) => c.notNull().defaultTo(10000))
    .execute();
  await db.schema.alterTable("applications").addColumn("repayment_method", "varchar(20)").execute();

  await db.schema
    .createTable("loan_accounts")
    .addColumn("application_id", "integer", (c) => c.primaryKey())
    .addColumn("product_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("ip_type", "varchar(16)", (c) => c.notNull())
    .addColumn("method", "varchar(20)", (c) => c.notNull())
    .addColumn("principal_fen", "bigint", (c) => c.notNull())
    .addColumn("rate_bp", "integer", (c) => c.notNull())
    .addColumn("term_months", "integer", (c) => c.notNull())
    .addColumn("start_date", "date", (c) => c.notNull())
    .addColumn("maturity_date", "date", (c) => c.notNull())
    // open | closed | defaulted
    .addColumn("status", "varchar(12)", (c) => c.notNull())
    .addColumn("outstanding_principal_fen", "bigint", (c) => c.notNull())
    .addColumn("principal_repaid_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("interest_repaid_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("entry_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_value_date", "date")
    .addColumn("days_past_due", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("overdue_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("risk_class", "varchar(16)", (c) => c.notNull().defaultTo("normal"))
    .addColumn("override_class", "varchar(16)")
    .addColumn("classified_on", "date")
    .addColumn("closed_date", "date")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("loan_accounts_bank")
    .on("loan_accounts")
    .columns(["bank_org_id", "status"])
    .execute();
  await db.schema
    .createIndex("loan_accounts_firm")
    .on("loan_accounts")
    .columns(["firm_org_id", "status"])
    .execute();

  await db.schema
    .createTable("loan_schedule_rows")
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("due_date", "date", (c) => c.notNull())
    .addColumn("opening_principal_fen", "bigint", (c) => c.notNull())
    .addColumn("principal_fen", "bigint", (c) => c.notNull())
    .addColumn("interest_fen", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("loan_schedule_rows_pk", ["application_id", "seq"])
    .execute();
  await db.schema
    .createIndex("loan_schedule_rows_due")
    .on("loan_schedule_rows")
    .columns(["due_date", "application_id"])
    .execute();

  await db.schema
    .createTable("repayment_entries")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("application_id", "integer", (c) => c.notNull())
    // repayment | reversal
    .addColumn("entry_type", "varchar(12)", (c) => c.notNull())
    // scheduled | partial | early | settlement (a reversal copies the kind it reverses)
    .addColumn("kind", "varchar(12)", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(80)", (c) => c.notNull().unique())
    .addColumn("reverses_entry_id", "integer", (c) => c.unique())
    .addColumn("value_date", "date", (c) => c.notNull())
    .addColumn("month", "varchar(7)", (c) => c.notNull())
    .addColumn("principal_fen", "bigint", (c) => c.notNull())
    .addColumn("interest_fen", "bigint", (c) => c.notNull())
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("ip_type", "varchar(16)", (c) => c.notNull())
    .addColumn("reason", "varchar(1000)")
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("repayment_entries_loan")
    .on("repayment_entries")
    .columns(["application_id", "id"])
    .execute();
  await db.schema
    .createIndex("repayment_entries_month")
    .on("repayment_entries")
    .columns(["month", "id"])
    .execute();

  await db.schema
    .createTable("servicing_rollups")
    .addColumn("dimension", "varchar(8)", (c) => c.notNull())
    .addColumn("bucket", "varchar(16)", (c) => c.notNull())
    .addColumn("outstanding_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("principal_repaid_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("interest_repaid_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("entry_count", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("servicing_rollups_pk", ["dimension", "bucket"])
    .execute();

  await db.schema
    .createTable("loan_classification_overrides")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("risk_class", "varchar(16)", (c) => c.notNull())
    .addColumn("floor_class", "varchar(16)", (c) => c.notNull())
    .addColumn("days_past_due", "integer", (c) => c.notNull())
    .addColumn("reason", "varchar(1000)", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("loan_classification_overrides_loan")
    .on("loan_classification_overrides")
    .columns(["application_id", "id"])
    .execute();

  await db.schema
    .createTable("loan_defaults")
    .addColumn("application_id", "integer", (c) => c.primaryKey())
    .addColumn("default_date", "date", (c) => c.notNull())
    .addColumn("principal_loss_fen", "bigint", (c) => c.notNull())
    .addColumn("interest_loss_fen", "bigint", (c) => c.notNull())
    .addColumn("days_past_due", "integer", (c) => c.notNull())
    .addColumn("reason", "varchar(1000)", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("collateral_fee_payments")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    // Patents: the fee year paid; trademarks: the renewal number (1 = first renewal).
    .addColumn("fee_year", "integer", (c) => c.notNull())
    .addColumn("paid_date", "date", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("surcharge_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("receipt_number", "varchar(64)", (c) => c.notNull())
    .addColumn("recorded_by", "integer", (c) => c.notNull())
    .addColumn("recorded_by_org", "integer", (c) => c.notNull())
    .addColumn("confirmed_by", "integer")
    .addColumn("confirmed_at", "varchar(23)")
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addUniqueConstraint("collateral_fee_payments_year", ["asset_id", "fee_year"])
    .execute();

  await db.schema
    .createTable("legal_status_events")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    // invalidation_request | invalidated | transfer | licence | lapse | restoration
    .addColumn("event_type", "varchar(24)", (c) => c.notNull())
    .addColumn("event_date", "date", (c) => c.notNull())
    .addColumn("notice_date", "date")
    .addColumn("note", "varchar(1000)")
    // firm | bank | admin | csv
    .addColumn("source", "varchar(8)", (c) => c.notNull())
    .addColumn("recorded_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("legal_status_events_asset")
    .on("legal_status_events")
    .columns(["asset_id", "id"])
    .execute();

  await db.schema
    .createTable("job_runs")
    .addColumn("job", "varchar(40)", (c) => c.notNull())
    .addColumn("run_date", "date", (c) => c.notNull())
    // running | done | failed
    .addColumn("status", "varchar(8)", (c) => c.notNull())
    .addColumn("started_at", "varchar(23)", (c) => c.notNull())
    .addColumn("finished_at", "varchar(23)")
    .addColumn("detail_json", "text")
    .addPrimaryKeyConstraint("job_runs_pk", ["job", "run_date"])
    .execute();

  await db.schema
    .createTable("reminders")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("dedupe_key", "varchar(160)", (c) => c.notNull().unique())
    .addColumn("kind", "varchar(40)", (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("application_id", "integer")
    .addColumn("asset_id", "integer")
    .addColumn("run_date", "date", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "reminders",
    "job_runs",
    "legal_status_events",
    "collateral_fee_payments",
    "loan_defaults",
    "loan_classification_overrides",
    "servicing_rollups",
    "repayment_entries",
    "loan_schedule_rows",
    "loan_accounts",
  ]) {
    if (t === "legal_status_events") await dropIndex(db, "legal_status_events_asset", t);
    if (t === "loan_classification_overrides") {
      await dropIndex(db, "loan_classification_overrides_loan", t);
    }
    if (t === "repayment_entries") {
      await dropIndex(db, "repayment_entries_month", t);
      await dropIndex(db, "repayment_entries_loan", t);
    }
    if (t === "loan_schedule_rows") await dropIndex(db, "loan_schedule_rows_due", t);
    if (t === "loan_accounts") {
      await dropIndex(db, "loan_accounts_firm", t);
      await dropIndex(db, "loan_accounts_bank", t);
    }
    await db.schema.dropTable(t).ifExists().execute();
  }
  await db.schema.alterTable("applications").dropColumn("repayment_method").execute();
  await db.schema.alterTable("loan_products").dropColumn("min_coverage_bp").execute();
  await db.schema.alterTable("loan_products").dropColumn("repayment_methods_mask").execute();
}
