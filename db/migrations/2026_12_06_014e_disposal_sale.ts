import { sql, type Kysely } from "kysely";
import { dropIndex } from "./portable";

// The bank's side of disposal (处置, issue 14 item 5; docs/domain.md#disposal).
//
// 1. disposals.live_key = application_id while a disposal is listed or sold (NULL once withdrawn):
//    a unique index then allows one live disposal per loan, on both engines (both let a unique
//    index hold many NULLs), the same pattern as risk_claims.live_key. Rows listed before this
//    column existed get it too, the oldest live row of each loan only, so the index can be built
//    even where a loan was listed twice.
// 2. The sale or licence itself: the buyer (or licensee) and the day the contract was signed,
//    recorded with the proceeds.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("disposals").addColumn("live_key", "integer").execute();
  // MySQL refuses a subquery on the table being updated unless it is a derived table.
  await sql`UPDATE disposals SET live_key = application_id
    WHERE id IN (SELECT first_id FROM (
      SELECT MIN(id) AS first_id FROM disposals WHERE state <> 'withdrawn' GROUP BY application_id
    ) AS live)`.execute(db);
  await db.schema
    .createIndex("disposals_live_key")
    .on("disposals")
    .column("live_key")
    .unique()
    .execute();
  await db.schema.alterTable("disposals").addColumn("buyer_name", "varchar(200)").execute();
  await db.schema.alterTable("disposals").addColumn("sold_date", "date").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("disposals").dropColumn("sold_date").execute();
  await db.schema.alterTable("disposals").dropColumn("buyer_name").execute();
  await dropIndex(db, "disposals_live_key", "disposals");
  await db.schema.alterTable("disposals").dropColumn("live_key").execute();
}
