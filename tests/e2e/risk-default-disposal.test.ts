/**
 * Default to disposal in the browser (issue 14; docs/domain.md#claims, #disposal): a loan covered
 * by a pool (70% pool, 30% bank) defaults → the bank files a claim → the pool's manager approves
 * it → the pool page shows the payout → the bank lists the pledged IP for disposal → a visitor
 * registers interest on the public page → the bank records the proceeds, watching the split
 * before confirming → the pool page shows the recovery. The bank's disposal pages are used on a
 * 390 px phone and must not scroll sideways.
 */
import type { Browser, Page } from "playwright-core";
import { expect, inject } from "vitest";
import { formatMoney, formatMoneyExact } from "../../app/domain/money";
import { addContribution, createPool } from "../../app/models/risk-sharing/pools.server";
import { createDb } from "../../app/utils/db.server";
import {
  addAsset,
  addProduct,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

const FIRM = "firm02@firms.demo";
const OFFICER = "officer1@nmgbank.demo";
const MANAGER = "alliance@amr.demo";
const WAN = 1_000_000; // 1万元 in fen

type Db = ReturnType<typeof createDb>["db"];

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const handle = createDb(inject("e2eDatabaseUrl"));
  try {
    return await fn(handle.db);
  } finally {
    await handle.db.destroy();
  }
}

async function party(db: Db, email: string) {
  const u = await db
    .selectFrom("users")
    .select(["id", "org_id"])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  return { userId: u.id, orgId: u.org_id };
}

/** A pool of the demo government member covering a new product, and a 10万 loan it covers. */
async function setUp() {
  return withDb(async (db) => {
    const firm = await party(db, FIRM);
    const bank = await party(db, OFFICER);
    const gov = await party(db, MANAGER);
    const productId = await addProduct(db, bank.orgId, bank.userId);
    const poolName = `端到端处置资金池${Date.now()}`;
    const poolId = await createPool(
      db,
      { ...gov, role: "alliance" },
      {
        name: poolName,
        kind: "county",
        shares: { pool: 7000, insurer: 0, guarantor: 0, bank: 3000 },
        perLoanCapFen: 10 * WAN,
        leverageMultipleBp: 100_000,
        interestDaysAllowed: 0,
        requiredDocuments: ["loan_contract"],
        productIds: [productId],
        regionCodes: [],
        insurerOrgId: null,
        guarantorOrgId: null,
      },
    );
    await addContribution(
      db,
      { ...gov, role: "alliance" },
      {
        poolId,
        funderName: "演示财政局",
        amountFen: 50 * WAN,
        valueDate: "2026-01-02",
        idempotencyKey: `e2e-disposal-${poolId}`,
      },
    );
    const title = `端到端处置专利${Date.now()}`;
    const assetId = await addAsset(db, firm.orgId, { valueFen: 40 * WAN, title });
    const w = { firmA: firm, bankX: bank, productX: productId } as unknown as DealWorld;
    const loanId = await newApplication(db, w, {
      assetIds: [assetId],
      amountFen: 10 * WAN,
      productId,
    });
    await driveTo(db, w, loanId, "disbursed", { valueDate: "2026-03-01" });
    return { poolId, poolName, loanId, assetTitle: title };
  });
}

async function loginPage(browser: Browser, baseURL: string, email: string | null): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  if (!email) return page;
  await page.goto("/login");
  await submitLogIn(page, email);
  return page;
}

async function fits(page: Page, what: string) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, what).toBeLessThanOrEqual(0);
}

test("a covered loan defaults, the pool pays the claim, the bank disposes of the IP and the pool recovers", async ({
  browser,
  baseURL,
}) => {
  const s = await setUp();
  const bank = await loginPage(browser, baseURL, OFFICER);

  // The bank records the default on the loan's page, then files its claim from there.
  await bank.goto(`/bank/loans/${s.loanId}`);
  // A one-character reason, unconfirmed: the browser says what is wrong next to each field, and
  // posts nothing.
  await bank.locator('form:has(input[name="intent"][value="default"]) textarea').fill("逾");
  await bank.click('[data-testid="record-default"]');
  await expect
    .poll(() =>
      bank
        .locator('form:has(input[name="intent"][value="default"]) [role=alert]')
        .allTextContents(),
    )
    .toEqual(["请填写原因（至少 2 个字）", "请勾选确认后再提交"]);
  await bank
    .locator('form:has(input[name="intent"][value="default"]) textarea')
    .fill("逾期超过90天");
  await bank.check('[data-testid="default-confirm"]');
  await bank.click('[data-testid="record-default"]');
  await bank.waitForSelector('[data-testid="default-record"]');
  await bank.click('[data-testid="file-claim"]');
  await bank.waitForURL(`**/bank/loans/${s.loanId}/claim`);
  expect(await bank.getByTestId("claimed").inputValue()).toBe("100000");
  await bank.getByTestId("checklist").locator("input").first().check();
  await bank.check('[data-testid="claim-confirm"]');
  await bank.locator('form button[type="submit"]').last().click();
  await bank.waitForURL(/\/risk\/claims\/\d+$/);
  const claimId = /\/risk\/claims\/(\d+)$/.exec(bank.url())![1];

  // The pool's manager approves it in full: the pool pays its 70%, 7万.
  const manager = await loginPage(browser, baseURL, MANAGER);
  await manager.goto(`/risk/claims/${claimId}`);
  await manager.check('[data-testid="full-confirm"]');
  await manager
    .locator('form:has(input[name="intent"][value="approve_full"]) button[type="submit"]')
    .click();
  await expect.poll(() => manager.getByTestId("claim-state").textContent()).toContain("已全额核准");
  await manager.goto(`/risk/pools/${s.poolId}`);
  expect(await manager.getByTestId(`pool-${s.poolId}-claimsPaid`).textContent()).toBe(
    formatMoney(7 * WAN),
  );
  expect(await manager.getByTestId("pool-entries").textContent()).toContain(
    `代偿支付 · ${formatMoneyExact(-7 * WAN)}`,
  );

  // On a phone, the bank lists the pledged IP from the loan's page.
  await bank.setViewportSize({ width: 390, height: 800 });
  await bank.goto(`/bank/loans/${s.loanId}`);
  // The default kept the pledge: the loan page says so and offers its release.
  expect(await bank.getByTestId("pledge-status").textContent()).toContain("质押有效：1 项资产锁定");
  expect(await bank.getByTestId("release-pledge").count()).toBe(1);
  await fits(bank, "defaulted loan page");
  await bank.click('[data-testid="dispose-ip"]');
  await bank.waitForURL(`**/bank/loans/${s.loanId}/dispose`);
  await fits(bank, "listing form");
  expect(await bank.getByTestId("pledged-assets").textContent()).toContain(s.assetTitle);
  await bank.getByTestId("title").fill(`${s.assetTitle} 发明专利转让`);
  await bank.getByTestId("terms").fill("一次性付款，买方承担变更登记费用");
  await bank.getByTestId("asking").fill("-8万");
  await bank.check('[data-testid="dispose-confirm"]');
  await bank.locator('form button[type="submit"]').last().click();
  // Refused in the browser, next to the field, with the domain's own sentence.
  await expect
    .poll(() => bank.locator("[role=alert]").allTextContents())
    .toContainEqual(expect.stringContaining("挂牌价须大于零"));
  expect(bank.url()).toContain("/dispose");
  await bank.getByTestId("asking").fill("8万");
  await bank.locator('form button[type="submit"]').last().click();
  await bank.waitForURL(/\/bank\/disposals\/\d+$/);
  const disposalId = /\/bank\/disposals\/(\d+)$/.exec(bank.url())![1];
  await fits(bank, "disposal page");
  expect(await bank.getByTestId("disposal-asking").textContent()).toBe(formatMoneyExact(8 * WAN));

  // A visitor, not logged in, finds it on the public page and registers interest.
  const visitor = await loginPage(browser, baseURL, null);
  await visitor.goto("/disposals");
  await visitor.click(`a[href="/disposals/${disposalId}"]`);
  await visitor.waitForURL(`**/disposals/${disposalId}`);
  await visitor.fill('input[name="name"]', "丙科技有限公司");
  await visitor.fill('input[name="contact"]', "0472-7654321");
  await visitor.fill('textarea[name="message"]', "有意受让该专利");
  await visitor.click('main form button[type="submit"]');
  await expect
    .poll(() => visitor.getByTestId("interest-count").textContent())
    .toContain("已有 1 方登记意向");

  // The bank sees the interest in its list and on the disposal, then records the sale.
  await bank.goto("/bank/disposals");
  await fits(bank, "disposals list");
  expect(await bank.getByTestId(`disposal-${disposalId}-interests`).textContent()).toContain("1");
  await bank.click(`a[href="/bank/disposals/${disposalId}"]`);
  await bank.waitForURL(`**/bank/disposals/${disposalId}`);
  expect(await bank.getByTestId("disposal-interests").textContent()).toContain("0472-7654321");
  await bank.getByTestId("buyer-name").fill("丙科技有限公司");
  // The split shows as the amount is typed: 5万 at 70/30, the pool's part within the 7万 it paid.
  await bank.getByTestId("proceeds").fill("5万");
  await expect
    .poll(() => bank.getByTestId("preview-split-pool").textContent())
    .toBe(formatMoneyExact(3.5 * WAN));
  expect(await bank.getByTestId("preview-split-bank").textContent()).toBe(
    formatMoneyExact(1.5 * WAN),
  );
  await fits(bank, "proceeds form with its preview");
  // Withdrawing the listing asks for a reason and the confirmation, in the browser, before posting.
  await bank.getByTestId("withdraw-reason").fill("无");
  await bank.locator('[data-testid="withdraw-disposal"] button[type="submit"]').click();
  await expect
    .poll(() => bank.locator("[data-testid=withdraw-disposal] [role=alert]").allTextContents())
    .toEqual(["请填写撤回挂牌的原因（至少 4 个字）。", "请勾选确认后再提交"]);
  expect(await bank.getByTestId("disposal-state").textContent()).toBe("挂牌中");
  // Not without the confirmation.
  await bank.locator('[data-testid="record-proceeds"] button[type="submit"]').click();
  await expect
    .poll(() => bank.locator("[data-testid=record-proceeds] [role=alert]").count())
    .toBeGreaterThan(0);
  await bank.check('[data-testid="proceeds-confirm"]');
  await bank.locator('[data-testid="record-proceeds"] button[type="submit"]').click();
  await bank.waitForSelector('[data-testid="disposal-sale"]');
  expect(await bank.getByTestId("disposal-state").textContent()).toBe("已成交");
  expect(await bank.getByTestId("sale-split-pool").textContent()).toBe(formatMoneyExact(3.5 * WAN));
  await fits(bank, "sold disposal");
  // The sale ended the pledge.
  await bank.goto(`/bank/loans/${s.loanId}`);
  expect(await bank.getByTestId("pledge-status").textContent()).toContain("质押已解除");
  expect(await bank.getByTestId("release-pledge").count()).toBe(0);

  // The pool has its part back.
  await manager.goto(`/risk/pools/${s.poolId}`);
  expect(await manager.getByTestId(`pool-${s.poolId}-recovered`).textContent()).toBe(
    formatMoney(3.5 * WAN),
  );
  expect(await manager.getByTestId(`pool-${s.poolId}-balance`).textContent()).toBe(
    formatMoney(50 * WAN - 7 * WAN + 3.5 * WAN),
  );
  expect(await manager.getByTestId("pool-entries").textContent()).toContain(
    `追回 · ${formatMoneyExact(3.5 * WAN)}`,
  );

  // The public report carries the pool's payout and recovery: a visitor reads the figures, the
  // alliance member (who may see the rows) opens the payout's rows from its figure.
  const reportFen = async (p: Page, measure: string) => {
    await p.goto("/report");
    const cell = p.locator(
      `[data-testid=risk-pools] tr[data-pool="${s.poolId}"] [data-measure=${measure}]`,
    );
    return cell.getAttribute("data-fen");
  };
  expect(await reportFen(visitor, "pool_balance")).toBe(String(50 * WAN - 7 * WAN + 3.5 * WAN));
  expect(await reportFen(visitor, "claims_paid")).toBe(String(7 * WAN));
  expect(await reportFen(visitor, "recovered")).toBe(String(3.5 * WAN));
  expect(await reportFen(manager, "claims_paid")).toBe(String(7 * WAN));
  await manager
    .locator(`[data-testid=risk-pools] tr[data-pool="${s.poolId}"] a[data-measure=claims_paid]`)
    .click();
  await manager.waitForURL(/\/report\/risk\?measure=claims_paid&pool=\d+/);
  expect(await manager.getByTestId("risk-rows-figure").getAttribute("data-fen")).toBe(
    String(7 * WAN),
  );
  expect(await manager.getByTestId("risk-rows-table").textContent()).toContain(`#${s.loanId}`);

  for (const p of [bank, manager, visitor]) await p.context().close();
});
