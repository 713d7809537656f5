import type { Db } from "../../utils/db.server";
import { publicDataVersion } from "../public-version.server";
import { getRiskFigures, type RiskFigures } from "./figures.server";

/**
 * The risk figures as of the public data version, kept per process. /report, its JSON and CSV and
 * /alliance/review all show these same figures, and summing them reads every loan account and
 * every repayment (about a second at seed:scale). They are recomputed when the version moves —
 * every payout, recovery, reservation, claim decision, subsidy payout, repayment, default and
 * stricter classification moves it (publicDataVersion) — and at least once a minute for what it
 * does not see (the daily reclassification), exactly as the public pages' own cache
 * (docs/decisions/012-production-mode.md). Concurrent requests share one computation.
 */
const MAX_AGE_MS = 60_000;

interface Entry {
  db: Db;
  version: string;
  at: number;
  figures: Promise<RiskFigures>;
}
let entry: Entry | null = null;

export async function getCurrentRiskFigures(db: Db, now = Date.now()): Promise<RiskFigures> {
  const version = await publicDataVersion(db);
  if (!entry || entry.db !== db || entry.version !== version || now - entry.at > MAX_AGE_MS) {
    const figures = getRiskFigures(db);
    const mine: Entry = { db, version, at: now, figures };
    entry = mine;
    // A failed computation is not kept: the next request tries again.
    figures.catch(() => {
      if (entry === mine) entry = null;
    });
  }
  return entry.figures;
}
