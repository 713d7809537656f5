import { expect } from "vitest";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

test("a government member sets up a pool on a 390 px phone: bad shares refused, then a contribution", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 800 });
  const fits = async (what: string) => {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, what).toBeLessThanOrEqual(0);
  };
  await page.goto("/login");
  await submitLogIn(page, "alliance@amr.demo");
  await page.waitForURL("**/alliance");

  await page.goto("/risk/pools");
  await fits("pools");
  await page.getByTestId("new-pool").click();
  await page.waitForURL("**/risk/pools/new");
  await fits("new pool");
  await page.getByTestId("pool-name").fill("演示县域风险补偿资金池");
  await page.getByTestId("sharePool").fill("40");
  await page.getByTestId("shareBank").fill("50");
  await page.getByTestId("perLoanCap").fill("300万");
  await page.getByTestId("leverage").fill("10");
  await page.getByTestId("product-checks").locator("input").first().check();
  await page.locator("form button[type=submit]").last().click();
  // Refused in the browser with the domain's own message; nothing posted.
  await expect
    .poll(() => page.locator("[role=alert]").allTextContents())
    .toContainEqual(expect.stringContaining("合计须为 100%"));
  expect(page.url()).toContain("/risk/pools/new");

  await page.getByTestId("shareBank").fill("60");
  await page.locator("form button[type=submit]").last().click();
  await page.waitForURL(/\/risk\/pools\/\d+$/);
  await fits("pool page");

  await page.locator("input[name=funderName]").fill("演示财政局");
  await page.getByTestId("contribution-amount").fill("500万");
  await page.locator("form button[type=submit]").last().click();
  await page.waitForURL(/done=contributed/);
  const poolId = /\/risk\/pools\/(\d+)/.exec(page.url())![1];
  await expect
    .poll(() => page.getByTestId(`pool-${poolId}-balance`).textContent())
    .toContain("500");
  await fits("pool page after the contribution");

  await page.goto("/risk/claims");
  await fits("claims");
});
