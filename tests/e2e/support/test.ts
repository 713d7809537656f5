/**
 * `test` for e2e files, with Playwright-style fixtures:
 *
 *   import { expect } from "vitest";
 *   import { test } from "./support/test";
 *   test("shows the target", async ({ page }) => {
 *     await page.goto("/");
 *     expect(await page.locator("h1").first().textContent()).toContain("知融");
 *   });
 *
 * Fixture bodies name their callback `provide` (vitest calls it `use`; that name trips the React
 * hooks lint rule). Fixtures: baseURL (the app started by global-setup.ts), browser (one Chromium per file), context
 * (fresh per test: zh-CN, Asia/Shanghai, baseURL set), page, pageErrors, allowPageErrors.
 * A failing test leaves a full-page screenshot in tests/.artifacts/e2e/. An uncaught exception or
 * console.error in the page fails the test unless it called allowPageErrors(/pattern/) first.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { test as base, inject } from "vitest";
import "../../support/vitest-context";
import { launchBrowser } from "./browser";
import { ARTIFACTS_DIR } from "./server";

export const SCREENSHOT_DIR = path.join(ARTIFACTS_DIR, "e2e");

interface PageErrorState {
  errors: string[];
  allowed: Array<RegExp | string | true>;
}

export interface E2EFixtures {
  baseURL: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console.error messages of the page so far. */
  pageErrors: string[];
  /** Lets this test's page log errors matching `match` (or any, without an argument). */
  allowPageErrors: (match?: RegExp | string) => void;
  _pageErrorState: PageErrorState;
}

function slug(s: string): string {
  return s
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

async function screenshot(page: Page, task: { name: string; file: { name: string } }) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(
    SCREENSHOT_DIR,
    `${slug(path.basename(task.file.name, ".test.ts"))}--${slug(task.name)}.png`,
  );
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
    console.log(`[e2e] screenshot of the failed test: ${path.relative(process.cwd(), file)}`);
  } catch (e) {
    console.log(`[e2e] could not take a screenshot: ${String(e)}`);
  }
}

export const test = base.extend<E2EFixtures>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from the pattern
  baseURL: async ({}, provide) => {
    await provide(inject("baseURL"));
  },
  browser: [
    // eslint-disable-next-line no-empty-pattern -- as above
    async ({}, provide) => {
      const browser = await launchBrowser();
      try {
        await provide(browser);
      } finally {
        await browser.close();
      }
    },
    { scope: "file" },
  ],
  // eslint-disable-next-line no-empty-pattern -- as above
  _pageErrorState: async ({}, provide) => {
    await provide({ errors: [], allowed: [] });
  },
  pageErrors: async ({ _pageErrorState }, provide) => {
    await provide(_pageErrorState.errors);
  },
  allowPageErrors: async ({ _pageErrorState }, provide) => {
    await provide((match) => void _pageErrorState.allowed.push(match ?? true));
  },
  context: async ({ browser, baseURL }, provide) => {
    const context = await browser.newContext({
      baseURL,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(20_000);
    try {
      await provide(context);
    } finally {
      await context.close();
    }
  },
  page: async ({ context, _pageErrorState, task }, provide) => {
    const page = await context.newPage();
    page.on("pageerror", (err) =>
      _pageErrorState.errors.push(`uncaught: ${err.stack ?? err.message}`),
    );
    page.on("console", (msg) => {
      if (msg.type() === "error") _pageErrorState.errors.push(`console.error: ${msg.text()}`);
    });
    await provide(page);

    const { errors, allowed } = _pageErrorState;
    const unexpected = errors.filter(
      (text) =>
        !allowed.some((m) =>
          m === true ? true : typeof m === "string" ? text.includes(m) : m.test(text),
        ),
    );
    if (task.result?.state === "fail" || unexpected.length > 0) await screenshot(page, task);
    if (task.result?.state === "fail" && unexpected.length > 0) {
      console.log(`[e2e] the page also reported:\n  • ${unexpected.slice(0, 5).join("\n  • ")}`);
    }
    if (unexpected.length > 0 && task.result?.state !== "fail") {
      throw new Error(
        `The page reported ${unexpected.length} error(s):\n  • ${unexpected.slice(0, 5).join("\n  • ")}\n` +
          "If this is expected, call allowPageErrors(/pattern/) in the test first.",
      );
    }
  },
});
