import { Migrator, NO_MIGRATIONS, sql, type Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateToLatest } from "../../db/migrate";
import { migrations } from "../../db/migrations/index";
import { appraisalValidUntil } from "../../app/domain/valuation";
import { supportColumns } from "../../app/domain/analytics/figures";
import type { Db } from "../../app/utils/db.server";
import { createTestDb, testDbKind, useTestDb } from "../support/db";

const names = Object.keys(migrations);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
function migrator(db: Kysely<any>) {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "kysely_migration",
    migrationLockTableName: "kysely_migration_lock",
  });
}

async function userTables(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((n) => !n.startsWith("kysely_"));
}

describe("the migration list", () => {
  it("names every migration YYYY_MM_DD_NNN[x]_title and lists them in name order", () => {
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\d{4}_\d{2}_\d{2}_\d{3}[a-z]?_[a-z0-9_]+$/);
    expect(names).toEqual([...names].sort());
  });

  it("gives every migration an up and a down", () => {
    for (const [name, m] of Object.entries(migrations)) {
      expect(typeof m.up, `${name}.up`).toBe("function");
      expect(typeof m.down, `${name}.down`).toBe("function");
    }
  });
});

describe(`migrations on ${testDbKind()}`, () => {
  const t = useTestDb();

  it("applies every migration, in order", async () => {
    const applied = await migrator(t.db).getMigrations();
    expect(applied.map((m) => m.name)).toEqual(names);
    expect(applied.every((m) => m.executedAt instanceof Date)).toBe(true);
  });

  it("creates the foundation tables", async () => {
    const tables = await userTables(t.db);
    for (const table of [
      "organisations",
      "users",
      "sessions",
      "audit_log",
      "disbursement_totals",
    ]) {
      expect(tables).toContain(table);
    }
  });

  it("does nothing when run again", async () => {
    const result = await migrateToLatest(t.db);
    expect(result.results).toEqual([]);
  });

  it("keeps Chinese text and emoji intact", async () => {
    const name = "内蒙古草原知识产权有限公司 🐎";
    await t.db
      .insertInto("organisations")
      .values({ kind: "firm", name, created_at: "2026-11-27 09:00:00.000" })
      .execute();
    const row = await t.db
      .selectFrom("organisations")
      .select("name")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(name);
  });

  it("stores 100亿元 in fen exactly and reads it back as a number", async () => {
    const fen = 1_000_000_000_000;
    await t.db
      .insertInto("disbursement_totals")
      .values({
        region_code: "150100",
        bank_org_id: 1,
        ip_type: "invention",
        month: "2025-12",
        amount_fen: fen,
        entry_count: 1,
      })
      .execute();
    const row = await t.db
      .selectFrom("disbursement_totals")
      .select("amount_fen")
      .where("region_code", "=", "150100")
      .executeTakeFirstOrThrow();
    expect(row.amount_fen).toBe(fen);
  });

  it("creates the database as UTF-8 (utf8mb4_unicode_ci on MySQL)", async () => {
    if (t.kind === "mysql") {
      const r = await sql<{ cs: string; co: string }>`
        SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co
        FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()`.execute(t.db);
      expect(r.rows[0]).toEqual({ cs: "utf8mb4", co: "utf8mb4_unicode_ci" });
    } else {
      const r = await sql<{ encoding: string }>`PRAGMA encoding`.execute(t.db);
      expect(r.rows[0].encoding).toBe("UTF-8");
    }
  });
});

describe("rolling back", () => {
  it("migrates all the way down and up again", async () => {
    const fresh = await createTestDb({ global: false });
    try {
      const down = await migrator(fresh.db).migrateTo(NO_MIGRATIONS);
      const failed = down.results?.find((r) => r.status === "Error")?.migrationName;
      expect(down.error, `down() of ${failed} failed on ${fresh.kind}`).toBeUndefined();
      expect(await userTables(fresh.db)).toEqual([]);
      const up = await migrateToLatest(fresh.db);
      expect(up.results?.map((r) => r.migrationName)).toEqual(names);
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("012c: the 评估基准日", () => {
  it("carries existing appraisals over with their signing date as basis date, validity unchanged", async () => {
    const fresh = await createTestDb({ global: false });
    try {
      const m = migrator(fresh.db);
      const back = await m.migrateTo("2026_12_06_011c_team_and_mail");
      expect(back.error).toBeUndefined();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table as it was then
      const before = fresh.db as unknown as Kysely<any>;
      const signed = [
        ["2025-03-15", "2026-03-15"],
        ["2024-02-29", "2025-02-28"],
      ];
      for (const [i, [signedDate, validUntil]] of signed.entries()) {
        await before
          .insertInto("appraisals")
          .values({
            order_id: 900 + i,
            asset_id: 900 + i,
            valuer_org_id: 1,
            report_number: `OLD-${i}`,
            verification_token: `old-token-${i}-0123456789abcdef`,
            low_fen: 1,
            central_fen: 2,
            high_fen: 3,
            method: "income",
            assumptions: "-",
            report_text: "-",
            signed_by: 1,
            signed_at: `${signedDate} 08:00:00.000`,
            signed_date: signedDate,
            valid_until: validUntil,
          })
          .execute();
      }
      const up = await migrateToLatest(fresh.db);
      expect(up.error).toBeUndefined();
      const rows = await fresh.db
        .selectFrom("appraisals")
        .select(["signed_date", "basis_date", "valid_until", "valuer_licence_number"])
        .orderBy("id")
        .execute();
      expect(rows.map((r) => ({ ...r, basis_date: String(r.basis_date).slice(0, 10) }))).toEqual(
        signed.map(([signedDate, validUntil]) => ({
          signed_date: signedDate,
          basis_date: signedDate,
          valid_until: validUntil,
          valuer_licence_number: null,
        })),
      );
      expect(rows.map((r) => appraisalValidUntil(r.basis_date))).toEqual(
        rows.map((r) => r.valid_until),
      );
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("014e: one live disposal a loan", () => {
  it("keys the oldest live disposal of each loan, so the unique index builds over old rows", async () => {
    const fresh = await createTestDb({ global: false });
    try {
      const m = migrator(fresh.db);
      const back = await m.migrateTo("2026_12_06_012c_valuation_basis_date");
      expect(back.error).toBeUndefined();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table as it was then
      const before = fresh.db as unknown as Kysely<any>;
      // Loan 7 listed twice (before the guard), loan 8 withdrawn then listed again, loan 9 withdrawn.
      const rows: [number, string][] = [
        [7, "listed"],
        [7, "listed"],
        [8, "withdrawn"],
        [8, "sold"],
        [9, "withdrawn"],
      ];
      for (const [applicationId, state] of rows) {
        await before
          .insertInto("disposals")
          .values({
            application_id: applicationId,
            bank_org_id: 1,
            kind: "transfer",
            title: "旧处置",
            asset_summary: "-",
            asking_fen: 1,
            terms: "-",
            state,
            listed_by: 1,
            listed_at: "2026-01-01 00:00:00.000",
          })
          .execute();
      }
      const up = await migrateToLatest(fresh.db);
      expect(up.error).toBeUndefined();
      const after = await fresh.db
        .selectFrom("disposals")
        .select(["application_id", "state", "live_key", "buyer_name", "sold_date"])
        .orderBy("id")
        .execute();
      expect(after.map((r) => r.live_key)).toEqual([7, null, null, 8, null]);
      expect(after.every((r) => r.buyer_name === null && r.sold_date === null)).toBe(true);
      // The index now refuses a second live disposal of loan 8.
      await expect(
        fresh.db
          .updateTable("disposals")
          .set({ live_key: 8 })
          .where("application_id", "=", 9)
          .execute(),
      ).rejects.toThrow();
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("017e: support terms as columns", () => {
  it("fills every old application's columns from its snapshot, the same as snapshotSupport", async () => {
    const fresh = await createTestDb({ global: false });
    try {
      const m = migrator(fresh.db);
      const back = await m.migrateTo("2026_12_06_016e_repayment_principal_days");
      expect(back.error).toBeUndefined();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table as it was then
      const before = fresh.db as unknown as Kysely<any>;
      const snapshots = [
        // The products model's snapshot: terms under `terms`.
        JSON.stringify({
          productId: 1,
          terms: {
            riskShare: { governmentBp: 4000, insurerBp: 2000, guarantorBp: 1000 },
            interestSubsidyBp: 5000,
          },
        }),
        // Bare terms, subsidy only.
        JSON.stringify({ interestSubsidyBp: 3000 }),
        // No support, unreadable, and out-of-range numbers: zeros, never an error.
        JSON.stringify({ productId: 2, terms: { minRateBp: 400 } }),
        "{not json",
        JSON.stringify({ terms: { riskShare: { governmentBp: 20_000 }, interestSubsidyBp: -1 } }),
      ];
      // More rows than one batch of the backfill, so the batches are walked.
      const rows = Array.from({ length: 2003 }, (_, i) => snapshots[i % snapshots.length]);
      for (let i = 0; i < rows.length; i += 200) {
        await before
          .insertInto("applications")
          .values(
            rows.slice(i, i + 200).map((json) => ({
              product_id: 1,
              firm_org_id: 1,
              bank_org_id: 1,
              region_code: "150100",
              state: "draft",
              amount_fen: 1,
              term_months: 12,
              rate_bp: 400,
              product_snapshot_json: json,
              created_at: "2026-01-01 00:00:00.000",
              updated_at: "2026-01-01 00:00:00.000",
            })),
          )
          .execute();
      }
      const up = await migrateToLatest(fresh.db);
      expect(up.error).toBeUndefined();
      const after = await fresh.db
        .selectFrom("applications")
        .select([
          "product_snapshot_json",
          "support_government_bp",
          "support_insurer_bp",
          "support_guarantor_bp",
          "support_subsidy_bp",
        ])
        .orderBy("id")
        .execute();
      expect(after).toHaveLength(rows.length);
      for (const [i, r] of after.entries()) {
        expect(
          {
            support_government_bp: r.support_government_bp,
            support_insurer_bp: r.support_insurer_bp,
            support_guarantor_bp: r.support_guarantor_bp,
            support_subsidy_bp: r.support_subsidy_bp,
          },
          `row ${i}`,
        ).toEqual(supportColumns(r.product_snapshot_json));
      }
      expect(after[0]).toMatchObject({ support_government_bp: 4000, support_subsidy_bp: 5000 });
      expect(after[2001]).toMatchObject({ support_government_bp: 0, support_subsidy_bp: 3000 });
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("018e: a corrected disbursement names the reversal it follows", () => {
  it("keeps old entries as first disbursements and lets each reversal in one disbursement", async () => {
    const fresh = await createTestDb({ global: false });
    try {
      const m = migrator(fresh.db);
      const back = await m.migrateTo("2026_12_07_017e_application_support");
      expect(back.error).toBeUndefined();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table as it was then
      const before = fresh.db as unknown as Kysely<any>;
      const entry = (over: Record<string, unknown>) => ({
        entry_type: "disbursement",
        application_id: 7,
        disbursement_key: null,
        reverses_entry_id: null,
        amount_fen: 5_000_000,
        value_date: "2025-03-20",
        month: "2025-03",
        region_code: "150200",
        bank_org_id: 1,
        firm_org_id: 2,
        ip_type: "invention",
        reason: null,
        created_by: 1,
        created_at: "2025-03-20 08:00:00.000",
        ...over,
      });
      await before
        .insertInto("ledger_entries")
        .values(entry({ disbursement_key: 7 }))
        .execute();
      await before
        .insertInto("ledger_entries")
        .values(entry({ entry_type: "reversal", reverses_entry_id: 1, amount_fen: -5_000_000 }))
        .execute();
      const up = await migrateToLatest(fresh.db);
      expect(up.error).toBeUndefined();
      const old = await fresh.db
        .selectFrom("ledger_entries")
        .select(["id", "disbursement_key", "after_reversal_id"])
        .orderBy("id")
        .execute();
      expect(old).toEqual([
        { id: 1, disbursement_key: 7, after_reversal_id: null },
        { id: 2, disbursement_key: null, after_reversal_id: null },
      ]);
      // The corrected disbursement fills the slot reversal 2 opened; a second one cannot.
      await before
        .insertInto("ledger_entries")
        .values(entry({ amount_fen: 50_000_000, after_reversal_id: 2 }))
        .execute();
      await expect(
        before
          .insertInto("ledger_entries")
          .values(entry({ amount_fen: 50_000_000, after_reversal_id: 2 }))
          .execute(),
      ).rejects.toThrow();
      // Many entries without the key, as every reversal and first disbursement has.
      await before
        .insertInto("ledger_entries")
        .values(entry({ entry_type: "reversal", reverses_entry_id: 3, amount_fen: -50_000_000 }))
        .execute();
      expect(
        await fresh.db
          .selectFrom("ledger_entries")
          .select("id")
          .where("after_reversal_id", "is", null)
          .execute(),
      ).toHaveLength(3);
    } finally {
      await fresh.cleanup();
    }
  });
});
