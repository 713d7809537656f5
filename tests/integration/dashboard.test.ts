import { describe, expect, it } from "vitest";
import { getDashboardCards } from "../../app/models/dashboard.server";
import { nowInstant } from "../../app/utils/time";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";
import { requestAs, useActors } from "../support/authz";

describe("role dashboards", () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const card = (cards: { key: string; value: number }[], key: string) =>
    cards.find((c) => c.key === key)?.value;

  it("counts only the firm's own assets and work", async () => {
    const now = nowInstant();
    const asset = (firm: number, n: number, validUntil: string | null) => ({
      firm_org_id: firm,
      asset_kind: "trademark" as const,
      ip_type: "trademark" as const,
      number: `88${firm}${n}`,
      title: `商标${n}`,
      status: "registered",
      registration_date: "2020-01-01",
      expiry_date: "2030-01-01",
      nice_class: 9,
      trademark_kind: "ordinary",
      formal_value_fen: validUntil ? 100_000_00 : null,
      formal_valid_until: validUntil,
      created_at: now,
      updated_at: now,
    });
    await t.db
      .insertInto("ip_assets")
      .values([
        asset(actors.firmA.orgId, 1, "2099-01-01"),
        asset(actors.firmA.orgId, 2, "2001-01-01"),
        asset(actors.firmA.orgId, 3, null),
        asset(actors.firmB.orgId, 1, "2099-01-01"),
      ])
      .execute();
    const a = await getDashboardCards(t.db, "firm", actors.firmA.orgId);
    const b = await getDashboardCards(t.db, "firm", actors.firmB.orgId);
    expect(card(a, "firmAssets")).toBe(3);
    expect(card(a, "firmAppraised")).toBe(1); // the one still valid; an expired appraisal does not count
    expect(card(b, "firmAssets")).toBe(1);
  });

  it("shows a bank only its own products and quota", async () => {
    const now = nowInstant();
    const product = (bank: number, quota: number, active: number) => ({
      bank_org_id: bank,
      name: "知识产权质押贷",
      description: "",
      min_amount_fen: 1_000_000,
      max_amount_fen: 100_000_000,
      min_term_months: 6,
      max_term_months: 36,
      min_rate_bp: 345,
      max_rate_bp: 550,
      pledge_rate_invention_bp: 3000,
      pledge_rate_utility_model_bp: 2000,
      pledge_rate_design_bp: 1000,
      pledge_rate_trademark_bp: 4000,
      ip_types_mask: 15,
      region_mask: 4095,
      industry_mask: 1048575,
      quota_total_fen: quota,
      quota_remaining_fen: quota,
      active,
      created_by: 1,
      created_at: now,
      updated_at: now,
    });
    await t.db
      .insertInto("loan_products")
      .values([
        product(actors.bankX.orgId, 500_000_000, 1),
        product(actors.bankX.orgId, 300_000_000, 1),
        product(actors.bankX.orgId, 900_000_000, 0),
        product(actors.bankY.orgId, 700_000_000, 1),
      ])
      .execute();
    const x = await getDashboardCards(t.db, "bank_officer", actors.bankX.orgId);
    expect(card(x, "bankActiveProducts")).toBe(2);
    expect(card(x, "bankQuotaRemaining")).toBe(800_000_000);
  });

  it("renders each role's cards on its landing page", async () => {
    const res = await requestAs(app, actors, "firmA", "/firm");
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('data-testid="card-firmAssets"');
    expect(html).toContain("已登记知识产权");
    const bank = await (await requestAs(app, actors, "bankX", "/bank")).text();
    expect(bank).toContain("待审查申请");
    const alliance = await (await requestAs(app, actors, "alliance", "/alliance")).text();
    expect(alliance).toContain('href="/alliance/review"');
  });
});
