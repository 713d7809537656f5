import { beforeAll, describe, expect, it } from "vitest";
import {
  addComment,
  approveApplication,
  createApplicationDraft,
  ApplicationProblemsError,
  disburseApplication,
  getApplicationDetail,
  getApplicationRow,
  listBankApplications,
  listFirmApplications,
  recordDefault,
  recordRepayment,
  registerPledge,
  rejectApplication,
  reverseLedgerEntry,
  startReview,
  submitApplication,
  updateDraft,
  withdrawApplication,
} from "../../app/models/application.server";
import { ConflictError, UserFacingError } from "../../app/models/errors";
import {
  assertAssetUnencumbered,
  findEncumbrance,
  getAsset,
  updateAsset,
} from "../../app/models/asset.server";
import { recordLoanDefault } from "../../app/models/servicing/loan.server";
import { releaseDefaultedPledge } from "../../app/models/servicing/pledge.server";
import { checkPatent } from "../../app/domain/asset";
import { makePatentNumber } from "../../app/domain/patent";
import { reconcileTotals } from "../../app/models/ledger.server";
import {
  countUnread,
  listNotifications,
  markNotificationsRead,
} from "../../app/models/notification.server";
import { getProgressSummary } from "../../app/models/progress.server";
import { todayInChina } from "../../app/utils/time";
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

describe("the deal workflow on the models", () => {
  const t = useTestDb();
  let w: DealWorld;
  const today = todayInChina();

  beforeAll(async () => {
    w = await createDealWorld(t.db);
  });

  async function row(id: number) {
    return (await getApplicationRow(t.db, id))!;
  }

  async function quotaOf(productId: number) {
    const p = await t.db
      .selectFrom("loan_products")
      .select(["quota_remaining_fen", "version"])
      .where("id", "=", productId)
      .executeTakeFirstOrThrow();
    return Number(p.quota_remaining_fen);
  }

  async function locksOf(applicationId: number) {
    const rows = await t.db
      .selectFrom("pledge_locks")
      .select("asset_id")
      .where("application_id", "=", applicationId)
      .execute();
    return rows.map((r) => r.asset_id).sort((a, b) => a - b);
  }

  async function expectRefusal(p: Promise<unknown>, key: string | RegExp) {
    const e = await p.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e, "expected a refusal").toBeInstanceOf(UserFacingError);
    if (typeof key === "string") expect((e as UserFacingError).key).toBe(key);
    else expect((e as UserFacingError).key).toMatch(key);
    return e as UserFacingError;
  }

  describe("a draft application", () => {
    it("keeps a snapshot of the product, the firm's 盟市 and each asset's formal value and rate", async () => {
      const a1 = await addAsset(t.db, w.firmA.orgId, { valueFen: 80_000_000 });
      const a2 = await addAsset(t.db, w.firmA.orgId, { ipType: "trademark", valueFen: 20_000_000 });
      const id = await newApplication(t.db, w, { assetIds: [a2, a1], amountFen: 25_000_000 });
      const app = await row(id);
      expect(app).toMatchObject({
        state: "draft",
        version: 1,
        region_code: "150200",
        bank_org_id: w.bankX.orgId,
        firm_org_id: w.firmA.orgId,
      });
      expect(JSON.parse(app.product_snapshot_json).terms.pledgeRateBp.invention).toBe(2500);
      const assets = await t.db
        .selectFrom("application_assets")
        .selectAll()
        .where("application_id", "=", id)
        .orderBy("asset_id")
        .execute();
      expect(
        assets.map((a) => [a.asset_id, a.ip_type, Number(a.value_fen), a.pledge_rate_bp]),
      ).toEqual([
        [a1, "invention", 80_000_000, 2500],
        [a2, "trademark", 20_000_000, 5000],
      ]);
    });

    it("is not changed by a later edit of the product's terms", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId);
      const productId = await addProduct(t.db, w.bankX.orgId, w.bankX.userId);
      const id = await newApplication(t.db, w, {
        assetIds: [asset],
        productId,
        amountFen: 25_000_000,
      });
      await t.db
        .updateTable("loan_products")
        .set({ pledge_rate_invention_bp: 1000, max_rate_bp: 350 })
        .where("id", "=", productId)
        .execute();
      // 25% of 100万元 from the snapshot still covers 25万元 at 3.85% (above the new maximum).
      await driveTo(t.db, w, id, "approved");
      expect((await row(id)).approved_amount_fen).toBe(25_000_000);
    });

    it("refuses another firm's asset and writes nothing", async () => {
      const foreign = await addAsset(t.db, w.firmB.orgId);
      const before = await t.db.selectFrom("applications").select("id").execute();
      await expectRefusal(
        newApplication(t.db, w, { assetIds: [foreign] }),
        "applications:errors.assetNotFound",
      );
      expect((await t.db.selectFrom("applications").select("id").execute()).length).toBe(
        before.length,
      );
    });

    it("refuses a paused product and amounts or terms outside its ranges", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId);
      const paused = await addProduct(t.db, w.bankX.orgId, w.bankX.userId, { active: false });
      await expectRefusal(
        newApplication(t.db, w, { assetIds: [asset], productId: paused }),
        "applications:errors.productPaused",
      );
      const e = await expectRefusal(
        createApplicationDraft(t.db, {
          firmOrgId: w.firmA.orgId,
          userId: w.firmA.userId,
          productId: w.productX,
          requestId: null,
          amountFen: 1,
          termMonths: 60,
          rateBp: 385,
          assetIds: [asset],
        }),
        "applications:problems.amount_out_of_range",
      );
      expect((e as ApplicationProblemsError).problems.map((p) => p.code)).toEqual([
        "amount_out_of_range",
        "term_out_of_range",
      ]);
    });

    it("can be edited by its firm while a draft, with a version check", async () => {
      const a1 = await addAsset(t.db, w.firmA.orgId);
      const a2 = await addAsset(t.db, w.firmA.orgId);
      const id = await newApplication(t.db, w, { assetIds: [a1] });
      await updateDraft(t.db, w.firmA, {
        applicationId: id,
        version: 1,
        amountFen: 40_000_000,
        termMonths: 24,
        rateBp: 400,
        assetIds: [a1, a2],
      });
      expect(await row(id)).toMatchObject({ version: 2, amount_fen: 40_000_000, term_months: 24 });
      await expect(
        updateDraft(t.db, w.firmA, {
          applicationId: id,
          version: 1,
          amountFen: 1_000_000,
          termMonths: 12,
          rateBp: 385,
          assetIds: [a1],
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expectRefusal(
        updateDraft(t.db, w.firmB, {
          applicationId: id,
          version: 2,
          amountFen: 1_000_000,
          termMonths: 12,
          rateBp: 385,
          assetIds: [a1],
        }),
        "applications:errors.notFound",
      );
    });
  });

  describe("the full path", () => {
    it("goes draft → disbursed → repaid with audit, notifications, quota, locks and the ledger", async () => {
      const a1 = await addAsset(t.db, w.firmA.orgId, { valueFen: 100_000_000 });
      const a2 = await addAsset(t.db, w.firmA.orgId, { ipType: "trademark", valueFen: 40_000_000 });
      const productId = await addProduct(t.db, w.bankX.orgId, w.bankX.userId, {
        quotaFen: 500_000_000,
      });
      const id = await newApplication(t.db, w, {
        assetIds: [a1, a2],
        productId,
        amountFen: 45_000_000,
      });
      const summaryBefore = await getProgressSummary(t.db);
      const unreadBefore = await countUnread(t.db, w.bankX2.userId);

      await submitApplication(t.db, w.firmA, { applicationId: id, version: 1 });
      // Both officers of bank X hear of it; bank Y does not.
      expect(await countUnread(t.db, w.bankX2.userId)).toBe(unreadBefore + 1);
      expect(
        (await listBankApplications(t.db, w.bankY.orgId, { state: "all", page: 1 })).total,
      ).toBe(0);

      await startReview(t.db, w.bankX, { applicationId: id, version: 2 });
      // capacity = 25% × 100万 + 50% × 40万 = 45万元
      await approveApplication(t.db, w.bankX, {
        applicationId: id,
        version: 3,
        amountFen: 45_000_000,
        rateBp: 385,
        termMonths: 12,
      });
      let app = await row(id);
      expect(app).toMatchObject({ state: "approved", primary_ip_type: "invention" });
      expect(await quotaOf(productId)).toBe(455_000_000);
      expect(await locksOf(id)).toEqual([a1, a2]);

      await registerPledge(t.db, w.bankX, {
        applicationId: id,
        version: 4,
        regNumber: "Y2026990001234",
        regDate: today,
      });
      await disburseApplication(t.db, w.bankX, {
        applicationId: id,
        version: 5,
        amountFen: 40_000_000,
        valueDate: today,
      });
      app = await row(id);
      expect(app).toMatchObject({ state: "disbursed", disbursed_amount_fen: 40_000_000 });
      // The 5万元 approved but not disbursed go back to the quota.
      expect(await quotaOf(productId)).toBe(460_000_000);

      const entries = await t.db
        .selectFrom("ledger_entries")
        .selectAll()
        .where("application_id", "=", id)
        .execute();
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        entry_type: "disbursement",
        disbursement_key: id,
        amount_fen: 40_000_000,
        region_code: "150200",
        bank_org_id: w.bankX.orgId,
        ip_type: "invention",
        month: today.slice(0, 7),
      });
      const summary = await getProgressSummary(t.db);
      expect(summary.financedFen - summaryBefore.financedFen).toBe(40_000_000);
      expect(summary.version).toBe(summaryBefore.version + 1);

      await recordRepayment(t.db, w.bankX, { applicationId: id, version: 6, closedDate: today });
      expect(await locksOf(id)).toEqual([]);
      expect((await row(id)).state).toBe("repaid");
      // Repayment does not take the money out of the running total.
      expect((await getProgressSummary(t.db)).financedFen).toBe(summary.financedFen);

      const detail = await getApplicationDetail(t.db, "firm", w.firmA.orgId, id);
      expect(detail.timeline.map((e) => [e.action, e.fromState, e.toState])).toEqual([
        ["application.create", null, "draft"],
        ["application.submit", "draft", "submitted"],
        ["application.start_review", "submitted", "under_review"],
        ["application.approve", "under_review", "approved"],
        ["application.register_pledge", "approved", "pledge_registered"],
        ["application.disburse", "pledge_registered", "disbursed"],
        ["application.repay", "disbursed", "repaid"],
      ]);
      const firmNotes = await listNotifications(t.db, w.firmA.userId, 1);
      expect(firmNotes.items.filter((n) => n.params.id === id).map((n) => n.kind)).toEqual([
        "repay",
        "disburse",
        "register_pledge",
        "approve",
        "start_review",
      ]);
      expect(await markNotificationsRead(t.db, w.firmA.userId)).toBeGreaterThanOrEqual(5);
      expect(await countUnread(t.db, w.firmA.userId)).toBe(0);

      const report = await reconcileTotals(t.db);
      expect(report.drifts).toEqual([]);
      expect(report.mismatchedApplications).toEqual([]);
    });

    it("lists the firm's own applications and the bank's by state with exact counts", async () => {
      const firm = await listFirmApplications(t.db, w.firmA.orgId, 1);
      expect(firm.total).toBeGreaterThan(0);
      expect(firm.rows.every((r) => r.bankName === "测试银行X")).toBe(true);
      const bank = await listBankApplications(t.db, w.bankX.orgId, { state: "repaid", page: 1 });
      expect(bank.total).toBe(bank.counts.repaid);
      expect(bank.rows.map((r) => r.state)).toEqual(bank.rows.map(() => "repaid"));
      // Drafts are never the bank's business.
      expect(bank.counts.draft).toBeUndefined();
    });
  });

  describe("refusals leave nothing written", () => {
    it("a stale version is a conflict", async () => {
      const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
      await submitApplication(t.db, w.firmA, { applicationId: id, version: 1 });
      const audits = await countRows(t.db, "audit_log");
      await expect(
        startReview(t.db, w.bankX, { applicationId: id, version: 1 }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await countRows(t.db, "audit_log")).toBe(audits);
      expect((await row(id)).state).toBe("submitted");
    });

    it("another bank, another firm, and the bank on a draft all get 'not found'", async () => {
      const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
      await expectRefusal(
        startReview(t.db, w.bankX, { applicationId: id, version: 1 }),
        "applications:errors.notFound",
      );
      await submitApplication(t.db, w.firmA, { applicationId: id, version: 1 });
      await expectRefusal(
        startReview(t.db, w.bankY, { applicationId: id, version: 2 }),
        "applications:errors.notFound",
      );
      await expectRefusal(
        withdrawApplication(t.db, w.firmB, { applicationId: id, version: 2 }),
        "applications:errors.notFound",
      );
      await expect(getApplicationDetail(t.db, "bank", w.bankY.orgId, id)).rejects.toThrow();
    });

    it("an approval above the capacity says so and changes no state, quota or lock", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId, { valueFen: 100_000_000 });
      const id = await newApplication(t.db, w, { assetIds: [asset], amountFen: 30_000_000 });
      await driveTo(t.db, w, id, "under_review");
      const quota = await quotaOf(w.productX);
      const e = await expectRefusal(
        approveApplication(t.db, w.bankX, {
          applicationId: id,
          version: 3,
          amountFen: 25_000_001,
          rateBp: 385,
          termMonths: 12,
        }),
        "applications:problems.amount_above_capacity",
      );
      expect((e as ApplicationProblemsError).problems).toEqual([
        { code: "amount_above_capacity", amountFen: 25_000_001, capacityFen: 25_000_000 },
      ]);
      expect(await row(id)).toMatchObject({ state: "under_review", version: 3 });
      expect(await quotaOf(w.productX)).toBe(quota);
      expect(await locksOf(id)).toEqual([]);
    });

    it("an appraisal that expired before the approval day is refused", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId, { validUntil: "2025-01-31" });
      const id = await newApplication(t.db, w, { assetIds: [asset] });
      await driveTo(t.db, w, id, "under_review");
      await expectRefusal(
        approveApplication(t.db, w.bankX, {
          applicationId: id,
          version: 3,
          amountFen: 10_000_000,
          rateBp: 385,
          termMonths: 12,
        }),
        "applications:problems.asset_appraisal_expired",
      );
      // The same approval on a day the appraisal was valid passes (replayed history).
      await approveApplication(t.db, w.bankX, {
        applicationId: id,
        version: 3,
        amountFen: 10_000_000,
        rateBp: 385,
        termMonths: 12,
        day: "2025-01-31",
      });
    });

    it("an asset whose expiry date is the approval day is refused: it is not in force that day", async () => {
      // Matching calls it expired that day too (docs/domain.md#pledgeable).
      const asset = await addAsset(t.db, w.firmA.orgId, { expiryDate: "2025-01-31" });
      const id = await newApplication(t.db, w, { assetIds: [asset] });
      await driveTo(t.db, w, id, "under_review");
      const decision = {
        applicationId: id,
        version: 3,
        amountFen: 10_000_000,
        rateBp: 385,
        termMonths: 12,
      };
      const e = await expectRefusal(
        approveApplication(t.db, w.bankX, { ...decision, day: "2025-01-31" }),
        "applications:problems.asset_expired",
      );
      expect((e as ApplicationProblemsError).problems[0]).toMatchObject({
        code: "asset_expired",
        assetId: asset,
        expiryDate: "2025-01-31",
      });
      expect(await row(id)).toMatchObject({ state: "under_review", version: 3 });
      expect(await locksOf(id)).toEqual([]);
      // The day before is its last day in force.
      await approveApplication(t.db, w.bankX, { ...decision, day: "2025-01-30" });
      expect(await locksOf(id)).toEqual([asset]);
    });

    it("an exhausted quota gives a clear message and rolls back", async () => {
      const productId = await addProduct(t.db, w.bankX.orgId, w.bankX.userId, {
        quotaFen: 5_000_000,
      });
      const asset = await addAsset(t.db, w.firmA.orgId);
      const id = await newApplication(t.db, w, {
        assetIds: [asset],
        productId,
        amountFen: 6_000_000,
      });
      await driveTo(t.db, w, id, "under_review");
      const e = await expectRefusal(
        approveApplication(t.db, w.bankX, {
          applicationId: id,
          version: 3,
          amountFen: 6_000_000,
          rateBp: 385,
          termMonths: 12,
        }),
        "applications:errors.quotaExhausted",
      );
      expect(e.params).toMatchObject({ remainingFen: 5_000_000, amountFen: 6_000_000 });
      expect(await row(id)).toMatchObject({ state: "under_review", approved_amount_fen: null });
      expect(await quotaOf(productId)).toBe(5_000_000);
    });

    it("an asset locked by another approved application blocks the whole approval", async () => {
      const shared = await addAsset(t.db, w.firmA.orgId);
      const other = await addAsset(t.db, w.firmA.orgId);
      const first = await newApplication(t.db, w, { assetIds: [shared] });
      const second = await newApplication(t.db, w, { assetIds: [other, shared] });
      await driveTo(t.db, w, first, "approved");
      await driveTo(t.db, w, second, "under_review");
      const quota = await quotaOf(w.productX);
      const e = await expectRefusal(
        approveApplication(t.db, w.bankX, {
          applicationId: second,
          version: 3,
          amountFen: 10_000_000,
          rateBp: 385,
          termMonths: 12,
        }),
        "applications:errors.assetLocked",
      );
      expect(e.params).toMatchObject({ assetId: shared });
      expect(await locksOf(second)).toEqual([]); // `other` was locked, then rolled back
      expect(await quotaOf(w.productX)).toBe(quota);
      expect((await row(second)).state).toBe("under_review");
    });

    it("a disbursement above the approved amount or before registration is refused", async () => {
      const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
      await driveTo(t.db, w, id, "pledge_registered");
      const entries = await countRows(t.db, "ledger_entries");
      await expectRefusal(
        disburseApplication(t.db, w.bankX, {
          applicationId: id,
          version: 5,
          amountFen: 10_000_001,
          valueDate: today,
        }),
        "applications:problems.amount_above_approved",
      );
      await expectRefusal(
        disburseApplication(t.db, w.bankX, {
          applicationId: id,
          version: 5,
          amountFen: 10_000_000,
          valueDate: "2020-01-01",
        }),
        "applications:problems.value_date_before_registration",
      );
      await expectRefusal(
        disburseApplication(t.db, w.bankX, {
          applicationId: id,
          version: 5,
          amountFen: 10_000_000,
          valueDate: "2999-01-01",
        }),
        "applications:errors.dateInFuture",
      );
      expect(await countRows(t.db, "ledger_entries")).toBe(entries);
    });
  });

  describe("closing without money, and default", () => {
    it("rejecting an approved application releases its locks and returns the quota", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId);
      const id = await newApplication(t.db, w, { assetIds: [asset] });
      const quota = await quotaOf(w.productX);
      await driveTo(t.db, w, id, "pledge_registered");
      expect(await quotaOf(w.productX)).toBe(quota - 10_000_000);
      await expectRefusal(
        rejectApplication(t.db, w.bankX, { applicationId: id, version: 5, reason: " " }),
        "applications:errors.reasonRequired",
      );
      await rejectApplication(t.db, w.bankX, {
        applicationId: id,
        version: 5,
        reason: "企业未按期补充材料",
      });
      expect(await row(id)).toMatchObject({
        state: "rejected",
        reject_reason: "企业未按期补充材料",
      });
      expect(await locksOf(id)).toEqual([]);
      expect(await quotaOf(w.productX)).toBe(quota);
      // The asset is free for another loan.
      const next = await newApplication(t.db, w, { assetIds: [asset] });
      await driveTo(t.db, w, next, "approved");
    });

    it("the firm withdraws while under review", async () => {
      const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
      await driveTo(t.db, w, id, "under_review");
      await expectRefusal(
        withdrawApplication(t.db, w.bankX, { applicationId: id, version: 3 }),
        "applications:errors.notFound", // a bank is not the firm: its scope has no such firm application
      );
      await withdrawApplication(t.db, w.firmA, {
        applicationId: id,
        version: 3,
        reason: "已获其他融资",
      });
      expect((await row(id)).state).toBe("withdrawn");
    });

    it("a default keeps the pledge and the disbursement counted", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId);
      const id = await newApplication(t.db, w, { assetIds: [asset] });
      await driveTo(t.db, w, id, "disbursed");
      const financed = (await getProgressSummary(t.db)).financedFen;
      await recordDefault(t.db, w.bankX, {
        applicationId: id,
        version: 6,
        closedDate: today,
        reason: "借款人逾期超过九十天",
      });
      expect((await row(id)).state).toBe("defaulted");
      // The pledge stands until the IP is disposed of or the bank releases it (decision 022).
      expect(await locksOf(id)).toEqual([asset]);
      expect((await getProgressSummary(t.db)).financedFen).toBe(financed);
      expect((await reconcileTotals(t.db)).drifts).toEqual([]);
    });
  });

  describe("after a default the asset guard holds with the locks", () => {
    it("the firm may renumber an asset of a defaulted loan only once the bank releases the pledge", async () => {
      const asset = await addAsset(t.db, w.firmA.orgId);
      const id = await newApplication(t.db, w, { assetIds: [asset] });
      await driveTo(t.db, w, id, "disbursed");
      await expectRefusal(assertAssetUnencumbered(t.db, asset), "assets:errors.pledged");
      // The bank's default form (the loan page and the application page both call this).
      await recordLoanDefault(t.db, {
        applicationId: id,
        reason: "逾期超过一年，待处置质押专利",
        actorUserId: w.bankX.userId,
        actorOrgId: w.bankX.orgId,
        bankOrgId: w.bankX.orgId,
      });
      expect((await row(id)).state).toBe("defaulted");
      // The guard agrees with the locks: the pledge still holds the asset.
      expect(await locksOf(id)).toEqual([asset]);
      expect(await findEncumbrance(t.db, asset)).toEqual({ pledgedBy: id, applications: [] });
      await expectRefusal(assertAssetUnencumbered(t.db, asset), "assets:errors.pledged");
      const before = (await getAsset(t.db, w.firmA.orgId, asset))!;
      const record = checkPatent(
        {
          number: makePatentNumber(2020, 1, 9_000_000 + asset),
          title: before.title,
          status: "granted",
          filingDate: "2020-01-01",
          grantDate: "2021-01-01",
        },
        today,
      );
      if (!record.ok) throw new Error(JSON.stringify(record.problems));
      await expectRefusal(
        updateAsset(t.db, w.firmA, asset, before.version, record.value),
        "assets:errors.pledged",
      );
      // The bank releases the pledge: locks and guard let go together, and the firm hears of it.
      const unread = await countUnread(t.db, w.firmA.userId);
      await releaseDefaultedPledge(t.db, {
        applicationId: id,
        reason: "质押专利已经法院拍卖处置",
        actorUserId: w.bankX.userId,
        actorOrgId: w.bankX.orgId,
        bankOrgId: w.bankX.orgId,
      });
      expect(await locksOf(id)).toEqual([]);
      expect(await countUnread(t.db, w.firmA.userId)).toBe(unread + 1);
      const note = await t.db
        .selectFrom("notifications")
        .select(["kind", "params_json", "link"])
        .where("user_id", "=", w.firmA.userId)
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      expect(note.kind).toBe("pledge_release");
      expect(JSON.parse(note.params_json)).toEqual({ id, count: 1 });
      expect(note.link).toContain(String(id));
      expect(await findEncumbrance(t.db, asset)).toEqual({ pledgedBy: null, applications: [] });
      await updateAsset(t.db, w.firmA, asset, before.version, record.value);
      expect((await getAsset(t.db, w.firmA.orgId, asset))!.number).toBe(record.value.number);
    });
  });

  describe("the thread", () => {
    it("both sides write; only the bank asks for documents; the other side is notified", async () => {
      const id = await newApplication(t.db, w, { assetIds: [await addAsset(t.db, w.firmA.orgId)] });
      await expectRefusal(
        addComment(t.db, w.firmA, "firm", { applicationId: id, body: "你好", kind: "comment" }),
        "applications:errors.commentOnDraft",
      );
      await driveTo(t.db, w, id, "under_review");
      const before = await countUnread(t.db, w.firmA.userId);
      await addComment(t.db, w.bankX, "bank", {
        applicationId: id,
        body: "请补充近两年财务报表",
        kind: "document_request",
      });
      expect(await countUnread(t.db, w.firmA.userId)).toBe(before + 1);
      await addComment(t.db, w.firmA, "firm", {
        applicationId: id,
        body: "已上传",
        kind: "comment",
      });
      await expectRefusal(
        addComment(t.db, w.firmA, "firm", {
          applicationId: id,
          body: "x",
          kind: "document_request",
        }),
        "applications:errors.actionNotAllowed",
      );
      await expectRefusal(
        addComment(t.db, w.bankY, "bank", { applicationId: id, body: "x", kind: "comment" }),
        "applications:errors.notFound",
      );
      const detail = await getApplicationDetail(t.db, "bank", w.bankX.orgId, id);
      expect(detail.comments.map((c) => [c.kind, c.authorSide, c.body])).toEqual([
        ["document_request", "bank", "请补充近两年财务报表"],
        ["comment", "firm", "已上传"],
      ]);
    });
  });

  describe("ledger reversals", () => {
    it("an admin reverses an entry once, with a reason; totals net out and reconcile stays clean", async () => {
      const id = await newApplication(t.db, w, {
        assetIds: [await addAsset(t.db, w.firmB.orgId)],
        firm: w.firmB,
        productId: w.productY,
      });
      await driveTo(t.db, w, id, "disbursed", {
        firm: w.firmB,
        bank: w.bankY,
        valueDate: "2025-03-15",
      });
      const entry = await t.db
        .selectFrom("ledger_entries")
        .selectAll()
        .where("disbursement_key", "=", id)
        .executeTakeFirstOrThrow();
      const before = await getProgressSummary(t.db);
      const firmsBefore = before.firmsFinanced;
      await expectRefusal(
        reverseLedgerEntry(t.db, {
          entryId: entry.id,
          reason: "",
          actorUserId: w.admin.userId,
          actorOrgId: w.admin.orgId,
        }),
        "applications:errors.reasonRequired",
      );
      const { reversalId } = await reverseLedgerEntry(t.db, {
        entryId: entry.id,
        reason: "重复录入",
        actorUserId: w.admin.userId,
        actorOrgId: w.admin.orgId,
      });
      const reversal = await t.db
        .selectFrom("ledger_entries")
        .selectAll()
        .where("id", "=", reversalId)
        .executeTakeFirstOrThrow();
      expect(reversal).toMatchObject({
        entry_type: "reversal",
        reverses_entry_id: entry.id,
        amount_fen: -Number(entry.amount_fen),
        month: "2025-03",
        disbursement_key: null,
      });
      const after = await getProgressSummary(t.db);
      expect(before.financedFen - after.financedFen).toBe(Number(entry.amount_fen));
      expect(after.firmsFinanced).toBe(firmsBefore - 1);
      // The original entry is untouched.
      expect(
        await t.db
          .selectFrom("ledger_entries")
          .selectAll()
          .where("id", "=", entry.id)
          .executeTakeFirst(),
      ).toEqual(entry);
      await expectRefusal(
        reverseLedgerEntry(t.db, {
          entryId: entry.id,
          reason: "再次",
          actorUserId: w.admin.userId,
          actorOrgId: w.admin.orgId,
        }),
        "applications:errors.alreadyReversed",
      );
      await expectRefusal(
        reverseLedgerEntry(t.db, {
          entryId: reversalId,
          reason: "冲销冲销",
          actorUserId: w.admin.userId,
          actorOrgId: w.admin.orgId,
        }),
        "applications:errors.cannotReverseReversal",
      );
      const report = await reconcileTotals(t.db);
      expect(report.drifts).toEqual([]);
      expect(report.driftFen).toBe(0);
      expect(report.mismatchedApplications).toEqual([]);
    });

    it("reconcile reports a tampered total, by bucket", async () => {
      const bucket = await t.db
        .selectFrom("disbursement_totals")
        .selectAll()
        .executeTakeFirstOrThrow();
      await t.db
        .updateTable("disbursement_totals")
        .set({ amount_fen: Number(bucket.amount_fen) + 1 })
        .where("region_code", "=", bucket.region_code)
        .where("bank_org_id", "=", bucket.bank_org_id)
        .where("ip_type", "=", bucket.ip_type)
        .where("month", "=", bucket.month)
        .execute();
      const report = await reconcileTotals(t.db);
      expect(report.driftFen).toBe(1);
      expect(report.drifts.map((d) => d.key)).toEqual([
        `${bucket.region_code}|${bucket.bank_org_id}|${bucket.ip_type}|${bucket.month}`,
      ]);
      await t.db
        .updateTable("disbursement_totals")
        .set({ amount_fen: Number(bucket.amount_fen) })
        .where("region_code", "=", bucket.region_code)
        .where("bank_org_id", "=", bucket.bank_org_id)
        .where("ip_type", "=", bucket.ip_type)
        .where("month", "=", bucket.month)
        .execute();
      expect((await reconcileTotals(t.db)).driftFen).toBe(0);
    });
  });
});
