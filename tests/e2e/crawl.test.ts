/**
 * The phone crawl (issue 12): every page each demo role can reach — the public pages, the role's
 * dashboard, every link of its navigation and the first detail page of each list — at 390×844 and
 * at 1366×900, in zh-CN and in English (each page loaded once per language, at phone width, then
 * widened). Each page fails on
 *   - page-level sideways scroll (document scrollWidth wider than the viewport),
 *   - any console error or uncaught exception (React hydration errors included),
 *   - any serious or critical axe-core violation (axe.min.js injected into the page), audited once
 *     per language and once per width (phone in zh-CN, desktop in English): axe's serious and
 *     critical rules read names, labels, roles and contrast, which change with the language and the
 *     layout, not with each combination of the two, and each audit costs about a second.
 * The pages are found once per role (its navigation as rendered, then one detail link per list),
 * so a new navigation entry is crawled without touching this file. The guarantor is left out: it is
 * an alliance member with the insurer's permissions and pages, only for another organisation.
 *
 * Read-only, and the same on either database: scripts/test.ts runs half of it in each e2e stage
 * (ZR_CRAWL_SHARE, below), so every page is crawled once.
 */
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect } from "vitest";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1366, height: 900 },
] as const;
const LOCALES = ["zh-CN", "en"] as const;
/** The viewport × language runs that also run axe: each language once, each width once. */
const AUDITED = new Set(["phone zh-CN", "desktop en"]);

const PUBLIC_PAGES = ["/", "/products", "/report", "/login", "/register", "/forgot-password"];

/**
 * `share`: which half of the crawl a role is in. `npm test` runs half 1 in the SQLite e2e stage
 * and half 2 in the MariaDB one (ZR_CRAWL_SHARE), so each page is still crawled once, on one
 * database, and the two stages take about as long; by hand, without ZR_CRAWL_SHARE, all of it.
 * The halves are balanced by measured time (admin and officer ≈ 66 s, firm ≈ 62 s, …).
 */
const ROLES = [
  { email: "admin@zhirong.demo", home: "/admin", share: "1" },
  { email: "firm01@firms.demo", home: "/firm", share: "2" },
  { email: "officer1@nmgbank.demo", home: "/bank", share: "1" },
  { email: "appraiser@valuer.demo", home: "/valuer", share: "1" },
  { email: "alliance@amr.demo", home: "/alliance", share: "2" },
  { email: "insurer@pic.demo", home: "/alliance", share: "2" },
] as const;
const SHARE = process.env.ZR_CRAWL_SHARE;
if (SHARE !== undefined && SHARE !== "1" && SHARE !== "2") {
  throw new Error(`ZR_CRAWL_SHARE must be 1 or 2, not ${JSON.stringify(SHARE)}`);
}
/** In this run's half (every one when no half is named). */
const inShare = (share: "1" | "2") => SHARE === undefined || SHARE === share;

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

interface PageProblem {
  url: string;
  problems: string[];
}

async function newContext(
  browser: Browser,
  baseURL: string,
  opts: {
    width: number;
    height: number;
    locale: string;
    storageState?: StorageState;
  },
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    locale: opts.locale,
    timezoneId: "Asia/Shanghai",
    viewport: { width: opts.width, height: opts.height },
    // axe.min.js goes in as an inline script; the app's nonce policy would block it.
    bypassCSP: true,
    storageState: opts.storageState,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

async function logIn(browser: Browser, baseURL: string, email: string): Promise<StorageState> {
  const context = await newContext(browser, baseURL, {
    width: 1366,
    height: 900,
    locale: "zh-CN",
  });
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await submitLogIn(page, email);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/** The page has hydrated (AppShell marks <html data-hydrated> from an effect). */
async function settle(page: Page) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}

/**
 * The role's pages: its home, every navigation link (the menu's links are in the DOM whether it is
 * open or not), the notifications, and per list page its first detail link.
 */
async function discover(context: BrowserContext, home: string): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.goto(home);
    await settle(page);
    const nav = await page
      .locator("header.topbar a[href]")
      .evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const own = [...new Set([home, ...nav])].filter((p) => !PUBLIC_PAGES.includes(p) || p === home);
    const details: string[] = [];
    for (const list of own) {
      if (list === "/") continue;
      await page.goto(list);
      await settle(page);
      const hrefs = await page
        .locator("main a[href]")
        .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""));
      const detail = hrefs
        .map((h) => h.split("#")[0])
        .find((h) => {
          const path = h.split("?")[0];
          return (
            path.startsWith(`${list}/`) &&
            !/\/(new|new-patent|new-trademark|import|edit|delete)$/.test(path) &&
            !/\.(csv|json)$/.test(path) &&
            !own.includes(path)
          );
        });
      if (detail && !details.includes(detail)) details.push(detail);
    }
    return [...own, ...details];
  } finally {
    await page.close();
  }
}

/** A frame and a task: layout after a resize, hydration errors reported after the first commit. */
async function nextFrame(page: Page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
}

/**
 * One page in one language: loaded once at phone width and checked, then widened to the desktop
 * and checked again. The server renders the same HTML for either width (nothing reads the user
 * agent or the viewport), so a second load would only repeat the first; the resize re-runs the
 * CSS media queries and anything that listens to the width, as turning a tablet does.
 */
async function check(page: Page, url: string, locale: string): Promise<PageProblem[]> {
  const found: PageProblem[] = [];
  let problems: string[] = [];
  const onConsole = (msg: { type(): string; text(): string }) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text().slice(0, 300)}`);
  };
  const onError = (err: Error) => problems.push(`uncaught: ${err.message.slice(0, 300)}`);
  page.on("console", onConsole);
  page.on("pageerror", onError);
  try {
    for (const [i, vp] of VIEWPORTS.entries()) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      if (i === 0) {
        const res = await page.goto(url);
        if (!res || res.status() >= 400) problems.push(`HTTP ${res?.status() ?? "no response"}`);
        await settle(page);
      }
      await nextFrame(page);
      await checkLayout(page, vp.width, AUDITED.has(`${vp.name} ${locale}`), problems);
      if (problems.length) found.push({ url: `${vp.name} ${locale} ${url}`, problems });
      problems = [];
    }
  } catch (e) {
    problems.push(`failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    found.push({ url: `${locale} ${url}`, problems });
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onError);
  }
  return found;
}

/** Sideways scroll at this width, and (when audited) axe's serious and critical violations. */
async function checkLayout(page: Page, viewportWidth: number, audit: boolean, problems: string[]) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > viewportWidth) {
    const culprits = await page.evaluate((vw) => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll("body *"))) {
        const r = el.getBoundingClientRect();
        if (r.right > vw + 1 && r.width > 0) {
          const id = `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""}`;
          out.push(`${id} (right ${Math.round(r.right)})`);
          if (out.length >= 3) break;
        }
      }
      return out;
    }, viewportWidth);
    problems.push(`scrollWidth ${width} > ${viewportWidth}: ${culprits.join(", ")}`);
  }
  if (!audit) return;
  // Injected once per page load; the desktop pass of the same load reuses it.
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import("axe-core") }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `axe ${v.impact} ${v.id}: ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(" "))
            .join(" | ")}`,
      );
  });
  problems.push(...violations);
}

/** The two languages side by side: the machine has two cores, the server mostly waits. */
async function crawl(
  browser: Browser,
  baseURL: string,
  pages: string[],
  storageState: StorageState | undefined,
): Promise<PageProblem[]> {
  const found = await Promise.all(
    LOCALES.map(async (locale) => {
      const context = await newContext(browser, baseURL, { ...VIEWPORTS[0], locale, storageState });
      const page = await context.newPage();
      const mine: PageProblem[] = [];
      try {
        for (const url of pages) mine.push(...(await check(page, url, locale)));
      } finally {
        await context.close();
      }
      return mine;
    }),
  );
  return found.flat();
}

function report(found: PageProblem[]): string {
  return found.map((f) => `${f.url}\n    ${f.problems.join("\n    ")}`).join("\n");
}

describe("every page at 390×844 and 1366×900, in zh-CN and en", () => {
  if (inShare("1")) {
    test("public pages", { timeout: 120_000 }, async ({ browser, baseURL }) => {
      const found = await crawl(browser, baseURL, PUBLIC_PAGES, undefined);
      expect(report(found)).toBe("");
    });
  }

  for (const role of ROLES.filter((r) => inShare(r.share))) {
    test(role.email, { timeout: 360_000 }, async ({ browser, baseURL }) => {
      const storageState = await logIn(browser, baseURL, role.email);
      const context = await newContext(browser, baseURL, {
        width: 1366,
        height: 900,
        locale: "zh-CN",
        storageState,
      });
      const pages = await discover(context, role.home).finally(() => context.close());
      expect(pages.length).toBeGreaterThan(1);
      console.log(`[crawl] ${role.email}: ${pages.join(" ")}`);
      const found = await crawl(browser, baseURL, pages, storageState);
      expect(report(found)).toBe("");
    });
  }
});

if (inShare("2")) {
  test("on a phone the navigation is a menu that opens without JavaScript, the admin's items grouped", async ({
    browser,
    baseURL,
  }) => {
    const storageState = await logIn(browser, baseURL, "admin@zhirong.demo");
    const context = await browser.newContext({
      baseURL,
      locale: "zh-CN",
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: false,
      storageState,
    });
    try {
      const page = await context.newPage();
      await page.goto("/admin");
      expect(await page.locator("nav.topnav").isVisible()).toBe(false);
      const toggle = page.getByTestId("nav-menu-toggle");
      const box = await toggle.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(44);
      await toggle.click();
      const titles = await page.locator(".nav-menu-title").allTextContents();
      expect(titles.slice(0, 4)).toEqual(["公开", "运营", "账户", "系统"]);
      const audit = page.locator(".nav-menu-panel a[href='/admin/audit']");
      expect((await audit.boundingBox())!.height).toBeGreaterThanOrEqual(44);
      await audit.click();
      await page.waitForURL("**/admin/audit");
    } finally {
      await context.close();
    }
  });
}
