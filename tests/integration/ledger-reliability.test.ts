/**
 * The ledger under concurrency and crashes, on SQLite and MariaDB (TEST_DB). On MariaDB the
 * concurrent tests use their own pool of 60 connections, so 50 transactions really run at once;
 * on SQLite the same calls interleave on the one connection.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IpType } from "../../db/schema";
import {
  approveApplication,
  disburseApplication,
  getApplicationRow,
} from "../../app/models/application.server";
import { ConflictError, UserFacingError } from "../../app/models/errors";
import { reconcileTotals } from "../../app/models/ledger.server";
import { getProgressSummary } from "../../app/models/progress.server";
import { IP_TYPES } from "../../app/domain/ip";
import { REGION_CODES } from "../../app/domain/regions";
import { createDb, type DbHandle } from "../../app/utils/db.server";
import { nowInstant } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import {
  addAsset,
  addProduct,
  countRows,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";

/** Runs `tasks` with at most `limit` in flight; returns every outcome. */
async function runConcurrently<T>(
  tasks: (() => Promise<T>)[],
  limit: number,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await tasks[i]() };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function keyOf(e: unknown): string {
  return e instanceof UserFacingError ? e.key : String(e);
}

describe("ledger reliability", () => {
  const t = useTestDb();
  let w: DealWorld;
  /** The handle the concurrent calls use: a 60-connection pool on MariaDB. */
  let big: DbHandle;

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    big = t.kind === "mysql" ? createDb(t.url, { poolSize: 60 }) : t.handle;
  });

  afterAll(async () => {
    if (big && big !== t.handle) await big.db.destroy();
  });

  async function totalRollup() {
    return (await getProgressSummary(t.db)).financedFen;
  }

  it("100 concurrent identical disbursements make exactly one entry and move the total once", async () => {
    const id = await newApplication(t.db, w, {
      assetIds: [await addAsset(t.db, w.firmA.orgId)],
      amountFen: 12_345_678,
    });
    await driveTo(t.db, w, id, "pledge_registered", { regDate: "2025-06-01" });
    const version = (await getApplicationRow(t.db, id))!.version;
    const before = await totalRollup();
    const results = await runConcurrently(
      Array.from(
        { length: 100 },
        () => () =>
          disburseApplication(big.db, w.bankX, {
            applicationId: id,
            version,
            amountFen: 12_345_678,
            valueDate: "2025-06-30",
          }),
      ),
      100,
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused.every((r) => r.status === "rejected" && r.reason instanceof ConflictError)).toBe(
      true,
    );
    const entries = await t.db
      .selectFrom("ledger_entries")
      .select(["id", "amount_fen"])
      .where("application_id", "=", id)
      .execute();
    expect(entries).toHaveLength(1);
    expect((await totalRollup()) - before).toBe(12_345_678);
    expect((await reconcileTotals(t.db)).driftFen).toBe(0);
  });

  it("the unique disbursement key refuses a second entry even if the state check were bypassed", async () => {
    const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
    await driveTo(t.db, w, id, "disbursed");
    // Simulate a bug that put the application back one step.
    await t.db
      .updateTable("applications")
      .set({ state: "pledge_registered" })
      .where("id", "=", id)
      .execute();
    const row = (await getApplicationRow(t.db, id))!;
    const entries = await countRows(t.db, "ledger_entries");
    const total = await totalRollup();
    const e = await disburseApplication(t.db, w.bankX, {
      applicationId: id,
      version: row.version,
      amountFen: 1_000_000,
      valueDate: (await getApplicationRow(t.db, id))!.disbursed_date!,
    }).catch((err: unknown) => err);
    expect(keyOf(e)).toBe("applications:errors.alreadyDisbursed");
    expect(await countRows(t.db, "ledger_entries")).toBe(entries);
    expect(await totalRollup()).toBe(total);
    expect((await getApplicationRow(t.db, id))!.version).toBe(row.version);
    await t.db
      .updateTable("applications")
      .set({ state: "disbursed" })
      .where("id", "=", id)
      .execute();
  });

  it("a crash right after the ledger insert leaves nothing half-written", async () => {
    const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
    await driveTo(t.db, w, id, "pledge_registered", { regDate: "2025-07-01" });
    const row = (await getApplicationRow(t.db, id))!;
    const counts = async () => ({
      entries: await countRows(t.db, "ledger_entries"),
      totals: await t.db.selectFrom("disbursement_totals").selectAll().execute(),
      rollups: await t.db.selectFrom("disbursement_rollups").selectAll().execute(),
      firms: await t.db.selectFrom("financed_firms").selectAll().execute(),
      audit: await countRows(t.db, "audit_log"),
      notifications: await countRows(t.db, "notifications"),
      quota: (
        await t.db
          .selectFrom("loan_products")
          .select("quota_remaining_fen")
          .where("id", "=", w.productX)
          .executeTakeFirstOrThrow()
      ).quota_remaining_fen,
    });
    const before = await counts();
    const crash = new Error("simulated crash after the ledger insert");
    await expect(
      disburseApplication(
        t.db,
        w.bankX,
        { applicationId: id, version: row.version, amountFen: 5_000_000, valueDate: "2025-08-01" },
        {
          afterLedgerInsert: () => {
            throw crash;
          },
        },
      ),
    ).rejects.toBe(crash);
    expect(await counts()).toEqual(before);
    expect(await getApplicationRow(t.db, id)).toEqual(row);
    // And the same disbursement then goes through once.
    await disburseApplication(t.db, w.bankX, {
      applicationId: id,
      version: row.version,
      amountFen: 5_000_000,
      valueDate: "2025-08-01",
    });
    expect((await reconcileTotals(t.db)).driftFen).toBe(0);
  });

  it("two approvals racing for the same asset: exactly one wins, the other is told why", async () => {
    for (let round = 0; round < 5; round++) {
      const shared = await addAsset(t.db, w.firmA.orgId, { title: `共享专利${round}` });
      const ids = [
        await newApplication(t.db, w, { assetIds: [shared] }),
        await newApplication(t.db, w, { assetIds: [shared, await addAsset(t.db, w.firmA.orgId)] }),
      ];
      for (const id of ids) await driveTo(t.db, w, id, "under_review");
      const results = await Promise.allSettled(
        ids.map((id) =>
          approveApplication(big.db, w.bankX, {
            applicationId: id,
            version: 3,
            amountFen: 10_000_000,
            rateBp: 385,
            termMonths: 12,
          }),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(keyOf(loser.reason)).toBe("applications:errors.assetLocked");
      expect((loser.reason as UserFacingError).params).toMatchObject({ title: `共享专利${round}` });
      const locks = await t.db
        .selectFrom("pledge_locks")
        .select(["asset_id", "application_id"])
        .where("application_id", "in", ids)
        .execute();
      const winner = ids[results.findIndex((r) => r.status === "fulfilled")];
      expect(locks.every((l) => l.application_id === winner)).toBe(true);
      const states = await Promise.all(
        ids.map(async (id) => (await getApplicationRow(t.db, id))!.state),
      );
      expect(states.sort()).toEqual(["approved", "under_review"]);
    }
  });

  it("concurrent approvals never take the quota below zero", async () => {
    const amount = 10_000_000;
    const productId = await addProduct(t.db, w.bankX.orgId, w.bankX.userId, {
      quotaFen: 3 * amount + amount - 1,
    });
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = await newApplication(t.db, w, {
        assetIds: [await addAsset(t.db, w.firmA.orgId)],
        productId,
        amountFen: amount,
      });
      await driveTo(t.db, w, id, "under_review");
      ids.push(id);
    }
    const results = await runConcurrently(
      ids.map(
        (id) => () =>
          approveApplication(big.db, w.bankX, {
            applicationId: id,
            version: 3,
            amountFen: amount,
            rateBp: 385,
            termMonths: 12,
          }),
      ),
      10,
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results) {
      if (r.status === "rejected")
        expect(keyOf(r.reason)).toBe("applications:errors.quotaExhausted");
    }
    const p = await t.db
      .selectFrom("loan_products")
      .select("quota_remaining_fen")
      .where("id", "=", productId)
      .executeTakeFirstOrThrow();
    expect(Number(p.quota_remaining_fen)).toBe(amount - 1);
  });

  it(
    "1,000 disbursements over 50 concurrent connections: totals exact to the fen, zero drift",
    { timeout: 240_000 },
    async () => {
      // 1,000 applications ready to disburse, across 3 banks, 12 盟市, 4 IP types and 40 firms,
      // inserted directly: the disbursements are what is under test.
      const banks = [w.bankX, w.bankY, w.bankX2];
      const products = [w.productX, w.productY, w.productX];
      const firms: number[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await t.db
          .insertInto("organisations")
          .values({
            kind: "firm",
            name: `并发企业${i}`,
            region_code: REGION_CODES[i % 12],
            created_at: nowInstant(),
          })
          .executeTakeFirstOrThrow();
        firms.push(Number(res.insertId));
      }
      const snapshot = (
        await t.db
          .selectFrom("applications")
          .select("product_snapshot_json")
          .executeTakeFirstOrThrow()
      ).product_snapshot_json;
      let seed = 42;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      interface Planned {
        id: number;
        bank: number;
        amountFen: number;
        valueDate: string;
        region: string;
        ipType: IpType;
        firm: number;
      }
      const planned: Planned[] = [];
      const now = nowInstant();
      const rows = Array.from({ length: 1000 }, (_, i) => {
        const b = i % 3;
        const firm = firms[Math.floor(rand() * firms.length)];
        const region = REGION_CODES[Math.floor(rand() * 12)];
        const ipType = IP_TYPES[Math.floor(rand() * 4)];
        const amountFen = 1_000_000 + Math.floor(rand() * 99_000_000) + (i % 7);
        const year = 2022 + Math.floor(rand() * 4);
        const month = String(1 + Math.floor(rand() * 12)).padStart(2, "0");
        const day = String(1 + Math.floor(rand() * 28)).padStart(2, "0");
        planned.push({
          id: 0,
          bank: b,
          amountFen,
          valueDate: `${year}-${month}-${day}`,
          region,
          ipType,
          firm,
        });
        return {
          product_id: products[b],
          firm_org_id: firm,
          bank_org_id: banks[b].orgId,
          region_code: region,
          industry_section: "C",
          state: "pledge_registered" as const,
          version: 5,
          amount_fen: amountFen,
          term_months: 12,
          rate_bp: 385,
          product_snapshot_json: snapshot,
          approved_amount_fen: amountFen,
          approved_rate_bp: 385,
          approved_term_months: 12,
          primary_ip_type: ipType,
          pledge_reg_number: `Y${i}`,
          pledge_reg_date: "2022-01-01",
          created_at: now,
          updated_at: now,
        };
      });
      for (let i = 0; i < rows.length; i += 200) {
        await t.db
          .insertInto("applications")
          .values(rows.slice(i, i + 200))
          .execute();
      }
      const ids = await t.db
        .selectFrom("applications")
        .select("id")
        .where("pledge_reg_number", "like", "Y%")
        .where("state", "=", "pledge_registered")
        .where("pledge_reg_date", "=", "2022-01-01")
        .orderBy("id")
        .execute();
      expect(ids).toHaveLength(1000);
      ids.forEach((r, i) => (planned[i].id = r.id));

      const before = await t.db.selectFrom("disbursement_totals").selectAll().execute();
      const expected = new Map<string, { fen: number; n: number }>();
      const k = (r: string, b: number, ip: string, m: string) => `${r}|${b}|${ip}|${m}`;
      for (const r of before) {
        expected.set(k(r.region_code, r.bank_org_id, r.ip_type, r.month), {
          fen: Number(r.amount_fen),
          n: Number(r.entry_count),
        });
      }
      const financedBefore = await totalRollup();
      let sum = 0;
      for (const p of planned) {
        const key = k(p.region, banks[p.bank].orgId, p.ipType, p.valueDate.slice(0, 7));
        const e = expected.get(key) ?? { fen: 0, n: 0 };
        e.fen += p.amountFen;
        e.n += 1;
        expected.set(key, e);
        sum += p.amountFen;
      }

      const started = Date.now();
      const results = await runConcurrently(
        planned.map(
          (p) => () =>
            disburseApplication(big.db, banks[p.bank], {
              applicationId: p.id,
              version: 5,
              amountFen: p.amountFen,
              valueDate: p.valueDate,
            }),
        ),
        50,
      );
      const failures = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(failures.map((f) => keyOf(f.reason))).toEqual([]);
      console.log(`[${t.kind}] 1,000 disbursements, 50 at a time: ${Date.now() - started} ms`);

      const after = await t.db.selectFrom("disbursement_totals").selectAll().execute();
      const actual = new Map(
        after.map((r) => [
          k(r.region_code, r.bank_org_id, r.ip_type, r.month),
          { fen: Number(r.amount_fen), n: Number(r.entry_count) },
        ]),
      );
      expect(actual).toEqual(expected);
      expect((await totalRollup()) - financedBefore).toBe(sum);
      const report = await reconcileTotals(t.db);
      expect(report.drifts).toEqual([]);
      expect(report.driftFen).toBe(0);
      expect(report.driftCount).toBe(0);
      expect(report.mismatchedApplications).toEqual([]);
    },
  );
});
