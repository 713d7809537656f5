import type { Kysely } from "kysely";

// Bank loan products and firms' financing requests. Regions, industries and firm flags are kept
// both as readable JSON and as bit masks, so a SQL prefilter can test them without a join.
// Bit i of region_mask is the i-th 盟市 in code order (150100 … 152900); of industry_mask the
// i-th GB/T 4754 section (A … T); of flags_mask: 1 high-tech, 2 专精特新, 4 科技型中小企业.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("loan_products")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("min_amount_fen", "bigint", (c) => c.notNull())
    .addColumn("max_amount_fen", "bigint", (c) => c.notNull())
    .addColumn("min_term_months", "integer", (c) => c.notNull())
    .addColumn("max_term_months", "integer", (c) => c.notNull())
    .addColumn("min_rate_bp", "integer", (c) => c.notNull())
    .addColumn("max_rate_bp", "integer", (c) => c.notNull())
    .addColumn("pledge_rate_invention_bp", "integer", (c) => c.notNull())
    .addColumn("pledge_rate_utility_model_bp", "integer", (c) => c.notNull())
    .addColumn("pledge_rate_design_bp", "integer", (c) => c.notNull())
    .addColumn("pledge_rate_trademark_bp", "integer", (c) => c.notNull())
    // bit 1 invention, 2 utility model, 4 design, 8 trademark
    .addColumn("ip_types_mask", "integer", (c) => c.notNull())
    .addColumn("min_remaining_invention_years", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("min_remaining_utility_model_years", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("min_remaining_design_years", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("min_remaining_trademark_years", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("trademark_min_age_years", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("all_regions", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("region_mask", "integer", (c) => c.notNull())
    .addColumn("all_industries", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("industry_mask", "integer", (c) => c.notNull())
    .addColumn("required_flags_mask", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("requires_formal_appraisal", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("quota_total_fen", "bigint", (c) => c.notNull())
    .addColumn("quota_remaining_fen", "bigint", (c) => c.notNull())
    .addColumn("risk_government_bp", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("risk_insurer_bp", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("risk_guarantor_bp", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("interest_subsidy_bp", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("loan_products_active_amount")
    .on("loan_products")
    .columns(["active", "min_amount_fen", "max_amount_fen"])
    .execute();
  await db.schema
    .createIndex("loan_products_bank")
    .on("loan_products")
    .columns(["bank_org_id", "id"])
    .execute();

  await db.schema
    .createTable("financing_requests")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("term_months", "integer", (c) => c.notNull())
    .addColumn("max_rate_bp", "integer", (c) => c.notNull())
    .addColumn("purpose", "varchar(500)", (c) => c.notNull())
    // open | closed
    .addColumn("status", "varchar(12)", (c) => c.notNull())
    // Copied from the firm when the request is written, for the bank-side prefilter.
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("region_bit", "integer", (c) => c.notNull())
    .addColumn("industry_bit", "integer", (c) => c.notNull())
    .addColumn("flags_mask", "integer", (c) => c.notNull())
    // Upper bounds of usable collateral value per IP type among the offered assets (formal or
    // indicative, whichever is larger): only used to prune, never to decide.
    .addColumn("offered_invention_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("offered_utility_model_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("offered_design_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("offered_trademark_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("financing_requests_open")
    .on("financing_requests")
    .columns(["status", "amount_fen", "term_months"])
    .execute();
  await db.schema
    .createIndex("financing_requests_firm")
    .on("financing_requests")
    .columns(["firm_org_id", "id"])
    .execute();

  await db.schema
    .createTable("financing_request_assets")
    .addColumn("request_id", "integer", (c) => c.notNull())
    .addColumn("asset_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("financing_request_assets_pk", ["request_id", "asset_id"])
    .execute();
  await db.schema
    .createIndex("financing_request_assets_asset")
    .on("financing_request_assets")
    .column("asset_id")
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["financing_request_assets", "financing_requests", "loan_products"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
