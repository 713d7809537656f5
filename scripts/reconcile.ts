/**
 * `npm run reconcile` — recomputes every running total from the ledger and, a second time, from
 * the disbursed applications (each counting its standing disbursement; each reversal in the
 * ledger two entries and no money, decision 021), compares both with the stored
 * totals (disbursement_totals, the dashboard rollups, financed_firms) and prints the drift per
 * bucket. Exits 1 on any drift. The last line is JSON:
 *   {"entries":…,"total_fen":…,"drift_fen":0,"drift_count":0,"buckets":…,
 *    "loans":…,"repayment_entries":…,"outstanding_drift_fen":0,"repayment_drift_fen":0}
 * The last four recompute every loan's outstanding principal and repaid amounts, and the
 * servicing rollups, from the schedules and the repayment ledger (decision 010).
 *
 * Every bucket is listed when there are at most 200 of them (or with --all); otherwise only the
 * buckets that drift. DATABASE_URL selects the database, as for the app.
 */
import { formatYuanExact } from "../app/domain/money";
import { reconcileTotals, type BucketDrift } from "../app/models/ledger.server";
import { reconcileServicing } from "../app/models/servicing/loan.server";
import { reconcileRiskSharing } from "../app/models/risk-sharing/reconcile.server";
import { getDbHandle } from "../app/utils/db.server";

const showAll = process.argv.includes("--all");

function pad(s: string, n: number, right = false) {
  // Chinese characters take two columns in a terminal.
  const width = [...s].reduce((w, ch) => w + (/[\u3000-\uffff]/.test(ch) ? 2 : 1), 0);
  const fill = " ".repeat(Math.max(0, n - width));
  return right ? fill + s : s + fill;
}

function printTable(rows: BucketDrift[]) {
  const head = [
    "bucket (盟市|bank|IP type|month)",
    "stored ¥",
    "ledger ¥",
    "applications ¥",
    "entries",
    "drift ¥",
  ];
  const widths = [40, 18, 18, 18, 9, 14];
  console.log(head.map((h, i) => pad(h, widths[i], i > 0)).join("  "));
  for (const r of rows) {
    const cells = [
      r.key,
      formatYuanExact(r.storedFen),
      formatYuanExact(r.ledgerFen),
      formatYuanExact(r.applicationsFen),
      r.storedCount === r.ledgerCount ? String(r.ledgerCount) : `${r.storedCount}≠${r.ledgerCount}`,
      formatYuanExact(r.driftFen),
    ];
    console.log(cells.map((c, i) => pad(c, widths[i], i > 0)).join("  "));
  }
}

const { db, target } = getDbHandle();
try {
  const report = await reconcileTotals(db);
  const servicing = await reconcileServicing(db);
  console.log(`reconcile ${target}: ${report.entries} ledger entries, ${report.buckets} buckets`);
  const listed = showAll || report.rows.length <= 200 ? report.rows : report.drifts;
  if (listed.length) printTable(listed);
  const extra = report.drifts.filter((d) => !report.rows.includes(d));
  if (extra.length) {
    console.log("\ndrift in the rollups or financed_firms:");
    printTable(extra);
  }
  if (report.mismatchedApplications.length) {
    console.log(
      `\napplications without exactly one matching standing disbursement entry: ${report.mismatchedApplications.join(", ")}`,
    );
  }
  if (report.reversedInPlace.length) {
    // Reversed before migration 018e: the application was left disbursed. Exact, not drift.
    console.log(
      `\napplications reversed in place before 018e (still shown disbursed, net zero): ${report.reversedInPlace.join(", ")}`,
    );
  }
  if (servicing.drifts.length) {
    console.log(`\nservicing drift (loans and rollups): ${servicing.drifts.join(", ")}`);
  }
  // Risk pools, claims and subsidies (docs/domain.md#risk-pools): cached totals vs their entries.
  const risk = await reconcileRiskSharing(db);
  const riskClean =
    risk.pool_drift_fen === 0 && risk.claim_drift_fen === 0 && risk.subsidy_drift_fen === 0;
  console.log(
    `risk sharing: ${risk.pools_checked} pools, ${risk.claims_checked} claims, ${risk.subsidy_programmes_checked} subsidy programmes — ${riskClean ? "no drift" : "DRIFT"}`,
  );
  const clean =
    riskClean &&
    report.driftFen === 0 &&
    report.driftCount === 0 &&
    report.mismatchedApplications.length === 0 &&
    servicing.outstanding_drift_fen === 0 &&
    servicing.repayment_drift_fen === 0;
  console.log(
    clean
      ? `no drift: stored totals = ledger = applications (¥${formatYuanExact(report.totalFen)})`
      : `DRIFT in ${report.drifts.length} bucket(s)`,
  );
  console.log(
    JSON.stringify({
      entries: report.entries,
      total_fen: report.totalFen,
      drift_fen: report.driftFen,
      drift_count: report.driftCount + report.mismatchedApplications.length,
      buckets: report.buckets,
      loans: servicing.loans,
      repayment_entries: servicing.repayment_entries,
      outstanding_drift_fen: servicing.outstanding_drift_fen,
      repayment_drift_fen: servicing.repayment_drift_fen,
      ...risk,
    }),
  );
  if (!clean) process.exitCode = 1;
} catch (e) {
  console.error(e);
  process.exitCode = 2;
} finally {
  await db.destroy();
}
