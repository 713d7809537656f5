import { beforeAll, describe, expect, it } from "vitest";
import { addDays, addMonthsClamped } from "../../app/domain/ip";
import {
  createAppraisalOrder,
  getAppraisalFeeSettings,
  getAppraisalReport,
  getFirmOrder,
  getValuerOrder,
  listFirmOrders,
  listOrderableAssets,
  listValuerOrders,
  previewAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
  updateAppraisalFeeSettings,
  verifyAppraisalToken,
  type Actor,
  type SignedValueInput,
} from "../../app/models/appraisal.server";
import { ConflictError, UserFacingError } from "../../app/models/errors";
import {
  cancelAppraisalOrder,
  getAwaitingOfflineOrder,
  listAwaitingOfflineOrders,
  markOfflinePaid,
} from "../../app/models/payment.server";
import { todayInChina } from "../../app/utils/time";
import {
  appraisalRowCounts,
  makeAdmin,
  makeAsset,
  makeFirm,
  makeOrgUser,
  makeValuer,
  orderRow,
} from "../support/appraisal";
import { testDbKind, useTestDb } from "../support/db";

describe(`formal appraisals (${testDbKind()})`, () => {
  const t = useTestDb();

  let firmA: Actor;
  let firmB: Actor;
  let valuer: Actor;
  let otherValuer: Actor;
  let admin: Actor;
  let bank: Actor;

  beforeAll(async () => {
    firmA = await makeFirm(t.db, "甲");
    firmB = await makeFirm(t.db, "乙");
    valuer = await makeValuer(t.db);
    otherValuer = await makeValuer(t.db);
    admin = await makeAdmin(t.db);
    bank = await makeOrgUser(t.db, "bank", "bank_officer", "测试银行");
  });

  async function refusal(p: Promise<unknown>): Promise<UserFacingError> {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UserFacingError);
    return e as UserFacingError;
  }

  function values(assetIds: number[], centralFen = 90_000_000): SignedValueInput[] {
    return assetIds.map((assetId) => ({
      assetId,
      lowFen: centralFen - 10_000_000,
      centralFen,
      highFen: centralFen + 10_000_000,
      method: "income",
      assumptions: "持续经营；许可费率 3%；折现率 12%",
      reportText: "经评定估算，该专利权于评估基准日的市场价值如上。",
    }));
  }

  /** An order taken through offline payment to in_progress, ready to sign. */
  async function inProgressOrder(firm: Actor, assetIds: number[]) {
    const { orderId } = await createAppraisalOrder(t.db, firm, {
      assetIds,
      valuerOrgId: valuer.org_id,
    });
    await markOfflinePaid(t.db, admin, orderId, 1, { reference: "BANK-REF-1" });
    await startAppraisalWork(t.db, valuer, orderId, 2);
    return orderId;
  }

  describe("the fee setting", () => {
    it("defaults to max(¥3,000, 0.6 %)", async () => {
      expect(await getAppraisalFeeSettings(t.db)).toEqual({ minFeeFen: 300_000, rateBp: 60 });
    });

    it("refuses values outside the allowed range and writes nothing", async () => {
      const before = await appraisalRowCounts(t.db);
      const e = await refusal(
        updateAppraisalFeeSettings(
          t.db,
          admin,
          { minFeeFen: 300_000, rateBp: 501 },
          { minFeeFen: 300_000, rateBp: 60 },
        ),
      );
      expect(e.key).toBe("appraisal:errors.feeSettingsRange");
      await refusal(
        updateAppraisalFeeSettings(
          t.db,
          admin,
          { minFeeFen: 9_999, rateBp: 60 },
          { minFeeFen: 300_000, rateBp: 60 },
        ),
      );
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    it("saves a change with an audit record, and refuses a save based on a stale view", async () => {
      await updateAppraisalFeeSettings(
        t.db,
        admin,
        { minFeeFen: 500_000, rateBp: 80 },
        { minFeeFen: 300_000, rateBp: 60 },
        "2027 价目表",
      );
      expect(await getAppraisalFeeSettings(t.db)).toEqual({ minFeeFen: 500_000, rateBp: 80 });
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "settings.appraisal_fee")
        .executeTakeFirstOrThrow();
      expect(JSON.parse(audit.detail_json!)).toEqual({
        from: { minFeeFen: 300_000, rateBp: 60 },
        to: { minFeeFen: 500_000, rateBp: 80 },
      });
      expect(audit.reason).toBe("2027 价目表");

      // A second admin still looking at the old values.
      const before = await appraisalRowCounts(t.db);
      const e = await refusal(
        updateAppraisalFeeSettings(
          t.db,
          admin,
          { minFeeFen: 400_000, rateBp: 50 },
          { minFeeFen: 300_000, rateBp: 60 },
        ),
      );
      expect(e).toBeInstanceOf(ConflictError);
      expect(await appraisalRowCounts(t.db)).toEqual(before);

      // Back to the defaults for the tests below.
      await updateAppraisalFeeSettings(
        t.db,
        admin,
        { minFeeFen: 300_000, rateBp: 60 },
        { minFeeFen: 500_000, rateBp: 80 },
      );
    });
  });

  describe("ordering a formal appraisal", () => {
    it("charges each asset max(¥3,000, 0.6 % of its indicative central value)", async () => {
      const big = await makeAsset(t.db, firmA, { centralFen: 100_000_000 }); // ¥1,000,000 → ¥6,000
      const small = await makeAsset(t.db, firmA, { centralFen: 10_000_000 }); // ¥100,000 → ¥600 < ¥3,000
      const preview = await previewAppraisalOrder(t.db, firmA.org_id, {
        assetIds: [big, small],
        valuerOrgId: valuer.org_id,
      });
      expect(preview.items.map((i) => i.feeFen)).toEqual([600_000, 300_000]);
      expect(preview.feeFen).toBe(900_000);

      const { orderId, feeFen } = await createAppraisalOrder(t.db, firmA, {
        assetIds: [small, big],
        valuerOrgId: valuer.org_id,
      });
      expect(feeFen).toBe(900_000);
      const order = await orderRow(t.db, orderId);
      expect(order).toMatchObject({
        status: "awaiting_payment",
        fee_fen: 900_000,
        payment_mode: "offline", // no STRIPE_SECRET_KEY in this process
        firm_org_id: firmA.org_id,
        valuer_org_id: valuer.org_id,
        version: 1,
      });
      expect(order.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
      const items = await t.db
        .selectFrom("appraisal_order_items")
        .select(["asset_id", "indicative_central_fen"])
        .where("order_id", "=", orderId)
        .orderBy("asset_id")
        .execute();
      expect(items.map((i) => [i.asset_id, Number(i.indicative_central_fen)])).toEqual([
        [big, 100_000_000],
        [small, 10_000_000],
      ]);
      const audit = await t.db
        .selectFrom("audit_log")
        .select(["action", "to_state"])
        .where("entity_type", "=", "appraisal_order")
        .where("entity_id", "=", String(orderId))
        .execute();
      expect(audit).toEqual([{ action: "appraisal_order.create", to_state: "awaiting_payment" }]);
    });

    it("refuses bad orders with a specific message and writes nothing", async () => {
      const priced = await makeAsset(t.db, firmA);
      const unpriced = await makeAsset(t.db, firmA, { centralFen: null, title: "无估值的专利" });
      const foreign = await makeAsset(t.db, firmB);
      const before = await appraisalRowCounts(t.db);
      const cases: [number[], number, string][] = [
        [[], valuer.org_id, "appraisal:errors.noAssets"],
        [[priced], bank.org_id, "appraisal:errors.valuerUnknown"],
        [[priced, foreign], valuer.org_id, "appraisal:errors.assetUnknown"],
        [[priced, 999_999], valuer.org_id, "appraisal:errors.assetUnknown"],
        [[priced, unpriced], valuer.org_id, "appraisal:errors.noEstimate"],
      ];
      for (const [assetIds, valuerOrgId, key] of cases) {
        const e = await refusal(createAppraisalOrder(t.db, firmA, { assetIds, valuerOrgId }));
        expect(e.key, JSON.stringify(assetIds)).toBe(key);
      }
      const e = await refusal(
        createAppraisalOrder(t.db, firmA, { assetIds: [unpriced], valuerOrgId: valuer.org_id }),
      );
      expect(e.params).toMatchObject({ title: "无估值的专利" });
      expect(e.field).toBe("assetIds");
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    it("refuses an asset that is already in an open order, and frees it when that is cancelled", async () => {
      const asset = await makeAsset(t.db, firmA);
      const { orderId } = await createAppraisalOrder(t.db, firmA, {
        assetIds: [asset],
        valuerOrgId: valuer.org_id,
      });
      const before = await appraisalRowCounts(t.db);
      const e = await refusal(
        createAppraisalOrder(t.db, firmA, { assetIds: [asset], valuerOrgId: otherValuer.org_id }),
      );
      expect(e.key).toBe("appraisal:errors.alreadyOrdered");
      expect(await appraisalRowCounts(t.db)).toEqual(before);
      const listed = await listOrderableAssets(t.db, firmA.org_id, [asset]);
      expect(listed[0].openOrder?.orderId).toBe(orderId);

      // Another firm cannot cancel it; a stale version is refused.
      await refusal(cancelAppraisalOrder(t.db, firmB, orderId, 1));
      expect(await refusal(cancelAppraisalOrder(t.db, firmA, orderId, 7))).toBeInstanceOf(
        ConflictError,
      );
      await cancelAppraisalOrder(t.db, firmA, orderId, 1);
      expect((await orderRow(t.db, orderId)).status).toBe("cancelled");
      await createAppraisalOrder(t.db, firmA, {
        assetIds: [asset],
        valuerOrgId: otherValuer.org_id,
      });
    });

    it("lets only one of two simultaneous orders for the same asset through", async () => {
      const asset = await makeAsset(t.db, firmA);
      const results = await Promise.allSettled([
        createAppraisalOrder(t.db, firmA, { assetIds: [asset], valuerOrgId: valuer.org_id }),
        createAppraisalOrder(t.db, firmA, { assetIds: [asset], valuerOrgId: valuer.org_id }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect((rejected.reason as UserFacingError).key).toBe("appraisal:errors.alreadyOrdered");
    });

    it("shows a firm only its own orders", async () => {
      const asset = await makeAsset(t.db, firmB);
      const { orderId } = await createAppraisalOrder(t.db, firmB, {
        assetIds: [asset],
        valuerOrgId: valuer.org_id,
      });
      expect(await getFirmOrder(t.db, firmA.org_id, orderId)).toBeNull();
      const mine = await getFirmOrder(t.db, firmB.org_id, orderId);
      expect(mine?.items.map((i) => i.assetId)).toEqual([asset]);
      expect(mine?.orderNumber).toMatch(/^PG\d{4}\d{6}$/);
      const listA = await listFirmOrders(t.db, firmA.org_id, 1);
      expect(listA.rows.some((r) => r.id === orderId)).toBe(false);
      const listB = await listFirmOrders(t.db, firmB.org_id, 1);
      expect(listB.total).toBe(1);
      expect(listB.rows[0]).toMatchObject({ id: orderId, assetCount: 1 });
    });
  });

  describe("offline payment confirmed by an admin", () => {
    it("marks an awaiting offline order paid once, with the bank reference in the audit", async () => {
      const asset = await makeAsset(t.db, firmA);
      const { orderId } = await createAppraisalOrder(t.db, firmA, {
        assetIds: [asset],
        valuerOrgId: valuer.org_id,
      });
      const list = await listAwaitingOfflineOrders(t.db, 1);
      expect(list.rows.some((r) => r.id === orderId)).toBe(true);
      expect(await getAwaitingOfflineOrder(t.db, orderId)).toMatchObject({
        id: orderId,
        version: 1,
      });

      expect(
        await refusal(markOfflinePaid(t.db, admin, orderId, 2, { reference: "X" })),
      ).toBeInstanceOf(ConflictError);
      await markOfflinePaid(t.db, admin, orderId, 1, {
        reference: "NMGB20261127-0001",
        note: "对公转账",
      });
      const order = await orderRow(t.db, orderId);
      expect(order).toMatchObject({ status: "paid", version: 2 });
      expect(order.paid_at).not.toBeNull();
      // Twice (a second admin, a double click): refused, nothing changes.
      expect(
        await refusal(markOfflinePaid(t.db, admin, orderId, 1, { reference: "again" })),
      ).toBeInstanceOf(ConflictError);
      expect(await getAwaitingOfflineOrder(t.db, orderId)).toBeNull();
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "appraisal_order.mark_paid_offline")
        .where("entity_id", "=", String(orderId))
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor_user_id: admin.id,
        reason: "NMGB20261127-0001",
        from_state: "awaiting_payment",
        to_state: "paid",
      });
    });

    it("never marks a Stripe order paid by hand", async () => {
      const asset = await makeAsset(t.db, firmA);
      const { orderId } = await createAppraisalOrder(
        t.db,
        firmA,
        { assetIds: [asset], valuerOrgId: valuer.org_id },
        { paymentMode: "stripe" },
      );
      await refusal(markOfflinePaid(t.db, admin, orderId, 1, { reference: "X" }));
      expect((await orderRow(t.db, orderId)).status).toBe("awaiting_payment");
      expect(await getAwaitingOfflineOrder(t.db, orderId)).toBeNull();
    });
  });

  describe("the valuer's queue and signature", () => {
    it("shows a valuer only paid or started orders assigned to it", async () => {
      const a1 = await makeAsset(t.db, firmA);
      const a2 = await makeAsset(t.db, firmA);
      const unpaid = await createAppraisalOrder(t.db, firmA, {
        assetIds: [a1],
        valuerOrgId: valuer.org_id,
      });
      const paid = await createAppraisalOrder(t.db, firmA, {
        assetIds: [a2],
        valuerOrgId: valuer.org_id,
      });
      await markOfflinePaid(t.db, admin, paid.orderId, 1, { reference: "R" });

      const queue = await listValuerOrders(t.db, valuer.org_id, "queue", 1);
      const ids = queue.rows.map((r) => r.id);
      expect(ids).toContain(paid.orderId);
      expect(ids).not.toContain(unpaid.orderId);
      expect(queue.total).toBe(queue.rows.length);
      expect((await listValuerOrders(t.db, otherValuer.org_id, "queue", 1)).total).toBe(0);

      expect(await getValuerOrder(t.db, valuer.org_id, unpaid.orderId)).toBeNull();
      expect(await getValuerOrder(t.db, otherValuer.org_id, paid.orderId)).toBeNull();
      const seen = await getValuerOrder(t.db, valuer.org_id, paid.orderId);
      expect(seen?.items[0].estimate).toMatchObject({
        lowFen: 80_000_000,
        centralFen: 100_000_000,
        highFen: 120_000_000,
      });
      expect(seen?.firmName).toMatch(/^甲/);
    });

    it("starts work once (paid → in_progress) and only for the assigned valuer", async () => {
      const asset = await makeAsset(t.db, firmA);
      const { orderId } = await createAppraisalOrder(t.db, firmA, {
        assetIds: [asset],
        valuerOrgId: valuer.org_id,
      });
      // Not paid yet.
      expect(await refusal(startAppraisalWork(t.db, valuer, orderId, 1))).toBeInstanceOf(
        ConflictError,
      );
      await markOfflinePaid(t.db, admin, orderId, 1, { reference: "R" });
      await refusal(startAppraisalWork(t.db, otherValuer, orderId, 2));
      await startAppraisalWork(t.db, valuer, orderId, 2);
      expect(await orderRow(t.db, orderId)).toMatchObject({ status: "in_progress", version: 3 });
      await refusal(startAppraisalWork(t.db, valuer, orderId, 2));
    });

    it("refuses an inverted range or a missing asset and writes nothing", async () => {
      const [x, y] = [await makeAsset(t.db, firmA), await makeAsset(t.db, firmA)];
      const orderId = await inProgressOrder(firmA, [x, y]);
      const before = await appraisalRowCounts(t.db);
      const bad = values([x, y]);
      bad[1] = { ...bad[1], lowFen: bad[1].centralFen + 1 };
      const e = await refusal(signAppraisalOrder(t.db, valuer, orderId, 3, bad));
      expect(e.key).toBe("appraisal:errors.range.low_above_central");
      expect(e.field).toBe(`asset-${y}`);
      const e2 = await refusal(signAppraisalOrder(t.db, valuer, orderId, 3, values([x])));
      expect(e2.key).toBe("appraisal:errors.signAllAssets");
      await refusal(signAppraisalOrder(t.db, otherValuer, orderId, 3, values([x, y])));
      expect(await appraisalRowCounts(t.db)).toEqual(before);
      expect((await orderRow(t.db, orderId)).status).toBe("in_progress");
    });

    it("refuses a 评估基准日 in the future, after signing or over a year old, and writes nothing", async () => {
      const [x, y] = [await makeAsset(t.db, firmA), await makeAsset(t.db, firmA)];
      const orderId = await inProgressOrder(firmA, [x, y]);
      const today = todayInChina();
      const before = await appraisalRowCounts(t.db);
      const licenceBefore = await t.db
        .selectFrom("users")
        .select("licence_number")
        .where("id", "=", valuer.id)
        .executeTakeFirstOrThrow();
      const cases: [Parameters<typeof signAppraisalOrder>[5], string][] = [
        [{ basisDate: addDays(today, 1), valuerLicenceNumber: "15009999" }, "future"],
        [{ signedDate: "2026-03-01", basisDate: "2026-03-02" }, "after_signing"],
        [{ basisDate: addDays(addMonthsClamped(today, -12), -1) }, "expired_at_signing"],
        [{ basisDate: "2026-02-30" }, "invalid"],
      ];
      for (const [opts, problem] of cases) {
        const e = await refusal(signAppraisalOrder(t.db, valuer, orderId, 3, values([x, y]), opts));
        expect(e.key).toBe(`appraisal:errors.basisDate.${problem}`);
        expect(e.field).toBe("basisDate");
      }
      expect(await appraisalRowCounts(t.db)).toEqual(before);
      expect(await orderRow(t.db, orderId)).toMatchObject({ status: "in_progress", version: 3 });
      expect(
        await t.db
          .selectFrom("users")
          .select("licence_number")
          .where("id", "=", valuer.id)
          .executeTakeFirstOrThrow(),
      ).toEqual(licenceBefore);
      const assets = await t.db
        .selectFrom("ip_assets")
        .select(["formal_value_fen", "formal_valid_until"])
        .where("id", "in", [x, y])
        .execute();
      for (const a of assets)
        expect(a).toEqual({ formal_value_fen: null, formal_valid_until: null });
    });

    it("counts validity from the 评估基准日 and prints the valuer's registration number", async () => {
      const x = await makeAsset(t.db, firmA);
      const orderId = await inProgressOrder(firmA, [x]);
      const today = todayInChina();
      // The oldest basis date allowed: the report is valid through the day it is signed.
      const basisDate = addMonthsClamped(today, -12);
      const [id] = (
        await signAppraisalOrder(t.db, valuer, orderId, 3, values([x]), {
          basisDate,
          valuerLicenceNumber: " 15000312 ",
        })
      ).appraisalIds;
      const row = await t.db
        .selectFrom("appraisals")
        .select(["signed_date", "basis_date", "valid_until", "valuer_licence_number"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        signed_date: today,
        basis_date: basisDate,
        valid_until: addMonthsClamped(basisDate, 12),
        valuer_licence_number: "15000312",
      });
      const asset = await t.db
        .selectFrom("ip_assets")
        .select("formal_valid_until")
        .where("id", "=", x)
        .executeTakeFirstOrThrow();
      expect(asset.formal_valid_until).toBe(row.valid_until);
      const user = await t.db
        .selectFrom("users")
        .select("licence_number")
        .where("id", "=", valuer.id)
        .executeTakeFirstOrThrow();
      expect(user.licence_number).toBe("15000312");
      const report = await getAppraisalReport(t.db, valuer, id);
      expect(report).toMatchObject({ basis_date: basisDate, signerLicenceNumber: "15000312" });
    });

    it("signs: one report per asset, valid 12 months, the asset's formal value updated", async () => {
      const [x, y] = [await makeAsset(t.db, firmA), await makeAsset(t.db, firmA)];
      const orderId = await inProgressOrder(firmA, [x, y]);
      const { appraisalIds } = await signAppraisalOrder(t.db, valuer, orderId, 3, values([x, y]), {
        signedDate: "2026-02-28",
      });
      expect(appraisalIds).toHaveLength(2);
      const rows = await t.db
        .selectFrom("appraisals")
        .selectAll()
        .where("order_id", "=", orderId)
        .orderBy("asset_id")
        .execute();
      for (const r of rows) {
        expect(r.report_number).toBe(`ZR-PG-2026-${String(r.id).padStart(6, "0")}`);
        expect(r.verification_token).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(r.signed_date).toBe("2026-02-28");
        expect(r.valid_until).toBe("2027-02-28");
        expect(Number(r.central_fen)).toBe(90_000_000);
        expect(r.signed_by).toBe(valuer.id);
      }
      expect(new Set(rows.map((r) => r.verification_token)).size).toBe(2);
      const asset = await t.db
        .selectFrom("ip_assets")
        .selectAll()
        .where("id", "=", x)
        .executeTakeFirstOrThrow();
      expect(asset).toMatchObject({
        formal_valid_until: "2027-02-28",
        formal_appraisal_id: rows[0].id,
      });
      expect(Number(asset.formal_value_fen)).toBe(90_000_000);
      expect(await orderRow(t.db, orderId)).toMatchObject({ status: "signed", version: 4 });
      const audit = await t.db
        .selectFrom("audit_log")
        .select(["action", "from_state", "to_state", "actor_user_id"])
        .where("entity_id", "=", String(orderId))
        .where("action", "=", "appraisal_order.sign")
        .execute();
      expect(audit).toEqual([
        {
          action: "appraisal_order.sign",
          from_state: "in_progress",
          to_state: "signed",
          actor_user_id: valuer.id,
        },
      ]);

      // Signing again with the version the valuer saw: refused, nothing added.
      const before = await appraisalRowCounts(t.db);
      expect(
        await refusal(signAppraisalOrder(t.db, valuer, orderId, 3, values([x, y]))),
      ).toBeInstanceOf(ConflictError);
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    it("dates a signature today in China by default, valid until the same day next year", async () => {
      const x = await makeAsset(t.db, firmA);
      const orderId = await inProgressOrder(firmA, [x]);
      const [id] = (await signAppraisalOrder(t.db, valuer, orderId, 3, values([x]))).appraisalIds;
      const r = await t.db
        .selectFrom("appraisals")
        .select(["signed_date", "valid_until"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(r.signed_date).toBe(todayInChina());
      expect(r.valid_until).toBe(addMonthsClamped(todayInChina(), 12));
    });

    it("lets one of two simultaneous signatures win", async () => {
      const x = await makeAsset(t.db, firmA);
      const orderId = await inProgressOrder(firmA, [x]);
      const results = await Promise.allSettled([
        signAppraisalOrder(t.db, valuer, orderId, 3, values([x], 50_000_000)),
        signAppraisalOrder(t.db, valuer, orderId, 3, values([x], 60_000_000)),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const n = await t.db
        .selectFrom("appraisals")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("order_id", "=", orderId)
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(1);
    });

    it("never lets an older appraisal replace a newer formal value", async () => {
      const x = await makeAsset(t.db, firmA);
      const newer = await inProgressOrder(firmA, [x]);
      await signAppraisalOrder(t.db, valuer, newer, 3, values([x], 70_000_000), {
        signedDate: "2026-10-01",
      });
      const older = await inProgressOrder(firmA, [x]);
      await signAppraisalOrder(t.db, valuer, older, 3, values([x], 20_000_000), {
        signedDate: "2025-01-01",
      });
      const asset = await t.db
        .selectFrom("ip_assets")
        .select(["formal_value_fen", "formal_valid_until"])
        .where("id", "=", x)
        .executeTakeFirstOrThrow();
      expect(Number(asset.formal_value_fen)).toBe(70_000_000);
      expect(asset.formal_valid_until).toBe("2027-10-01");
    });
  });

  describe("the report and its verification", () => {
    it("shows the report to the ordering firm, the signing valuer and admins only", async () => {
      const x = await makeAsset(t.db, firmA);
      const orderId = await inProgressOrder(firmA, [x]);
      const [id] = (await signAppraisalOrder(t.db, valuer, orderId, 3, values([x]))).appraisalIds;
      expect((await getAppraisalReport(t.db, firmA, id))?.central_fen).toBe(90_000_000);
      expect(await getAppraisalReport(t.db, valuer, id)).not.toBeNull();
      expect(await getAppraisalReport(t.db, admin, id)).not.toBeNull();
      expect(await getAppraisalReport(t.db, firmB, id)).toBeNull();
      expect(await getAppraisalReport(t.db, otherValuer, id)).toBeNull();
      expect(await getAppraisalReport(t.db, bank, id)).toBeNull();
    });

    it("verifies a report by its token, showing only the public facts", async () => {
      const x = await makeAsset(t.db, firmA, { title: "可验证的专利" });
      const orderId = await inProgressOrder(firmA, [x]);
      const [id] = (
        await signAppraisalOrder(t.db, valuer, orderId, 3, values([x]), {
          signedDate: "2026-01-15",
          basisDate: "2025-12-31",
          valuerLicenceNumber: "15000312",
        })
      ).appraisalIds;
      await t.db
        .updateTable("organisations")
        .set({ licence_number: "内财资评备〔2021〕0017号" })
        .where("id", "=", valuer.org_id)
        .execute();
      const { verification_token } = await t.db
        .selectFrom("appraisals")
        .select("verification_token")
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      const v = await verifyAppraisalToken(t.db, verification_token);
      expect(v).toEqual({
        report_number: `ZR-PG-2026-${String(id).padStart(6, "0")}`,
        low_fen: 80_000_000,
        central_fen: 90_000_000,
        high_fen: 100_000_000,
        signed_date: "2026-01-15",
        basis_date: "2025-12-31",
        valid_until: "2026-12-31",
        signerLicenceNumber: "15000312",
        valuerLicenceNumber: "内财资评备〔2021〕0017号",
        number: expect.any(String),
        title: "可验证的专利",
        ip_type: "invention",
        valuerName: expect.stringMatching(/^测试评估所/),
      });
      const forged =
        verification_token.slice(0, -1) + (verification_token.endsWith("A") ? "B" : "A");
      expect(await verifyAppraisalToken(t.db, forged)).toBeNull();
      expect(await verifyAppraisalToken(t.db, "'; drop table appraisals; --")).toBeNull();
    });
  });
});
