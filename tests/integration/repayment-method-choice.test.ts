/**
 * The repayment method over HTTP (decision 010): the product form states which of the four methods
 * a product offers, the approve form offers exactly those, a method the product does not offer is
 * refused and writes nothing, and the loan opened at disbursement follows the approved method.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  createApplicationDraft,
  disburseApplication,
  getApplicationRow,
  registerPledge,
  startReview,
  submitApplication,
} from "../../app/models/application.server";
import { todayInChina } from "../../app/utils/time";
import { requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { addAsset } from "../support/applications";
import { useAppServer } from "../support/http";

const today = todayInChina();

function productForm(methods: string[], name: string): URLSearchParams {
  const fields: Record<string, string | string[]> = {
    name,
    description: "",
    minAmount: "10万",
    maxAmount: "2000万",
    minTerm: "6",
    maxTerm: "36",
    minRate: "3",
    maxRate: "5",
    accept_invention: "on",
    rate_invention: "30",
    years_invention: "0",
    rate_utility_model: "0",
    years_utility_model: "0",
    rate_design: "0",
    years_design: "0",
    rate_trademark: "0",
    years_trademark: "0",
    tmAge: "0",
    regionsMode: "all",
    industriesMode: "all",
    quotaTotal: "1亿",
    riskGovernment: "0",
    riskInsurer: "0",
    riskGuarantor: "0",
    subsidy: "0",
    methods,
  };
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  }
  return body;
}

describe(`the repayment method, from the product to the loan (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let productId = 0;

  const post = (actor: Actor, path: string, body: URLSearchParams) =>
    requestAs(app, actors, actor, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
  const bankX = () => ({ userId: actors.bankX.userId, orgId: actors.bankX.orgId });

  /** A firm A application to the product, under review (version 3). */
  async function underReview(): Promise<number> {
    const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 1_000_000_000 });
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId,
      requestId: null,
      amountFen: 50_000_000,
      termMonths: 12,
      rateBp: 385,
      assetIds: [asset],
    });
    const firm = { userId: actors.firmA.userId, orgId: actors.firmA.orgId };
    await submitApplication(t.db, firm, { applicationId, version: 1 });
    await startReview(t.db, bankX(), { applicationId, version: 2 });
    return applicationId;
  }

  const approve = (id: number, repaymentMethod: string) =>
    post(
      "bankX",
      `/bank/applications/${id}`,
      new URLSearchParams({
        intent: "approve",
        version: "3",
        amount: "500000",
        rate: "3.85",
        termMonths: "12",
        repaymentMethod,
        confirm: "on",
      }),
    );

  beforeAll(async () => {
    const res = await post(
      "bankX",
      "/bank/products/new",
      productForm(["equal_principal", "bullet"], "等额本金或到期还本产品"),
    );
    expect(res.status).toBe(302);
    productId = Number(/^\/bank\/products\/(\d+)\?/.exec(res.headers.get("location") ?? "")![1]);
  });

  it("stores the offered methods as the product's mask and shows them checked on the edit form", async () => {
    const row = await t.db
      .selectFrom("loan_products")
      .select("repayment_methods_mask")
      .where("id", "=", productId)
      .executeTakeFirstOrThrow();
    expect(row.repayment_methods_mask).toBe(2 | 8);
    const html = await (
      await requestAs(app, actors, "bankX", `/bank/products/${productId}/edit`)
    ).text();
    const checked = [...html.matchAll(/<input[^>]*name="methods"[^>]*>/g)]
      .filter((m) => /\bchecked\b/.test(m[0]))
      .map((m) => /value="([^"]+)"/.exec(m[0])?.[1]);
    expect(checked).toEqual(["equal_principal", "bullet"]);
  });

  it("refuses a product that offers no repayment method, next to the field, and writes nothing", async () => {
    const before = await t.db
      .selectFrom("loan_products")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const res = await post("bankX", "/bank/products/new", productForm([], "没有还款方式的产品"));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("至少提供一种还款方式");
    const after = await t.db
      .selectFrom("loan_products")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("offers at approval exactly the product's methods", async () => {
    const id = await underReview();
    const html = await (await requestAs(app, actors, "bankX", `/bank/applications/${id}`)).text();
    const select = /<select[^>]*data-testid="approve-method"[^>]*>([\s\S]*?)<\/select>/.exec(html);
    expect(select).not.toBeNull();
    const values = [...select![1].matchAll(/value="([^"]+)"/g)].map((m) => m[1]);
    expect(values).toEqual(["equal_principal", "bullet"]);
    expect(select![1]).toContain("等额本金");
    expect(select![1]).toContain("到期一次还本付息");
  });

  it("refuses a method the product does not offer and leaves the application under review", async () => {
    const id = await underReview();
    const res = await approve(id, "equal_instalment");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("该产品不提供所选还款方式");
    expect(await getApplicationRow(t.db, id)).toMatchObject({
      state: "under_review",
      repayment_method: null,
      approved_amount_fen: null,
    });
    const unknown = await approve(id, "balloon");
    expect(unknown.status).toBe(400);
    expect((await getApplicationRow(t.db, id))!.state).toBe("under_review");
  });

  it("builds the loan's schedule with the approved method at disbursement", async () => {
    const id = await underReview();
    const res = await approve(id, "equal_principal");
    expect(res.status).toBe(302);
    expect(await getApplicationRow(t.db, id)).toMatchObject({
      state: "approved",
      repayment_method: "equal_principal",
    });
    await registerPledge(t.db, bankX(), {
      applicationId: id,
      version: 4,
      regNumber: `Y${id}0001`,
      regDate: today,
    });
    await disburseApplication(t.db, bankX(), {
      applicationId: id,
      version: 5,
      amountFen: 50_000_000,
      valueDate: today,
    });
    const account = await t.db
      .selectFrom("loan_accounts")
      .selectAll()
      .where("application_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(account.method).toBe("equal_principal");
    const rows = await t.db
      .selectFrom("loan_schedule_rows")
      .select(["principal_fen"])
      .where("application_id", "=", id)
      .orderBy("seq")
      .execute();
    // 等额本金: 12 equal principal parts of 500,000 元 ÷ 12, the last absorbing the rounding.
    expect(rows).toHaveLength(12);
    const parts = rows.map((r) => Number(r.principal_fen));
    expect(parts.slice(0, 11).every((p) => p === parts[0])).toBe(true);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(50_000_000);
  });

  it("records a default from the application page through the loan account, with its loss", async () => {
    const id = await underReview();
    expect((await approve(id, "bullet")).status).toBe(302);
    await registerPledge(t.db, bankX(), {
      applicationId: id,
      version: 4,
      regNumber: `Y${id}0002`,
      regDate: today,
    });
    await disburseApplication(t.db, bankX(), {
      applicationId: id,
      version: 5,
      amountFen: 50_000_000,
      valueDate: today,
    });
    const page = `/bank/applications/${id}`;
    // The bare "repaid" step is gone: repayments are posted on the loan page.
    const repay = await post(
      "bankX",
      page,
      new URLSearchParams({ intent: "repay", version: "6", closedDate: today, confirm: "on" }),
    );
    expect(repay.status).toBe(400);
    expect((await getApplicationRow(t.db, id))!.state).toBe("disbursed");
    const res = await post(
      "bankX",
      page,
      new URLSearchParams({
        intent: "default",
        version: "6",
        reason: "企业停产，无力还款",
        confirm: "on",
      }),
    );
    expect(res.status).toBe(302);
    expect((await getApplicationRow(t.db, id))!.state).toBe("defaulted");
    const account = await t.db
      .selectFrom("loan_accounts")
      .select(["status", "risk_class"])
      .where("application_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ status: "defaulted", risk_class: "loss" });
    const loss = await t.db
      .selectFrom("loan_defaults")
      .selectAll()
      .where("application_id", "=", id)
      .executeTakeFirstOrThrow();
    expect(Number(loss.principal_loss_fen)).toBe(50_000_000);
    expect(loss.default_date).toBe(today);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity_type", "=", "application")
      .where("entity_id", "=", String(id))
      .where("action", "like", "%default%")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["loan.default"]);
  });
});
