/**
 * The appraisal workflow through the built app's forms, in offline-payment mode (no Stripe key):
 * order → bank-transfer instructions → admin confirms → valuer signs → report → public
 * verification; and the forms' refusals, which answer 400 with the reason and write nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, addMonthsClamped } from "../../app/domain/ip";
import type { Actor as ModelActor } from "../../app/models/appraisal.server";
import { appraisalRowCounts, makeAsset, orderRow } from "../support/appraisal";
import { useActors, type Actors } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { todayInChina } from "../../app/utils/time";

describe(`appraisal forms over HTTP (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const modelActor = (a: keyof Actors, role: ModelActor["role"]): ModelActor => ({
    id: actors[a].userId,
    org_id: actors[a].orgId,
    role,
  });

  async function post(who: keyof Actors, path: string, body: Record<string, string | string[]>) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) {
      for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    }
    const res = await app.fetch(path, {
      method: "POST",
      headers: {
        cookie: actors[who].cookie,
        origin: app.baseURL,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: form.toString(),
    });
    return { status: res.status, location: res.headers.get("location"), text: await res.text() };
  }

  async function get(who: keyof Actors | null, path: string) {
    const res = await app.fetch(path, who ? { headers: { cookie: actors[who].cookie } } : {});
    return { status: res.status, text: await res.text() };
  }

  let priced: number;
  let unpriced: number;
  beforeAll(async () => {
    priced = await makeAsset(t.db, modelActor("firmA", "firm"), { centralFen: 100_000_000 });
    unpriced = await makeAsset(t.db, modelActor("firmA", "firm"), {
      centralFen: null,
      title: "尚未估值的实用新型",
    });
  });

  let orderId = 0;

  it("lists the firm's assets on the order form, greying out one without an estimate", async () => {
    const page = await get("firmA", "/firm/appraisals/new");
    expect(page.status).toBe(200);
    expect(page.text).toContain("尚未估值的实用新型");
    expect(page.text).toContain("尚无参考估值");
  });

  it("refuses an order without assets, or with an unvalued asset, and writes nothing", async () => {
    const before = await appraisalRowCounts(t.db);
    const none = await post("firmA", "/firm/appraisals/new", {
      intent: "confirm",
      valuerOrgId: String(actors.valuer.orgId),
    });
    expect(none.status).toBe(400);
    const noEstimate = await post("firmA", "/firm/appraisals/new", {
      intent: "confirm",
      valuerOrgId: String(actors.valuer.orgId),
      assetIds: [String(priced), String(unpriced)],
    });
    expect(noEstimate.status).toBe(400);
    const notValuer = await post("firmA", "/firm/appraisals/new", {
      intent: "confirm",
      valuerOrgId: String(actors.bankX.orgId),
      assetIds: String(priced),
    });
    expect(notValuer.status).toBe(400);
    expect(await appraisalRowCounts(t.db)).toEqual(before);
  });

  it("prices the order on review without writing it, then places it on confirm", async () => {
    const before = await appraisalRowCounts(t.db);
    const review = await post("firmA", "/firm/appraisals/new", {
      intent: "review",
      valuerOrgId: String(actors.valuer.orgId),
      assetIds: String(priced),
    });
    expect(review.status).toBe(200);
    expect(review.text).toContain("6,000.00"); // 0.6 % × ¥1,000,000
    expect(await appraisalRowCounts(t.db)).toEqual(before);

    const confirm = await post("firmA", "/firm/appraisals/new", {
      intent: "confirm",
      valuerOrgId: String(actors.valuer.orgId),
      assetIds: String(priced),
    });
    expect(confirm.status).toBe(302);
    const m = /^\/firm\/appraisals\/(\d+)\?created=1$/.exec(confirm.location ?? "");
    expect(m).not.toBeNull();
    orderId = Number(m![1]);
    expect(await orderRow(t.db, orderId)).toMatchObject({
      status: "awaiting_payment",
      payment_mode: "offline",
      fee_fen: 600_000,
    });
  });

  it("shows bank-transfer instructions with the order number as the reference", async () => {
    const page = await get("firmA", `/firm/appraisals/${orderId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="offline-instructions"');
    expect(page.text).toMatch(/data-testid="transfer-reference">PG\d{10}</);
    expect(page.text).not.toContain('data-testid="pay"');
  });

  it("lets the admin confirm the transfer only with a reference and the confirmation box", async () => {
    const list = await get("admin", "/admin/payments");
    expect(list.text).toContain(`/admin/payments/${orderId}`);
    const before = await appraisalRowCounts(t.db);
    const noBox = await post("admin", `/admin/payments/${orderId}`, {
      version: "1",
      reference: "NMGB-0001",
    });
    expect(noBox.status).toBe(400);
    expect(noBox.text).toContain("请勾选确认已核对到账");
    const noRef = await post("admin", `/admin/payments/${orderId}`, {
      version: "1",
      reference: "",
      confirm: "on",
    });
    expect(noRef.status).toBe(400);
    expect(await appraisalRowCounts(t.db)).toEqual(before);

    const ok = await post("admin", `/admin/payments/${orderId}`, {
      version: "1",
      reference: "NMGB-0001",
      note: "对公转账",
      confirm: "on",
    });
    expect(ok.status).toBe(302);
    expect(ok.location).toMatch(/^\/admin\/payments\?confirmed=PG/);
    expect((await orderRow(t.db, orderId)).status).toBe("paid");
    // The confirmation page of a paid order is gone; a second confirmation cannot happen.
    expect((await get("admin", `/admin/payments/${orderId}`)).status).toBe(404);
    const again = await post("admin", `/admin/payments/${orderId}`, {
      version: "1",
      reference: "NMGB-0001",
      confirm: "on",
    });
    expect(again.status).toBe(409);
  });

  it("lets the valuer start and sign, refusing an inverted range next to the field", async () => {
    const queue = await get("valuer", "/valuer/orders");
    expect(queue.text).toContain(`/valuer/orders/${orderId}`);
    const start = await post("valuer", `/valuer/orders/${orderId}`, {
      intent: "start",
      version: "2",
    });
    expect(start.status).toBe(302);
    expect((await orderRow(t.db, orderId)).status).toBe("in_progress");

    const today = todayInChina();
    const sign = (
      low: string,
      confirm = true,
      basisDate: string | null = addDays(today, -5),
      licenceNumber: string | null = "15000312",
    ) =>
      post("valuer", `/valuer/orders/${orderId}`, {
        intent: "sign",
        version: "3",
        "items[0].assetId": String(priced),
        "items[0].low": low,
        "items[0].central": "95万",
        "items[0].high": "1,050,000",
        "items[0].method": "income",
        "items[0].assumptions": "许可费率 3%，折现率 12%，收益期 8 年",
        "items[0].reportText": "经评定估算，该专利权于评估基准日的市场价值为人民币玖拾伍万元整。",
        ...(confirm ? { confirm: "on" } : {}),
        ...(basisDate === null ? {} : { basisDate }),
        ...(licenceNumber === null ? {} : { licenceNumber }),
      });
    const before = await appraisalRowCounts(t.db);
    const inverted = await sign("96万");
    expect(inverted.status).toBe(400);
    expect(inverted.text).toContain("下限不能高于中值");
    const garbled = await sign("九十万");
    expect(garbled.status).toBe(400);
    expect(garbled.text).toContain("请输入以元为单位的金额");
    const unconfirmed = await sign("850000", false);
    expect(unconfirmed.status).toBe(400);
    // The 评估基准日: not in the future, not so old the report would be expired when signed,
    // present; and the valuer's registration number is required.
    const future = await sign("850000", true, addDays(today, 1));
    expect(future.status).toBe(400);
    expect(future.text).toContain("评估基准日不能晚于今天");
    const stale = await sign("850000", true, addDays(addMonthsClamped(today, -12), -1));
    expect(stale.status).toBe(400);
    expect(stale.text).toContain("报告签署时即已过有效期");
    const missing = await sign("850000", true, null);
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("请填写有效的评估基准日");
    const noLicence = await sign("850000", true, undefined, "  ");
    expect(noLicence.status).toBe(400);
    expect(noLicence.text).toContain("请填写资产评估师登记编号");
    expect(await appraisalRowCounts(t.db)).toEqual(before);
    expect((await orderRow(t.db, orderId)).status).toBe("in_progress");

    const ok = await sign("850,000.00");
    expect(ok.status).toBe(302);
    const row = await t.db
      .selectFrom("appraisals")
      .selectAll()
      .where("order_id", "=", orderId)
      .executeTakeFirstOrThrow();
    expect([Number(row.low_fen), Number(row.central_fen), Number(row.high_fen)]).toEqual([
      85_000_000, 95_000_000, 105_000_000,
    ]);
    // Valid 12 months from the 评估基准日, not from signing.
    expect(row).toMatchObject({
      signed_date: today,
      basis_date: addDays(today, -5),
      valid_until: addMonthsClamped(addDays(today, -5), 12),
      valuer_licence_number: "15000312",
    });
  });

  it("shows the firm its printable report and anyone the verification page", async () => {
    const row = await t.db
      .selectFrom("appraisals")
      .selectAll()
      .where("order_id", "=", orderId)
      .executeTakeFirstOrThrow();
    const order = await get("firmA", `/firm/appraisals/${orderId}`);
    expect(order.text).toContain(`/appraisals/${row.id}/report`);
    const report = await get("firmA", `/appraisals/${row.id}/report`);
    expect(report.status).toBe(200);
    expect(report.text).toContain(row.report_number);
    expect(report.text).toContain("950,000.00");
    expect(report.text).toContain(`/verify/${row.verification_token}`);
    expect(report.text).toMatch(/appraisal-report[^"]*\.css/);
    expect(report.text).toContain("评估基准日");
    expect(report.text).toContain(row.basis_date);
    expect(report.text).toContain("15000312");

    const verify = await get(null, `/verify/${row.verification_token}`);
    expect(verify.status).toBe(200);
    expect(verify.text).toContain('data-result="valid"');
    expect(verify.text).toContain(row.report_number);
    expect(verify.text).toContain(row.basis_date);
    // Public facts only: no firm name, no assumptions, no report text.
    expect(verify.text).not.toContain("测试企业1");
    expect(verify.text).not.toContain("许可费率 3%");
  });

  it("says an expired report is genuine but expired", async () => {
    const row = await t.db
      .selectFrom("appraisals")
      .select(["id", "verification_token"])
      .where("order_id", "=", orderId)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable("appraisals")
      .set({ signed_date: "2024-01-10", valid_until: "2025-01-10" })
      .where("id", "=", row.id)
      .execute();
    const verify = await get(null, `/verify/${row.verification_token}`);
    expect(verify.status).toBe(200);
    expect(verify.text).toContain('data-result="expired"');
  });

  it("lets the firm cancel an unpaid order after a confirmation step", async () => {
    const asset = await makeAsset(t.db, modelActor("firmA", "firm"));
    const placed = await post("firmA", "/firm/appraisals/new", {
      intent: "confirm",
      valuerOrgId: String(actors.valuer.orgId),
      assetIds: String(asset),
    });
    const id = Number(/(\d+)/.exec(placed.location ?? "")![1]);
    const ask = await get("firmA", `/firm/appraisals/${id}?confirmCancel=1`);
    expect(ask.text).toContain('data-testid="cancel-confirm"');
    const stale = await post("firmA", `/firm/appraisals/${id}`, { intent: "cancel", version: "9" });
    expect(stale.status).toBe(409);
    expect((await orderRow(t.db, id)).status).toBe("awaiting_payment");
    const ok = await post("firmA", `/firm/appraisals/${id}`, { intent: "cancel", version: "1" });
    expect(ok.status).toBe(302);
    expect((await orderRow(t.db, id)).status).toBe("cancelled");
  });

  describe("the admin's fee setting", () => {
    it("refuses a rate above 5 % next to the field and writes nothing", async () => {
      const before = await appraisalRowCounts(t.db);
      const r = await post("admin", "/admin/settings/appraisal-fee", {
        expectedMinFeeFen: "300000",
        expectedRateBp: "60",
        minFee: "3000",
        rate: "6",
      });
      expect(r.status).toBe(400);
      expect(r.text).toContain("费率须在 0 至 5.00% 之间");
      expect(await appraisalRowCounts(t.db)).toEqual(before);
    });

    it("saves a valid change, and refuses one made from a stale page", async () => {
      const ok = await post("admin", "/admin/settings/appraisal-fee", {
        expectedMinFeeFen: "300000",
        expectedRateBp: "60",
        minFee: "3,500",
        rate: "0.8",
        reason: "2027 年度价目",
      });
      expect(ok.status).toBe(302);
      const page = await get("admin", "/admin/settings/appraisal-fee");
      expect(page.text).toContain("3,500.00");
      expect(page.text).toContain("0.80%");
      const stale = await post("admin", "/admin/settings/appraisal-fee", {
        expectedMinFeeFen: "300000",
        expectedRateBp: "60",
        minFee: "4000",
        rate: "0.7",
      });
      expect(stale.status).toBe(409);
      const audit = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "settings.appraisal_fee")
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor_user_id: actors.admin.userId,
        reason: "2027 年度价目",
      });
    });

    it("records a large fee pair in the audit detail (it overflowed the state column on MariaDB)", async () => {
      // Continues from the 3,500 yuan / 0.80 % saved by the test above (one database per file).
      const ok = await post("admin", "/admin/settings/appraisal-fee", {
        expectedMinFeeFen: "350000",
        expectedRateBp: "80",
        minFee: "12000",
        rate: "1.5",
      });
      expect(ok.status).toBe(302);
      const row = await t.db
        .selectFrom("audit_log")
        .selectAll()
        .where("action", "=", "settings.appraisal_fee")
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.detail_json ?? "null")).toEqual({
        from: { minFeeFen: 350000, rateBp: 80 },
        to: { minFeeFen: 1200000, rateBp: 150 },
      });
    });
  });
});
