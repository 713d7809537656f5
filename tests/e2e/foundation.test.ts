import { expect } from "vitest";
import { buildUscc } from "../../app/domain/uscc";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

test("a firm registers, logs out, logs in, sees its dashboard and switches to English", async ({
  page,
}) => {
  const suffix = String(Date.now()).slice(-6);
  const uscc = buildUscc("150602", `MA${suffix}`);
  const email = `e2e-${suffix}@firm.test`;

  await page.goto("/register");
  // A wrong check character is refused next to the field, before anything is sent.
  await page.fill("input[name=companyName]", `鄂尔多斯端到端测试${suffix}有限公司`);
  const wrong = uscc.slice(0, 17) + (uscc[17] === "0" ? "1" : "0");
  await page.fill("input[name=uscc]", wrong);
  await page.locator("input[name=uscc]").blur();
  await page.getByText("第 18 位校验码与前 17 位不符").waitFor();

  await page.fill("input[name=uscc]", uscc);
  // The region follows the USCC's area code (1506 → 鄂尔多斯市).
  await page.getByText("已根据信用代码识别为 鄂尔多斯市").waitFor();
  expect(await page.locator("select[name=regionCode]").inputValue()).toBe("150600");
  await page.selectOption("select[name=industrySection]", "C");
  await page.check("input[name=flagHighTech]");
  await page.fill("input[name=contactName]", "测试联系人");
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "e2e-password-123");
  await page.locator("form.stack button[type=submit]").click();
  // Registration ends on the log-in page (the same for a taken address); the mail has the link.
  await page.waitForURL("**/login?registered=1");
  await page.getByTestId("registered").waitFor();
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "e2e-password-123");
  await page.locator("form.stack button[type=submit]").click();
  await page.waitForURL("**/firm");
  expect(await page.getByTestId("dashboard-title").textContent()).toBe("企业工作台");
  await page.getByTestId("verify-banner").waitFor();

  await page.getByTestId("logout").click();
  await page.waitForURL((u) => u.pathname === "/");
  await page.getByTestId("logout").waitFor({ state: "detached" });

  await page.goto("/firm");
  await page.waitForURL("**/login?redirectTo=%2Ffirm");
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", "e2e-password-123");
  await page.locator("form.stack button[type=submit]").click();
  await page.waitForURL("**/firm");
  expect(await page.getByTestId("whoami").textContent()).toContain("测试联系人");

  await page.getByTestId("lang-switch").click();
  await page.getByTestId("dashboard-title").filter({ hasText: "Firm dashboard" }).waitFor();
  expect(await page.locator("html").getAttribute("lang")).toBe("en");
  await page.getByTestId("lang-switch").click();
  await page.getByTestId("dashboard-title").filter({ hasText: "企业工作台" }).waitFor();
});

const ROLES: [string, string, string][] = [
  ["admin@zhirong.demo", "/admin", "平台管理"],
  ["firm01@firms.demo", "/firm", "企业工作台"],
  ["officer1@nmgbank.demo", "/bank", "银行工作台"],
  ["appraiser@valuer.demo", "/valuer", "评估机构工作台"],
  ["alliance@amr.demo", "/alliance", "联盟工作台"],
];

for (const [email, path, title] of ROLES) {
  test(`demo user ${email} lands on ${path}`, async ({ page }) => {
    await page.goto("/login");
    await submitLogIn(page, email);
    await page.waitForURL(`**${path}`);
    expect(await page.getByTestId("dashboard-title").textContent()).toBe(title);
  });
}
