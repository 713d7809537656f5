/**
 * Servicing in the browser (issue 13): a loan of the demo firm, disbursed 230 days ago and repaid on
 * time so far (its first four instalments posted on their days) → the bank officer records the
 * fifth and sixth instalments on the loan page → the seventh stays unpaid, so the loan is overdue
 * (关注), and the pledged patent's annual fee, left unpaid past its six-month grace period, has
 * lapsed → the daily checks remind the firm in-app and by mail → the bank's loan page, the firm's
 * loan page and /report show the overdue loan and the lapsed collateral.
 *
 * The clock: the app's "today" is the real China date; the history is placed in the past instead
 * (value dates, the patent's filing date), and the daily job runs with today's date as the
 * scheduler would (runDailyJobs(db, day) — `npm run jobs:daily [day]` takes the same day).
 */
import type { Browser, Page } from "playwright-core";
import { expect, inject } from "vitest";
import { addDays, daysBetween } from "../../app/domain/ip";
import { classificationFloor } from "../../app/domain/servicing/classification";
import { runDailyJobs } from "../../app/models/servicing/jobs.server";
import { postRepayment } from "../../app/models/servicing/loan.server";
import { createDb } from "../../app/utils/db.server";
import { todayInChina } from "../../app/utils/time";
import {
  addAsset,
  addProduct,
  driveTo,
  newApplication,
  type DealWorld,
} from "../support/applications";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

const FIRM = "firm01@firms.demo";
const OFFICER = "officer1@nmgbank.demo";

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

interface Setup {
  loanId: number;
  assetNumber: string;
  principalFen: number;
  schedule: { seq: number; dueDate: string; principalFen: number; interestFen: number }[];
}

/** The loan: 12万元 over 12 months, disbursed 230 days ago, instalments 1–4 paid on their days. */
async function setUp(today: string): Promise<Setup> {
  return withDb(async (db) => {
    const firm = await party(db, FIRM);
    const bank = await party(db, OFFICER);
    const productId = await addProduct(db, bank.orgId, bank.userId);
    const w = { firmA: firm, bankX: bank, productX: productId } as unknown as DealWorld;
    const valueDate = addDays(today, -230);
    // The next fee deadline (the day before a filing anniversary) falls 20 days after the value
    // date, so its six-month grace period ended about a month ago: the patent has lapsed.
    const anniversary = addDays(valueDate, 21);
    const filing = `${Number(anniversary.slice(0, 4)) - 4}${anniversary.slice(4)}`;
    const assetId = await addAsset(db, firm.orgId, {
      valueFen: 100_000_000,
      title: `端到端贷后专利${Date.now()}`,
    });
    await db
      .updateTable("ip_assets")
      .set({ filing_date: filing, grant_date: addDays(filing, 400) })
      .where("id", "=", assetId)
      .execute();
    const loanId = await newApplication(db, w, { assetIds: [assetId], amountFen: 12_000_000 });
    await driveTo(db, w, loanId, "disbursed", { valueDate });
    const rows = await db
      .selectFrom("loan_schedule_rows")
      .select(["seq", "due_date", "principal_fen", "interest_fen"])
      .where("application_id", "=", loanId)
      .orderBy("seq")
      .execute();
    const schedule = rows.map((r) => ({
      seq: r.seq,
      dueDate: r.due_date,
      principalFen: Number(r.principal_fen),
      interestFen: Number(r.interest_fen),
    }));
    for (const i of schedule.slice(0, 4)) {
      await postRepayment(db, {
        applicationId: loanId,
        amountFen: i.principalFen + i.interestFen,
        valueDate: i.dueDate,
        idempotencyKey: `e2e-servicing-${loanId}-${i.seq}`,
        actorUserId: bank.userId,
        actorOrgId: bank.orgId,
        bankOrgId: bank.orgId,
        today,
      });
    }
    const asset = await db
      .selectFrom("ip_assets")
      .select("number")
      .where("id", "=", assetId)
      .executeTakeFirstOrThrow();
    return { loanId, assetNumber: asset.number, principalFen: 12_000_000, schedule };
  });
}

async function loginPage(browser: Browser, baseURL: string, email: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto("/login");
  await submitLogIn(page, email);
  return page;
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

test("a bank posts instalments, the loan goes overdue, the pledged patent lapses; loan pages and report show it", async ({
  page,
  browser,
  baseURL,
}) => {
  const today = todayInChina();
  const s = await setUp(today);
  const due = s.schedule.filter((i) => i.dueDate < today);
  expect(due.length).toBe(7);

  // The bank officer records instalments 5 and 6 on their due days, on the loan page.
  const bank = await loginPage(browser, baseURL, OFFICER);
  await bank.goto(`/bank/loans/${s.loanId}`);
  const entries = bank.locator('[data-testid="entries"] tbody tr');
  expect(await entries.count()).toBe(4);
  for (const i of [due[4], due[5]]) {
    const before = await bank.locator('[data-testid="outstanding"]').getAttribute("data-fen");
    await bank.fill('[data-testid="repay-amount"]', yuan(i.principalFen + i.interestFen));
    await bank.fill(
      'form:has(input[name="intent"][value="repay"]) input[name="valueDate"]',
      i.dueDate,
    );
    await bank.click('[data-testid="repay"]');
    await bank.waitForFunction(
      (b) => document.querySelector('[data-testid="outstanding"]')?.getAttribute("data-fen") !== b,
      before,
    );
  }
  expect(await entries.count()).toBe(6);
  const repaidPrincipal = s.schedule.slice(0, 6).reduce((sum, i) => sum + i.principalFen, 0);
  const outstanding = s.principalFen - repaidPrincipal;
  expect(await bank.locator('[data-testid="outstanding"]').getAttribute("data-fen")).toBe(
    String(outstanding),
  );

  // The seventh instalment is unpaid: overdue since its due date, 关注 on the first days.
  const dpd = daysBetween(due[6].dueDate, today);
  expect(dpd).toBeGreaterThan(0);
  expect(classificationFloor(dpd)).toBe("special_mention");
  expect(await bank.locator('[data-testid="days-past-due"]').textContent()).toBe(String(dpd));
  expect(
    await bank.locator('[data-testid="loan-summary"] [data-testid="risk-class"]').textContent(),
  ).toBe("关注");
  // The lapsed patent no longer counts: coverage 0 of the outstanding principal.
  const bankAsset = bank.locator('[data-testid="pledged-asset"]');
  expect(await bankAsset.getAttribute("data-fee-state")).toBe("lapsed");
  expect(await bankAsset.textContent()).toContain("已失效");
  expect(await bank.locator('[data-testid="coverage"]').getAttribute("data-bp")).toBe("0");

  // The bank's watch list carries the loan in its lapsed and overdue groups, linked to the loan.
  for (const group of ["lapsed", "overdue"]) {
    await bank.goto(`/bank/watch?group=${group}`);
    const row = bank.locator(
      `[data-testid="watch-row"][data-group="${group}"]:has(a[href="/bank/loans/${s.loanId}"])`,
    );
    expect(await row.count(), group).toBe(1);
  }
  await bank.goto(`/bank/loans/${s.loanId}`);

  // Today's checks, as the scheduler runs them: the overdue and lapse reminders, in-app and by mail.
  await withDb(async (db) => {
    await runDailyJobs(db, today, { force: true });
    const mails = await db
      .selectFrom("mail_queue")
      .select(["template", "body_text", "locale"])
      .where("to_email", "=", FIRM)
      .where("body_text", "like", `%/firm/loans/${s.loanId}%`)
      .execute();
    expect(mails.map((m) => m.template).sort()).toEqual(["collateralLapsed", "repaymentOverdue"]);
    expect(mails.every((m) => m.locale === "zh-CN" && m.body_text.includes("/unsubscribe/"))).toBe(
      true,
    );
  });

  // The firm sees the same on its loan page, and the reminders in its notifications.
  const firm = await loginPage(browser, baseURL, FIRM);
  await firm.goto(`/firm/loans/${s.loanId}`);
  expect(await firm.locator('[data-testid="days-past-due"]').textContent()).toBe(String(dpd));
  expect(
    await firm.locator('[data-testid="loan-summary"] [data-testid="risk-class"]').textContent(),
  ).toBe("关注");
  expect(await firm.locator('[data-testid="outstanding"]').getAttribute("data-fen")).toBe(
    String(outstanding),
  );
  expect(await firm.locator('[data-testid="pledged-asset"]').getAttribute("data-fee-state")).toBe(
    "lapsed",
  );
  expect(await firm.locator('[data-testid="entries"] tbody tr').count()).toBe(6);
  await firm.goto("/notifications");
  const notices = (await firm.locator("main").textContent()) ?? "";
  expect(notices).toContain(`质押资产 ${s.assetNumber} 因未缴费已失效`);
  expect(notices).toContain(`贷款 #${s.loanId} 自 ${due[6].dueDate} 起逾期`);

  // /report (public): the balances read from the loan accounts, this loan's overdue balance in them.
  const expected = await withDb(async (db) => {
    const r = await db
      .selectFrom("loan_accounts")
      .select((eb) => [
        eb.fn.sum<number | string>("outstanding_principal_fen").as("o"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .where("status", "=", "open")
      .where("days_past_due", ">", 0)
      .executeTakeFirstOrThrow();
    return { overdueFen: Number(r.o) };
  });
  await page.goto("/report");
  // The portfolio summary: each figure carries its fen and opens its loans (/report/loans).
  const figure = (measure: string) =>
    page.locator(`[data-testid="portfolio-summary"] [data-measure="${measure}"]`).first();
  expect(Number(await figure("overdue").getAttribute("data-fen"))).toBe(expected.overdueFen);
  expect(expected.overdueFen).toBeGreaterThanOrEqual(outstanding);
  expect(Number(await figure("outstanding").getAttribute("data-fen"))).toBeGreaterThan(
    expected.overdueFen,
  );
  expect(await figure("overdue").getAttribute("href")).toContain("/report/loans?measure=overdue");

  await bank.context().close();
  await firm.context().close();
});
