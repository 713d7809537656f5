/**
 * The bank sees the firm's own estimate inputs (issue 10, docs/domain.md#estimate-honesty): on an
 * application it reviews and in a product's pipeline, the revenue, royalty and other assumptions
 * behind an indicative value are shown as the owner's figures, not as an appraisal.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplicationDraft, submitApplication } from "../../app/models/application.server";
import { createProduct } from "../../app/models/product.server";
import { createRequest } from "../../app/models/request.server";
import { createIndicativeEstimate } from "../../app/models/valuation.server";
import { formatMoney } from "../../app/domain/money";
import { todayInChina } from "../../app/utils/time";
import { requestAs, useActors } from "../support/authz";
import { addAsset } from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const today = todayInChina();
const WAN = 1_000_000;

describe(`the owner's assumptions shown to the bank (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let applicationId = 0;
  let productId = 0;

  const estimate = async (assetId: number, year1RevenueFen: number) => {
    await createIndicativeEstimate(
      t.db,
      { userId: actors.firmA.userId, orgId: actors.firmA.orgId },
      assetId,
      {
        year1RevenueFen,
        growthBp: 300,
        royaltyRateBp: 300,
        discountRateBp: 1400,
        taxRateBp: 2500,
        attributionShareBp: 5000,
        economicLifeYears: 8,
        indicators: null,
        firmAnnualRevenueFen: 3000 * WAN,
      },
      today,
    );
  };

  beforeAll(async () => {
    const bank = actors.bankX;
    productId = await createProduct(t.db, {
      bankOrgId: bank.orgId,
      userId: bank.userId,
      input: {
        name: "自估假设展示测试贷",
        description: "测试产品",
        minAmountFen: 10 * WAN,
        maxAmountFen: 1000 * WAN,
        minTermMonths: 6,
        maxTermMonths: 36,
        minRateBp: 300,
        maxRateBp: 500,
        pledgeRateBp: { invention: 4000, utility_model: 2000, design: 1000, trademark: 3000 },
        acceptedIpTypes: ["invention", "utility_model", "design", "trademark"],
        minRemainingYears: { invention: 3, utility_model: 2, design: 2, trademark: 0 },
        trademarkMinAgeYears: 0,
        regions: "all",
        industries: "all",
        requiredFlags: [],
        requiresFormalAppraisal: true,
        quotaTotalFen: 100_000 * WAN,
        riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
        interestSubsidyBp: 0,
      },
    });
    // An appraised patent the firm also estimated itself, in a submitted application.
    const appraised = await addAsset(t.db, actors.firmA.orgId, { title: "已评估并自估的专利" });
    await estimate(appraised, 1234 * WAN);
    ({ applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId,
      requestId: null,
      amountFen: 10 * WAN,
      termMonths: 12,
      rateBp: 385,
      assetIds: [appraised],
    }));
    await t.db
      .updateTable("users")
      .set({ email_verified: 1 })
      .where("id", "=", actors.firmA.userId)
      .execute();
    await submitApplication(t.db, actors.firmA, { applicationId, version: 1 });
    // A patent with only the owner's estimate, in an open financing request.
    const estimated = await addAsset(t.db, actors.firmA.orgId, {
      valueFen: null,
      validUntil: null,
      title: "只有自估的专利",
    });
    await estimate(estimated, 4321 * WAN);
    await createRequest(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      input: {
        amountFen: 20 * WAN,
        termMonths: 12,
        maxRateBp: 480,
        purpose: "研发投入",
        assetIds: [estimated],
      },
    });
  });

  const page = async (path: string) => {
    const res = await requestAs(app, actors, "bankX", path);
    expect(res.status).toBe(200);
    return res.text();
  };

  it("lists the firm's revenue and royalty on the application, labelled as its own figures, not appraised", async () => {
    const html = await page(`/bank/applications/${applicationId}`);
    expect(html).toContain('data-testid="owner-figures"');
    expect(html).toContain("企业自填的估值假设（非评估结论）");
    expect(html).toContain("未经评估机构评估");
    expect(html).toContain('data-testid="owner-assumptions"');
    expect(html).toContain(formatMoney(1234 * WAN, "zh-CN"));
    expect(html).toContain("企业填写");
    // The firm's own revenue ceiling is shown too, so the bank can judge the revenue typed.
    expect(html).toContain(formatMoney(3000 * WAN, "zh-CN"));
  });

  it("shows the owner's revenue and royalty beside an indicative value in the product pipeline", async () => {
    const html = await page(`/bank/products/${productId}`);
    expect(html).toContain('data-testid="pipeline-owner-figures"');
    expect(html).toContain(`企业自填：收入 ${formatMoney(4321 * WAN, "zh-CN")}`);
    expect(html).toContain("许可费率 3%");
    expect(html).toContain("（未经评估）");
    // The asset itself is never named to the bank before the firm applies.
    expect(html).not.toContain("只有自估的专利");
  });
});
