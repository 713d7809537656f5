/**
 * The bank's disposal pages over HTTP (docs/domain.md#disposal), on SQLite and MariaDB (TEST_DB):
 * a defaulted covered loan whose claim the pool paid in part; its pledged IP listed from the
 * loan's page — bad input refused next to its field writing nothing, a second listing refused,
 * another bank told it does not exist, the pledge not released while listed — interest registered
 * on the public page, then the proceeds recorded once, split exactly to the fen (each sharer
 * capped at what it paid), the pool refunded and the pledge released.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplicationDraft } from "../../app/models/application.server";
import { decideClaim, fileClaim, previewClaim } from "../../app/models/risk-sharing/claims.server";
import type { RiskActor } from "../../app/models/risk-sharing/common.server";
import { addContribution, createPool } from "../../app/models/risk-sharing/pools.server";
import { addDays } from "../../app/domain/ip";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { addAsset, addProduct, countRows, driveTo, type DealWorld } from "../support/applications";
import { useAppServer } from "../support/http";

const WAN = 1_000_000; // 1万元 in fen
const today = todayInChina();

describe(`disposal pages (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let poolId = 0;
  let loanId = 0;
  let assetNumber = "";
  let disposalId = 0;

  const post = (actor: Actor, path: string, body: Record<string, string>) =>
    requestAs(app, actors, actor, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body).toString(),
    });
  const get = (actor: Actor, path: string) => requestAs(app, actors, actor, path);
  const count = async (table: "disposals" | "disposal_distributions" | "risk_pool_entries") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const pool = async () =>
    t.db.selectFrom("risk_pools").selectAll().where("id", "=", poolId).executeTakeFirstOrThrow();

  const listing = (over: Record<string, string> = {}) => ({
    kind: "transfer",
    title: "一种节能装置 发明专利转让",
    summary: `发明专利 ${assetNumber}`,
    appraisal: "",
    asking: "80万",
    terms: "一次性转让，价款于合同签订后 30 日内付清",
    confirm: "on",
    ...over,
  });
  const sale = (over: Record<string, string> = {}) => ({
    key: "proceeds-key-0001",
    buyerName: "丙科技有限公司",
    soldDate: today,
    proceeds: "300000.01",
    confirm: "on",
    ...over,
  });

  beforeAll(async () => {
    const gov: RiskActor = {
      userId: actors.alliance.userId,
      orgId: actors.alliance.orgId,
      role: "alliance",
    };
    const bank: RiskActor = {
      userId: actors.bankX.userId,
      orgId: actors.bankX.orgId,
      role: "bank_officer",
    };
    const product = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    const insurer = Number(
      (
        await t.db
          .insertInto("organisations")
          .values({
            kind: "alliance",
            alliance_kind: "insurer",
            name: "处置测试财产保险",
            uscc: null,
            region_code: null,
            industry_section: null,
            created_at: nowInstant(),
          })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    // 50 / 30 / 0 / 20%, 30万 a loan.
    poolId = await createPool(t.db, gov, {
      name: "处置测试资金池",
      kind: "county",
      shares: { pool: 5000, insurer: 3000, guarantor: 0, bank: 2000 },
      perLoanCapFen: 30 * WAN,
      leverageMultipleBp: 100_000,
      interestDaysAllowed: 90,
      requiredDocuments: ["loan_contract"],
      productIds: [product],
      regionCodes: [],
      insurerOrgId: insurer,
      guarantorOrgId: null,
    });
    await addContribution(t.db, gov, {
      poolId,
      funderName: "财政",
      amountFen: 100 * WAN,
      valueDate: "2026-01-02",
      idempotencyKey: `disposal-pages-${poolId}`,
    });
    const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200 * WAN });
    assetNumber = (
      await t.db
        .selectFrom("ip_assets")
        .select("number")
        .where("id", "=", asset)
        .executeTakeFirstOrThrow()
    ).number;
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: actors.firmA.orgId,
      userId: actors.firmA.userId,
      productId: product,
      requestId: null,
      amountFen: 50 * WAN,
      termMonths: 12,
      rateBp: 385,
      assetIds: [asset],
    });
    const party = (a: "firmA" | "bankX") => ({
      userId: actors[a].userId,
      orgId: actors[a].orgId,
    });
    const w = { firmA: party("firmA"), bankX: party("bankX") } as unknown as DealWorld;
    await driveTo(t.db, w, applicationId, "disbursed", { valueDate: "2026-06-01" });
    loanId = applicationId;
    const defaulted = await post("bankX", `/bank/loans/${loanId}`, {
      intent: "default",
      reason: "逾期超过90天",
      confirm: "on",
    });
    expect(defaulted.status).toBe(302);
    // The pool pays 20万 of the claim: 10万 from the pool, 6万 from the insurer, 4万 the bank's.
    const preview = await previewClaim(t.db, bank, loanId);
    const { claimId } = await fileClaim(t.db, bank, {
      applicationId: loanId,
      claimedFen: preview.lossFen,
      documents: [{ document: "loan_contract" }],
      idempotencyKey: `disposal-pages-claim-${loanId}`,
    });
    await decideClaim(t.db, gov, claimId, { decision: "approve", approvedFen: 20 * WAN });
    expect(Number((await pool()).balance_fen)).toBe(90 * WAN);
  });

  it("links a defaulted loan to its listing form, showing the pledged IP; another bank: 404", async () => {
    const loanPage = await (await get("bankX", `/bank/loans/${loanId}`)).text();
    expect(loanPage).toContain(`/bank/loans/${loanId}/dispose`);
    const form = await get("bankX", `/bank/loans/${loanId}/dispose`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain(assetNumber);
    expect(html).toContain("挂牌价（元）");
    expect((await get("bankY", `/bank/loans/${loanId}/dispose`)).status).toBe(404);
    expect((await get("firmA", `/bank/loans/${loanId}/dispose`)).status).toBe(403);
  });

  it("starts with an empty list of disposals", async () => {
    const res = await get("bankX", "/bank/disposals");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("尚无处置项目");
  });

  it("refuses bad input next to its field, in Chinese and in English, writing nothing", async () => {
    const audit = await countRows(t.db, "audit_log");
    const path = `/bank/loans/${loanId}/dispose`;
    const negative = await post("bankX", path, listing({ asking: "-5万" }));
    expect(negative.status).toBe(400);
    expect(await negative.text()).toContain("挂牌价须大于零，现为 -50,000 元");
    const zeroAppraisal = await post("bankX", path, listing({ appraisal: "0" }));
    expect(zeroAppraisal.status).toBe(400);
    expect(await zeroAppraisal.text()).toContain("评估价值须大于零");
    const noTitle = await post("bankX", path, listing({ title: "" }));
    expect(noTitle.status).toBe(400);
    expect(await noTitle.text()).toContain("请填写 2 至 300 字的公告标题");
    const notAmount = await post("bankX", path, listing({ asking: "八十万" }));
    expect(notAmount.status).toBe(400);
    const { confirm: _confirm, ...unconfirmed } = listing();
    expect((await post("bankX", path, unconfirmed)).status).toBe(400);
    const english = await app.fetch(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: app.baseURL,
        cookie: `${actors.bankX.cookie}; zr_lng=en`,
      },
      body: new URLSearchParams(listing({ asking: "0" })).toString(),
    });
    expect(english.status).toBe(400);
    expect(await english.text()).toContain("The asking price must be above zero");
    // Another bank's loan: not found, whatever it posts.
    expect((await post("bankY", path, listing())).status).toBe(404);
    expect(await count("disposals")).toBe(0);
    expect(await countRows(t.db, "audit_log")).toBe(audit);
  });

  it("lists the IP once; a second listing of the same loan is refused", async () => {
    const path = `/bank/loans/${loanId}/dispose`;
    const res = await post("bankX", path, listing({ appraisal: "120万" }));
    expect(res.status).toBe(302);
    disposalId = Number(/\/bank\/disposals\/(\d+)$/.exec(res.headers.get("location") ?? "")?.[1]);
    expect(disposalId).toBeGreaterThan(0);
    const row = await t.db
      .selectFrom("disposals")
      .selectAll()
      .where("id", "=", disposalId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      application_id: loanId,
      bank_org_id: actors.bankX.orgId,
      kind: "transfer",
      state: "listed",
      live_key: loanId,
    });
    expect(Number(row.asking_fen)).toBe(80 * WAN);
    expect(Number(row.appraisal_fen)).toBe(120 * WAN);
    expect(row.claim_id).not.toBeNull();

    const again = await post("bankX", path, listing({ title: "再次挂牌" }));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain(`已挂牌处置（处置 #${disposalId}），不能重复挂牌`);
    expect(await count("disposals")).toBe(1);
    // The form now says so, and the loan's page links to the disposal instead.
    expect(await (await get("bankX", path)).text()).toContain(`/bank/disposals/${disposalId}`);
    const loanPage = await (await get("bankX", `/bank/loans/${loanId}`)).text();
    expect(loanPage).toContain(`/bank/disposals/${disposalId}`);
    expect(loanPage).not.toContain(`/bank/loans/${loanId}/dispose`);
    // The pledge stands while the IP is listed: no release form, and a posted release is refused.
    expect(loanPage).toContain("质押有效：1 项资产锁定");
    expect(loanPage).not.toContain('data-testid="release-pledge"');
    const release = await post("bankX", `/bank/loans/${loanId}`, {
      intent: "release",
      reason: "解除质押",
      confirm: "on",
    });
    expect(release.status).toBe(409);
    expect(await release.text()).toContain(`正在挂牌处置（处置 #${disposalId}）`);
    expect(await countRows(t.db, "pledge_locks")).toBe(1);
  });

  it("lists the bank's own disposals with the interest registered; another bank sees none", async () => {
    const registered = await post("anonymous", `/disposals/${disposalId}`, {
      name: "丙科技有限公司",
      contact: "0472-1234567",
      message: "有意受让，请联系",
    });
    expect(registered.status).toBe(200);
    const list = await (await get("bankX", "/bank/disposals")).text();
    expect(list).toContain("一种节能装置 发明专利转让");
    expect(list).toContain("800,000.00 元");
    expect(list).toContain("登记意向：1 方");
    const other = await (await get("bankY", "/bank/disposals")).text();
    expect(other).not.toContain(`/bank/disposals/${disposalId}`);
    expect(other).toContain("尚无处置项目");

    const page = await get("bankX", `/bank/disposals/${disposalId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("0472-1234567");
    expect(html).toContain("有意受让，请联系");
    expect((await get("bankY", `/bank/disposals/${disposalId}`)).status).toBe(404);
    expect((await get("alliance", `/bank/disposals/${disposalId}`)).status).toBe(403);
  });

  it("withdraws a listing with a reason and confirmation, keeping the pledge; the IP is listed again", async () => {
    const path = `/bank/disposals/${disposalId}`;
    const page = await (await get("bankX", path)).text();
    expect(page).toContain('data-testid="withdraw-disposal"');
    expect(page).toContain("撤回挂牌");
    const withdraw = (over: Record<string, string> = {}) => ({
      intent: "withdraw",
      reason: "挂牌价与市场不符，重新评估后再挂牌",
      confirm: "on",
      ...over,
    });
    // Bad input is refused next to its field, another bank is told it does not exist, and a
    // pool manager has no such permission: nothing changes.
    const audit = await countRows(t.db, "audit_log");
    const noReason = await post("bankX", path, withdraw({ reason: "无" }));
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain("请填写撤回挂牌的原因");
    const { confirm: _confirm, ...unconfirmed } = withdraw();
    expect((await post("bankX", path, unconfirmed)).status).toBe(400);
    expect((await post("bankY", path, withdraw())).status).toBe(404);
    expect((await post("alliance", path, withdraw())).status).toBe(403);
    expect(await countRows(t.db, "audit_log")).toBe(audit);
    expect(
      (
        await t.db
          .selectFrom("disposals")
          .select("state")
          .where("id", "=", disposalId)
          .executeTakeFirstOrThrow()
      ).state,
    ).toBe("listed");

    const res = await post("bankX", path, withdraw());
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(path);
    const after = await (await get("bankX", path)).text();
    expect(after).toContain("已撤回");
    expect(after).toContain('data-testid="disposal-withdrawn"');
    expect(after).not.toContain('data-testid="record-proceeds"');
    expect((await get("anonymous", `/disposals/${disposalId}`)).status).toBe(404);
    expect(page).toContain(`href="/disposals/${disposalId}"`);
    expect(after).not.toContain(`href="/disposals/${disposalId}"`);
    // A second post finds it closed.
    const again = await post("bankX", path, withdraw());
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("该处置项目已结束");
    // The pledge stands, so the loan can be listed again: the tests below sell that listing.
    expect(await countRows(t.db, "pledge_locks")).toBe(1);
    const relisted = await post(
      "bankX",
      `/bank/loans/${loanId}/dispose`,
      listing({ appraisal: "120万" }),
    );
    expect(relisted.status).toBe(302);
    const next = Number(
      /\/bank\/disposals\/(\d+)$/.exec(relisted.headers.get("location") ?? "")?.[1],
    );
    expect(next).toBeGreaterThan(disposalId);
    // The interest registered on the withdrawn listing stays with it; register it on the new one.
    await post("anonymous", `/disposals/${next}`, {
      name: "丙科技有限公司",
      contact: "0472-1234567",
      message: "有意受让，请联系",
    });
    disposalId = next;
  });

  it("refuses bad proceeds next to their field, writing nothing", async () => {
    const audit = await countRows(t.db, "audit_log");
    const path = `/bank/disposals/${disposalId}`;
    const zero = await post("bankX", path, sale({ proceeds: "0" }));
    expect(zero.status).toBe(400);
    expect(await zero.text()).toContain("成交金额须大于零");
    const future = await post("bankX", path, sale({ soldDate: addDays(today, 1) }));
    expect(future.status).toBe(400);
    expect(await future.text()).toContain("晚于今天");
    const before = await post("bankX", path, sale({ soldDate: addDays(today, -1) }));
    expect(before.status).toBe(400);
    expect(await before.text()).toContain("早于挂牌日期");
    const noBuyer = await post("bankX", path, sale({ buyerName: "" }));
    expect(noBuyer.status).toBe(400);
    expect(await noBuyer.text()).toContain("受让方或被许可方名称");
    const { confirm: _confirm, ...unconfirmed } = sale();
    expect((await post("bankX", path, unconfirmed)).status).toBe(400);
    // Another bank: not found; a pool manager: not a bank's permission at all.
    expect((await post("bankY", path, sale())).status).toBe(404);
    expect((await post("alliance", path, sale())).status).toBe(403);
    expect(await count("disposal_distributions")).toBe(0);
    expect(Number((await pool()).balance_fen)).toBe(90 * WAN);
    expect(await countRows(t.db, "audit_log")).toBe(audit);
  });

  it("holds the proceeds back until a bank officer who must use two-factor has enrolled", async () => {
    await t.db
      .insertInto("settings")
      .values({
        name: "two_factor_required_roles",
        value: '["bank_officer"]',
        updated_at: nowInstant(),
      })
      .execute();
    try {
      const res = await post("bankX", `/bank/disposals/${disposalId}`, sale());
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/account\/two-factor\?required=1/);
      expect(await count("disposal_distributions")).toBe(0);
    } finally {
      await t.db.deleteFrom("settings").where("name", "=", "two_factor_required_roles").execute();
    }
  });

  it("records the proceeds once, split exactly to the fen, and refunds the pool", async () => {
    const path = `/bank/disposals/${disposalId}`;
    // 300,000.01 元 at 50/30/0/20%: 15,000,000.5 / 9,000,000.3 / 0 / 6,000,000.2 fen; the odd fen
    // goes to the pool (largest fraction). The pool paid 10万 and the insurer 6万, so each is
    // capped there and the bank takes the rest: 6,000,000 + 5,000,001 + 3,000,000.
    const res = await post("bankX", path, sale());
    expect(res.status).toBe(302);
    const rows = await t.db
      .selectFrom("disposal_distributions")
      .select(["party", "amount_fen", "idempotency_key"])
      .where("disposal_id", "=", disposalId)
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.party, Number(r.amount_fen)]))).toEqual({
      pool: 10_000_000,
      insurer: 6_000_000,
      bank: 14_000_001,
    });
    const p = await pool();
    expect(Number(p.balance_fen)).toBe(100 * WAN);
    expect(Number(p.recovered_fen)).toBe(10 * WAN);
    const entry = await t.db
      .selectFrom("risk_pool_entries")
      .selectAll()
      .where("disposal_id", "=", disposalId)
      .executeTakeFirstOrThrow();
    expect(entry.entry_type).toBe("recovery");
    expect(Number(entry.amount_fen)).toBe(10 * WAN);
    const d = await t.db
      .selectFrom("disposals")
      .selectAll()
      .where("id", "=", disposalId)
      .executeTakeFirstOrThrow();
    expect(d).toMatchObject({ state: "sold", buyer_name: "丙科技有限公司", sold_date: today });
    expect(Number(d.proceeds_fen)).toBe(30_000_001);

    // A retry, or a second post with another key, writes nothing more.
    const entries = await count("risk_pool_entries");
    expect((await post("bankX", path, sale())).status).toBe(302);
    expect((await post("bankX", path, sale({ key: "proceeds-key-0002" }))).status).toBe(302);
    expect(await count("disposal_distributions")).toBe(3);
    expect(await count("risk_pool_entries")).toBe(entries);
    expect(Number((await pool()).balance_fen)).toBe(100 * WAN);

    const page = await (await get("bankX", path)).text();
    expect(page).toContain('data-testid="sale-split-pool">100,000.00 元');
    expect(page).toContain('data-testid="sale-split-insurer">60,000.00 元');
    expect(page).toContain('data-testid="sale-split-bank">140,000.01 元');
    expect(page).toContain('data-testid="sale-buyer">丙科技有限公司');
    const poolPage = await (await get("alliance", `/risk/pools/${poolId}`)).text();
    expect(poolPage).toContain("追回");
    const publicPage = await (await get("anonymous", `/disposals/${disposalId}`)).text();
    expect(publicPage).toContain("已成交");
    // The IP is disposed of: the sale released the pledge.
    expect(await countRows(t.db, "pledge_locks")).toBe(0);
    expect(await (await get("bankX", `/bank/loans/${loanId}`)).text()).toContain("质押已解除");
  });
});
