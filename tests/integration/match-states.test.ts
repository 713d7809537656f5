import { describe, expect, it } from "vitest";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
} from "../../app/models/appraisal.server";
import { countActiveProducts } from "../../app/models/matching.server";
import { findProductStatesForRequest } from "../../app/models/match-states.server";
import { MATCH_STATES } from "../../app/domain/matching";
import { markOfflinePaid } from "../../app/models/payment.server";
import { createProduct } from "../../app/models/product.server";
import { createRequest } from "../../app/models/request.server";
import { todayInChina } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import { makeAdmin, makeAsset, makeFirm, makeOrgUser, makeValuer } from "../support/appraisal";

// The firm's match page: every active product in exactly one state, with an appraisal as the
// step that turns "subject to appraisal" into "ready" (docs/domain.md#matching).
describe("the four states of a request's products", () => {
  const t = useTestDb();

  it("asks for an appraisal (with its fee) until a valuer signs, then is ready", async () => {
    const today = todayInChina();
    const firm = await makeFirm(t.db, "四态");
    const bank = await makeOrgUser(t.db, "bank", "bank_officer", "四态银行");
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
    const otherId = await createProduct(t.db, {
      bankOrgId: bank.org_id,
      userId: bank.id,
      input: {
        name: "只做阿拉善的质押贷",
        description: "测试产品",
        minAmountFen: 10_000_000,
        maxAmountFen: 100_000_000,
        minTermMonths: 6,
        maxTermMonths: 36,
        minRateBp: 350,
        maxRateBp: 500,
        pledgeRateBp: { invention: 4000, utility_model: 2000, design: 1000, trademark: 3000 },
        acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
        minRemainingYears: { invention: 3, utility_model: 2, design: 2, trademark: 0 },
        trademarkMinAgeYears: 0,
        regions: ["152900"],
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

    const before = await findProductStatesForRequest(t.db, requestId, today);
    if (!before) throw new Error("request not found");
    const all = MATCH_STATES.flatMap((s) => before.groups[s].map((e) => e.productId));
    expect(all.sort()).toEqual([productId, otherId].sort());
    expect(new Set(all).size).toBe(await countActiveProducts(t.db));
    expect(before.groups.ready).toEqual([]);
    expect(before.groups.needs_appraisal.map((e) => e.productId)).toEqual([productId]);
    expect(before.groups.needs_appraisal[0].appraisalAssetIds).toEqual([assetId]);
    // 0.6 % of 500万元 = 3万元, above the ¥3,000 floor.
    expect(before.appraisalFeeFen[assetId]).toBe(3_000_000);
    expect(before.valuerCount).toBeGreaterThanOrEqual(1);
    expect(before.typicalSigningDays).toBeNull();
    // The Alxa-only product fails on region and amount (judged on indicative values).
    const other = [...before.groups.near_miss, ...before.groups.not_suitable].find(
      (e) => e.productId === otherId,
    );
    expect(other?.stateFailures?.map((f) => f.code).sort()).toEqual(
      ["amount_above_max", "region"].sort(),
    );
    expect(before.bestChange).toEqual({ kind: "appraisal", products: 1, assetIds: [assetId] });

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

    const after = await findProductStatesForRequest(t.db, requestId, today);
    expect(after?.groups.ready.map((e) => e.productId)).toEqual([productId]);
    expect(after?.bestChange).toBeNull();
    expect(after?.typicalSigningDays).toBeGreaterThanOrEqual(1);
  });
});
