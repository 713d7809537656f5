import { expect } from "vitest";
import { test } from "./support/test";

test("the home page is in Chinese and has a heading", async ({ page }) => {
  const res = await page.goto("/");
  expect(res?.status()).toBe(200);
  expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
  const h1 = page.locator("h1").first();
  await h1.waitFor({ state: "visible" });
  expect((await h1.textContent())?.trim()).not.toBe("");
});

test("/healthz answers JSON {ok: true}", async ({ page }) => {
  const res = await page.request.get("/healthz");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true });
});
