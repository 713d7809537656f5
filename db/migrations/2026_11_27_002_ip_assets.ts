import type { Kysely } from "kysely";

// Calendar dates are DATE: MySQL (strict mode) refuses impossible dates; SQLite keeps the text.
// IP assets, indicative estimates, paid formal appraisals and the Stripe events that pay them.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("ip_assets")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    // 'patent' | 'trademark': the number space; ip_type is the pledge category.
    .addColumn("asset_kind", "varchar(12)", (c) => c.notNull())
    .addColumn("ip_type", "varchar(16)", (c) => c.notNull())
    // Normalised patent application number (201710601862.3) or trademark registration number.
    .addColumn("number", "varchar(32)", (c) => c.notNull())
    .addColumn("title", "varchar(300)", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("filing_date", "date")
    .addColumn("grant_date", "date")
    .addColumn("registration_date", "date")
    .addColumn("expiry_date", "date", (c) => c.notNull())
    .addColumn("ipc_class", "varchar(32)")
    .addColumn("claims_count", "integer")
    .addColumn("co_owned", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("nice_class", "integer")
    .addColumn("trademark_kind", "varchar(16)")
    .addColumn("geo_indication", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("well_known", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("renewals", "integer", (c) => c.notNull().defaultTo(0))
    // Latest values, kept in the same transaction as the estimate / signed appraisal they copy.
    .addColumn("indicative_value_fen", "bigint")
    .addColumn("indicative_estimate_id", "integer")
    .addColumn("formal_value_fen", "bigint")
    .addColumn("formal_valid_until", "date")
    .addColumn("formal_appraisal_id", "integer")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .addUniqueConstraint("ip_assets_number_unique", ["asset_kind", "number"])
    .execute();
  await db.schema
    .createIndex("ip_assets_firm")
    .on("ip_assets")
    .columns(["firm_org_id", "id"])
    .execute();

  await db.schema
    .createTable("valuation_estimates")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("valuation_date", "date", (c) => c.notNull())
    .addColumn("low_fen", "bigint", (c) => c.notNull())
    .addColumn("central_fen", "bigint", (c) => c.notNull())
    .addColumn("high_fen", "bigint", (c) => c.notNull())
    .addColumn("pvd", "integer")
    .addColumn("inputs_json", "text", (c) => c.notNull())
    .addColumn("result_json", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("valuation_estimates_asset")
    .on("valuation_estimates")
    .columns(["asset_id", "id"])
    .execute();

  await db.schema
    .createTable("appraisal_orders")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("valuer_org_id", "integer", (c) => c.notNull())
    // awaiting_payment → paid → in_progress → signed; payment_failed / cancelled on the side.
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("fee_fen", "bigint", (c) => c.notNull())
    .addColumn("payment_mode", "varchar(10)", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("stripe_session_id", "varchar(255)", (c) => c.unique())
    .addColumn("stripe_payment_intent", "varchar(255)")
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("paid_at", "varchar(23)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex("appraisal_orders_valuer")
    .on("appraisal_orders")
    .columns(["valuer_org_id", "status"])
    .execute();
  await db.schema
    .createIndex("appraisal_orders_firm")
    .on("appraisal_orders")
    .columns(["firm_org_id", "id"])
    .execute();

  await db.schema
    .createTable("appraisal_order_items")
    .addColumn("order_id", "integer", (c) => c.notNull())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    .addColumn("indicative_central_fen", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("appraisal_order_items_pk", ["order_id", "asset_id"])
    .execute();

  await db.schema
    .createTable("appraisals")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("order_id", "integer", (c) => c.notNull())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    .addColumn("valuer_org_id", "integer", (c) => c.notNull())
    .addColumn("report_number", "varchar(40)", (c) => c.notNull().unique())
    .addColumn("verification_token", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("low_fen", "bigint", (c) => c.notNull())
    .addColumn("central_fen", "bigint", (c) => c.notNull())
    .addColumn("high_fen", "bigint", (c) => c.notNull())
    .addColumn("method", "varchar(32)", (c) => c.notNull())
    .addColumn("assumptions", "text", (c) => c.notNull())
    .addColumn("report_text", "text", (c) => c.notNull())
    .addColumn("signed_by", "integer", (c) => c.notNull())
    .addColumn("signed_at", "varchar(23)", (c) => c.notNull())
    .addColumn("signed_date", "date", (c) => c.notNull())
    .addColumn("valid_until", "date", (c) => c.notNull())
    // One signed appraisal per asset per order.
    .addUniqueConstraint("appraisals_order_asset", ["order_id", "asset_id"])
    .execute();
  await db.schema
    .createIndex("appraisals_asset")
    .on("appraisals")
    .columns(["asset_id", "id"])
    .execute();

  await db.schema
    .createTable("stripe_events")
    .addColumn("event_id", "varchar(255)", (c) => c.primaryKey())
    .addColumn("type", "varchar(64)", (c) => c.notNull())
    .addColumn("session_id", "varchar(255)", (c) => c.notNull())
    .addColumn("received_at", "varchar(23)", (c) => c.notNull())
    // Stripe may send a second event object for the same session and type: apply it once.
    .addUniqueConstraint("stripe_events_session_type", ["session_id", "type"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "stripe_events",
    "appraisals",
    "appraisal_order_items",
    "appraisal_orders",
    "valuation_estimates",
    "ip_assets",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
