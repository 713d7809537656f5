/**
 * Matching in the browser, on the seeded demo: the demo firm opens its financing request and sees
 * every active product in its state (reasons, suggested collateral, score for those that fit;
 * what is missing for the others); its larger request shows the collateral shortfall in numbers. The demo
 * bank officer sees its pipeline across products and, for a product, the matching requests under
 * pseudonyms; then publishes a product through the form, which refuses a wrong rate first.
 */
import type { Page } from "playwright-core";
import { expect, inject } from "vitest";
import { createDb } from "../../app/utils/db.server";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

async function logIn(page: Page, email: string) {
  await page.goto("/login");
  await submitLogIn(page, email);
}

/** firm01's request ids, oldest first (the seeder makes two). */
async function firm01Requests(): Promise<number[]> {
  const handle = createDb(inject("e2eDatabaseUrl"));
  try {
    const rows = await handle.db
      .selectFrom("financing_requests as r")
      .innerJoin("users as u", "u.org_id", "r.firm_org_id")
      .select("r.id")
      .where("u.email", "=", "firm01@firms.demo")
      .orderBy("r.id")
      .execute();
    return rows.map((r) => r.id);
  } finally {
    await handle.db.destroy();
  }
}

test("the demo firm sees its matches and near misses, explained", async ({ page }) => {
  await logIn(page, "firm01@firms.demo");
  await page.getByRole("link", { name: "融资需求" }).first().click();
  await page.waitForURL("**/firm/requests");
  await page.getByTestId("requests-table").waitFor();
  expect(await page.getByTestId("request-row").count()).toBeGreaterThanOrEqual(2);

  const [first, second] = await firm01Requests();
  await page.goto(`/firm/requests/${first}`);
  await page.getByTestId("product-states").waitFor();
  // Every active product appears once, in one of the four states, each with its reason.
  const cards = page.getByTestId("state-product");
  const counts = (await page.getByTestId("match-counts").textContent()) ?? "";
  const [products, ready, needs, near, not] = (counts.match(/\d+/g) ?? []).map(Number);
  expect(await cards.count()).toBe(products);
  expect(ready + needs + near + not).toBe(products);
  const fitting = page.locator(
    '[data-testid="state-product"][data-state="ready"], [data-testid="state-product"][data-state="needs_appraisal"]',
  );
  expect(await fitting.count()).toBeGreaterThan(0);
  const match = fitting.first();
  expect(await match.getByTestId("match-score").textContent()).toMatch(/匹配度 \d+\.\d/);
  expect(await match.getByTestId("collateral").textContent()).toContain("质押价值合计");
  // The reasons open on click.
  await match.getByText("符合的条件").click();
  expect(await match.getByTestId("match-reasons").textContent()).toContain("可贷");
  for (const reason of await page
    .locator('[data-testid="state-product"] [data-testid$="reason"], [data-testid="near-miss-fix"]')
    .allTextContents()) {
    expect(reason.trim()).not.toBe("");
  }

  // At a phone's width the page does not scroll sideways, confirmation panel open too.
  await page.setViewportSize({ width: 390, height: 844 });
  const needing = page.locator('[data-state="needs_appraisal"] [data-testid="order-appraisal"]');
  if ((await needing.count()) > 0) {
    await needing.first().click();
    await page.getByTestId("confirm-order").waitFor();
    expect(await page.getByTestId("confirm-order").textContent()).toMatch(/确认下单并付款/);
  }
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth),
    "no sideways scroll at 390 px",
  ).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Asking for more than the IP can carry: the products say how much collateral is missing.
  await page.goto(`/firm/requests/${second}`);
  await page.getByTestId("product-states").waitFor();
  expect(await page.locator('[data-state="ready"]').count()).toBe(0);
  expect(await page.getByTestId("product-states").textContent()).toMatch(
    /还需约 [\d,.]+ 万元的质押物价值/,
  );
});

test("the demo bank officer sees its pipeline and publishes a product", async ({ page }) => {
  await logIn(page, "officer1@nmgbank.demo");
  await page.getByRole("link", { name: "匹配需求" }).click();
  await page.waitForURL("**/bank/pipeline");
  await page.getByTestId("pipeline-products").waitFor();
  const counts = await page.getByTestId("pipeline-count").allTextContents();
  expect(counts.length).toBeGreaterThan(0);
  const best = counts.map(Number).reduce((b, n, i, all) => (n > all[b] ? i : b), 0);
  expect(Number(counts[best])).toBeGreaterThan(0);

  await page.getByTestId("pipeline-product").nth(best).getByRole("link", { name: "查看" }).click();
  await page.getByTestId("pipeline-table").waitFor();
  const rows = page.getByTestId("pipeline-row");
  expect(await rows.count()).toBe(Math.min(20, Number(counts[best])));
  expect(await rows.first().textContent()).toMatch(/企业#[0-9A-F]{4}/);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await page.getByTestId("pipeline-total").textContent()).toContain(
    `共 ${counts[best]} 条需求`,
  );

  await page.getByRole("link", { name: "本行产品" }).click();
  await page.waitForURL("**/bank/products");
  await page.getByTestId("new-product").click();
  await page.waitForURL("**/bank/products/new");
  await page.fill("input[name=name]", "端到端测试质押贷");
  await page.fill("input[name=minAmount]", "50万");
  await page.fill("input[name=maxAmount]", "1000万");
  await page.fill("input[name=minRate]", "3.855");
  await page.fill("input[name=maxRate]", "5");
  await page.fill("input[name=quotaTotal]", "1亿");
  await page.getByTestId("product-submit").click();
  await page.getByText("请输入百分比，如 3.45（最多两位小数）").first().waitFor();
  expect(page.url()).toContain("/bank/products/new");
  await page.fill("input[name=minRate]", "3.85");
  await page.getByTestId("product-submit").click();
  await page.getByTestId("done").waitFor();
  expect(await page.getByTestId("done").textContent()).toContain("产品已发布");
  expect(await page.getByTestId("product-terms").textContent()).toContain("年利率 3.85% – 5.00%");
});
