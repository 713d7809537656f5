import { describe, expect, it } from "vitest";
import { APPLICATION_STATES } from "../../app/domain/application";
import { listLedgerEntries, reconcileTotals, type LedgerRow } from "../../app/models/ledger.server";
import { reconcileServicing } from "../../app/models/servicing/loan.server";
import { seedScale } from "../../scripts/seed-scale";
import { useTestDb } from "../support/db";

/**
 * `npm run seed:scale` (issue 15) at a small size: deals in every state whose ledger, loans and
 * running totals reconcile with no drift, and the ledger pages' keyset paging over them.
 */
describe("seed:scale deal flow and ledger keyset paging", () => {
  const t = useTestDb();

  it("seeds every state, reconciles clean, and pages the ledger by keyset", async () => {
    const info = await seedScale(t.db, {
      products: 60,
      firms: 300,
      requests: 600,
      applications: 1_500,
      seed: 7,
      today: "2026-12-06",
    });
    const states = await t.db.selectFrom("applications").select("state").groupBy("state").execute();
    expect(states.map((s) => s.state).sort()).toEqual([...APPLICATION_STATES].sort());
    expect(info.deals!.ledgerEntries).toBeGreaterThan(200);
    expect(info.deals!.repaymentEntries).toBeGreaterThan(500);
    expect(info.deals!.appraisals).toBeGreaterThan(0);

    const totals = await reconcileTotals(t.db);
    expect(totals.driftFen).toBe(0);
    expect(totals.driftCount).toBe(0);
    expect(totals.mismatchedApplications).toEqual([]);
    expect(totals.entries).toBe(info.deals!.ledgerEntries);
    const servicing = await reconcileServicing(t.db);
    expect(servicing.outstanding_drift_fen).toBe(0);
    expect(servicing.repayment_drift_fen).toBe(0);
    expect(servicing.repayment_entries).toBe(info.deals!.repaymentEntries);

    // Keyset: following the "next" cursor visits every entry once, newest first, exactly as the
    // OFFSET pages do; the "previous" cursor comes back to the same page.
    const size = 40;
    const scope = { kind: "all" } as const;
    const first = await listLedgerEntries(t.db, scope, {}, 1, size);
    const seen: LedgerRow[] = [...first.rows];
    const pages = [first.rows];
    let page = first;
    for (let n = 2; n <= first.pages; n++) {
      const last = page.rows[page.rows.length - 1].id;
      page = await listLedgerEntries(t.db, scope, {}, n, size, { after: last });
      expect(page.page).toBe(n);
      const byOffset = await listLedgerEntries(t.db, scope, {}, n, size);
      expect(page.rows.map((r) => r.id)).toEqual(byOffset.rows.map((r) => r.id));
      pages.push(page.rows);
      seen.push(...page.rows);
    }
    const ids = seen.map((r) => r.id);
    expect(ids.length).toBe(first.total);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const back = await listLedgerEntries(t.db, scope, {}, 2, size, { before: pages[2][0].id });
    expect(back.rows.map((r) => r.id)).toEqual(pages[1].map((r) => r.id));

    // With a filter, the cursor stays inside the filter.
    const month = seen[0].month;
    const filtered = await listLedgerEntries(t.db, scope, { month }, 1, 5);
    if (filtered.rows.length === 5) {
      const next = await listLedgerEntries(t.db, scope, { month }, 2, 5, {
        after: filtered.rows[4].id,
      });
      expect(next.rows.every((r) => r.month === month && r.id < filtered.rows[4].id)).toBe(true);
    }
  }, 120_000);
});
