/**
 * Authorization matrix for the products feature (loan products, the pipeline, the public
 * catalogue, financing requests and the match page), and the rule that a bank sees a firm's
 * request only as a match of its own product: under a pseudonym, without the firm's name, USCC or
 * its assets' titles and numbers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createProduct, type ProductInput } from "../../app/models/product.server";
import { createRequest } from "../../app/models/request.server";
import { pseudonymCode } from "../../app/utils/pseudonym.server";
import { nowInstant } from "../../app/utils/time";
import {
  expectOutcome,
  matrix,
  requestAs,
  useActors,
  type Actor,
  type Outcome,
} from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

type Expected = Record<Actor, Outcome>;

const PUBLIC: Expected = {
  anonymous: 200,
  firmA: 200,
  firmB: 200,
  bankX: 200,
  bankY: 200,
  valuer: 200,
  alliance: 200,
  admin: 200,
};
const BANK_ONLY: Expected = {
  anonymous: "login",
  firmA: 403,
  firmB: 403,
  bankX: 200,
  bankY: 200,
  valuer: 403,
  alliance: 403,
  admin: 403,
};
const BANK_X_ONLY: Expected = { ...BANK_ONLY, bankY: 404 };
const FIRM_ONLY: Expected = {
  anonymous: "login",
  firmA: 200,
  firmB: 200,
  bankX: 403,
  bankY: 403,
  valuer: 403,
  alliance: 403,
  admin: 403,
};
const FIRM_A_ONLY: Expected = { ...FIRM_ONLY, firmB: 404 };

const WAN = 1_000_000;

const PRODUCT: ProductInput = {
  name: "授权测试质押贷",
  description: "",
  minAmountFen: 10 * WAN,
  maxAmountFen: 1000 * WAN,
  minTermMonths: 6,
  maxTermMonths: 36,
  minRateBp: 380,
  maxRateBp: 500,
  pledgeRateBp: { invention: 3000, utility_model: 2000, design: 0, trademark: 0 },
  acceptedIpTypes: ["invention", "utility_model"],
  minRemainingYears: { invention: 0, utility_model: 0, design: 0, trademark: 0 },
  trademarkMinAgeYears: 0,
  regions: "all",
  industries: "all",
  requiredFlags: [],
  requiresFormalAppraisal: true,
  quotaTotalFen: 10_000 * WAN,
  riskShare: { governmentBp: 0, insurerBp: 0, guarantorBp: 0 },
  interestSubsidyBp: 0,
};

describe(`authorization matrix: products and requests (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let productX = 0;
  let productY = 0;
  let requestA = 0;
  let requestB = 0;

  beforeAll(async () => {
    productX = await createProduct(t.db, {
      bankOrgId: actors.bankX.orgId,
      userId: actors.bankX.userId,
      input: PRODUCT,
    });
    productY = await createProduct(t.db, {
      bankOrgId: actors.bankY.orgId,
      userId: actors.bankY.userId,
      input: { ...PRODUCT, name: "银行Y的产品" },
    });
    const now = nowInstant();
    const asset = async (firmOrgId: number, number: string, title: string) => {
      const res = await t.db
        .insertInto("ip_assets")
        .values({
          firm_org_id: firmOrgId,
          asset_kind: "patent",
          ip_type: "invention",
          number,
          title,
          status: "granted",
          filing_date: "2019-01-01",
          expiry_date: "2038-12-31",
          formal_value_fen: 800 * WAN,
          formal_valid_until: "2099-12-31",
          indicative_value_fen: 700 * WAN,
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      return Number(res.insertId);
    };
    const a = await asset(actors.firmA.orgId, "201910000001.5", "秘密的稀土提纯方法");
    const b = await asset(actors.firmB.orgId, "201910000002.3", "企业B的专利");
    requestA = await createRequest(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      input: {
        amountFen: 100 * WAN,
        termMonths: 12,
        maxRateBp: 450,
        purpose: "采购",
        assetIds: [a],
      },
    });
    requestB = await createRequest(t.db, {
      firmOrgId: actors.firmB.orgId,
      userId: actors.firmB.userId,
      input: {
        amountFen: 100 * WAN,
        termMonths: 12,
        maxRateBp: 450,
        purpose: "采购",
        assetIds: [b],
      },
    });
  });

  const routes: Array<[string, () => string, Expected]> = [
    ["the public catalogue", () => "/products", PUBLIC],
    ["the bank's product list", () => "/bank/products", BANK_ONLY],
    ["the new product form", () => "/bank/products/new", BANK_ONLY],
    ["bank X's product", () => `/bank/products/${productX}`, BANK_X_ONLY],
    ["bank X's product edit form", () => `/bank/products/${productX}/edit`, BANK_X_ONLY],
    ["the pipeline", () => "/bank/pipeline", BANK_ONLY],
    ["the firm's requests", () => "/firm/requests", FIRM_ONLY],
    ["the new request form", () => "/firm/requests/new", FIRM_ONLY],
    ["firm A's match page", () => `/firm/requests/${requestA}`, FIRM_A_ONLY],
    ["firm A's request edit form", () => `/firm/requests/${requestA}/edit`, FIRM_A_ONLY],
    ["firm B's match page", () => `/firm/requests/${requestB}`, { ...FIRM_ONLY, firmA: 404 }],
  ];
  for (const [what, path, expected] of routes) {
    it.each(matrix(expected))(`GET ${what} as %s → %s`, async (actor, outcome) => {
      await expectOutcome(app, actors, actor, path(), outcome);
    });
  }

  it("answers 404 for ids that do not exist or are not numbers", async () => {
    await expectOutcome(app, actors, "bankX", "/bank/products/999999", 404);
    await expectOutcome(app, actors, "bankX", "/bank/products/abc", 404);
    await expectOutcome(app, actors, "firmA", "/firm/requests/999999", 404);
    await expectOutcome(app, actors, "firmA", "/firm/requests/abc/edit", 404);
  });

  const post = (actor: Actor, path: string, body: Record<string, string>) =>
    requestAs(app, actors, actor, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body).toString(),
    });

  it("lets bank Y neither pause nor edit bank X's product (404, nothing changes)", async () => {
    const pause = await post("bankY", `/bank/products/${productX}`, {
      intent: "pause",
      version: "1",
    });
    expect(pause.status).toBe(404);
    const edit = await post("bankY", `/bank/products/${productX}/edit`, {
      name: "被改写",
      minAmount: "10万",
      maxAmount: "1000万",
      minTerm: "6",
      maxTerm: "36",
      minRate: "3.8",
      maxRate: "5",
      accept_invention: "on",
      rate_invention: "30",
      quotaTotal: "1亿",
      version: "1",
    });
    expect(edit.status).toBe(404);
    const row = await t.db
      .selectFrom("loan_products")
      .select(["name", "active", "version"])
      .where("id", "=", productX)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: "授权测试质押贷", active: 1, version: 1 });
    // Firms and valuers cannot post to a product at all.
    expect(
      (await post("firmA", `/bank/products/${productX}`, { intent: "pause", version: "1" })).status,
    ).toBe(403);
  });

  it("lets firm B neither close nor apply through firm A's request (404)", async () => {
    const close = await post("firmB", `/firm/requests/${requestA}`, {
      intent: "close",
      version: "1",
    });
    expect(close.status).toBe(404);
    const apply = await post("firmB", `/firm/requests/${requestA}`, {
      intent: "apply",
      productId: String(productX),
    });
    expect(apply.status).toBe(404);
    const edit = await post("firmB", `/firm/requests/${requestA}/edit`, {
      amount: "1",
      term: "12",
      maxRate: "4",
      purpose: "x",
      assetIds: "1",
      version: "1",
    });
    expect(edit.status).toBe(404);
    const row = await t.db
      .selectFrom("financing_requests")
      .select(["status", "version", "amount_fen"])
      .where("id", "=", requestA)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "open", version: 1, amount_fen: 100 * WAN });
  });

  it("shows a bank matching requests only under a pseudonym, without the firm's identity or IP", async () => {
    const res = await requestAs(app, actors, "bankX", `/bank/products/${productX}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`企业#${pseudonymCode(actors.firmA.orgId)}`);
    expect(html).toContain(`企业#${pseudonymCode(actors.firmB.orgId)}`);
    const firmA = await t.db
      .selectFrom("organisations")
      .select(["name", "uscc", "contact_name"])
      .where("id", "=", actors.firmA.orgId)
      .executeTakeFirstOrThrow();
    for (const secret of [
      firmA.name,
      firmA.uscc!,
      firmA.contact_name!,
      "秘密的稀土提纯方法",
      "201910000001",
    ]) {
      expect(html).not.toContain(secret);
    }
    // Bank Y's product matches the same requests; bank X cannot open it.
    await expectOutcome(app, actors, "bankX", `/bank/products/${productY}`, 404);
  });
});
