/** applyFromMatch: the match page's "apply" as one model call (engine verdict now → draft). */
import { beforeAll, describe, expect, it } from "vitest";
import { getApplicationRow } from "../../app/models/application.server";
import { UserFacingError } from "../../app/models/errors";
import { applyFromMatch, createRequest } from "../../app/models/request.server";
import {
  addAsset,
  addProduct,
  countRows,
  createDealWorld,
  type DealWorld,
} from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";

describe(`applyFromMatch (${testDbKind()})`, () => {
  const t = useTestDb();
  let w: DealWorld;
  let requestA = 0;
  let small = 0;
  let big = 0;

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    // Pledge rate 25% on inventions: 3 000万 of value carries 750万; the 800万 asset alone covers
    // a 100万 loan, so the least collateral is that one asset, not both.
    small = await addAsset(t.db, w.firmA.orgId, { valueFen: 800_000_000 });
    big = await addAsset(t.db, w.firmA.orgId, { valueFen: 3_000_000_000 });
    requestA = await createRequest(t.db, {
      firmOrgId: w.firmA.orgId,
      userId: w.firmA.userId,
      input: {
        amountFen: 100_000_000,
        termMonths: 12,
        maxRateBp: 450,
        purpose: "采购原材料",
        assetIds: [small, big],
      },
    });
  });

  const counts = async () => ({
    applications: (await t.db.selectFrom("applications").select("id").execute()).length,
    audit: await countRows(t.db, "audit_log"),
  });

  const apply = (productId: number, firm = w.firmA, requestId = requestA) =>
    applyFromMatch(t.db, {
      firmOrgId: firm.orgId,
      userId: firm.userId,
      requestId,
      productId,
    });

  it("makes a draft with the request's amount and term, the product's lowest rate and the least collateral", async () => {
    const result = await apply(w.productX);
    expect(result.outcome).toBe("draft");
    if (result.outcome !== "draft") return;
    const row = await getApplicationRow(t.db, result.applicationId);
    expect(row).toMatchObject({
      state: "draft",
      firm_org_id: w.firmA.orgId,
      bank_org_id: w.bankX.orgId,
      product_id: w.productX,
      request_id: requestA,
      term_months: 12,
      rate_bp: 300,
    });
    expect(Number(row!.amount_fen)).toBe(100_000_000);
    const pledged = await t.db
      .selectFrom("application_assets")
      .select("asset_id")
      .where("application_id", "=", result.applicationId)
      .execute();
    expect(pledged.map((p) => p.asset_id)).toEqual([small]);
  });

  it("sends the firm to adjust the terms when the product no longer matches, writing nothing", async () => {
    const tooSmall = await addProduct(t.db, w.bankX.orgId, w.bankX.userId, {
      maxAmountFen: 50_000_000,
    });
    const before = await counts();
    expect(await apply(tooSmall)).toEqual({ outcome: "adjust" });
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["a paused product", async () => ({ product: await addPaused(), firm: "firmA" as const })],
    ["a product that does not exist", async () => ({ product: 987_654, firm: "firmA" as const })],
    ["another firm's request", async () => ({ product: w.productX, firm: "firmB" as const })],
  ])("answers 404 for %s, writing nothing", async (_, setup) => {
    const { product, firm } = await setup();
    const before = await counts();
    const err = await apply(product, w[firm]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as UserFacingError).status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  const addPaused = () => addProduct(t.db, w.bankX.orgId, w.bankX.userId, { active: false });
});
