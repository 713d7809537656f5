/**
 * A formal appraisal from order to verification, in the browser, in offline-payment mode (the e2e
 * server has no Stripe key): the demo firm orders → the admin confirms the bank transfer → the demo
 * valuer signs → the firm opens the printable report → the public page says it is genuine.
 */
import type { Browser, Page } from "playwright-core";
import { expect, inject } from "vitest";
import { createDb } from "../../app/utils/db.server";
import { nowInstant } from "../../app/utils/time";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

/**
 * A valued patent of the demo firm made for this test, written straight into the e2e database so
 * the journey does not depend on what the demo seed happens to contain.
 */
async function valuedAssetOfFirm01(title: string): Promise<void> {
  const handle = createDb(inject("e2eDatabaseUrl"));
  try {
    const db = handle.db;
    const user = await db
      .selectFrom("users")
      .select(["id", "org_id"])
      .where("email", "=", "firm01@firms.demo")
      .executeTakeFirstOrThrow();
    const now = nowInstant();
    // A well-formed invention application number (check digit: docs/domain.md#patent-numbers).
    const twelve = `20221${String(Date.now()).slice(-7)}`;
    const sum = [...twelve].reduce(
      (acc, d, i) => acc + Number(d) * [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5][i],
      0,
    );
    const check = sum % 11 === 10 ? "X" : String(sum % 11);
    const asset = await db
      .insertInto("ip_assets")
      .values({
        firm_org_id: user.org_id,
        asset_kind: "patent",
        ip_type: "invention",
        number: `${twelve}.${check}`,
        title,
        status: "granted",
        filing_date: "2022-03-01",
        grant_date: "2024-01-10",
        registration_date: null,
        expiry_date: "2042-03-01",
        ipc_class: "H01M",
        claims_count: 12,
        nice_class: null,
        trademark_kind: null,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const est = await db
      .insertInto("valuation_estimates")
      .values({
        asset_id: Number(asset.insertId),
        firm_org_id: user.org_id,
        created_by: user.id,
        created_at: now,
        valuation_date: now.slice(0, 10),
        low_fen: 160_000_000,
        central_fen: 200_000_000,
        high_fen: 240_000_000,
        pvd: null,
        inputs_json: "{}",
        result_json: "{}",
      })
      .executeTakeFirstOrThrow();
    await db
      .updateTable("ip_assets")
      .set({ indicative_value_fen: 200_000_000, indicative_estimate_id: Number(est.insertId) })
      .where("id", "=", Number(asset.insertId))
      .execute();
  } finally {
    await handle.db.destroy();
  }
}

async function logIn(page: Page, email: string, to: string) {
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await submitLogIn(page, email);
  await page.waitForURL((u) => u.pathname === to.split("?")[0]);
}

async function asUser<T>(
  browser: Browser,
  baseURL: string,
  email: string,
  to: string,
  fn: (page: Page) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({
    baseURL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  context.setDefaultTimeout(10_000);
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await logIn(page, email, to);
    const result = await fn(page);
    expect(errors, `${email}: page errors`).toEqual([]);
    return result;
  } finally {
    await context.close();
  }
}

test("a firm orders an appraisal, the admin confirms payment, the valuer signs, the report prints and verifies", async ({
  page,
  browser,
  baseURL,
}) => {
  const title = `端到端测试储能电池专利${String(Date.now()).slice(-5)}`;
  await valuedAssetOfFirm01(title);

  // 1. The firm orders (fee: 0.6 % × ¥2,000,000 = ¥12,000).
  await logIn(page, "firm01@firms.demo", "/firm/appraisals");
  await page.getByTestId("new-order").click();
  await page.waitForURL("**/firm/appraisals/new");
  await page.getByRole("checkbox", { name: title }).check();
  await page.getByTestId("live-fee").filter({ hasText: "1.2 万元" }).waitFor();
  const valuerOption = page.locator("select[name=valuerOrgId] option", {
    hasText: "北疆资产评估有限公司",
  });
  await page.selectOption("select[name=valuerOrgId]", (await valuerOption.getAttribute("value"))!);
  await page.getByTestId("review-order").click();
  await page.getByTestId("order-review").waitFor();
  expect(await page.getByTestId("review-fee").textContent()).toBe("1.2 万元");
  // Every fen on demand (docs/domain.md#money): the exact figure rides along as the title.
  expect(await page.getByTestId("review-fee").locator(".money").getAttribute("title")).toBe(
    "12,000.00 元",
  );
  await page.getByTestId("confirm-order").click();
  await page.waitForURL(/\/firm\/appraisals\/\d+\?created=1$/);
  const orderUrl = new URL(page.url()).pathname;
  await page.getByTestId("offline-instructions").waitFor();
  const orderNumber = (await page.getByTestId("transfer-reference").textContent())!.trim();
  expect(orderNumber).toMatch(/^PG\d{10}$/);
  expect(await page.getByTestId("order-status").getAttribute("data-status")).toBe(
    "awaiting_payment",
  );

  // 2. The admin sees the transfer and confirms it, after a confirmation step.
  await asUser(browser, baseURL, "admin@zhirong.demo", "/admin/payments", async (admin) => {
    await admin.locator(`tr[data-order="${orderNumber}"]`).getByTestId("review-payment").click();
    expect(await admin.getByTestId("expected-amount").textContent()).toBe("1.2 万元");
    expect(await admin.getByTestId("expected-amount").locator(".money").getAttribute("title")).toBe(
      "12,000.00 元",
    );
    await admin.fill("input[name=reference]", "NMGB20261127-E2E");
    await admin.getByTestId("mark-paid").click();
    await admin.getByText("请勾选确认已核对到账").waitFor(); // nothing happens without the box
    await admin.check("input[name=confirm]");
    await admin.getByTestId("mark-paid").click();
    await admin.getByTestId("payment-confirmed").waitFor();
  });

  // 3. The valuer takes the order and signs it.
  await asUser(browser, baseURL, "appraiser@valuer.demo", "/valuer/orders", async (valuer) => {
    await valuer.getByRole("link", { name: orderNumber }).click();
    await valuer.getByTestId("start-work").click();
    await valuer.getByTestId("sign").waitFor();
    const section = valuer.locator("section[data-asset]", { hasText: title });
    await section
      .locator("textarea[name='items[0].assumptions']")
      .fill("许可费率 4%，折现率 12%，收益期 10 年，所得税率 15%。");
    await section
      .locator("textarea[name='items[0].reportText']")
      .fill("经评定估算，该专利权于评估基准日的市场价值为人民币贰佰壹拾万元整。");
    await section.locator("select[name='items[0].method']").selectOption("income");
    await section.locator("input[name='items[0].low']").fill("180万");
    await section.locator("input[name='items[0].central']").fill("2,100,000");
    await section.locator("input[name='items[0].high']").fill("170万");
    await section.locator("input[name='items[0].high']").blur();
    await valuer.getByText("中值不能高于上限").waitFor(); // checked before anything is sent
    await section.locator("input[name='items[0].high']").fill("240万");
    await valuer.check("input[name=confirm]");
    await valuer.getByTestId("sign").click();
    await valuer.getByTestId("signed-reports").waitFor();
  });

  // 4. The firm opens the report from its order and prints it.
  await page.goto(orderUrl);
  expect(await page.getByTestId("order-status").getAttribute("data-status")).toBe("signed");
  await page.getByTestId("report-link").click();
  await page.getByTestId("appraisal-report").waitFor();
  const reportNumber = (await page.getByTestId("report-number").textContent())!;
  expect(reportNumber).toMatch(/ZR-PG-\d{4}-\d{6}/);
  expect(await page.getByTestId("report-central").textContent()).toBe("2,100,000.00 元");
  await page.emulateMedia({ media: "print" });
  expect(await page.locator(".topbar").isVisible()).toBe(false);
  expect(await page.getByTestId("print").isVisible()).toBe(false);
  expect(await page.getByTestId("appraisal-report").isVisible()).toBe(true);
  await page.emulateMedia({ media: "screen" });
  const verifyUrl = (await page.getByTestId("verify-url").textContent())!;
  const verifyPath = new URL(verifyUrl).pathname;
  expect(verifyPath).toMatch(/^\/verify\/[A-Za-z0-9_-]{32}$/);

  // 5. Anyone, logged in or not, can check that the report is genuine.
  const anonymous = await browser.newContext({ baseURL, locale: "zh-CN" });
  try {
    const p = await anonymous.newPage();
    await p.goto(verifyPath);
    const result = p.getByTestId("verify-result");
    expect(await result.getAttribute("data-result")).toBe("valid");
    expect(await result.textContent()).toContain("该报告真实有效");
    expect(await p.getByTestId("verify-report-number").textContent()).toBe(
      reportNumber.replace(/^.*：/, ""),
    );
  } finally {
    await anonymous.close();
  }
});

test("the admin changes the appraisal fee twice in a row, each time from the rule in force", async ({
  page,
}) => {
  await logIn(page, "admin@zhirong.demo", "/admin/settings/appraisal-fee");
  const save = async (rate: string, shown: string) => {
    await page.fill("input[name=rate]", rate);
    await page.getByTestId("save-fee").click();
    await page.getByTestId("current-rule").filter({ hasText: shown }).waitFor();
    await page.getByTestId("settings-saved").waitFor();
  };
  await page.fill("input[name=rate]", "6");
  await page.locator("input[name=rate]").blur();
  await page.getByText("费率须在 0 至 5.00% 之间").waitFor();
  await save("0.7", "0.70%");
  await save("0.60", "0.60%");
  expect(await page.locator(".form-error").count()).toBe(0);
});
