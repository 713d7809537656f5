/**
 * The products feature over HTTP (the built app): a bank officer publishes, edits and pauses a
 * product through its forms; a firm posts a financing request, sees its matches and near misses,
 * applies (a draft application with the product's snapshot) and closes the request.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { pipelineRefreshesSettled } from "../../app/models/matching.server";
import { nowInstant } from "../../app/utils/time";
import { requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const WAN = 1_000_000;

/** A complete product form, as a browser would post it. */
function productForm(over: Record<string, string | string[]> = {}): URLSearchParams {
  const fields: Record<string, string | string[]> = {
    name: "鹿城专利质押贷",
    description: "测试",
    minAmount: "50万",
    maxAmount: "2,000万",
    minTerm: "6",
    maxTerm: "36",
    minRate: "3.65",
    maxRate: "5",
    accept_invention: "on",
    rate_invention: "35",
    years_invention: "5",
    accept_utility_model: "on",
    rate_utility_model: "20",
    years_utility_model: "3",
    rate_design: "0",
    years_design: "0",
    rate_trademark: "0",
    years_trademark: "0",
    tmAge: "0",
    regionsMode: "some",
    regions: ["150200", "150600"],
    industriesMode: "all",
    requiresFormal: "on",
    quotaTotal: "2亿",
    riskGovernment: "30",
    riskInsurer: "0",
    riskGuarantor: "0",
    subsidy: "30",
    methods: ["equal_instalment", "equal_principal", "interest_only", "bullet"],
    ...over,
  };
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  }
  return body;
}

describe(`products over HTTP (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  const assetIds: number[] = [];

  const post = (actor: Actor, path: string, body: URLSearchParams, lang?: string) =>
    requestAs(app, actors, actor, path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(lang ? { "accept-language": lang } : {}),
      },
      body: body.toString(),
    });
  const productCount = async () =>
    Number(
      (
        await t.db
          .selectFrom("loan_products")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    // firmA (包头, C, high-tech) has two granted inventions with valid formal values.
    const now = nowInstant();
    for (const [n, value] of [
      ["202010000001.0", 600],
      ["202010000002.9", 300],
    ] as const) {
      const res = await t.db
        .insertInto("ip_assets")
        .values({
          firm_org_id: actors.firmA.orgId,
          asset_kind: "patent",
          ip_type: "invention",
          number: n,
          title: `发明${n}`,
          status: "granted",
          filing_date: "2020-01-01",
          expiry_date: "2039-12-31",
          formal_value_fen: value * WAN,
          formal_valid_until: "2099-12-31",
          indicative_value_fen: value * WAN,
          created_at: now,
          updated_at: now,
        })
        .executeTakeFirstOrThrow();
      assetIds.push(Number(res.insertId));
    }
  });

  let productId = 0;

  it("publishes a product from the form: 元, %, regions and quota converted exactly", async () => {
    const res = await post("bankX", "/bank/products/new", productForm());
    expect(res.status).toBe(302);
    const m = /^\/bank\/products\/(\d+)\?done=created$/.exec(res.headers.get("location") ?? "");
    expect(m).not.toBeNull();
    productId = Number(m![1]);
    const row = await t.db
      .selectFrom("loan_products")
      .selectAll()
      .where("id", "=", productId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      bank_org_id: actors.bankX.orgId,
      min_amount_fen: 50 * WAN,
      max_amount_fen: 2000 * WAN,
      min_rate_bp: 365,
      max_rate_bp: 500,
      pledge_rate_invention_bp: 3500,
      ip_types_mask: 1 | 2,
      all_regions: 0,
      region_mask: 2 | 32,
      quota_total_fen: 20_000 * WAN,
      quota_remaining_fen: 20_000 * WAN,
      risk_government_bp: 3000,
      interest_subsidy_bp: 3000,
      requires_formal_appraisal: 1,
    });
    const page = await requestAs(app, actors, "bankX", `/bank/products/${productId}`);
    const html = await page.text();
    expect(html).toContain("仅限 包头市、鄂尔多斯市");
    expect(html).toContain("贴息后最低约 2.56%");
  });

  it("shows each invalid field's message next to it and writes nothing", async () => {
    const before = await productCount();
    const res = await post(
      "bankX",
      "/bank/products/new",
      productForm({
        minAmount: "3000万",
        maxAmount: "2000万",
        minRate: "3.655",
        riskGovernment: "60",
        riskInsurer: "50",
        regions: [],
      }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("最高金额 2,000 万元 低于最低金额 3,000 万元");
    expect(html).toContain("请输入百分比，如 3.45（最多两位小数）");
    expect(html).toContain("风险分担比例合计 110.00%，不能超过 100%");
    expect(html).toContain("至少选择一个盟市");
    expect(await productCount()).toBe(before);
  });

  it("refuses an edit made on a stale version with the reload message", async () => {
    const ok = await post(
      "bankX",
      `/bank/products/${productId}/edit`,
      productForm({ version: "1", name: "鹿城专利质押贷（二期）" }),
    );
    expect(ok.status).toBe(302);
    const stale = await post(
      "bankX",
      `/bank/products/${productId}/edit`,
      productForm({ version: "1", name: "覆盖" }),
    );
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("该记录已被他人修改，请刷新页面后重试。");
    const row = await t.db
      .selectFrom("loan_products")
      .select(["name", "version"])
      .where("id", "=", productId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: "鹿城专利质押贷（二期）", version: 2 });
  });

  it("asks for confirmation before pausing, then pauses", async () => {
    const confirm = await requestAs(
      app,
      actors,
      "bankX",
      `/bank/products/${productId}?confirm=pause`,
    );
    expect(await confirm.text()).toContain("确认暂停");
    const res = await post(
      "bankX",
      `/bank/products/${productId}`,
      new URLSearchParams({ intent: "pause", version: "2" }),
    );
    expect(res.status).toBe(302);
    const page = await (
      await requestAs(app, actors, "bankX", `/bank/products/${productId}`)
    ).text();
    expect(page).toContain("产品已暂停，暂停期间不匹配任何融资需求");
    const back = await post(
      "bankX",
      `/bank/products/${productId}`,
      new URLSearchParams({ intent: "resume", version: "3" }),
    );
    expect(back.status).toBe(302);
  });

  let requestId = 0;

  it("posts a request and shows the match with its reasons, collateral and a near miss", async () => {
    // A second product only for 鄂尔多斯: firmA (包头) misses it by region alone.
    const other = await post(
      "bankY",
      "/bank/products/new",
      productForm({ name: "鄂尔多斯专利贷", regions: ["150600"] }),
    );
    expect(other.status).toBe(302);
    const body = new URLSearchParams({
      amount: "200万",
      term: "24",
      maxRate: "4.8",
      purpose: "采购生产设备",
    });
    for (const id of assetIds) body.append("assetIds", String(id));
    const res = await post("firmA", "/firm/requests/new", body);
    expect(res.status).toBe(302);
    requestId = Number(/\/firm\/requests\/(\d+)$/.exec(res.headers.get("location") ?? "")![1]);
    const html = await (
      await requestAs(app, actors, "firmA", `/firm/requests/${requestId}`)
    ).text();
    expect(html).toContain("可直接申请（1）");
    expect(html).toContain("鹿城专利质押贷（二期）");
    // 300万 × 35% = 105万 covers 200万? No: the 600万 one (210万) alone does, and is the least.
    expect(html).toContain("发明202010000001.0");
    expect(html).toContain("可贷 315 万元 ≥ 申请 200 万元");
    expect(html).toContain("只差一项（1）");
    expect(html).toContain("仅限 鄂尔多斯市");
  });

  it("shows the match page in English too", async () => {
    const res = await requestAs(app, actors, "firmA", `/firm/requests/${requestId}`, {
      headers: { "accept-language": "en-GB,en;q=0.9" },
    });
    const html = await res.text();
    expect(html).toContain("Ready to apply (1)");
    expect(html).toContain("Only for Ordos");
  });

  it("applies: a draft application with the least collateral and the product's snapshot", async () => {
    const res = await post(
      "firmA",
      `/firm/requests/${requestId}`,
      new URLSearchParams({ intent: "apply", productId: String(productId) }),
    );
    expect(res.status).toBe(302);
    const appId = Number(
      /^\/firm\/applications\/(\d+)$/.exec(res.headers.get("location") ?? "")![1],
    );
    const app_ = await t.db
      .selectFrom("applications")
      .selectAll()
      .where("id", "=", appId)
      .executeTakeFirstOrThrow();
    expect(app_).toMatchObject({
      state: "draft",
      firm_org_id: actors.firmA.orgId,
      bank_org_id: actors.bankX.orgId,
      product_id: productId,
      request_id: requestId,
      amount_fen: 200 * WAN,
      term_months: 24,
      rate_bp: 365,
    });
    expect(JSON.parse(app_.product_snapshot_json)).toMatchObject({
      productId,
      version: 4,
      terms: { pledgeRateBp: { invention: 3500 } },
    });
    const pledged = await t.db
      .selectFrom("application_assets")
      .select("asset_id")
      .where("application_id", "=", appId)
      .execute();
    expect(pledged.map((p) => p.asset_id)).toEqual([assetIds[0]]);
  });

  it("shows stored counts, and when they are from, above the live limit (decision 024)", async () => {
    process.env.ZR_PIPELINE_LIVE_PAIRS = "0";
    try {
      const first = await (await requestAs(app, actors, "bankX", "/bank/pipeline")).text();
      expect(first).toContain("匹配数正在首次统计");
      expect(first).toContain('data-testid="pipeline-counting"');
      await pipelineRefreshesSettled();
      const second = await (await requestAs(app, actors, "bankX", "/bank/pipeline")).text();
      expect(second).toMatch(/匹配数统计于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
      expect(second).not.toContain('data-testid="pipeline-counting"');
      expect(second).toContain('data-testid="pipeline-count"');
    } finally {
      delete process.env.ZR_PIPELINE_LIVE_PAIRS;
    }
  });

  it("closes the request after confirmation; the bank no longer sees it", async () => {
    const before = await (
      await requestAs(app, actors, "bankX", `/bank/products/${productId}`)
    ).text();
    expect(before).toContain("共 1 条需求");
    expect(before).toContain("可直接申请（1）");
    const confirm = await requestAs(
      app,
      actors,
      "firmA",
      `/firm/requests/${requestId}?confirm=close`,
    );
    expect(await confirm.text()).toContain("确认关闭这条融资需求？");
    const res = await post(
      "firmA",
      `/firm/requests/${requestId}`,
      new URLSearchParams({ intent: "close", version: "1" }),
    );
    expect(res.status).toBe(302);
    const after = await (
      await requestAs(app, actors, "bankX", `/bank/products/${productId}`)
    ).text();
    expect(after).toContain("共 0 条需求");
    const pipeline = await (await requestAs(app, actors, "bankX", "/bank/pipeline")).text();
    expect(pipeline).toContain("鹿城专利质押贷（二期）");
    expect(pipeline).not.toContain('data-testid="pipeline-as-of"');
  });
});
