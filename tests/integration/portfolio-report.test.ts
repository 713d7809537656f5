/**
 * The loan book on the home page and /report (balance outstanding, repaid, overdue and
 * non-performing shares by 盟市 and bank): every figure equals the sum of the loans its drill-down
 * lists, the rollups reconcile with the ledger, and the public pages' data version moves when a
 * repayment posts (so the cached pages show it at once).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { addMonthsClamped } from "../../app/domain/ip";
import { PORTFOLIO_MEASURES, type PortfolioMeasure } from "../../app/domain/servicing/portfolio";
import { publicDataVersion } from "../../app/models/public-version.server";
import {
  ensureLoanAccounts,
  postRepayment,
  reconcileServicing,
  recordLoanDefault,
  refreshClassifications,
} from "../../app/models/servicing/loan.server";
import {
  getPortfolio,
  listPortfolioLoans,
  type PortfolioFilter,
  type PortfolioRow,
} from "../../app/models/servicing/portfolio.server";
import { todayInChina } from "../../app/utils/time";
import { requestAs, useActors } from "../support/authz";
import {
  addAsset,
  createDealWorld,
  driveTo,
  newApplication,
  type DealWorld,
  type Party,
} from "../support/applications";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const today = todayInChina();
let keySeq = 0;
const key = () => `portfolio-${process.pid}-${keySeq++}`;

/** The data-fen of the figure linking to `href` on a rendered page. */
function fenLinkedTo(html: string, href: string): number | null {
  for (const m of html.matchAll(/<a\b[^>]*>/g)) {
    if (!m[0].includes(`href="${href}"`)) continue;
    const fen = /data-fen="(-?\d+)"/.exec(m[0]);
    if (fen) return Number(fen[1]);
  }
  return null;
}

/** The figure a measure shows for one row of the portfolio. */
function figureOf(row: PortfolioRow | Omit<PortfolioRow, "key">, m: PortfolioMeasure): number {
  switch (m) {
    case "outstanding":
      return row.outstandingFen;
    case "repaid":
      return row.repaidFen;
    case "overdue":
      return row.overdueFen;
    case "non_performing":
      return row.nonPerformingFen;
  }
}

describe(`the loan book by 盟市 and bank (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  let w: DealWorld;

  async function loan(o: {
    firm: Party;
    bank: Party;
    productId: number;
    valueDate: string;
    amountFen: number;
  }): Promise<number> {
    const asset = await addAsset(t.db, o.firm.orgId, { valueFen: 1_000_000_000 });
    const id = await newApplication(t.db, w, {
      assetIds: [asset],
      amountFen: o.amountFen,
      firm: o.firm,
      productId: o.productId,
    });
    await driveTo(t.db, w, id, "disbursed", {
      firm: o.firm,
      bank: o.bank,
      valueDate: o.valueDate,
    });
    return id;
  }
  const as = (p: Party) => ({ actorUserId: p.userId, actorOrgId: p.orgId, bankOrgId: p.orgId });

  /** Σ of the drill-down rows over every page, and the sums the page reports. */
  async function drillDown(filter: PortfolioFilter) {
    let page = 1;
    let rowsFen = 0;
    let count = 0;
    for (;;) {
      const d = await listPortfolioLoans(t.db, filter, page);
      for (const r of d.rows) {
        rowsFen +=
          filter.measure === "repaid"
            ? r.principalRepaidFen + r.interestRepaidFen
            : r.outstandingFen;
        count++;
      }
      if (page >= d.pages) {
        const sumsFen =
          filter.measure === "repaid"
            ? d.sums.principalRepaidFen + d.sums.interestRepaidFen
            : d.sums.outstandingFen;
        expect(count).toBe(d.total);
        return { rowsFen, sumsFen, count };
      }
      page++;
    }
  }

  beforeAll(async () => {
    w = await createDealWorld(t.db);
    // 甲 (包头) at bank X: eight months without a payment, so overdue and non-performing.
    await loan({
      firm: w.firmA,
      bank: w.bankX,
      productId: w.productX,
      valueDate: addMonthsClamped(today, -8),
      amountFen: 30_000_000,
    });
    // 乙 (鄂尔多斯) at bank Y: disbursed today, partly repaid early.
    const repaid = await loan({
      firm: w.firmB,
      bank: w.bankY,
      productId: w.productY,
      valueDate: today,
      amountFen: 20_000_000,
    });
    await postRepayment(t.db, {
      applicationId: repaid,
      amountFen: 5_000_000,
      valueDate: today,
      idempotencyKey: key(),
      actorUserId: w.bankY.userId,
      actorOrgId: w.bankY.orgId,
      bankOrgId: w.bankY.orgId,
    });
    // 甲 at bank X: the first instalment paid on its day.
    const current = await loan({
      firm: w.firmA,
      bank: w.bankX,
      productId: w.productX,
      valueDate: addMonthsClamped(today, -1),
      amountFen: 12_000_000,
    });
    await postRepayment(t.db, {
      applicationId: current,
      amountFen: 1_100_000,
      valueDate: today,
      idempotencyKey: key(),
      ...as(w.bankX),
    });
    // 乙 at bank X: defaulted after four months (a non-performing balance, no longer open).
    const defaulted = await loan({
      firm: w.firmB,
      bank: w.bankX,
      productId: w.productX,
      valueDate: addMonthsClamped(today, -4),
      amountFen: 8_000_000,
    });
    await recordLoanDefault(t.db, {
      applicationId: defaulted,
      reason: "逾期且企业停产",
      ...as(w.bankX),
    });
    await ensureLoanAccounts(t.db);
    await refreshClassifications(t.db, today);
  });

  it("has something in every measure", async () => {
    const p = await getPortfolio(t.db);
    expect(p.total.outstandingFen).toBeGreaterThan(0);
    expect(p.total.principalRepaidFen).toBeGreaterThan(0);
    expect(p.total.interestRepaidFen).toBeGreaterThan(0);
    expect(p.total.overdueFen).toBeGreaterThan(0);
    expect(p.total.nonPerformingFen).toBeGreaterThanOrEqual(8_000_000);
    expect(p.total.overdueShareBp).toBeGreaterThan(0);
    expect(p.byRegion.map((r) => r.key)).toEqual(expect.arrayContaining(["150200", "150600"]));
    expect(p.byBank.map((r) => r.bankOrgId)).toEqual(
      expect.arrayContaining([w.bankX.orgId, w.bankY.orgId]),
    );
  });

  it("makes every figure, in total, per 盟市 and per bank, the sum of its drill-down rows", async () => {
    const p = await getPortfolio(t.db);
    for (const measure of PORTFOLIO_MEASURES) {
      const total = await drillDown({ measure });
      expect(total.rowsFen, `total ${measure}`).toBe(figureOf(p.total, measure));
      expect(total.sumsFen).toBe(total.rowsFen);
      for (const r of p.byRegion) {
        const d = await drillDown({ measure, region: r.key });
        expect(d.rowsFen, `region ${r.key} ${measure}`).toBe(figureOf(r, measure));
        expect(d.sumsFen).toBe(d.rowsFen);
      }
      for (const r of p.byBank) {
        const d = await drillDown({ measure, bank: r.bankOrgId });
        expect(d.rowsFen, `bank ${r.key} ${measure}`).toBe(figureOf(r, measure));
        expect(d.sumsFen).toBe(d.rowsFen);
      }
      // The breakdowns add up to the total.
      const sum = (rows: readonly PortfolioRow[]) =>
        rows.reduce((s, r) => s + figureOf(r, measure), 0);
      expect(sum(p.byRegion)).toBe(figureOf(p.total, measure));
      expect(sum(p.byBank)).toBe(figureOf(p.total, measure));
    }
    const rec = await reconcileServicing(t.db);
    expect(rec.outstanding_drift_fen).toBe(0);
    expect(rec.repayment_drift_fen).toBe(0);
  });

  it("moves the public data version and the home page's balance when a repayment posts", async () => {
    const id = await loan({
      firm: w.firmA,
      bank: w.bankX,
      productId: w.productX,
      valueDate: today,
      amountFen: 6_000_000,
    });
    const before = await publicDataVersion(t.db);
    const pageBefore = await (await requestAs(app, actors, "anonymous", "/")).text();
    const outstandingBefore = (await getPortfolio(t.db)).total.outstandingFen;
    expect(fenLinkedTo(pageBefore, "/report/loans?measure=outstanding")).toBe(outstandingBefore);
    await postRepayment(t.db, {
      applicationId: id,
      amountFen: 2_000_000,
      valueDate: today,
      idempotencyKey: key(),
      ...as(w.bankX),
    });
    expect(await publicDataVersion(t.db)).not.toBe(before);
    const after = (await getPortfolio(t.db)).total;
    expect(after.outstandingFen).toBe(outstandingBefore - 2_000_000);
    const pageAfter = await (await requestAs(app, actors, "anonymous", "/")).text();
    expect(fenLinkedTo(pageAfter, "/report/loans?measure=outstanding")).toBe(after.outstandingFen);
  });

  it("shows the figures on /report, each linking to its loans, and lists them for the alliance", async () => {
    const p = await getPortfolio(t.db);
    const html = await (await requestAs(app, actors, "anonymous", "/report")).text();
    expect(html).toContain('data-testid="report-portfolio"');
    const baotou = p.byRegion.find((r) => r.key === "150200")!;
    expect(fenLinkedTo(html, "/report/loans?measure=non_performing&amp;region=150200")).toBe(
      baotou.nonPerformingFen,
    );
    const bankX = p.byBank.find((r) => r.bankOrgId === w.bankX.orgId)!;
    expect(fenLinkedTo(html, `/report/loans?measure=overdue&amp;bank=${w.bankX.orgId}`)).toBe(
      bankX.overdueFen,
    );
    expect(fenLinkedTo(html, "/report/loans?measure=repaid")).toBe(p.total.repaidFen);

    const res = await requestAs(
      app,
      actors,
      "alliance",
      `/report/loans?measure=non_performing&region=150200`,
    );
    expect(res.status).toBe(200);
    const list = await res.text();
    expect(list).toContain(
      `data-testid="portfolio-loans-figure" data-fen="${baotou.nonPerformingFen}"`,
    );
    expect(list).toContain("甲科技有限公司");
    expect(list).not.toContain("乙新材料有限公司");
    const anonymous = await requestAs(app, actors, "anonymous", "/report/loans?measure=overdue");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/login/);
  });
});
