import type { Kysely } from "kysely";

// Migrations are frozen in time: they never import app code. Column conventions that hold on
// SQLite and MySQL alike: money BIGINT fen, rates INTEGER bp, flags INTEGER 0/1, calendar dates
// DATE ('YYYY-MM-DD'), instants DATETIME(3) in UTC written as 'YYYY-MM-DD HH:MM:SS.mmm'.
// Invariants are unique constraints, not foreign keys or triggers, so they hold on TiDB/Vitess.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("organisations")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("alliance_kind", "varchar(16)")
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("uscc", "varchar(18)", (c) => c.unique())
    .addColumn("region_code", "varchar(6)")
    .addColumn("industry_section", "varchar(1)")
    .addColumn("flag_high_tech", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("flag_specialised", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("flag_tech_sme", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("contact_name", "varchar(100)")
    .addColumn("consent_show_name", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("organisations_kind").on("organisations").column("kind").execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("email", "varchar(254)", (c) => c.notNull().unique())
    .addColumn("password_hash", "varchar(255)", (c) => c.notNull())
    .addColumn("role", "varchar(16)", (c) => c.notNull())
    .addColumn("display_name", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("users_org").on("users").column("org_id").execute();

  await db.schema
    .createTable("sessions")
    // sha256 of the random token in the cookie, so a leaked table cannot be replayed.
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("last_seen_at", "varchar(23)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(23)", (c) => c.notNull())
    .addColumn("ip", "varchar(64)")
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("invitations")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("email", "varchar(254)", (c) => c.notNull())
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("role", "varchar(16)", (c) => c.notNull())
    .addColumn("display_name", "varchar(100)", (c) => c.notNull())
    .addColumn("invited_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(23)", (c) => c.notNull())
    .addColumn("accepted_at", "varchar(23)")
    .execute();

  await db.schema
    .createTable("login_attempts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("email", "varchar(254)", (c) => c.notNull())
    .addColumn("ip", "varchar(64)", (c) => c.notNull())
    .addColumn("succeeded", "integer", (c) => c.notNull())
    .addColumn("attempted_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("login_attempts_email")
    .on("login_attempts")
    .columns(["email", "attempted_at"])
    .execute();
  await db.schema
    .createIndex("login_attempts_ip")
    .on("login_attempts")
    .columns(["ip", "attempted_at"])
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("actor_user_id", "integer")
    .addColumn("org_id", "integer")
    .addColumn("action", "varchar(64)", (c) => c.notNull())
    .addColumn("entity_type", "varchar(32)", (c) => c.notNull())
    .addColumn("entity_id", "varchar(64)", (c) => c.notNull())
    .addColumn("from_state", "varchar(32)")
    .addColumn("to_state", "varchar(32)")
    .addColumn("reason", "varchar(1000)")
    .addColumn("detail_json", "text")
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_entity")
    .on("audit_log")
    .columns(["entity_type", "entity_id"])
    .execute();

  await db.schema
    .createTable("settings")
    .addColumn("name", "varchar(64)", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .execute();

  // Running totals toward the target, one row per 盟市 × bank × IP type × month. The ledger
  // (a later migration) adds to these in the same transaction as each entry.
  await db.schema
    .createTable("disbursement_totals")
    .addColumn("region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("bank_org_id", "integer", (c) => c.notNull())
    .addColumn("ip_type", "varchar(16)", (c) => c.notNull())
    .addColumn("month", "varchar(7)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("entry_count", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("disbursement_totals_pk", [
      "region_code",
      "bank_org_id",
      "ip_type",
      "month",
    ])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "disbursement_totals",
    "settings",
    "audit_log",
    "login_attempts",
    "invitations",
    "sessions",
    "users",
    "organisations",
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
