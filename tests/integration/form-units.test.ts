/**
 * Every form that takes a percentage reads the same spellings the same way (app/domain/percent.ts),
 * and every form that is pre-filled writes a rate and an amount the same way: "３.５" is 350 bp and
 * "15.00" is 1500 bp on the product, request, draft, approval, appraisal-fee and valuation forms;
 * 1500 bp is pre-filled as "15" and 5000 yuan as "5000" on each of them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  createApplicationDraft,
  getApplicationRow,
  startReview,
  submitApplication,
} from "../../app/models/application.server";
import { getAppraisalFeeSettings } from "../../app/models/appraisal.server";
import { requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { addAsset, addProduct } from "../support/applications";
import { useAppServer } from "../support/http";

/** Spellings of 15 % and of 3.5 % a person may type. */
const FIFTEEN = ["15", "15.0", "15.00", "１５．００", "15%", "１５％"];
const THREE_AND_A_HALF = ["３.５", "３．５", "3.5", "3.50", "3.5%", "３．５０％"];
/** Pairs that walk both lists, so each form sees every spelling once. */
const PAIRS = FIFTEEN.map((fifteen, i) => ({ fifteen, half: THREE_AND_A_HALF[i] }));

type Fields = Record<string, string | string[]>;

function body(fields: Fields): URLSearchParams {
  const b = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const x of Array.isArray(v) ? v : [v]) b.append(k, x);
  }
  return b;
}

/** The value attribute an input named `name` is rendered with. */
function inputValue(html: string, name: string): string | null {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) return null;
  return /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? null;
}

function productForm(over: Fields = {}): Fields {
  return {
    name: "单位测试产品",
    description: "",
    minAmount: "5000",
    maxAmount: "2000万",
    minTerm: "6",
    maxTerm: "36",
    minRate: "3",
    maxRate: "5",
    accept_invention: "on",
    rate_invention: "30",
    years_invention: "5",
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
    methods: "equal_instalment",
    ...over,
  };
}

describe(`percent and yuan spellings on every form (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const post = (actor: Actor, path: string, fields: Fields) =>
    requestAs(app, actors, actor, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body(fields).toString(),
    });
  const page = async (actor: Actor, path: string) => {
    const res = await requestAs(app, actors, actor, path);
    expect(res.status, path).toBe(200);
    return res.text();
  };
  const idFrom = (res: Response, pattern: RegExp) => {
    const m = pattern.exec(res.headers.get("location") ?? "");
    expect(m, `${res.status} ${res.headers.get("location")}`).not.toBeNull();
    return Number(m![1]);
  };

  describe("a bank's product, created and edited", () => {
    it.each(PAIRS)("reads $fifteen as 1500 bp and $half as 350 bp", async ({ fifteen, half }) => {
      const created = await post(
        "bankX",
        "/bank/products/new",
        productForm({
          minRate: half,
          maxRate: fifteen,
          rate_invention: fifteen,
          riskGovernment: fifteen,
          subsidy: half,
        }),
      );
      expect(created.status).toBe(302);
      const id = idFrom(created, /^\/bank\/products\/(\d+)\?/);
      const row = () =>
        t.db
          .selectFrom("loan_products")
          .select([
            "min_rate_bp",
            "max_rate_bp",
            "pledge_rate_invention_bp",
            "risk_government_bp",
            "interest_subsidy_bp",
            "min_amount_fen",
          ])
          .where("id", "=", id)
          .executeTakeFirstOrThrow();
      expect(await row()).toMatchObject({
        min_rate_bp: 350,
        max_rate_bp: 1500,
        pledge_rate_invention_bp: 1500,
        risk_government_bp: 1500,
        interest_subsidy_bp: 350,
        min_amount_fen: 500_000,
      });

      // The edit form is pre-filled with the canonical spellings…
      const html = await page("bankX", `/bank/products/${id}/edit`);
      expect(inputValue(html, "maxRate")).toBe("15");
      expect(inputValue(html, "minRate")).toBe("3.5");
      expect(inputValue(html, "rate_invention")).toBe("15");
      expect(inputValue(html, "minAmount")).toBe("5000");

      // …and reads the other spellings the same way (the fields swapped round).
      const edited = await post(
        "bankX",
        `/bank/products/${id}/edit`,
        productForm({
          version: "1",
          minRate: half,
          maxRate: fifteen,
          rate_invention: half,
          riskGovernment: half,
          subsidy: fifteen,
        }),
      );
      expect(edited.status).toBe(302);
      expect(await row()).toMatchObject({
        min_rate_bp: 350,
        max_rate_bp: 1500,
        pledge_rate_invention_bp: 350,
        risk_government_bp: 350,
        interest_subsidy_bp: 1500,
      });
    });
  });

  describe("a firm's financing request, posted and edited", () => {
    let assetId = 0;
    beforeAll(async () => {
      assetId = await addAsset(t.db, actors.firmA.orgId, { valueFen: 500_000_000 });
    });

    it.each(PAIRS)("reads a maximum rate of $fifteen and of $half", async ({ fifteen, half }) => {
      const fields = (maxRate: string) => ({
        amount: "5000",
        term: "24",
        maxRate,
        purpose: "采购设备",
        assetIds: String(assetId),
      });
      const created = await post("firmA", "/firm/requests/new", fields(fifteen));
      expect(created.status).toBe(302);
      const id = idFrom(created, /^\/firm\/requests\/(\d+)$/);
      const row = () =>
        t.db
          .selectFrom("financing_requests")
          .select(["max_rate_bp", "amount_fen", "version"])
          .where("id", "=", id)
          .executeTakeFirstOrThrow();
      expect(await row()).toMatchObject({ max_rate_bp: 1500, amount_fen: 500_000 });

      const html = await page("firmA", `/firm/requests/${id}/edit`);
      expect(inputValue(html, "maxRate")).toBe("15");
      expect(inputValue(html, "amount")).toBe("5000");

      const { version } = await row();
      const edited = await post("firmA", `/firm/requests/${id}/edit`, {
        ...fields(half),
        version: String(version),
      });
      expect(edited.status).toBe(302);
      expect((await row()).max_rate_bp).toBe(350);
    });

    it("refuses a negative maximum rate and writes nothing", async () => {
      const before = await t.db.selectFrom("financing_requests").select("id").execute();
      const res = await post("firmA", "/firm/requests/new", {
        amount: "5000",
        term: "24",
        maxRate: "－３.５",
        purpose: "采购设备",
        assetIds: String(assetId),
      });
      expect(res.status).toBe(400);
      expect(await t.db.selectFrom("financing_requests").select("id").execute()).toHaveLength(
        before.length,
      );
    });
  });

  describe("a deal: the firm's draft and the bank's approval", () => {
    let productId = 0;
    beforeAll(async () => {
      productId = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
      // Rates up to 30 %, so that 15 % is inside the product's range.
      await t.db
        .updateTable("loan_products")
        .set({ max_rate_bp: 3000 })
        .where("id", "=", productId)
        .execute();
    });
    const firmA = () => ({ userId: actors.firmA.userId, orgId: actors.firmA.orgId });
    const bankX = () => ({ userId: actors.bankX.userId, orgId: actors.bankX.orgId });

    it.each(PAIRS)("drafts at $fifteen, then edits to $half", async ({ fifteen, half }) => {
      const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 100_000_000 });
      const fields = (rate: string) => ({
        amount: "50000",
        termMonths: "12",
        rate,
        assetIds: String(asset),
      });
      const created = await post("firmA", `/firm/applications/new?productId=${productId}`, {
        intent: "create",
        ...fields(fifteen),
      });
      expect(created.status).toBe(302);
      const id = idFrom(created, /^\/firm\/applications\/(\d+)$/);
      expect(await getApplicationRow(t.db, id)).toMatchObject({
        rate_bp: 1500,
        amount_fen: 5_000_000,
      });

      const html = await page("firmA", `/firm/applications/${id}`);
      expect(inputValue(html, "rate")).toBe("15");
      expect(inputValue(html, "amount")).toBe("5万");

      const edited = await post("firmA", `/firm/applications/${id}`, {
        intent: "edit",
        version: "1",
        ...fields(half),
      });
      expect(edited.status).toBe(302);
      expect((await getApplicationRow(t.db, id))!.rate_bp).toBe(350);
    });

    /** A submitted application under review, at 4 % for 50000 yuan. */
    async function underReview() {
      const asset = await addAsset(t.db, actors.firmA.orgId, { valueFen: 100_000_000 });
      const { applicationId } = await createApplicationDraft(t.db, {
        firmOrgId: actors.firmA.orgId,
        userId: actors.firmA.userId,
        productId,
        requestId: null,
        amountFen: 5_000_000,
        termMonths: 12,
        rateBp: 400,
        assetIds: [asset],
      });
      await submitApplication(t.db, firmA(), { applicationId, version: 1 });
      await startReview(t.db, bankX(), { applicationId, version: 2 });
      return applicationId;
    }

    const approve = (id: number, rate: string) =>
      post("bankX", `/bank/applications/${id}`, {
        intent: "approve",
        version: "3",
        amount: "50000",
        rate,
        termMonths: "12",
        confirm: "on",
      });

    it.each([...FIFTEEN, ...THREE_AND_A_HALF])("approves at %j", async (rate) => {
      const id = await underReview();
      const html = await page("bankX", `/bank/applications/${id}`);
      expect(inputValue(html, "rate")).toBe("4");
      expect(inputValue(html, "amount")).toBe("5万");

      const res = await approve(id, rate);
      expect(res.status).toBe(302);
      expect(await getApplicationRow(t.db, id)).toMatchObject({
        state: "approved",
        approved_rate_bp: FIFTEEN.includes(rate) ? 1500 : 350,
        approved_amount_fen: 5_000_000,
      });
    });

    it("refuses a negative or over-precise approved rate and stays under review", async () => {
      const id = await underReview();
      for (const rate of ["-3.5", "－３．５", "3.555"]) {
        const res = await approve(id, rate);
        expect(res.status, rate).toBe(400);
        expect(await res.text()).toContain("请输入百分比形式的年利率，如 3.85");
      }
      expect(await getApplicationRow(t.db, id)).toMatchObject({
        state: "under_review",
        approved_rate_bp: null,
      });
    });
  });

  describe("the admin's appraisal fee", () => {
    // A floor under ¥1,000: the audit row's to_state (varchar(32)) cannot yet hold a six-digit
    // floor with a three-digit rate on MariaDB (reported separately).
    const save = async (rate: string, minFee = "500") => {
      const current = await getAppraisalFeeSettings(t.db);
      return post("admin", "/admin/settings/appraisal-fee", {
        expectedMinFeeFen: String(current.minFeeFen),
        expectedRateBp: String(current.rateBp),
        minFee,
        rate,
      });
    };

    it.each(THREE_AND_A_HALF)("reads a rate of %j as 350 bp", async (rate) => {
      // Move away first, so each spelling really writes 350.
      expect((await save("1")).status).toBe(302);
      expect((await getAppraisalFeeSettings(t.db)).rateBp).toBe(100);
      const res = await save(rate, "５００");
      expect(res.status).toBe(302);
      expect(await getAppraisalFeeSettings(t.db)).toEqual({ minFeeFen: 50_000, rateBp: 350 });
      const html = await page("admin", "/admin/settings/appraisal-fee");
      expect(inputValue(html, "rate")).toBe("3.5");
      expect(inputValue(html, "minFee")).toBe("500");
    });

    it.each(FIFTEEN)("refuses %j (above 5 %) with the range message", async (rate) => {
      const before = await getAppraisalFeeSettings(t.db);
      const res = await save(rate);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("费率须在 0 至 5.00% 之间");
      expect(await getAppraisalFeeSettings(t.db)).toEqual(before);
    });
  });

  describe("a firm's instant valuation", () => {
    it.each(PAIRS)("reads $fifteen and $half in every rate", async ({ fifteen, half }) => {
      const asset = await addAsset(t.db, actors.firmA.orgId);
      const res = await post("firmA", `/firm/assets/${asset}/valuation`, {
        revenue: "5000",
        growth: `-${half}`,
        royalty: half,
        discountRate: fifteen,
        tax: fifteen,
        share: fifteen,
        life: "8",
      });
      expect(res.status).toBe(302);
      const estimateId = idFrom(res, /\?estimate=(\d+)#result$/);
      const est = await t.db
        .selectFrom("valuation_estimates")
        .select("inputs_json")
        .where("id", "=", estimateId)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(est.inputs_json).form).toMatchObject({
        year1RevenueFen: 500_000,
        growthBp: -350,
        royaltyRateBp: 350,
        discountRateBp: 1500,
        taxRateBp: 1500,
        attributionShareBp: 1500,
      });

      const html = await page("firmA", `/firm/assets/${asset}/valuation`);
      expect(inputValue(html, "revenue")).toBe("5000");
      expect(inputValue(html, "royalty")).toBe("3.5");
      expect(inputValue(html, "growth")).toBe("-3.5");
      expect(inputValue(html, "discountRate")).toBe("15");
    });
  });
});
