import type { Kysely } from "kysely";

// Risk sharing, guarantee insurance, interest subsidies and disposal (issue 14; decision 013).
// Money is bigint fen, rates and shares bp. Every table that moves money has a unique
// idempotency_key, so a retried post finds the row it already wrote. Cached totals
// (risk_pools.balance_fen, exposure_fen, …; subsidy_programmes.committed_fen, paid_fen;
// subsidy_firm_years.committed_fen) are kept in the transaction that writes the entries and are
// changed only by conditional UPDATEs (… WHERE balance_fen >= ?), which is what keeps two racing
// claims from taking a pool or a budget below zero. Invariants as unique keys:
//  - risk_reservations.application_id: a loan is covered by at most one pool;
//  - risk_claims.live_key = application_id while a claim is not rejected: one live claim a loan;
//  - subsidised_interest.payment_key: an interest payment is subsidised once, by any programme;
//  - risk_policies (application_id, kind): one insurance policy and one guarantee a loan.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("risk_pools")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    // regional | county: a label for the report; the rules are the same columns.
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    // The organisation managing the pool: a government alliance member or the platform.
    .addColumn("manager_org_id", "integer", (c) => c.notNull())
    .addColumn("insurer_org_id", "integer")
    .addColumn("guarantor_org_id", "integer")
    .addColumn("share_pool_bp", "integer", (c) => c.notNull())
    .addColumn("share_insurer_bp", "integer", (c) => c.notNull())
    .addColumn("share_guarantor_bp", "integer", (c) => c.notNull())
    .addColumn("share_bank_bp", "integer", (c) => c.notNull())
    .addColumn("per_loan_cap_fen", "bigint", (c) => c.notNull())
    // 189400 = 18.94×
    .addColumn("leverage_multiple_bp", "integer", (c) => c.notNull())
    .addColumn("interest_days_allowed", "integer", (c) => c.notNull())
    // Comma-separated claim document codes (domain/risk-sharing/claims CLAIM_DOCUMENTS).
    .addColumn("required_documents", "varchar(300)", (c) => c.notNull())
    .addColumn("contributed_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("paid_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("recovered_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("balance_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("exposure_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("risk_pool_products")
    .addColumn("pool_id", "integer", (c) => c.notNull())
    .addColumn("product_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("risk_pool_products_pk", ["pool_id", "product_id"])
    .execute();
  await db.schema
    .createIndex("risk_pool_products_product")
    .on("risk_pool_products")
    .column("product_id")
    .execute();

  await db.schema
    .createTable("risk_pool_regions")
    .addColumn("pool_id", "integer", (c) => c.notNull())
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addPrimaryKeyConstraint("risk_pool_regions_pk", ["pool_id", "region_code"])
    .execute();

  await db.schema
    .createTable("risk_pool_funders")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("pool_id", "integer", (c) => c.notNull())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("org_id", "integer")
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("risk_pool_funders_pool")
    .on("risk_pool_funders")
    .columns(["pool_id", "id"])
    .execute();

  // The pool's ledger: contribution (+), payout (−), recovery (+). Append-only.
  await db.schema
    .createTable("risk_pool_entries")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("pool_id", "integer", (c) => c.notNull())
    .addColumn("entry_type", "varchar(16)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("funder_id", "integer")
    .addColumn("claim_id", "integer")
    .addColumn("disposal_id", "integer")
    .addColumn("value_date", "date", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("note", "varchar(1000)")
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("risk_pool_entries_pool")
    .on("risk_pool_entries")
    .columns(["pool_id", "id"])
    .execute();

  await db.schema
    .createTable("risk_reservations")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("pool_id", "integer", (c) => c.notNull())
    .addColumn("application_id", "integer", (c) => c.notNull().unique())
    .addColumn("initial_fen", "bigint", (c) => c.notNull())
    .addColumn("reserved_fen", "bigint", (c) => c.notNull())
    // active | released (repaid) | claimed (a claim was filed)
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("risk_reservations_pool")
    .on("risk_reservations")
    .columns(["pool_id", "state"])
    .execute();

  await db.schema
    .createTable("risk_claims")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("pool_id", "integer", (c) => c.notNull())
    .addColumn("application_id", "integer", (c) => c.notNull())
    // = application_id until the claim is rejected, then NULL (one live claim per loan).
    .addColumn("live_key", "integer", (c) => c.unique())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    // filed | approved | partially_approved | rejected
    .addColumn("state", "varchar(20)", (c) => c.notNull())
    .addColumn("outstanding_principal_fen", "bigint", (c) => c.notNull())
    .addColumn("unpaid_interest_fen", "bigint", (c) => c.notNull())
    .addColumn("covered_principal_fen", "bigint", (c) => c.notNull())
    .addColumn("allowed_interest_fen", "bigint", (c) => c.notNull())
    .addColumn("loss_fen", "bigint", (c) => c.notNull())
    .addColumn("claimed_fen", "bigint", (c) => c.notNull())
    .addColumn("approved_fen", "bigint")
    .addColumn("reject_reason", "varchar(1000)")
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("filed_by", "integer", (c) => c.notNull())
    .addColumn("filed_at", "varchar(23)", (c) => c.notNull())
    .addColumn("decided_by", "integer")
    .addColumn("decided_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("risk_claims_pool")
    .on("risk_claims")
    .columns(["pool_id", "state", "id"])
    .execute();
  await db.schema
    .createIndex("risk_claims_bank")
    .on("risk_claims")
    .columns(["bank_org_id", "id"])
    .execute();

  await db.schema
    .createTable("risk_claim_documents")
    .addColumn("claim_id", "integer", (c) => c.notNull())
    .addColumn("document", "varchar(40)", (c) => c.notNull())
    .addColumn("reference", "varchar(200)")
    .addPrimaryKeyConstraint("risk_claim_documents_pk", ["claim_id", "document"])
    .execute();

  // One row per party of an approved claim, summing to approved_fen; idempotency_key = claim:party.
  await db.schema
    .createTable("risk_claim_payouts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("claim_id", "integer", (c) => c.notNull())
    .addColumn("party", "varchar(16)", (c) => c.notNull())
    .addColumn("payer_org_id", "integer")
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("risk_claim_payouts_claim")
    .on("risk_claim_payouts")
    .columns(["claim_id", "party"])
    .execute();

  // An insurer's premium rate or a guarantor's fee rate for a product (per year, bp).
  await db.schema
    .createTable("risk_product_quotes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("product_id", "integer", (c) => c.notNull())
    .addColumn("party_org_id", "integer", (c) => c.notNull())
    // insurance | guarantee
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("rate_bp", "integer", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addUniqueConstraint("risk_product_quotes_party", ["product_id", "party_org_id", "kind"])
    .execute();

  // A policy or guarantee bound at approval, with its premium or fee.
  await db.schema
    .createTable("risk_policies")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("quote_id", "integer", (c) => c.notNull())
    .addColumn("party_org_id", "integer", (c) => c.notNull())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("rate_bp", "integer", (c) => c.notNull())
    .addColumn("insured_fen", "bigint", (c) => c.notNull())
    .addColumn("premium_fen", "bigint", (c) => c.notNull())
    .addColumn("bound_at", "varchar(23)", (c) => c.notNull())
    .addUniqueConstraint("risk_policies_application_kind", ["application_id", "kind"])
    .execute();

  // Dated settings of the 1-year loan prime rate (贷款市场报价利率).
  await db.schema
    .createTable("lpr_settings")
    .addColumn("effective_date", "date", (c) => c.primaryKey())
    .addColumn("rate_bp", "integer", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("subsidy_programmes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("owner_org_id", "integer", (c) => c.notNull())
    .addColumn("share_bp", "integer", (c) => c.notNull())
    // NULL: the loan's own rate is the basis.
    .addColumn("lpr_multiple_cap_bp", "integer")
    .addColumn("per_firm_year_cap_fen", "bigint", (c) => c.notNull())
    .addColumn("budget_fen", "bigint", (c) => c.notNull())
    // Pending and approved claims; the budget's remainder is budget − committed.
    .addColumn("committed_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("paid_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("window_start", "date", (c) => c.notNull())
    .addColumn("window_end", "date", (c) => c.notNull())
    // Comma-separated; empty means all.
    .addColumn("region_codes", "varchar(200)", (c) => c.notNull())
    .addColumn("product_ids", "varchar(1000)", (c) => c.notNull())
    .addColumn("required_flags", "varchar(100)", (c) => c.notNull())
    .addColumn("first_pledge_only", "integer", (c) => c.notNull().defaultTo(0))
    // 1: an eligible claim is approved and paid when filed.
    .addColumn("auto_approve", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("subsidy_programmes_owner")
    .on("subsidy_programmes")
    .columns(["owner_org_id", "id"])
    .execute();

  await db.schema
    .createTable("subsidy_firm_years")
    .addColumn("programme_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("year", "integer", (c) => c.notNull())
    .addColumn("committed_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("subsidy_firm_years_pk", ["programme_id", "firm_org_id", "year"])
    .execute();

  await db.schema
    .createTable("subsidy_claims")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("programme_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("year", "integer", (c) => c.notNull())
    // pending | approved | rejected
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("interest_fen", "bigint", (c) => c.notNull())
    .addColumn("computed_fen", "bigint", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("lines_json", "text", (c) => c.notNull())
    .addColumn("reject_reason", "varchar(1000)")
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("decided_by", "integer")
    .addColumn("decided_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("subsidy_claims_programme")
    .on("subsidy_claims")
    .columns(["programme_id", "state", "id"])
    .execute();
  await db.schema
    .createIndex("subsidy_claims_firm")
    .on("subsidy_claims")
    .columns(["firm_org_id", "id"])
    .execute();

  // One row per interest payment a claim covers: the key is the repayment entry, across every
  // programme, so the same interest cannot be subsidised twice. Deleted when its claim is rejected.
  await db.schema
    .createTable("subsidised_interest")
    .addColumn("payment_key", "varchar(100)", (c) => c.primaryKey())
    .addColumn("claim_id", "integer", (c) => c.notNull())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("interest_fen", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("subsidised_interest_claim")
    .on("subsidised_interest")
    .column("claim_id")
    .execute();

  await db.schema
    .createTable("subsidy_payouts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("claim_id", "integer", (c) => c.notNull())
    .addColumn("programme_id", "integer", (c) => c.notNull())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("region_code", "varchar(6)")
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("value_date", "date", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("subsidy_payouts_programme")
    .on("subsidy_payouts")
    .columns(["programme_id", "id"])
    .execute();

  await db.schema
    .createTable("disposals")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("application_id", "integer", (c) => c.notNull())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("claim_id", "integer")
    // transfer | licence
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("title", "varchar(300)", (c) => c.notNull())
    .addColumn("asset_summary", "text", (c) => c.notNull())
    .addColumn("appraisal_fen", "bigint")
    .addColumn("asking_fen", "bigint", (c) => c.notNull())
    .addColumn("terms", "varchar(2000)", (c) => c.notNull())
    // listed | sold | withdrawn
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("proceeds_fen", "bigint")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("listed_by", "integer", (c) => c.notNull())
    .addColumn("listed_at", "varchar(23)", (c) => c.notNull())
    .addColumn("closed_at", "varchar(23)")
    .execute();
  await db.schema.createIndex("disposals_state").on("disposals").columns(["state", "id"]).execute();

  await db.schema
    .createTable("disposal_interests")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("disposal_id", "integer", (c) => c.notNull())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("contact", "varchar(200)", (c) => c.notNull())
    .addColumn("message", "varchar(2000)", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("disposal_interests_disposal")
    .on("disposal_interests")
    .columns(["disposal_id", "id"])
    .execute();

  // The proceeds split by shares; idempotency_key = disposal:party.
  await db.schema
    .createTable("disposal_distributions")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("disposal_id", "integer", (c) => c.notNull())
    .addColumn("claim_id", "integer")
    .addColumn("party", "varchar(16)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("disposal_distributions_claim")
    .on("disposal_distributions")
    .columns(["claim_id", "party"])
    .execute();
}

const TABLES = [
  "disposal_distributions",
  "disposal_interests",
  "disposals",
  "subsidy_payouts",
  "subsidised_interest",
  "subsidy_claims",
  "subsidy_firm_years",
  "subsidy_programmes",
  "lpr_settings",
  "risk_policies",
  "risk_product_quotes",
  "risk_claim_payouts",
  "risk_claim_documents",
  "risk_claims",
  "risk_reservations",
  "risk_pool_entries",
  "risk_pool_funders",
  "risk_pool_regions",
  "risk_pool_products",
  "risk_pools",
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  // Dropping a table drops its indexes on both engines.
  for (const t of TABLES) await db.schema.dropTable(t).ifExists().execute();
}
