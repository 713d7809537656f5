import type { Page } from "playwright-core";

export const DEMO_PASSWORD = "zhirong-demo-2025";

/**
 * Fills in and submits the log-in form the page is on, then waits until the app has left /login
 * (a two-factor step counts as left). Waiting for hydration first means the submit always goes
 * through the same path (Remix's fetch, not a native post racing the scripts). Under a loaded
 * machine a log-in plus the landing page can take longer than a click's default, so the wait is
 * generous; and if the form answers with an error instead, the test fails with that message
 * rather than a bare timeout. It returns once the landing page has rendered.
 */
export async function submitLogIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.locator("main form.stack button[type=submit]").click();
  const alert = page.locator("main form [role=alert]").first();
  const refused = await Promise.race([
    page
      .waitForURL((u) => !u.pathname.startsWith("/login") || u.pathname === "/login/two-factor", {
        timeout: 40_000,
      })
      .then(() => null),
    alert.waitFor({ state: "visible", timeout: 40_000 }).then(() => alert.innerText()),
  ]);
  if (refused !== null) throw new Error(`log-in as ${email} refused: ${refused}`);
  // The landing page has rendered and its effects ran (AppShell marks <html data-route>): a click
  // on the phone menu before then would be undone by the navigation closing it.
  await page.waitForFunction(
    () => document.documentElement.dataset.route === location.pathname + location.search,
  );
}
