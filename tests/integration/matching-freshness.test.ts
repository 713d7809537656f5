import { describe, expect, it } from "vitest";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
} from "../../app/models/appraisal.server";
import { findMatchesForRequest, findRequestsForProduct } from "../../app/models/matching.server";
import { markOfflinePaid } from "../../app/models/payment.server";
import { createProduct } from "../../app/models/product.server";
import { createRequest } from "../../app/models/request.server";
import { todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import { makeAdmin, makeAsset, makeFirm, makeOrgUser, makeValuer } from "../support/appraisal";

// A request offering an asset that has only an indicative value does not match a product that
// requires a formal appraisal. Once a valuer signs, both directions must see the match at once:
// the bank side decides from per-request collateral bounds, so signing must refresh them.
describe("matching stays current when a formal appraisal is signed", () => {
  const t = useTestDb();

  it("shows the request to the bank and the product to the firm right after signing", async () => {
    const today = todayInChina();
    const firm = await makeFirm(t.db, "新鲜度");
    const bank = await makeOrgUser(t.db, "bank", "bank_officer", "新鲜度银行");
    const valuer = await makeValuer(t.db);
    const admin = await makeAdmin(t.db);
    const assetId = await makeAsset(t.db, firm, { centralFen: 500_000_000 }); // 500万元 indicative
    const productId = await createProduct(t.db, {
      bankOrgId: bank.org_id,
      userId: bank.id,
      input: {
        name: "正式评估必需的质押贷",
        description: "测试产品",
        minAmountFen: 10_000_000,
        maxAmountFen: 1_000_000_000,
        minTermMonths: 6,
        maxTermMonths: 36,
        minRateBp: 350,
        maxRateBp: 500,
        pledgeRateBp: { invention: 4000, utility_model: 2000, design: 1000, trademark: 3000 },
        acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
        minRemainingYears: { invention: 3, utility_model: 2, design: 2, trademark: 0 },
        trademarkMinAgeYears: 0,
        regions: "all",
        industries: "all",
        requiredFlags: [],
        requiresFormalAppraisal: true,
        quotaTotalFen: 100_000_000_000,
        riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
        interestSubsidyBp: 0,
      },
    });
    const requestId = await createRequest(t.db, {
      firmOrgId: firm.org_id,
      userId: firm.id,
      input: {
        amountFen: 150_000_000,
        termMonths: 12,
        maxRateBp: 480,
        purpose: "研发投入",
        assetIds: [assetId],
      },
    });

    const before = await findRequestsForProduct(t.db, productId, { bankOrgId: bank.org_id }, today);
    expect(before?.total).toBe(0);
    const firmBefore = await findMatchesForRequest(t.db, requestId, today);
    expect(firmBefore?.matchCount).toBe(0);

    const { orderId } = await createAppraisalOrder(
      t.db,
      firm,
      { assetIds: [assetId], valuerOrgId: valuer.org_id },
      { paymentMode: "offline" },
    );
    await markOfflinePaid(t.db, admin, orderId, 1, { reference: "TEST-REF-1" });
    await startAppraisalWork(t.db, valuer, orderId, 2);
    await signAppraisalOrder(t.db, valuer, orderId, 3, [
      {
        assetId,
        lowFen: 400_000_000,
        centralFen: 450_000_000, // 450万元 × 40% = 180万元 capacity ≥ 150万元
        highFen: 500_000_000,
        method: "income",
        assumptions: "收益法，折现率 12%",
        reportText: "测试报告",
      },
    ]);

    const after = await findRequestsForProduct(t.db, productId, { bankOrgId: bank.org_id }, today);
    expect(after?.total).toBe(1);
    expect(after?.rows.map((r) => r.requestId)).toEqual([requestId]);
    const firmAfter = await findMatchesForRequest(t.db, requestId, today);
    expect(firmAfter?.matches.map((m) => m.productId)).toEqual([productId]);
  });
});
