import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// Accounts (issue 11): the log-in throttle as atomic counters, the outgoing-mail queue, single-use
// e-mail tokens (password reset, address verification), per-user mail preferences, and Stripe
// events de-duplicated by event id alone.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  // One row per throttle key ("pair:<email>|<ip>", "ip:<ip>", "acct:<email>"). Counters change
  // only by `failures = failures + 1` inside a transaction, never read-modify-write in the app.
  await db.schema
    .createTable("login_throttle")
    .addColumn("throttle_key", "varchar(320)", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_failure_at", "varchar(23)", (c) => c.notNull())
    .addColumn("blocked_until", "varchar(23)", (c) => c.notNull())
    .addColumn("alerted_at", "varchar(23)")
    .execute();

  await db.schema
    .createTable("mail_queue")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("to_email", "varchar(254)", (c) => c.notNull())
    .addColumn("template", "varchar(64)", (c) => c.notNull())
    .addColumn("locale", "varchar(8)", (c) => c.notNull())
    .addColumn("subject", "varchar(255)", (c) => c.notNull())
    .addColumn("body_text", "text", (c) => c.notNull())
    // pending → sent (SMTP accepted it) | outbox (no SMTP_URL: kept for /admin/outbox)
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "varchar(23)", (c) => c.notNull())
    // A worker claims a row by writing its token here; a claim older than a few minutes is stale.
    .addColumn("claimed_by", "varchar(64)")
    .addColumn("claimed_at", "varchar(23)")
    .addColumn("last_error", "varchar(500)")
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("sent_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("mail_queue_due")
    .on("mail_queue")
    .columns(["status", "next_attempt_at"])
    .execute();

  await db.schema
    .createTable("email_tokens")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("purpose", "varchar(16)", (c) => c.notNull())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(23)", (c) => c.notNull())
    .addColumn("used_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("email_tokens_user")
    .on("email_tokens")
    .columns(["user_id", "purpose"])
    .execute();

  // Existing and seeded accounts count as verified (an invitation proves the address too); only
  // self-registration writes 0.
  await db.schema
    .alterTable("users")
    .addColumn("email_verified", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable("users")
    .addColumn("locale", "varchar(8)", (c) => c.notNull().defaultTo("zh-CN"))
    .execute();
  // Non-essential mail (deal events) can be switched off; resets and verifications cannot.
  await db.schema
    .alterTable("users")
    .addColumn("mail_opt_out", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("sessions").addColumn("user_agent", "varchar(255)").execute();

  // Stripe events: the unique (session, type) made a signed event with the wrong amount block the
  // genuine one that followed. Rebuilt (SQLite cannot drop a table constraint) keyed by event id.
  await db.schema
    .createTable("stripe_events_v2")
    .addColumn("event_id", "varchar(255)", (c) => c.primaryKey())
    .addColumn("type", "varchar(64)", (c) => c.notNull())
    .addColumn("session_id", "varchar(255)", (c) => c.notNull())
    .addColumn("received_at", "varchar(23)", (c) => c.notNull())
    .execute();
  await db
    .insertInto("stripe_events_v2")
    .columns(["event_id", "type", "session_id", "received_at"])
    .expression(
      db.selectFrom("stripe_events").select(["event_id", "type", "session_id", "received_at"]),
    )
    .execute();
  await db.schema.dropTable("stripe_events").execute();
  await db.schema.alterTable("stripe_events_v2").renameTo("stripe_events").execute();
  await db.schema
    .createIndex("stripe_events_session")
    .on("stripe_events")
    .columns(["session_id", "type"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "stripe_events_session", "stripe_events");
  await db.schema.alterTable("sessions").dropColumn("user_agent").execute();
  for (const c of ["mail_opt_out", "locale", "email_verified"]) {
    await db.schema.alterTable("users").dropColumn(c).execute();
  }
  for (const t of ["email_tokens", "mail_queue", "login_throttle"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
