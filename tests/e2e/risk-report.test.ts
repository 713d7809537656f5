/**
 * Risk sharing and 贴息 in the report, on a 390 px phone (docs/domain.md#risk-figures): a pool
 * with a contribution next to the seeded loan book; /report shows the figures without sideways
 * scroll, the alliance member opens the rows behind one from the report and from the review.
 */
import { expect, inject } from "vitest";
import { addContribution, createPool } from "../../app/models/risk-sharing/pools.server";
import { createDb } from "../../app/utils/db.server";
import { todayInChina } from "../../app/utils/time";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

test("the risk figures fit a 390 px phone and open the rows they were summed from", async ({
  page,
}) => {
  const handle = createDb(inject("e2eDatabaseUrl"));
  let poolId: number;
  try {
    const db = handle.db;
    const member = await db
      .selectFrom("users")
      .select(["id", "org_id"])
      .where("email", "=", "alliance@amr.demo")
      .executeTakeFirstOrThrow();
    const product = await db
      .selectFrom("loan_products")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const gov = { userId: member.id, orgId: member.org_id!, role: "alliance" as const };
    poolId = await createPool(db, gov, {
      name: `演示风险补偿资金池 ${Date.now()}`,
      kind: "county",
      shares: { pool: 8000, insurer: 0, guarantor: 0, bank: 2000 },
      perLoanCapFen: 300_000_000,
      leverageMultipleBp: 100_000,
      interestDaysAllowed: 90,
      requiredDocuments: ["loan_contract"],
      productIds: [product.id],
      regionCodes: [],
    });
    await addContribution(db, gov, {
      poolId,
      funderName: "演示财政局",
      amountFen: 500_000_000,
      valueDate: todayInChina(),
      idempotencyKey: `e2e-risk-report-${poolId}`,
    });
  } finally {
    await handle.db.destroy();
  }

  await page.setViewportSize({ width: 390, height: 844 });
  const fits = async (what: string) => {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, what).toBeLessThanOrEqual(0);
  };

  await page.goto("/report");
  await page.getByTestId("risk-figures").waitFor();
  await fits("/report");
  const balance = page.locator(`[data-testid=risk-pools] tr[data-pool="${poolId}"] a`).first();
  expect(await balance.getAttribute("data-fen")).toBe("500000000");
  for (const id of ["risk-claims-paid", "risk-recovered", "risk-subsidies-paid"]) {
    expect(await page.getByTestId(id).getAttribute("data-fen"), id).toMatch(/^\d+$/);
  }

  await page.goto("/login");
  await submitLogIn(page, "alliance@amr.demo");
  await page.waitForURL("**/alliance");

  await page.goto("/report");
  await page.locator(`[data-testid=risk-pools] tr[data-pool="${poolId}"] a`).first().click();
  await page.waitForURL(/\/report\/risk\?measure=pool_balance&pool=\d+/);
  await page.getByTestId("risk-rows-table").waitFor();
  expect(await page.getByTestId("risk-rows-figure").getAttribute("data-fen")).toBe("500000000");
  await fits("/report/risk pool balance");

  await page.goto("/alliance/review");
  await page.getByTestId("risk-figures").waitFor();
  await fits("/alliance/review");
  await page.getByTestId("risk-effective-rate").click();
  await page.waitForURL(/measure=effective_rate/);
  await page.getByTestId("risk-rows").waitFor();
  await fits("/report/risk effective rate");
});
