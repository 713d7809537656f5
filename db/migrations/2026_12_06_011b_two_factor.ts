import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// Two-factor authentication (issue 11, docs/decisions/014-two-factor.md): one TOTP secret per
// user (encrypted at rest, enabled only once a code confirmed it), ten hashed one-time recovery
// codes, and the devices a user asked to be remembered for at most 30 days.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("user_totp")
    .addColumn("user_id", "integer", (c) => c.primaryKey())
    // "v1." + base64url(iv | tag | ciphertext), AES-256-GCM; never the plain secret.
    .addColumn("secret_enc", "varchar(255)", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    // null while enrolment waits for the first code
    .addColumn("enabled_at", "varchar(23)")
    // The last 30-second time step a code was accepted for: a code is never accepted twice.
    .addColumn("last_step", "integer")
    .execute();

  await db.schema
    .createTable("recovery_codes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("code_hash", "varchar(64)", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("used_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("recovery_codes_user")
    .on("recovery_codes")
    .columns(["user_id", "code_hash"])
    .execute();

  await db.schema
    .createTable("trusted_devices")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(23)", (c) => c.notNull())
    .addColumn("user_agent", "varchar(255)")
    .execute();
  await db.schema
    .createIndex("trusted_devices_user")
    .on("trusted_devices")
    .column("user_id")
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "trusted_devices_user", "trusted_devices");
  await dropIndex(db, "recovery_codes_user", "recovery_codes");
  for (const t of ["trusted_devices", "recovery_codes", "user_totp"]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
