import { expect } from "vitest";
import { test } from "./support/test";

const DEMO_PASSWORD = "zhirong-demo-2025";

test("the account pages fit a 390 px phone in both languages", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/login");
  await page.fill("input[name=email]", "firm02@firms.demo");
  await page.fill("input[name=password]", DEMO_PASSWORD);
  await page.locator("form.stack button[type=submit]").click();
  await page.waitForURL("**/firm");
  // On a phone the account link is in the menu.
  await page.getByTestId("nav-menu-toggle").click();
  await page.locator(".nav-menu-panel a[href='/account']").first().click();
  await page.waitForURL("**/account");
  for (const lang of ["zh-CN", "en"]) {
    for (const path of ["/account", "/account/password", "/account/sessions"]) {
      await page.goto(path);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${lang} ${path}`).toBeLessThanOrEqual(0);
    }
    await page.getByTestId("session").first().waitFor();
    expect(await page.getByTestId("session").first().getAttribute("data-current")).toBe("1");
    if (lang === "zh-CN") {
      await page.getByTestId("lang-switch").click();
      await page.locator("html[lang=en]").waitFor();
    }
  }
});
