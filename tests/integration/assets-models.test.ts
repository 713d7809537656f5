import { beforeAll, describe, expect, it } from "vitest";
import { checkPatent, checkTrademark, type PatentDraft } from "../../app/domain/asset";
import { makePatentNumber } from "../../app/domain/patent";
import {
  assertAssetUnencumbered,
  createAsset,
  deleteAsset,
  findEncumbrance,
  getAsset,
  listAssets,
  updateAsset,
  type AssetRecord,
  type FirmActor,
} from "../../app/models/asset.server";
import { ConflictError, UserFacingError } from "../../app/models/errors";
import { createIndicativeEstimate, listEstimates } from "../../app/models/valuation.server";
import { registerFirm } from "../../app/models/organisation.server";
import { buildUscc } from "../../app/domain/uscc";
import { nowInstant, todayInChina } from "../../app/utils/time";
import type { Db } from "../../app/utils/db.server";
import { testDbKind, useTestDb } from "../support/db";

const TODAY = todayInChina();
let seq = 0;

async function firm(db: Db, highTech = false): Promise<FirmActor> {
  const n = ++seq;
  const { orgId, userId } = await registerFirm(db, {
    companyName: `资产测试企业${n}有限公司`,
    uscc: buildUscc("150600", `MA${String(n).padStart(6, "0")}`),
    regionCode: "150600",
    industrySection: "C",
    flags: { highTech, specialised: false, techSme: false },
    contactName: `联系人${n}`,
    email: `assets${n}@models.test`,
    password: "assets-models-password",
  });
  return { orgId, userId };
}

let serial = 1000;
function patentRecord(overrides: PatentDraft = {}): AssetRecord {
  const number = makePatentNumber(2020, 1, serial++);
  const r = checkPatent(
    {
      number,
      title: "一种草原牧草青贮装置",
      status: "granted",
      filingDate: "2020-04-01",
      grantDate: "2022-06-01",
      claimsCount: 8,
      ...overrides,
    },
    TODAY,
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

function trademarkRecord(number: string): AssetRecord {
  const r = checkTrademark(
    {
      number,
      title: "鹿城",
      status: "registered",
      niceClass: 30,
      trademarkKind: "ordinary",
      registrationDate: "2019-03-01",
    },
    TODAY,
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

async function countAssets(db: Db, where?: { number: string }) {
  let q = db.selectFrom("ip_assets").select((eb) => eb.fn.countAll<number>().as("n"));
  if (where) q = q.where("number", "=", where.number);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function auditCount(db: Db, action: string, entityId: number) {
  const row = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("action", "=", action)
    .where("entity_id", "=", String(entityId))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function insertApplication(
  db: Db,
  firmOrgId: number,
  assetId: number,
  state: string,
): Promise<number> {
  const now = nowInstant();
  const res = await db
    .insertInto("applications")
    .values({
      product_id: 1,
      firm_org_id: firmOrgId,
      bank_org_id: 999,
      region_code: "150600",
      state: state as "submitted",
      amount_fen: 100_000_000,
      term_months: 12,
      rate_bp: 350,
      product_snapshot_json: "{}",
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  const appId = Number(res.insertId);
  await db
    .insertInto("application_assets")
    .values({
      application_id: appId,
      asset_id: assetId,
      ip_type: "invention",
      value_fen: 500_000_000,
      pledge_rate_bp: 2500,
    })
    .execute();
  return appId;
}

async function rejectsWith(p: Promise<unknown>, key: string, field?: string) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserFacingError);
  expect((e as UserFacingError).key).toBe(key);
  if (field !== undefined) expect((e as UserFacingError).field).toBe(field);
  return e as UserFacingError;
}

describe(`IP asset models on ${testDbKind()}`, () => {
  const t = useTestDb();
  let a: FirmActor;
  let b: FirmActor;

  beforeAll(async () => {
    a = await firm(t.db, true);
    b = await firm(t.db);
  });

  it("lists a patent with its statutory expiry and an audit entry", async () => {
    const rec = patentRecord();
    const id = await createAsset(t.db, a, rec);
    const row = await getAsset(t.db, a.orgId, id);
    expect(row).toMatchObject({
      firm_org_id: a.orgId,
      asset_kind: "patent",
      ip_type: "invention",
      number: rec.number,
      expiry_date: "2040-04-01",
      status: "granted",
      version: 1,
    });
    expect(await auditCount(t.db, "asset.create", id)).toBe(1);
    // Another firm's id behaves like a missing one.
    expect(await getAsset(t.db, b.orgId, id)).toBeUndefined();
  });

  it("lets only one of two concurrent listings of the same number through, untouched", async () => {
    const rec = patentRecord();
    const results = await Promise.allSettled([
      createAsset(t.db, a, { ...rec, title: "A 的标题" }),
      createAsset(t.db, b, { ...rec, title: "B 的标题" }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const err = (failed[0] as PromiseRejectedResult).reason as UserFacingError;
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.field).toBe("number");
    // The loser is told "already listed" — never who holds it.
    expect(err.key).toBe("assets:errors.already_listed");
    expect(err.params).toEqual({});
    expect(await countAssets(t.db, { number: rec.number })).toBe(1);
    const winnerId = (ok[0] as PromiseFulfilledResult<number>).value;
    const winner = await t.db
      .selectFrom("ip_assets")
      .selectAll()
      .where("id", "=", winnerId)
      .executeTakeFirstOrThrow();
    expect(["A 的标题", "B 的标题"]).toContain(winner.title);
    expect(winner.version).toBe(1);
  });

  it("tells a firm listing its own number twice that it is already in its portfolio", async () => {
    const rec = trademarkRecord("88000001");
    await createAsset(t.db, a, rec);
    const again = await Promise.allSettled([createAsset(t.db, a, rec), createAsset(t.db, a, rec)]);
    for (const r of again) {
      expect(r.status).toBe("rejected");
      expect(((r as PromiseRejectedResult).reason as UserFacingError).key).toBe(
        "assets:errors.already_in_portfolio",
      );
    }
    expect(await countAssets(t.db, { number: "88000001" })).toBe(1);
  });

  it("saves an edit on the current version and refuses a stale one", async () => {
    const id = await createAsset(t.db, a, patentRecord());
    const rec = (await getAsset(t.db, a.orgId, id))!;
    const edited = patentRecord({ number: rec.number, title: "改进的青贮装置" });
    await updateAsset(t.db, a, id, 1, edited);
    const after = (await getAsset(t.db, a.orgId, id))!;
    expect(after).toMatchObject({ title: "改进的青贮装置", version: 2 });
    await expect(updateAsset(t.db, a, id, 1, { ...edited, title: "晚到的修改" })).rejects.toThrow(
      ConflictError,
    );
    expect((await getAsset(t.db, a.orgId, id))!.title).toBe("改进的青贮装置");
    // Another firm cannot edit it at all.
    await rejectsWith(updateAsset(t.db, b, id, 2, edited), "assets:errors.not_found");
    expect(await auditCount(t.db, "asset.update", id)).toBe(1);
  });

  it("refuses a number change onto a number someone else holds, keeping both rows", async () => {
    const mine = await createAsset(t.db, a, patentRecord());
    const theirsRec = patentRecord();
    await createAsset(t.db, b, theirsRec);
    const before = (await getAsset(t.db, a.orgId, mine))!;
    await rejectsWith(
      updateAsset(t.db, a, mine, before.version, { ...theirsRec, title: "抢号" }),
      "assets:errors.already_listed",
      "number",
    );
    expect((await getAsset(t.db, a.orgId, mine))!.number).toBe(before.number);
  });

  describe("while an asset is in an application or pledged", () => {
    it("refuses a number change and a delete, but allows other edits", async () => {
      const rec = patentRecord();
      const id = await createAsset(t.db, a, rec);
      const appId = await insertApplication(t.db, a.orgId, id, "submitted");
      expect(await findEncumbrance(t.db, id)).toEqual({
        pledgedBy: null,
        applications: [{ id: appId, state: "submitted" }],
      });
      await rejectsWith(
        updateAsset(t.db, a, id, 1, patentRecord()),
        "assets:errors.in_application",
        "number",
      );
      await updateAsset(t.db, a, id, 1, { ...rec, title: "仍可改名称" });
      await rejectsWith(deleteAsset(t.db, a, id, 2), "assets:errors.in_application");
      const row = (await getAsset(t.db, a.orgId, id))!;
      expect(row).toMatchObject({ number: rec.number, title: "仍可改名称", version: 2 });
    });

    it("counts a draft as live and releases where the locks are released: rejected, withdrawn, repaid or defaulted", async () => {
      const id = await createAsset(t.db, a, patentRecord());
      const appId = await insertApplication(t.db, a.orgId, id, "draft");
      await rejectsWith(assertAssetUnencumbered(t.db, id), "assets:errors.in_application");
      for (const released of ["rejected", "withdrawn", "repaid", "defaulted"] as const) {
        await t.db
          .updateTable("applications")
          .set({ state: released })
          .where("id", "=", appId)
          .execute();
        await expect(assertAssetUnencumbered(t.db, id)).resolves.toBeUndefined();
      }
      for (const held of [
        "submitted",
        "under_review",
        "approved",
        "pledge_registered",
        "disbursed",
      ] as const) {
        await t.db
          .updateTable("applications")
          .set({ state: held })
          .where("id", "=", appId)
          .execute();
        await rejectsWith(assertAssetUnencumbered(t.db, id), "assets:errors.in_application");
      }
    });

    it("refuses while a pledge lock holds the asset", async () => {
      const id = await createAsset(t.db, a, patentRecord());
      await t.db
        .insertInto("pledge_locks")
        .values({ asset_id: id, application_id: 4242, locked_at: nowInstant() })
        .execute();
      const e = await rejectsWith(deleteAsset(t.db, a, id, 1), "assets:errors.pledged");
      expect(e.params).toEqual({ application: 4242 });
      expect(await getAsset(t.db, a.orgId, id)).toBeDefined();
    });
  });

  it("deletes an asset with its estimates, on the version seen, and audits it", async () => {
    const id = await createAsset(t.db, a, patentRecord());
    await createIndicativeEstimate(
      t.db,
      a,
      id,
      {
        year1RevenueFen: 1_000_000_00,
        growthBp: 300,
        royaltyRateBp: 300,
        discountRateBp: 1400,
        taxRateBp: 1500,
        attributionShareBp: 5000,
        economicLifeYears: 8,
        indicators: null,
      },
      TODAY,
    );
    await expect(deleteAsset(t.db, a, id, 1)).rejects.toThrow(ConflictError); // valued since
    await rejectsWith(deleteAsset(t.db, b, id, 2), "assets:errors.not_found");
    await deleteAsset(t.db, a, id, 2);
    expect(await getAsset(t.db, a.orgId, id)).toBeUndefined();
    expect(await listEstimates(t.db, a.orgId, id)).toEqual([]);
    expect(await auditCount(t.db, "asset.delete", id)).toBe(1);
  });

  it("refuses to delete an asset that has a formal appraisal order", async () => {
    const id = await createAsset(t.db, a, patentRecord());
    const order = await t.db
      .insertInto("appraisal_orders")
      .values({
        firm_org_id: a.orgId,
        valuer_org_id: 1,
        status: "signed",
        fee_fen: 300_000,
        payment_mode: "offline",
        idempotency_key: `k-${id}`,
        created_by: a.userId,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("appraisal_order_items")
      .values({ order_id: Number(order.insertId), asset_id: id, indicative_central_fen: 1 })
      .execute();
    await rejectsWith(deleteAsset(t.db, a, id, 1), "assets:errors.has_appraisal");
    expect(await getAsset(t.db, a.orgId, id)).toBeDefined();
  });

  describe("the portfolio list", () => {
    let c: FirmActor;
    beforeAll(async () => {
      c = await firm(t.db);
      await createAsset(t.db, c, patentRecord({ title: "风电叶片 100% 回收方法" }));
      await createAsset(t.db, c, patentRecord({ title: "一种光伏支架" }));
      await createAsset(
        t.db,
        c,
        patentRecord({
          number: makePatentNumber(2016, 2, 77),
          filingDate: "2016-01-10",
          grantDate: "2016-09-01",
          status: "expired",
          title: "旧实用新型",
        }),
      );
      await createAsset(t.db, c, trademarkRecord("66000001"));
      await createAsset(t.db, b, trademarkRecord("66000002"));
    });

    const base = { sort: "created" as const, dir: "desc" as const, page: 1, pageSize: 2 };

    it("shows only the firm's own assets, paged, with exact totals", async () => {
      const p1 = await listAssets(t.db, c.orgId, base);
      expect(p1.total).toBe(4);
      expect(p1.pages).toBe(2);
      expect(p1.rows).toHaveLength(2);
      const p2 = await listAssets(t.db, c.orgId, { ...base, page: 2 });
      expect(p2.rows).toHaveLength(2);
      const ids = [...p1.rows, ...p2.rows].map((r) => r.id);
      expect(new Set(ids).size).toBe(4);
    });

    it("filters by type, status and text (ZL, spaces and % taken literally)", async () => {
      const all = { ...base, pageSize: 50 };
      expect((await listAssets(t.db, c.orgId, { ...all, type: "trademark" })).total).toBe(1);
      expect((await listAssets(t.db, c.orgId, { ...all, status: "expired" })).total).toBe(1);
      expect((await listAssets(t.db, c.orgId, { ...all, q: "100%" })).total).toBe(1);
      expect((await listAssets(t.db, c.orgId, { ...all, q: "%" })).total).toBe(1);
      const one = (await listAssets(t.db, c.orgId, { ...all, q: "光伏" })).rows[0];
      const spaced = `ZL ${one.number.slice(0, 4)} ${one.number.slice(4)}`;
      expect((await listAssets(t.db, c.orgId, { ...all, q: spaced })).rows[0].id).toBe(one.id);
      expect((await listAssets(t.db, c.orgId, { ...all, q: "66000002" })).total).toBe(0);
    });

    it("sorts by remaining protection (expiry) both ways", async () => {
      const asc = await listAssets(t.db, c.orgId, {
        ...base,
        pageSize: 50,
        sort: "expiry",
        dir: "asc",
      });
      const expiries = asc.rows.map((r) => r.expiry_date);
      expect(expiries).toEqual([...expiries].sort());
      expect(asc.rows[0].title).toBe("旧实用新型");
      const desc = await listAssets(t.db, c.orgId, {
        ...base,
        pageSize: 50,
        sort: "expiry",
        dir: "desc",
      });
      expect(desc.rows.map((r) => r.id)).toEqual(asc.rows.map((r) => r.id).reverse());
    });
  });
});
