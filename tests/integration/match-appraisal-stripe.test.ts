/**
 * The match page's appraisal order in Stripe mode: confirming goes straight to Stripe Checkout,
 * and a second click (or a double submit) reopens the same order's same session — one order,
 * one session, one charge (issue 10).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProduct } from "../../app/models/product.server";
import { createRequest } from "../../app/models/request.server";
import { resetEnvForTests } from "../../app/utils/env.server";
import { startFakeStripe, type FakeStripe } from "../mocks/fake-stripe";
import { makeAsset } from "../support/appraisal";
import { requestAs, useActors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const WAN = 1_000_000;

describe(`ordering from the match page with Stripe (${testDbKind()})`, () => {
  let fake: FakeStripe;
  // Registered before the database and the app, so the built server reads this environment.
  beforeAll(async () => {
    fake = await startFakeStripe();
    process.env.STRIPE_SECRET_KEY = "sk_test_fake_match";
    process.env.STRIPE_WEBHOOK_SECRET = "whsec_test_match_0123456789abcdef";
    process.env.STRIPE_API_BASE = fake.url;
    resetEnvForTests();
  });
  afterAll(async () => {
    await fake?.close();
    delete process.env.STRIPE_SECRET_KEY;
    delete process.env.STRIPE_WEBHOOK_SECRET;
    delete process.env.STRIPE_API_BASE;
    resetEnvForTests();
  });
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  it("confirming opens Checkout; a second click reopens the same session", async () => {
    const firm = { id: actors.firmA.userId, org_id: actors.firmA.orgId, role: "firm" as const };
    const asset = await makeAsset(t.db, firm, { centralFen: 500 * WAN });
    const productId = await createProduct(t.db, {
      bankOrgId: actors.bankX.orgId,
      userId: actors.bankX.userId,
      input: {
        name: "Stripe 评估质押贷",
        description: "测试产品",
        minAmountFen: 10 * WAN,
        maxAmountFen: 1000 * WAN,
        minTermMonths: 6,
        maxTermMonths: 36,
        minRateBp: 350,
        maxRateBp: 500,
        pledgeRateBp: { invention: 4000, utility_model: 2000, design: 1000, trademark: 3000 },
        acceptedIpTypes: ["invention"],
        minRemainingYears: { invention: 3, utility_model: 0, design: 0, trademark: 0 },
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
    const requestId = await createRequest(t.db, {
      firmOrgId: firm.org_id,
      userId: firm.id,
      input: {
        amountFen: 150 * WAN,
        termMonths: 12,
        maxRateBp: 480,
        purpose: "研发",
        assetIds: [asset],
      },
    });
    const click = () =>
      requestAs(app, actors, "firmA", `/firm/requests/${requestId}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          intent: "orderAppraisal",
          productId: String(productId),
          valuerOrgId: String(actors.valuer.orgId),
        }).toString(),
      });
    const first = await click();
    expect(first.status).toBe(302);
    const url = first.headers.get("location") ?? "";
    expect(url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const orders = await t.db
      .selectFrom("appraisal_orders")
      .select(["id", "payment_mode", "fee_fen", "stripe_session_id"])
      .where("firm_org_id", "=", firm.org_id)
      .execute();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ payment_mode: "stripe", fee_fen: 3 * WAN });
    const sessions = fake.sessions.size;

    const second = await click();
    expect(second.status).toBe(302);
    expect(second.headers.get("location")).toBe(url);
    expect(fake.sessions.size).toBe(sessions);
    expect(
      await t.db
        .selectFrom("appraisal_orders")
        .select("id")
        .where("firm_org_id", "=", firm.org_id)
        .execute(),
    ).toHaveLength(1);
  });
});
