import { sql, type Kysely } from "kysely";

// Team members and mail (issue 11, part c): who in a bank may manage its team, invitations that
// can be revoked and are written in the invitee's language, and the List-Unsubscribe target a
// queued notice carries to the SMTP server (RFC 8058).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  // 1: this bank officer may invite and remove the bank's officers (firm users all may).
  await db.schema
    .alterTable("users")
    .addColumn("team_admin", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // Each bank's first active officer manages its team. The derived table lets MySQL read the
  // table it updates.
  await sql`UPDATE users SET team_admin = 1 WHERE id IN (
      SELECT id FROM (
        SELECT MIN(id) AS id FROM users WHERE role = 'bank_officer' AND disabled = 0 GROUP BY org_id
      ) AS firsts
    )`.execute(db);

  await db.schema.alterTable("invitations").addColumn("revoked_at", "varchar(23)").execute();
  await db.schema
    .alterTable("invitations")
    .addColumn("locale", "varchar(8)", (c) => c.notNull().defaultTo("zh-CN"))
    .execute();
  // The accepted user gets team_admin from here.
  await db.schema
    .alterTable("invitations")
    .addColumn("team_admin", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.alterTable("mail_queue").addColumn("list_unsubscribe", "varchar(500)").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("mail_queue").dropColumn("list_unsubscribe").execute();
  for (const c of ["team_admin", "locale", "revoked_at"]) {
    await db.schema.alterTable("invitations").dropColumn(c).execute();
  }
  await db.schema.alterTable("users").dropColumn("team_admin").execute();
}
