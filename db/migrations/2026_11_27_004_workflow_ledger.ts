import type { Kysely } from "kysely";

// Applications and their workflow, pledge locks, the comment thread, notifications, the
// append-only ledger and the firms-financed counter. Invariants are unique keys:
//  - pledge_locks.asset_id: an asset is pledged by at most one live approved application;
//  - ledger_entries.disbursement_key: one disbursement entry per application;
//  - ledger_entries.reverses_entry_id: an entry is reversed at most once.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("applications")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("request_id", "integer")
    .addColumn("product_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("industry_section", "varchar(1)")
    // draft | submitted | under_review | approved | rejected | pledge_registered | disbursed |
    // repaid | defaulted | withdrawn
    .addColumn("state", "varchar(20)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("term_months", "integer", (c) => c.notNull())
    .addColumn("rate_bp", "integer", (c) => c.notNull())
    // The product's terms when the firm applied; later product edits never change them.
    .addColumn("product_snapshot_json", "text", (c) => c.notNull())
    .addColumn("approved_amount_fen", "bigint")
    .addColumn("approved_rate_bp", "integer")
    .addColumn("approved_term_months", "integer")
    .addColumn("primary_ip_type", "varchar(16)")
    .addColumn("pledge_reg_number", "varchar(64)")
    .addColumn("pledge_reg_date", "date")
    .addColumn("disbursed_amount_fen", "bigint")
    .addColumn("disbursed_date", "date")
    .addColumn("closed_date", "date")
    .addColumn("reject_reason", "varchar(1000)")
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("submitted_at", "varchar(23)")
    .addColumn("review_started_at", "varchar(23)")
    .addColumn("approved_at", "varchar(23)")
    .addColumn("registered_at", "varchar(23)")
    .addColumn("disbursed_at", "varchar(23)")
    .addColumn("closed_at", "varchar(23)")
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("applications_firm")
    .on("applications")
    .columns(["firm_org_id", "id"])
    .execute();
  await db.schema
    .createIndex("applications_bank_state")
    .on("applications")
    .columns(["bank_org_id", "state", "id"])
    .execute();
  await db.schema
    .createIndex("applications_product")
    .on("applications")
    .columns(["product_id", "id"])
    .execute();

  await db.schema
    .createTable("application_assets")
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    .addColumn("ip_type", "varchar(16)", (c) => c.notNull())
    .addColumn("value_fen", "bigint", (c) => c.notNull())
    .addColumn("pledge_rate_bp", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("application_assets_pk", ["application_id", "asset_id"])
    .execute();
  await db.schema
    .createIndex("application_assets_asset")
    .on("application_assets")
    .column("asset_id")
    .execute();

  await db.schema
    .createTable("pledge_locks")
    .addColumn("asset_id", "integer", (c) => c.primaryKey())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("locked_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("pledge_locks_application")
    .on("pledge_locks")
    .column("application_id")
    .execute();

  await db.schema
    .createTable("application_comments")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("author_user_id", "integer", (c) => c.notNull())
    .addColumn("author_org_id", "integer", (c) => c.notNull())
    // comment | document_request
    .addColumn("kind", "varchar(20)", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("application_comments_app")
    .on("application_comments")
    .columns(["application_id", "id"])
    .execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("kind", "varchar(40)", (c) => c.notNull())
    .addColumn("params_json", "text", (c) => c.notNull())
    .addColumn("link", "varchar(300)")
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("read_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("notifications_user")
    .on("notifications")
    .columns(["user_id", "id"])
    .execute();

  await db.schema
    .createTable("ledger_entries")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // disbursement | reversal
    .addColumn("entry_type", "varchar(16)", (c) => c.notNull())
    .addColumn("application_id", "integer", (c) => c.notNull())
    // = application_id for disbursements, NULL for reversals (unique: one disbursement each).
    .addColumn("disbursement_key", "integer", (c) => c.unique())
    .addColumn("reverses_entry_id", "integer", (c) => c.unique())
    // Signed: reversals carry the negative of the entry they reverse.
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("value_date", "date", (c) => c.notNull())
    .addColumn("month", "varchar(7)", (c) => c.notNull())
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("ip_type", "varchar(16)", (c) => c.notNull())
    .addColumn("reason", "varchar(1000)")
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("ledger_entries_bucket")
    .on("ledger_entries")
    .columns(["region_code", "bank_org_id", "ip_type", "month"])
    .execute();

  await db.schema
    .createTable("financed_firms")
    .addColumn("firm_org_id", "integer", (c) => c.primaryKey())
    // Net count of disbursements not reversed; a firm counts as financed while this is > 0.
    .addColumn("disbursement_count", "integer", (c) => c.notNull())
    .addColumn("first_value_date", "date", (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "financed_firms",
    "ledger_entries",
    "notifications",
    "application_comments",
    "pledge_locks",
    "application_assets",
    "applications",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
