/**
 * The alliance member's review and the public report, in the browser, on the demo data:
 * alliance@amr.demo opens the funnel, drills into a bank's disbursed loans, downloads them as CSV
 * (parsed back here) and sees a firm's name only where the firm consented; anyone reads the
 * report in Chinese and English, with its charts, and prints it without the navigation.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { expect, inject } from "vitest";
import { parseCsv } from "../../app/domain/csv";
import { createDb } from "../../app/utils/db.server";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

async function logIn(page: Page, email: string) {
  await page.goto("/login");
  await submitLogIn(page, email);
}

/** Which demo firms agreed to show their name to the alliance, by name. */
async function consentByFirmName(): Promise<Map<string, boolean>> {
  const handle = createDb(inject("e2eDatabaseUrl"));
  try {
    const rows = await handle.db
      .selectFrom("organisations")
      .select(["name", "consent_show_name"])
      .where("kind", "=", "firm")
      .execute();
    return new Map(rows.map((r) => [r.name, r.consent_show_name === 1]));
  } finally {
    await handle.db.destroy();
  }
}

async function financedFen(page: Page): Promise<string | null> {
  return page.getByTestId("financed-total").first().getAttribute("data-fen");
}

test("an alliance member reviews the funnel, drills into a bank and exports the rows", async ({
  page,
}) => {
  await logIn(page, "alliance@amr.demo");
  await page.goto("/alliance/review");
  expect(await page.locator("h1").first().textContent()).toBe("联盟融资数据审阅");
  await page.getByTestId("funnel").waitFor();

  // The whole demo history: from 2022 on.
  await page.fill("input[name=from]", "2022-01-01");
  await page.getByTestId("apply-filters").click();
  await page.waitForURL(/from=2022-01-01/);
  // The URL changes before the new figures render: wait for links that carry the new period, so
  // the counts below are not read from the previous period's table.
  await page.locator('[data-testid=banks] a[href*="from=2022-01-01"]').first().waitFor();
  const disbursed = Number(await page.getByTestId("funnel-count-disbursed").textContent());
  expect(disbursed).toBeGreaterThan(0);

  // The first bank with disbursements: its count links to exactly those loans.
  const bankRow = page.locator("[data-testid=banks] tbody tr").first();
  const bankName = (await bankRow.locator("td").first().textContent())!.trim();
  const bankCell = bankRow.locator("[data-testid^=bank-disbursed-]");
  const bankCount = Number((await bankCell.textContent())!.trim());
  expect(bankCount).toBeGreaterThan(0);
  await bankCell.locator("a").click();
  await page.waitForURL(/\/alliance\/review\/applications\?.*stage=disbursed/);
  const summary = page.getByTestId("drill-summary");
  expect(Number(await summary.getAttribute("data-total"))).toBe(bankCount);
  const banks = await page
    .locator("[data-testid=drill-table] tbody tr")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-bank-name")));
  expect(new Set(banks)).toEqual(new Set([bankName]));

  // Names only for the firms that consented; everyone else under a pseudonym.
  const consent = await consentByFirmName();
  const shown = await page.getByTestId("drill-firm").evaluateAll((cells) =>
    cells.map((c) => ({
      name: c.textContent ?? "",
      named: c.getAttribute("data-named") === "1",
    })),
  );
  expect(shown.length).toBeGreaterThan(0);
  for (const s of shown) {
    if (s.named) expect(consent.get(s.name), s.name).toBe(true);
    else expect(s.name).toMatch(/^企业#[0-9A-F]{4}$/);
  }

  // The CSV download: UTF-8 with BOM, Chinese headers, one row per loan, the same names.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("drill-csv").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const records = parseCsv(bytes.toString("utf8")).map((r) => r.cells);
  const [headers, ...rows] = records;
  expect(headers.slice(0, 2)).toEqual(["申请编号", "企业"]);
  expect(rows).toHaveLength(bankCount);
  const bankCol = headers.indexOf("银行");
  expect(new Set(rows.map((r) => r[bankCol]))).toEqual(new Set([bankName]));
  let named = 0;
  for (const r of rows) {
    if (consent.get(r[1])) named++;
    else expect(r[1]).toMatch(/^企业#[0-9A-F]{4}$/);
  }
  expect(named).toBeGreaterThan(0);
  expect(named).toBeLessThan(rows.length);
});

test("the public report shows the home page's total, with charts, in Chinese and English", async ({
  page,
}) => {
  // Other e2e files may disburse meanwhile: compare a home page and a report read back to back.
  let home: string | null = null;
  let report: string | null = null;
  for (let attempt = 0; attempt < 3 && (home === null || home !== report); attempt++) {
    await page.goto("/");
    home = await financedFen(page);
    await page.goto("/report");
    report = await financedFen(page);
  }
  expect(home).not.toBeNull();
  expect(report).toBe(home);
  expect(Number(report)).toBeGreaterThan(0);
  expect(await page.locator("h1").first().textContent()).toBe("内蒙古知识产权金融发展报告");
  // The chart library loads after hydration; on a loaded machine that takes a while.
  await expect
    .poll(() => page.locator("[data-testid=chart-regions] svg").count(), { timeout: 20_000 })
    .toBeGreaterThan(0);
  expect(await page.locator("[data-testid=chart-years] svg").count()).toBeGreaterThan(0);
  expect(await page.getByTestId("report-as-of").textContent()).toMatch(
    /^数据截至 \d{4}-\d{2}-\d{2}/,
  );
  expect(await page.locator("[data-testid=report-regions] tbody tr").count()).toBe(12);
  expect((await page.getByTestId("commentary").textContent())!.length).toBeGreaterThan(20);

  await page.getByTestId("lang-switch").click();
  await page.waitForFunction(() => document.documentElement.lang === "en");
  // react-i18next swaps `t` in an effect after the new locale renders: wait for the text itself.
  await page.locator("h1").filter({ hasText: "Inner Mongolia IP Finance Report" }).waitFor();
  expect(await page.getByTestId("report-as-of").textContent()).toMatch(/^Data as of /);
  await expect
    .poll(() => page.locator("[data-testid=chart-regions] svg").count())
    .toBeGreaterThan(0);
});

test("the report prints without the navigation, its sections flowing on", async ({ page }) => {
  await page.goto("/report");
  expect(await page.locator("header.topbar").isVisible()).toBe(true);
  await page.emulateMedia({ media: "print" });
  // Polled: the browser restyles the page after the media change, not within the same call.
  await expect.poll(() => page.locator("header.topbar").isVisible()).toBe(false);
  await expect.poll(() => page.locator("nav").first().isVisible()).toBe(false);
  await expect.poll(() => page.locator(".report-actions").isVisible()).toBe(false);
  const breaks = await page
    .locator(".report-section")
    .evaluateAll((els) => els.map((e) => getComputedStyle(e).breakBefore));
  // A forced break per section left the first A4 page half empty: sections now flow on.
  expect(breaks.every((b) => b !== "page")).toBe(true);
  const pdf = await page.pdf({ format: "A4" });
  expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
});
