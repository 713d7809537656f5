import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// The alliance review's risk-sharing and 贴息 figures group each disbursed deal of the period by
// the support terms of the product version it was applied under. Those four numbers lived only in
// applications.product_snapshot_json (about 0.9 kB a row), so the review read every such deal's
// row for its snapshot: 1.6 s at seed:scale on MariaDB. This migration keeps them as columns, set
// when the application is created (the snapshot never changes afterwards), and indexes them by
// id, so the review reads four integers per deal from a narrow index.
// Old rows are filled from their snapshot here, in batches by id. The parser is this file's own
// (a frozen copy of what app/domain/analytics/figures.ts snapshotSupport read on 2026-12-07): a
// landed migration must not change when app code does. No triggers: portable.

const COLUMNS = [
  "support_government_bp",
  "support_insurer_bp",
  "support_guarantor_bp",
  "support_subsidy_bp",
] as const;
const BATCH = 2000;

function bp(v: unknown): number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 10_000 ? v : 0;
}

/** [government, insurer, guarantor, subsidy] in bp; zeros for a snapshot without them. */
function supportOf(json: string | null): [number, number, number, number] {
  let raw: unknown;
  try {
    raw = json ? JSON.parse(json) : null;
  } catch {
    raw = null;
  }
  if (!raw || typeof raw !== "object") return [0, 0, 0, 0];
  const obj = raw as Record<string, unknown>;
  const terms = (obj.terms && typeof obj.terms === "object" ? obj.terms : obj) as Record<
    string,
    unknown
  >;
  const rs = (
    terms.riskShare && typeof terms.riskShare === "object" ? terms.riskShare : {}
  ) as Record<string, unknown>;
  return [bp(rs.governmentBp), bp(rs.insurerBp), bp(rs.guarantorBp), bp(terms.interestSubsidyBp)];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  for (const c of COLUMNS) {
    await db.schema
      .alterTable("applications")
      .addColumn(c, "integer", (col) => col.notNull().defaultTo(0))
      .execute();
  }
  for (let after = 0; ;) {
    const rows = (await db
      .selectFrom("applications")
      .select(["id", "product_snapshot_json"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(BATCH)
      .execute()) as { id: number | string; product_snapshot_json: string | null }[];
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1].id);
    // Few distinct terms per batch: one UPDATE per distinct set, for the rows that have any.
    const byTerms = new Map<string, number[]>();
    for (const r of rows) {
      const s = supportOf(r.product_snapshot_json);
      if (s.every((x) => x === 0)) continue;
      const key = s.join(",");
      const ids = byTerms.get(key) ?? [];
      ids.push(Number(r.id));
      byTerms.set(key, ids);
    }
    for (const [key, ids] of byTerms) {
      const [g, i, u, s] = key.split(",").map(Number);
      await db
        .updateTable("applications")
        .set({
          support_government_bp: g,
          support_insurer_bp: i,
          support_guarantor_bp: u,
          support_subsidy_bp: s,
        })
        .where("id", "in", ids)
        .execute();
    }
  }
  await db.schema
    .createIndex("applications_support")
    .on("applications")
    .columns(["id", ...COLUMNS])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "applications_support", "applications");
  for (const c of COLUMNS) await db.schema.alterTable("applications").dropColumn(c).execute();
}
