/**
 * What a first-time firm reads on its pages (issue 10), rendered by the built server: the
 * dashboard's path to a loan, a draft that still needs a formal appraisal, an expired appraisal
 * marked 已过期 in the request form, and the quick estimate's range, warning and assumptions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplicationDraft } from "../../app/models/application.server";
import { createIndicativeEstimate } from "../../app/models/valuation.server";
import { addDays } from "../../app/domain/ip";
import { todayInChina } from "../../app/utils/time";
import { requestAs, useActors } from "../support/authz";
import { addAsset, addProduct } from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const today = todayInChina();
const WAN = 1_000_000;

describe(`a first-time firm's pages (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let draftId = 0;
  let expiredOn = "";
  let estimated = 0;

  beforeAll(async () => {
    const productX = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    // An asset with only an indicative value, in a draft application.
    const indicativeOnly = await addAsset(t.db, actors.firmA.orgId, {
      valueFen: null,
      validUntil: null,
      title: "仅有参考估值的专利",
    });
    await t.db
      .updateTable("ip_assets")
      .set({ indicative_value_fen: 500 * WAN })
      .where("id", "=", indicativeOnly)
      .execute();
    ({ applicationId: draftId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId: productX,
      requestId: null,
      amountFen: 10 * WAN,
      termMonths: 12,
      rateBp: 385,
      assetIds: [indicativeOnly],
    }));
    // An asset whose formal appraisal expired yesterday.
    expiredOn = addDays(today, -1);
    await addAsset(t.db, actors.firmA.orgId, {
      validUntil: expiredOn,
      title: "评估已过期的专利",
    });
    // A quick estimate whose revenue is more than the firm says it sells in a year.
    estimated = await addAsset(t.db, actors.firmA.orgId, { title: "做过快速估值的专利" });
    await createIndicativeEstimate(
      t.db,
      { userId: actors.firmA.userId, orgId: actors.firmA.orgId },
      estimated,
      {
        year1RevenueFen: 5000 * WAN,
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
  });

  const page = async (path: string) => {
    const res = await requestAs(app, actors, "firmA", path);
    expect(res.status).toBe(200);
    return res.text();
  };

  it("tells the firm a draft needs a formal appraisal before it can be submitted, with the order link", async () => {
    const html = await page(`/firm/applications/${draftId}`);
    expect(html).toContain("需正式评估后可提交审批");
    expect(html).toContain('data-testid="order-missing-appraisals"');
  });

  it("marks an expired appraisal 已过期 in the request form", async () => {
    const html = await page("/firm/requests/new");
    expect(html).toContain(`正式评估已过期（${expiredOn}）`);
    expect(html).toContain("评估已过期的专利");
  });

  it("shows the path to a loan on the dashboard, with the next step as a button", async () => {
    const html = await page("/firm");
    expect(html).toContain('data-testid="loan-path"');
    expect(html).toContain("贷款进度：从注册到获批");
    // Listed and estimated, no request yet: posting one is next.
    expect(html).toMatch(/data-testid="path-estimate" data-done="1"/);
    expect(html).toMatch(/data-testid="path-request" data-done="0"/);
    expect(html).toMatch(/<a [^>]*data-testid="loan-path-next"[^>]*href="\/firm\/requests\/new"/);
  });

  it("shows the royalty range, the revenue warning and the owner's assumptions with the estimate", async () => {
    const html = await page(`/firm/assets/${estimated}/valuation`);
    expect(html).toContain("本行业常见区间");
    expect(html).toContain("UNIDO");
    expect(html).toContain('data-testid="warning-revenue_exceeds_firm"');
    expect(html).toContain("超过了企业全年营业收入");
    expect(html).toContain('data-testid="owner-assumptions"');
    expect(html).toContain("企业上年营业收入");
  });
});
