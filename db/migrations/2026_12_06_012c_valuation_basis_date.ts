import { sql, type Kysely } from "kysely";

// The appraisal report's own facts (issue 12, part c).
//
// 1. 评估基准日 (valuation basis date): the day the value is stated as of, which the valuer picks
//    and which may fall before the signing date. Chinese practice counts an appraisal's one-year
//    validity from it, not from signing (docs/domain.md#appraisal-validity). Rows signed before
//    this column existed had their value stated as of the signing day, so they carry that day
//    over; their valid_until (signing + 12 months) is then already counted from the basis date
//    and stays as it is.
// 2. The licence or filing numbers printed on the report: the valuer firm's filing number with
//    the finance authority (资产评估机构备案编号), the signing valuer's registration number
//    (资产评估师职业资格证书登记编号) kept on the user for the next signature, and a copy of it on
//    each appraisal, so a signed report never changes when the profile does.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  // NOT NULL needs a default to add the column to existing rows; every row gets its real date
  // just below and every insert names the column, so the default is never read.
  await db.schema
    .alterTable("appraisals")
    .addColumn("basis_date", "date", (c) => c.notNull().defaultTo("1970-01-01"))
    .execute();
  await sql`UPDATE appraisals SET basis_date = signed_date`.execute(db);

  await db.schema
    .alterTable("appraisals")
    .addColumn("valuer_licence_number", "varchar(64)")
    .execute();
  await db.schema.alterTable("users").addColumn("licence_number", "varchar(64)").execute();
  await db.schema.alterTable("organisations").addColumn("licence_number", "varchar(64)").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("organisations").dropColumn("licence_number").execute();
  await db.schema.alterTable("users").dropColumn("licence_number").execute();
  await db.schema.alterTable("appraisals").dropColumn("valuer_licence_number").execute();
  await db.schema.alterTable("appraisals").dropColumn("basis_date").execute();
}
