/**
 * A firm lists a patent and values it, in the browser: the demo firm logs in, types a number with
 * a wrong check digit (refused next to the field, nothing saved), fixes it, finds the patent in
 * its portfolio and runs an instant indicative valuation, which shows a range and the tornado chart.
 */
import { expect, inject } from "vitest";
import { makePatentNumber } from "../../app/domain/patent";
import { createDb } from "../../app/utils/db.server";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

async function rowsWithNumber(number: string): Promise<number> {
  const handle = createDb(inject("e2eDatabaseUrl"));
  try {
    const rows = await handle.db
      .selectFrom("ip_assets")
      .select("id")
      .where("number", "=", number)
      .execute();
    return rows.length;
  } finally {
    await handle.db.destroy();
  }
}

test("a firm lists a patent, fixes a wrong check digit, and values it", async ({ page }) => {
  // A serial unique to this run, so the test can run against the same database again.
  const serial = Number(String(Date.now()).slice(-7));
  const number = makePatentNumber(2021, 1, serial);
  const wrong = number.slice(0, -1) + (number.endsWith("1") ? "2" : "1");
  const title = `一种端到端测试用稀土抛光粉制备方法 ${serial}`;

  await page.goto("/login");
  await submitLogIn(page, "firm01@firms.demo");
  await page.waitForURL("**/firm");

  await page.getByRole("link", { name: "我的知识产权" }).click();
  await page.waitForURL("**/firm/assets");
  await page.getByTestId("assets-table").waitFor();
  await page.getByRole("link", { name: "登记专利" }).first().click();
  await page.waitForURL("**/firm/assets/new-patent");

  await page.fill("input[name=number]", `ZL${wrong}`);
  await page.fill("input[name=title]", title);
  await page.selectOption("select[name=status]", "granted");
  await page.fill("input[name=filingDate]", "2021-04-12");
  await page.fill("input[name=grantDate]", "2023-09-05");
  await page.fill("input[name=claimsCount]", "9");
  await page.locator("form.stack button[type=submit]").click();
  await page.getByText(`校验位错误：应为“${number.slice(-1)}”`).waitFor();
  expect(page.url()).toContain("/firm/assets/new-patent");
  expect(await rowsWithNumber(number)).toBe(0);
  expect(await rowsWithNumber(wrong)).toBe(0);

  await page.fill("input[name=number]", `ZL ${number}`);
  // The form says what the number is and when the patent expires, as the person types.
  await page.getByText("识别为：发明专利").waitFor();
  await page.getByTestId("expiry-preview").getByText("法定保护期至 2041-04-12").waitFor();
  await page.locator("form.stack button[type=submit]").click();
  await page.waitForURL(/\/firm\/assets\/\d+\?created=1$/);
  expect(await page.getByTestId("asset-number").textContent()).toBe(`ZL${number}`);
  expect(await page.getByTestId("asset-expiry").textContent()).toBe("2041-04-12");
  expect(await rowsWithNumber(number)).toBe(1);
  const assetPath = new URL(page.url()).pathname;

  await page.goto(`/firm/assets?q=${encodeURIComponent(String(serial))}`);
  const row = page.getByTestId("asset-row").filter({ hasText: title });
  await row.waitFor();
  expect(await row.textContent()).toContain("发明专利");
  expect(await page.getByTestId("pager").textContent()).toContain("共 1 条");

  await page.goto(assetPath);
  await page.getByTestId("value-asset").click();
  await page.waitForURL(`**${assetPath}/valuation`);
  // Every default is visible and editable; the revenue is the firm's own figure.
  expect(await page.locator("input[name=royalty]").inputValue()).not.toBe("");
  expect(await page.locator("input[name=discountRate]").inputValue()).not.toBe("");
  await page.fill("input[name=revenue]", "800万");
  await page.getByTestId("run-valuation").click();
  await page.waitForURL(/\/valuation\?estimate=\d+/);

  const low = await page.getByTestId("value-low").textContent();
  const central = await page.getByTestId("value-central").textContent();
  const high = await page.getByTestId("value-high").textContent();
  for (const v of [low, central, high]) expect(v).toMatch(/万元$/);
  const wan = (s: string | null) => Number((s ?? "").replace(/[^\d.]/g, ""));
  expect(wan(low)).toBeLessThan(wan(central));
  expect(wan(central)).toBeLessThan(wan(high));
  await page.getByTestId("sensitivity-table").waitFor();
  // The tornado chart draws in the browser: one bar per input and direction.
  const bars = page.getByTestId("sensitivity-chart").locator(".recharts-bar-rectangle");
  await bars.first().waitFor();
  expect(await bars.count()).toBeGreaterThanOrEqual(6);
  expect(await page.getByTestId("valuation-explanation").textContent()).toContain("影响最大");
  expect(await page.getByTestId("estimate-history").locator("tbody tr").count()).toBe(1);
});
