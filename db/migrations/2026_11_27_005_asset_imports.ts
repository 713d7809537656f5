import { sql, type Kysely } from "kysely";

// Staged CSV imports of IP assets (issue 3, "Bulk import"). An upload is parsed and validated once,
// its normalised rows kept here while the firm reviews the preview, and written to ip_assets only
// when the firm confirms — or never. A preview of 10,000 rows is ~2–3 MB of JSON, beyond MySQL's
// TEXT (64 KB), hence LONGTEXT; SQLite accepts the name with TEXT affinity.
// status: staged → imported | cancelled; the commit claims the row inside its transaction, so a
// failed commit leaves it staged.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("asset_imports")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("firm_org_id", "integer", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(23)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(23)", (c) => c.notNull())
    .addColumn("file_name", "varchar(255)", (c) => c.notNull())
    // 'utf-8' | 'utf-8-bom' | 'gbk': what the upload was decoded as, shown in the preview.
    .addColumn("encoding", "varchar(16)", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("total_rows", "integer", (c) => c.notNull())
    .addColumn("valid_rows", "integer", (c) => c.notNull())
    .addColumn("error_rows", "integer", (c) => c.notNull())
    .addColumn("imported_rows", "integer", (c) => c.notNull().defaultTo(0))
    // { rows: valid normalised rows, errors: per-row problems }; emptied once imported/cancelled.
    .addColumn("rows_json", sql`longtext`, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("finished_at", "varchar(23)")
    .execute();
  await db.schema
    .createIndex("asset_imports_firm")
    .on("asset_imports")
    .columns(["firm_org_id", "id"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("asset_imports").ifExists().execute();
}
