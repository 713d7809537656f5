/**
 * Print to PDF in Chromium: the public report and one signed appraisal report, read back with a
 * PDF text extractor (unpdf): page count, page numbers, the publisher block, the first page not
 * mostly empty, and the appraisal's verification QR code (decoded with jsQR from a PNG screenshot
 * of the printed layout, read by pngjs), its 评估基准日 and licence numbers, and the stamp and
 * signature area.
 */
import jsQR from "jsqr";
import type { Page } from "playwright-core";
import { PNG } from "pngjs";
import { extractText, getDocumentProxy } from "unpdf";
import { expect, inject } from "vitest";
import { createDb } from "../../app/utils/db.server";
import { test } from "./support/test";
import { submitLogIn } from "./support/login";

/** What a phone camera would read from the QR code as laid out for print. */
async function decodeQr(page: Page, selector: string): Promise<string | null> {
  const code = page.locator(selector);
  // The clip is taken from the viewport, so bring the code (at the report's foot) into it.
  await code.scrollIntoViewIfNeeded();
  const box = await code.boundingBox();
  if (!box) return null;
  // A white border around the code stands in for the quiet zone a reader looks for.
  const pad = 16;
  const png = PNG.sync.read(
    await page.screenshot({
      clip: {
        x: box.x - pad,
        y: box.y - pad,
        width: box.width + 2 * pad,
        height: box.height + 2 * pad,
      },
    }),
  );
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

async function pdfText(page: Page) {
  const bytes = await page.pdf({ format: "A4", printBackground: true });
  expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe("%PDF");
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  const { totalPages, text } = await extractText(doc, { mergePages: false });
  // CJK glyphs can come back as their Kangxi-radical twins (⽂ for 文): NFKC folds them back.
  return { totalPages, pages: (text as string[]).map((p) => p.normalize("NFKC")) };
}

test("the public report prints on several A4 pages, numbered, with its publisher block", async ({
  page,
}) => {
  await page.goto("/report");
  await page.locator("[data-testid=chart-regions] svg").first().waitFor();
  await page.emulateMedia({ media: "print" });
  const { totalPages, pages } = await pdfText(page);
  expect(totalPages).toBeGreaterThan(1);
  expect(totalPages).toBeLessThan(30);
  const all = pages.join("\n");
  expect(all).toContain("发布单位");
  expect(all).toContain("数据截至");
  expect(all).toContain("数据来源");
  // Page numbers from the @page counters: "1 / N" on the first page, "N / N" on the last.
  expect(pages[0].replace(/\s+/g, " ")).toContain(`1 / ${totalPages}`);
  expect(pages[totalPages - 1].replace(/\s+/g, " ")).toContain(`${totalPages} / ${totalPages}`);
  // The first page is not half empty: it carries at least two thirds as much text as the second.
  expect(pages[0].length).toBeGreaterThan((pages[1].length * 2) / 3);
});

test("a signed appraisal report prints with its QR code and a stamp and signature area", async ({
  page,
}) => {
  const handle = createDb(inject("e2eDatabaseUrl"));
  let id: number;
  try {
    const row = await handle.db
      .selectFrom("appraisals")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    id = Number(row.id);
  } finally {
    await handle.db.destroy();
  }
  const to = `/appraisals/${id}/report`;
  await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
  await submitLogIn(page, "admin@zhirong.demo");
  await page.waitForURL((u) => u.pathname === to);
  const verifyUrl = (await page.getByTestId("verify-url").textContent())!;
  expect(verifyUrl).toMatch(/\/verify\/\S+$/);
  // The QR code is an SVG rendered on the server, a square of dark modules.
  const qr = page.locator("[data-testid=verify-qr] svg");
  expect(await qr.count()).toBe(1);
  expect(await qr.locator("path").count()).toBeGreaterThan(0);
  expect(await page.getByTestId("signature-area").textContent()).toContain("评估机构盖章");

  await page.emulateMedia({ media: "print" });
  // The code printed on the report decodes to the verification address shown beside it.
  expect(await decodeQr(page, "[data-testid=verify-qr]")).toBe(verifyUrl);
  expect(new URL(verifyUrl).pathname).toMatch(/^\/verify\/[A-Za-z0-9_-]{16,64}$/);
  const basisDate = (await page.getByTestId("basis-date").textContent())!;
  expect(basisDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const { totalPages, pages } = await pdfText(page);
  expect(totalPages).toBeGreaterThanOrEqual(1);
  expect(totalPages).toBeLessThan(6);
  const all = pages.join("\n");
  expect(all).toContain("评估师签字");
  expect(all).toContain("评估基准日");
  expect(all).toContain(basisDate);
  // The seeded valuer's registration number and the firm's filing number (db/seed-appraisals.ts).
  expect(all).toContain("资产评估师登记编号");
  expect(all).toContain("15000312");
  expect(all).toContain("评估机构备案编号");
  expect(all).toContain(verifyUrl.slice(-16));
  expect(pages[0].replace(/\s+/g, " ")).toContain(`1 / ${totalPages}`);
});
