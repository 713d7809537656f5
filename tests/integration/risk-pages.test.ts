/**
 * The risk-sharing pages over HTTP (docs/domain.md#risk-pools, #claims), on SQLite and MariaDB
 * (TEST_DB): a pool set up through its form — bad shares and a negative cap refused with their
 * messages, writing nothing — a contribution recorded once, a claim filed from a defaulted
 * covered loan's page, a partial approval split by the shares, and the pool's figures after it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplicationDraft } from "../../app/models/application.server";
import { previewClaim } from "../../app/models/risk-sharing/claims.server";
import { fenToYuanInput } from "../../app/domain/money";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { requestAs, useActors, type Actor } from "../support/authz";
import { useTestDb } from "../support/db";
import { addAsset, addProduct, countRows, driveTo, type DealWorld } from "../support/applications";
import { useAppServer } from "../support/http";

const today = todayInChina();
const WAN = 1_000_000;

describe("risk-sharing pages", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let product = 0;
  let insurer = 0;
  let poolId = 0;
  let loanId = 0;
  let claimId = 0;

  const post = (actor: Actor, path: string, body: Record<string, string | string[]>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) {
      for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    }
    return requestAs(app, actors, actor, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: params.toString(),
    });
  };
  const get = (actor: Actor, path: string) => requestAs(app, actors, actor, path);
  const count = async (table: "risk_pools" | "risk_claims" | "risk_claim_payouts") =>
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

  const poolForm = (over: Record<string, string | string[]> = {}) => ({
    name: "包头市知识产权质押风险补偿资金池",
    kind: "county",
    sharePool: "50",
    shareInsurer: "30",
    shareGuarantor: "0",
    shareBank: "20",
    insurerOrgId: String(insurer),
    guarantorOrgId: "",
    perLoanCap: "30万",
    leverage: "10",
    interestDays: "90",
    documents: ["loan_contract", "default_notice"],
    productIds: [String(product)],
    ...over,
  });

  beforeAll(async () => {
    product = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    insurer = Number(
      (
        await t.db
          .insertInto("organisations")
          .values({
            kind: "alliance",
            alliance_kind: "insurer",
            name: "测试财产保险",
            uscc: null,
            region_code: null,
            industry_section: null,
            created_at: nowInstant(),
          })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
  });

  it("refuses shares that do not add up to 100% and a negative cap, writing nothing", async () => {
    const before = await count("risk_pools");
    const audit = await countRows(t.db, "audit_log");
    const badShares = await post("alliance", "/risk/pools/new", poolForm({ shareBank: "10" }));
    expect(badShares.status).toBe(400);
    expect(await badShares.text()).toContain("各方分担比例合计须为 100%，现为 90.00%");
    const negativeCap = await post("alliance", "/risk/pools/new", poolForm({ perLoanCap: "-5万" }));
    expect(negativeCap.status).toBe(400);
    expect(await negativeCap.text()).toContain("上限须大于零");
    const noInsurer = await post("alliance", "/risk/pools/new", poolForm({ insurerOrgId: "" }));
    expect(noInsurer.status).toBe(400);
    expect(await noInsurer.text()).toContain("请选择该机构");
    // A bank may not set up a pool at all.
    expect((await post("bankX", "/risk/pools/new", poolForm())).status).toBe(403);
    expect(await count("risk_pools")).toBe(before);
    expect(await countRows(t.db, "audit_log")).toBe(audit);
  });

  it("sets up a pool managed by the member, and records a contribution once", async () => {
    const res = await post("alliance", "/risk/pools/new", poolForm());
    expect(res.status).toBe(302);
    const m = /\/risk\/pools\/(\d+)$/.exec(res.headers.get("location") ?? "");
    poolId = Number(m?.[1]);
    expect(await pool()).toMatchObject({
      manager_org_id: actors.alliance.orgId,
      share_pool_bp: 5000,
      share_insurer_bp: 3000,
      share_bank_bp: 2000,
      insurer_org_id: insurer,
      leverage_multiple_bp: 100_000,
    });
    expect(Number((await pool()).per_loan_cap_fen)).toBe(30 * WAN);

    const contribution = {
      intent: "contribute",
      key: "contribution-key-1",
      funderName: "包头市财政局",
      amount: "100万",
      valueDate: today,
    };
    // Only the pool's manager records contributions.
    expect((await post("bankX", `/risk/pools/${poolId}`, contribution)).status).toBe(403);
    const bad = await post("alliance", `/risk/pools/${poolId}`, { ...contribution, amount: "-1" });
    expect(bad.status).toBe(400);
    for (let i = 0; i < 2; i++) {
      expect((await post("alliance", `/risk/pools/${poolId}`, contribution)).status).toBe(302);
    }
    expect(Number((await pool()).balance_fen)).toBe(100 * WAN);
    const page = await get("bankX", `/risk/pools/${poolId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("包头市财政局");
  });

  it("files a claim from the defaulted covered loan's page, refusing one above the loss", async () => {
    const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 200 * WAN });
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
    expect(Number((await pool()).exposure_fen)).toBe(30 * WAN);
    // The bank records the default on the loan's page, as it would.
    const defaulted = await post("bankX", `/bank/loans/${loanId}`, {
      intent: "default",
      reason: "逾期超过90天",
      confirm: "on",
    });
    expect(defaulted.status).toBe(302);

    const loanPage = await get("bankX", `/bank/loans/${loanId}`);
    expect(await loanPage.text()).toContain(`/bank/loans/${loanId}/claim`);
    const claimPage = await get("bankX", `/bank/loans/${loanId}/claim`);
    expect(claimPage.status).toBe(200);
    const html = await claimPage.text();
    expect(html).toContain("借款合同");
    expect(html).toContain("违约认定书");
    expect((await get("bankY", `/bank/loans/${loanId}/claim`)).status).toBe(404);

    const bank = { userId: actors.bankX.userId, orgId: actors.bankX.orgId, role: "bank_officer" };
    const preview = await previewClaim(t.db, bank as never, loanId);
    expect(preview.coveredPrincipalFen).toBe(30 * WAN);
    const claim = {
      key: "claim-key-0001",
      claimed: fenToYuanInput(preview.lossFen + 1),
      documents: ["loan_contract", "default_notice"],
      confirm: "on",
    };
    const above = await post("bankX", `/bank/loans/${loanId}/claim`, claim);
    expect(above.status).toBe(400);
    expect(await above.text()).toContain("超过按规则计算的损失");
    const missing = await post("bankX", `/bank/loans/${loanId}/claim`, {
      ...claim,
      claimed: fenToYuanInput(preview.lossFen),
      documents: ["loan_contract"],
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("缺少材料：违约认定书");
    expect(await count("risk_claims")).toBe(0);

    const filed = await post("bankX", `/bank/loans/${loanId}/claim`, {
      ...claim,
      claimed: fenToYuanInput(preview.lossFen),
    });
    expect(filed.status).toBe(302);
    claimId = Number(/\/risk\/claims\/(\d+)$/.exec(filed.headers.get("location") ?? "")?.[1]);
    expect(claimId).toBeGreaterThan(0);
    expect(Number((await pool()).exposure_fen)).toBe(0);
  });

  it("shows a claim to its bank and the pool's manager only", async () => {
    expect((await get("bankX", `/risk/claims/${claimId}`)).status).toBe(200);
    expect((await get("alliance", `/risk/claims/${claimId}`)).status).toBe(200);
    expect((await get("bankY", `/risk/claims/${claimId}`)).status).toBe(404);
    expect(await (await get("bankX", "/risk/claims")).text()).toContain(`/risk/claims/${claimId}`);
    expect(await (await get("bankY", "/risk/claims")).text()).not.toContain(
      `/risk/claims/${claimId}`,
    );
  });

  it("approves in part on confirmation, split by the shares, and the pool's figures follow", async () => {
    const decide = (actor: Actor, body: Record<string, string>) =>
      post(actor, `/risk/claims/${claimId}`, body);
    // Only the pool's manager decides; the bank that filed it may not.
    expect((await decide("bankX", { intent: "approve_full", confirm: "on" })).status).toBe(403);
    const unconfirmed = await decide("alliance", { intent: "approve_partial", approved: "20万" });
    expect(unconfirmed.status).toBe(400);
    const above = await decide("alliance", {
      intent: "approve_partial",
      approved: "1亿",
      confirm: "on",
    });
    expect(above.status).toBe(400);
    expect(await above.text()).toContain("超过申请金额");
    const noReason = await decide("alliance", { intent: "reject", reason: "", confirm: "on" });
    expect(noReason.status).toBe(400);
    expect(await count("risk_claim_payouts")).toBe(0);

    const ok = await decide("alliance", {
      intent: "approve_partial",
      approved: "20万",
      confirm: "on",
    });
    expect(ok.status).toBe(302);
    const claim = await t.db
      .selectFrom("risk_claims")
      .selectAll()
      .where("id", "=", claimId)
      .executeTakeFirstOrThrow();
    expect(claim.state).toBe("partially_approved");
    expect(Number(claim.approved_fen)).toBe(20 * WAN);
    const payouts = await t.db
      .selectFrom("risk_claim_payouts")
      .select(["party", "amount_fen"])
      .where("claim_id", "=", claimId)
      .execute();
    expect(Object.fromEntries(payouts.map((p) => [p.party, Number(p.amount_fen)]))).toEqual({
      pool: 10 * WAN,
      insurer: 6 * WAN,
      bank: 4 * WAN,
    });
    const p = await pool();
    expect(Number(p.balance_fen)).toBe(90 * WAN);
    expect(Number(p.paid_fen)).toBe(10 * WAN);

    // Decided once: a second decision is refused.
    expect((await decide("alliance", { intent: "approve_full", confirm: "on" })).status).toBe(409);

    const claimPage = await (await get("bankX", `/risk/claims/${claimId}`)).text();
    expect(claimPage).toContain("部分核准");
    expect(claimPage).toContain('data-testid="payout-pool">100,000.00 元');
    expect(claimPage).toContain('data-testid="payout-insurer">60,000.00 元');
    const poolPage = await (await get("alliance", `/risk/pools/${poolId}`)).text();
    expect(poolPage).toContain(`/risk/claims/${claimId}`);
    expect(poolPage).toContain("代偿支付");
  });
});
