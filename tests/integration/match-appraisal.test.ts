/**
 * Ordering the formal appraisal from the match page (issue 10): exactly the assets of the engine's
 * least-collateral choice that still need one, priced by the fee rule, one audit row, and never a
 * second order for an asset — not on a repeated click, not on a double submit racing itself.
 */
import { describe, expect, it } from "vitest";
import type { ProductInput } from "../../app/models/product.server";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
} from "../../app/models/appraisal.server";
import { orderAppraisalsFromMatch } from "../../app/models/match-appraisal.server";
import { findProductStatesForRequest } from "../../app/models/match-states.server";
import { cancelAppraisalOrder, markOfflinePaid } from "../../app/models/payment.server";
import { createProduct } from "../../app/models/product.server";
import { createRequest } from "../../app/models/request.server";
import { UserFacingError } from "../../app/models/errors";
import { todayInChina } from "../../app/utils/time";
import { requestAs, useActors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { makeAdmin, makeAsset, makeFirm, makeOrgUser, makeValuer } from "../support/appraisal";

const WAN = 1_000_000;

function productInput(overrides: Partial<ProductInput> = {}): ProductInput {
  return {
    name: "正式评估必需的质押贷",
    description: "测试产品",
    minAmountFen: 10 * WAN,
    maxAmountFen: 1000 * WAN,
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
    quotaTotalFen: 100_000 * WAN,
    riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
    interestSubsidyBp: 0,
    ...overrides,
  };
}

async function expectError(p: Promise<unknown>, key: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  expect((err as UserFacingError).key).toBe(key);
}

describe("ordering the appraisal from the match page", () => {
  const t = useTestDb();

  async function world() {
    const today = todayInChina();
    const firm = await makeFirm(t.db, "一键评估");
    const bank = await makeOrgUser(t.db, "bank", "bank_officer", "一键银行");
    const valuer = await makeValuer(t.db);
    const admin = await makeAdmin(t.db);
    // 500万 × 40% = 200万 covers 150万 alone; 100万 × 40% = 40万 does not: the least collateral
    // is the big patent only, so only it is ordered.
    const big = await makeAsset(t.db, firm, { centralFen: 500 * WAN, title: "大专利" });
    const small = await makeAsset(t.db, firm, { centralFen: 100 * WAN, title: "小专利" });
    const productId = await createProduct(t.db, {
      bankOrgId: bank.org_id,
      userId: bank.id,
      input: productInput(),
    });
    const requestId = await createRequest(t.db, {
      firmOrgId: firm.org_id,
      userId: firm.id,
      input: {
        amountFen: 150 * WAN,
        termMonths: 12,
        maxRateBp: 480,
        purpose: "研发投入",
        assetIds: [big, small],
      },
    });
    return { today, firm, bank, valuer, admin, big, small, productId, requestId };
  }

  async function ordersOf(firmOrgId: number) {
    return t.db
      .selectFrom("appraisal_orders as o")
      .innerJoin("appraisal_order_items as i", "i.order_id", "o.id")
      .select(["o.id", "o.status", "o.fee_fen", "i.asset_id"])
      .where("o.firm_org_id", "=", firmOrgId)
      .orderBy("o.id")
      .execute();
  }

  it("orders exactly the least-collateral assets, once, with the fee and an audit row", async () => {
    const w = await world();
    const before = await findProductStatesForRequest(t.db, w.requestId, w.today);
    const e = before!.groups.needs_appraisal.find((x) => x.productId === w.productId);
    expect(e?.appraisalAssetIds).toEqual([w.big]);
    expect(before!.openOrders).toEqual({});

    const input = { requestId: w.requestId, productId: w.productId, valuerOrgId: w.valuer.org_id };
    const first = await orderAppraisalsFromMatch(t.db, w.firm, input, {
      paymentMode: "offline",
    });
    expect(first).toMatchObject({ created: true, assetIds: [w.big], orderedAssetIds: [w.big] });
    // 0.6 % of 500万 = 3万元 (above the ¥3,000 floor), the fee the page showed.
    expect(await ordersOf(w.firm.org_id)).toEqual([
      { id: first.orderId, status: "awaiting_payment", fee_fen: 3 * WAN, asset_id: w.big },
    ]);
    expect(Number((await ordersOf(w.firm.org_id))[0].fee_fen)).toBe(before!.appraisalFeeFen[w.big]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "detail_json", "to_state"])
      .where("entity_type", "=", "appraisal_order")
      .where("entity_id", "=", String(first.orderId))
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "appraisal_order.create",
      to_state: "awaiting_payment",
    });
    expect(JSON.parse(audit[0].detail_json!)).toMatchObject({
      assetIds: [w.big],
      feeFen: 3 * WAN,
      source: { via: "match", requestId: w.requestId, productId: w.productId },
    });

    // A second click: the same order, nothing written.
    const auditCount = async () =>
      Number(
        (
          await t.db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const auditsBefore = await auditCount();
    const again = await orderAppraisalsFromMatch(t.db, w.firm, input, { paymentMode: "offline" });
    expect(again).toMatchObject({ orderId: first.orderId, created: false, orderedAssetIds: [] });
    expect(await ordersOf(w.firm.org_id)).toHaveLength(1);
    expect(await auditCount()).toBe(auditsBefore);
    // The page now shows the open order instead of a second button.
    const held = await findProductStatesForRequest(t.db, w.requestId, w.today);
    expect(held!.openOrders[w.big]?.orderId).toBe(first.orderId);
    // The order form refuses the held asset too.
    await expectError(
      createAppraisalOrder(t.db, w.firm, { assetIds: [w.big], valuerOrgId: w.valuer.org_id }),
      "appraisal:errors.alreadyOrdered",
    );

    // Cancelled before paying: the asset is free again, and a new click orders it anew.
    await cancelAppraisalOrder(t.db, w.firm, first.orderId, 1);
    const third = await orderAppraisalsFromMatch(t.db, w.firm, input, { paymentMode: "offline" });
    expect(third.created).toBe(true);
    expect(third.orderId).not.toBe(first.orderId);

    // Paid and signed: the product turns ready, and ordering is refused (nothing to appraise).
    await markOfflinePaid(t.db, w.admin, third.orderId, 1, { reference: "MATCH-REF-1" });
    await startAppraisalWork(t.db, w.valuer, third.orderId, 2);
    await signAppraisalOrder(t.db, w.valuer, third.orderId, 3, [
      {
        assetId: w.big,
        lowFen: 400 * WAN,
        centralFen: 450 * WAN, // × 40% = 180万 ≥ 150万
        highFen: 500 * WAN,
        method: "income",
        assumptions: "收益法，折现率 12%",
        reportText: "测试报告",
      },
    ]);
    const after = await findProductStatesForRequest(t.db, w.requestId, w.today);
    expect(after!.groups.ready.map((x) => x.productId)).toContain(w.productId);
    await expectError(
      orderAppraisalsFromMatch(t.db, w.firm, input, { paymentMode: "offline" }),
      "products:states.errors.alreadyReady",
    );
  });

  it("a double submit racing itself creates one order", async () => {
    const w = await world();
    const input = { requestId: w.requestId, productId: w.productId, valuerOrgId: w.valuer.org_id };
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        orderAppraisalsFromMatch(t.db, w.firm, input, { paymentMode: "offline" }),
      ),
    );
    const orders = await ordersOf(w.firm.org_id);
    expect(orders).toHaveLength(1);
    expect(results.map((r) => r.orderId)).toEqual([orders[0].id, orders[0].id, orders[0].id]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("refuses another firm's request, a product that is not subject to appraisal, bad input", async () => {
    const w = await world();
    const other = await makeFirm(t.db, "别家");
    const input = { requestId: w.requestId, productId: w.productId, valuerOrgId: w.valuer.org_id };
    await expectError(
      orderAppraisalsFromMatch(t.db, other, input, { paymentMode: "offline" }),
      "applications:errors.requestNotFound",
    );
    // A product whose amount range the request misses: not subject to appraisal.
    const narrow = await createProduct(t.db, {
      bankOrgId: w.bank.org_id,
      userId: w.bank.id,
      input: productInput({ name: "小额质押贷", maxAmountFen: 50 * WAN }),
    });
    await expectError(
      orderAppraisalsFromMatch(t.db, w.firm, { ...input, productId: narrow }),
      "products:states.errors.notAppraisable",
    );
    await expectError(
      orderAppraisalsFromMatch(t.db, w.firm, { ...input, productId: 999_999 }),
      "applications:errors.productNotFound",
    );
    // Not a valuer: the order's own check refuses it, and nothing is written.
    await expectError(
      orderAppraisalsFromMatch(t.db, w.firm, { ...input, valuerOrgId: w.bank.org_id }),
      "appraisal:errors.valuerUnknown",
    );
    expect(await ordersOf(w.firm.org_id)).toEqual([]);
    expect(await ordersOf(other.org_id)).toEqual([]);
  });
});

describe(`the order button on the match page over HTTP (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  it("shows the fee and time, confirms, and a double submit lands on one order", async () => {
    const firm = { id: actors.firmA.userId, org_id: actors.firmA.orgId, role: "firm" as const };
    const asset = await makeAsset(t.db, firm, { centralFen: 500 * WAN, title: "页面专利" });
    const productId = await createProduct(t.db, {
      bankOrgId: actors.bankX.orgId,
      userId: actors.bankX.userId,
      input: productInput({ name: "页面评估质押贷" }),
    });
    const requestId = await createRequest(t.db, {
      firmOrgId: firm.org_id,
      userId: firm.id,
      input: {
        amountFen: 150 * WAN,
        termMonths: 12,
        maxRateBp: 480,
        purpose: "研发投入",
        assetIds: [asset],
      },
    });
    const page = async (q = "", lang = "zh-CN") =>
      (
        await requestAs(app, actors, "firmA", `/firm/requests/${requestId}${q}`, {
          headers: { "accept-language": lang },
        })
      ).text();

    const html = await page();
    expect(html).toContain("需正式评估（1）");
    expect(html).toContain("评估费 3 万元");
    expect(html).toContain('data-testid="order-appraisal"');
    expect(html).toContain("委托评估（评估费 3 万元）");
    expect(html).not.toContain('data-testid="confirm-order"');

    const confirm = await page(`?order=${productId}`);
    expect(confirm).toContain("确认委托正式评估");
    expect(confirm).toContain("评估费合计 30,000.00 元");
    expect(confirm).toContain("平台暂无签发记录");
    expect(confirm).toContain('data-testid="confirm-order"');
    const en = await page(`?order=${productId}`, "en-GB,en;q=0.9");
    expect(en).toContain("Confirm the formal appraisal order");

    const post = () =>
      requestAs(app, actors, "firmA", `/firm/requests/${requestId}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          intent: "orderAppraisal",
          productId: String(productId),
          valuerOrgId: String(actors.valuer.orgId),
        }).toString(),
      });
    const [a, b] = await Promise.all([post(), post()]);
    expect([a.status, b.status]).toEqual([302, 302]);
    const orderId = (res: Response) =>
      Number(/^\/firm\/appraisals\/(\d+)/.exec(res.headers.get("location") ?? "")?.[1]);
    expect(orderId(a)).toBe(orderId(b));
    const orders = await t.db
      .selectFrom("appraisal_orders")
      .select("id")
      .where("firm_org_id", "=", firm.org_id)
      .execute();
    expect(orders.map((o) => o.id)).toEqual([orderId(a)]);

    // The page now links the open order instead of offering a second one.
    const after = await page();
    expect(after).toContain('data-testid="view-order"');
    expect(after).not.toContain('data-testid="order-appraisal"');

    // Bad input: a missing valuer is refused with a message, nothing written.
    const bad = await requestAs(app, actors, "firmA", `/firm/requests/${requestId}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        intent: "orderAppraisal",
        productId: String(productId),
      }).toString(),
    });
    expect(bad.status).toBe(400);
    // Another firm cannot order from firm A's request.
    const foreign = await requestAs(app, actors, "firmB", `/firm/requests/${requestId}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        intent: "orderAppraisal",
        productId: String(productId),
        valuerOrgId: String(actors.valuer.orgId),
      }).toString(),
    });
    expect(foreign.status).toBe(404);
    expect(await t.db.selectFrom("appraisal_orders").select("id").execute()).toHaveLength(1);
  });
});
