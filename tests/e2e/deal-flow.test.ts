/**
 * The deal from application to repayment, in the browser: the demo firm applies to a bank's
 * product → the bank officer reviews, approves, registers the pledge and disburses → a home page
 * left open (anonymous) shows the total rise by exactly that amount, live, without a reload →
 * the officer records the repayment and the pledge is released.
 */
import type { Browser, Page } from "playwright-core";
import { expect, inject } from "vitest";
import { addDays } from "../../app/domain/ip";
import { createDb } from "../../app/utils/db.server";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

/** A formally appraised invention patent of the demo firm, made for this test. */
async function setUp(title: string): Promise<{ productId: number; assetId: number }> {
  const handle = createDb(inject("e2eDatabaseUrl"));
  try {
    const db = handle.db;
    const firm = await db
      .selectFrom("users")
      .select(["org_id"])
      .where("email", "=", "firm01@firms.demo")
      .executeTakeFirstOrThrow();
    const bank = await db
      .selectFrom("users")
      .select(["org_id"])
      .where("email", "=", "officer1@nmgbank.demo")
      .executeTakeFirstOrThrow();
    // A product of this bank made for the test: invention patents at 40%, 50万–500万元.
    const officer = await db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "officer1@nmgbank.demo")
      .executeTakeFirstOrThrow();
    const stamp = nowInstant();
    const product = {
      id: Number(
        (
          await db
            .insertInto("loan_products")
            .values({
              bank_org_id: bank.org_id,
              name: `端到端测试产品${Date.now()}`,
              description: "e2e",
              min_amount_fen: 50_000_000,
              max_amount_fen: 500_000_000,
              min_term_months: 6,
              max_term_months: 36,
              min_rate_bp: 300,
              max_rate_bp: 480,
              pledge_rate_invention_bp: 4000,
              pledge_rate_utility_model_bp: 3000,
              pledge_rate_design_bp: 2000,
              pledge_rate_trademark_bp: 5000,
              ip_types_mask: 15,
              all_regions: 1,
              region_mask: 4095,
              all_industries: 1,
              industry_mask: 1048575,
              required_flags_mask: 0,
              requires_formal_appraisal: 1,
              quota_total_fen: 10_000_000_000,
              quota_remaining_fen: 10_000_000_000,
              active: 1,
              created_by: officer.id,
              created_at: stamp,
              updated_at: stamp,
            })
            .executeTakeFirstOrThrow()
        ).insertId,
      ),
    };
    const twelve = `20231${String(Date.now()).slice(-7)}`;
    const sum = [...twelve].reduce(
      (acc, d, i) => acc + Number(d) * [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5][i],
      0,
    );
    const check = sum % 11 === 10 ? "X" : String(sum % 11);
    const now = nowInstant();
    const asset = await db
      .insertInto("ip_assets")
      .values({
        firm_org_id: firm.org_id,
        asset_kind: "patent",
        ip_type: "invention",
        number: `${twelve}.${check}`,
        title,
        status: "granted",
        filing_date: "2023-02-01",
        grant_date: "2025-01-10",
        registration_date: null,
        expiry_date: "2043-02-01",
        formal_value_fen: 200_000_000, // 200万元
        formal_valid_until: addDays(todayInChina(), 300),
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    return { productId: product.id, assetId: Number(asset.insertId) };
  } finally {
    await handle.db.destroy();
  }
}

/** Uncaught errors of the extra pages (the fixture watches only its own page). */
const extraPageErrors: string[] = [];

async function loginPage(browser: Browser, baseURL: string, email: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on("pageerror", (e) => extraPageErrors.push(`${email}: ${e.message}`));
  // A 404 for a build asset can come from someone rebuilding the shared build/ mid-run; the
  // fixture's own page still fails on those.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      extraPageErrors.push(`${email}: ${m.text()}`);
    }
  });
  await page.goto("/login");
  await submitLogIn(page, email);
  return page;
}

async function stateOf(page: Page): Promise<string | null> {
  return page.locator('[data-testid="application-state"]').first().getAttribute("data-state");
}

test("apply → approve → register → disburse moves the open home page live; repayment releases the pledge", async ({
  page: home,
  browser,
  baseURL,
}) => {
  const title = `端到端测试专利${Date.now()}`;
  const { productId, assetId } = await setUp(title);

  // An anonymous visitor keeps the home page open the whole time.
  await home.goto("/");
  await home.locator('[data-testid="live-state"][data-state="live"]').waitFor();
  const before = Number(
    await home.locator('[data-testid="financed-total"]').getAttribute("data-fen"),
  );
  await home.evaluate(() => ((window as unknown as { __stayed: boolean }).__stayed = true));

  // The firm applies: 60万元 for 12 months against the new patent only.
  const firm = await loginPage(browser, baseURL, "firm01@firms.demo");
  await firm.goto(`/firm/applications/new?productId=${productId}&amount=600000`);
  const picker = firm.locator('[data-testid="apply-form"]');
  // Untick whatever the form pre-selected (a ":checked" list would shift under the loop).
  for (const box of await picker.locator('input[name="assetIds"]').all()) {
    if (await box.isChecked()) await box.uncheck();
  }
  await picker.locator(`input[name="assetIds"][value="${assetId}"]`).check();
  await picker.locator('input[name="amount"]').fill("60万");
  await picker.locator('input[name="termMonths"]').fill("12");
  await picker.locator('input[name="rate"]').fill("3.85");
  await Promise.all([
    firm.waitForURL(/\/firm\/applications\/\d+$/),
    firm.click('[data-testid="create-draft"]'),
  ]);
  const id = Number(/(\d+)$/.exec(new URL(firm.url()).pathname)![1]);
  expect(await stateOf(firm)).toBe("draft");
  await firm.click('[data-testid="submit-application"]');
  await firm.locator('[data-testid="application-state"][data-state="submitted"]').waitFor();

  // The bank officer works it through.
  const bank = await loginPage(browser, baseURL, "officer1@nmgbank.demo");
  await bank.goto(`/bank/applications/${id}`);
  await bank.click('[data-testid="start-review"]');
  await bank.locator('[data-testid="application-state"][data-state="under_review"]').waitFor();
  // 40% of 200万元: the check shows 80万元 of capacity before approving.
  expect(await bank.locator('[data-testid="approve-check"]').textContent()).toContain("80 万元");
  await bank.check('[data-testid="approve-confirm"]');
  await bank.click('[data-testid="approve"]');
  await bank.locator('[data-testid="application-state"][data-state="approved"]').waitFor();
  expect(await bank.locator('[data-testid="lock-state"]').getAttribute("data-locked")).toBe("1");

  await bank.fill('input[name="regNumber"]', `Y${todayInChina().replace(/-/g, "")}${id}`);
  await bank.click('[data-testid="register-pledge"]');
  await bank.locator('[data-testid="application-state"][data-state="pledge_registered"]').waitFor();

  expect(await bank.locator('input[name="amount"]').inputValue()).toBe("60万");
  await bank.check('[data-testid="disburse-confirm"]');
  await bank.click('[data-testid="disburse"]');
  await bank.locator('[data-testid="application-state"][data-state="disbursed"]').waitFor();

  // The open home page rises by exactly 60万元, pushed over SSE, without a reload.
  await home
    .locator(`[data-testid="financed-total"][data-fen="${before + 60_000_000}"]`)
    .waitFor({ timeout: 10_000 });
  expect(await home.evaluate(() => (window as unknown as { __stayed?: boolean }).__stayed)).toBe(
    true,
  );

  // The firm sees every step and is told about the money.
  await firm.reload();
  expect(await stateOf(firm)).toBe("disbursed");
  const steps = await firm.locator('[data-testid="timeline"] li').count();
  expect(steps).toBe(6); // created, submitted, review started, approved, registered, disbursed
  expect(Number(await firm.locator('[data-testid="unread-badge"]').textContent())).toBeGreaterThan(
    0,
  );

  // Settling the loan on its page (the schedule's settlement amount) closes it and releases the pledge.
  await bank.click('[data-testid="loan-link"]');
  await bank.locator('[data-testid="schedule"]').waitFor();
  const outstanding = Number(
    await bank.locator('[data-testid="outstanding"]').getAttribute("data-fen"),
  );
  expect(outstanding).toBe(60_000_000);
  await bank.check('[data-testid="settle-confirm"]');
  await bank.click('[data-testid="settle"]');
  await bank.locator('[data-testid="loan-status"]', { hasText: "已结清" }).waitFor();
  expect(await bank.locator('[data-testid="outstanding"]').getAttribute("data-fen")).toBe("0");
  expect(await bank.locator('[data-testid="entries"] tbody tr').count()).toBe(1);
  await bank.click('a[href$="/bank/applications/' + applicationIdOf(bank.url()) + '"]');
  await bank.locator('[data-testid="application-state"][data-state="repaid"]').waitFor();
  expect(await bank.locator('[data-testid="lock-state"]').getAttribute("data-locked")).toBe("0");
  // …and the total keeps the disbursement: a repayment is not a reversal.
  expect(
    Number(await home.locator('[data-testid="financed-total"]').getAttribute("data-fen")),
  ).toBe(before + 60_000_000);

  await firm.context().close();
  await bank.context().close();
  expect(extraPageErrors).toEqual([]);
});

/** The application id in a /bank/loans/:id URL. */
function applicationIdOf(url: string): string {
  return new URL(url).pathname.split("/").pop() ?? "";
}
