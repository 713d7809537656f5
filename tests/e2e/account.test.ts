import { Secret, TOTP } from "otpauth";
import { expect } from "vitest";
import { test } from "./support/test";
import { DEMO_PASSWORD, submitLogIn } from "./support/login";

test("the account pages fit a 390 px phone in both languages", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/login");
  await submitLogIn(page, "firm02@firms.demo");
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

test("a bank officer turns on two-factor authentication and logs in with a code", async ({
  page,
}) => {
  const email = "officer1@nongshang.demo";
  const logIn = async () => {
    await page.goto("/login");
    await submitLogIn(page, email);
  };
  await logIn();
  await page.waitForURL("**/bank");

  // Enrol: the key shown under the QR code goes into "the app", here the otpauth library.
  await page.goto("/account/two-factor");
  await page.getByTestId("two-factor-start").click();
  const shown = await page.getByTestId("two-factor-secret").textContent();
  const totp = new TOTP({
    secret: Secret.fromBase32(shown!.replace(/\s+/g, "")),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
  });
  await page.getByTestId("two-factor-confirm-code").fill(totp.generate());
  await page.getByTestId("two-factor-confirm").click();
  await page.getByTestId("two-factor-enabled").waitFor();
  const codes = await page.getByTestId("recovery-code").allTextContents();
  expect(codes).toHaveLength(10);

  // Log out; the password alone no longer opens a session.
  await page.getByTestId("logout").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/account"));
  await logIn();
  await page.waitForURL("**/login/two-factor");
  expect(await page.context().cookies()).not.toContainEqual(
    expect.objectContaining({ name: "zr_session" }),
  );
  // The enrolment spent this 30-second step; the next one is within the accepted drift.
  await page.getByTestId("two-factor-code").fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await page.getByTestId("two-factor-submit").click();
  await page.waitForURL("**/bank");

  // Turn it off again with the password and a recovery code (the seeded demo logs in as printed).
  await page.goto("/account/two-factor");
  const disable = page.locator("form:has(input[name=intent][value=disable])");
  await disable.locator("input[name=password]").fill(DEMO_PASSWORD);
  await disable.locator("input[name=code]").fill(codes[0]);
  await disable.locator("button[type=submit]").click();
  await page.getByTestId("two-factor-disabled").waitFor();
});

test("the admin's user list finds an officer and fits a 390 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/login");
  await submitLogIn(page, "admin@zhirong.demo");
  await page.waitForURL("**/admin");
  await page.goto("/admin/users");
  await page.fill("input[name=q]", "officer1@baotoubank");
  await page.locator("form[role=search] button[type=submit]").click();
  await page.waitForURL("**/admin/users?q=*");
  const rows = page.locator("tr[data-user]");
  // The URL moves before React commits the filtered list on a client navigation.
  await expect.poll(() => rows.count()).toBe(1);
  expect(await rows.first().getAttribute("data-user")).toBe("officer1@baotoubank.demo");
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});
