import { sql } from "kysely";
import type { Db } from "../utils/db.server";
import { getEventBus } from "../utils/event-bus.server";
import { riskDataVersion } from "./risk-sharing/figures.server";

/** The event bus channel on which every process forgets its rendered public pages. */
export const PUBLIC_CACHE_CHANNEL = "public-cache";

/**
 * For changes the data version does not see (a firm's name shown or hidden): every process, with
 * REDIS_URL every machine, drops its rendered public pages now rather than within the minute.
 */
export function invalidatePublicPages(): void {
  getEventBus().publish(PUBLIC_CACHE_CHANNEL);
}

/**
 * What the public pages (/, /products, /report and its exports) show changes only when one of
 * these changes: the ledger's rollups (every disbursement or reversal moves the total's entry
 * count), the servicing total (every repayment or reversal moves its entry count and balances), a
 * loan's default or stricter classification (their counts), a loan product (insert, edit or (de)activation moves the count or the sum of versions)
 * or a setting (the target phases), or the risk-sharing figures' rows (pool entries and
 * reservations, claim decisions, recoveries, subsidy payouts: riskDataVersion). One small read per request instead of rendering the page.
 * The daily reclassification (days past due) moves no version either: like organisation names and
 * firm flags it shows once the cached page is a minute old. Organisation names and firm flags have
 * no version; the HTTP cache also expires every minute
 * for them, like the report's own cache (docs/decisions/012-production-mode.md).
 */
export async function publicDataVersion(db: Db): Promise<string> {
  const [rollups, servicing, defaults, overrides, products, settings, accounts, risk] =
    await Promise.all([
      db
        .selectFrom("disbursement_rollups")
        .select(["dimension", "amount_fen", "entry_count"])
        .where("dimension", "in", ["total", "firms"])
        .execute(),
      db
        .selectFrom("servicing_rollups")
        .select(["outstanding_fen", "principal_repaid_fen", "interest_repaid_fen", "entry_count"])
        .where("dimension", "=", "total")
        .where("bucket", "=", "")
        .executeTakeFirst(),
      db
        .selectFrom("loan_defaults")
        .select(sql<number>`count(*)`.as("n"))
        .executeTakeFirst(),
      db
        .selectFrom("loan_classification_overrides")
        .select(sql<number>`count(*)`.as("n"))
        .executeTakeFirst(),
      db
        .selectFrom("loan_products")
        .select([
          sql<number>`count(*)`.as("n"),
          sql<number | null>`sum(version + active)`.as("v"),
          sql<string | null>`max(updated_at)`.as("at"),
        ])
        .executeTakeFirst(),
      db
        .selectFrom("settings")
        .select([sql<number>`count(*)`.as("n"), sql<string | null>`max(updated_at)`.as("at")])
        .executeTakeFirst(),
      // /report shows the balances: every repayment and the daily reclassification move them.
      db
        .selectFrom("loan_accounts")
        .select([
          sql<number | null>`sum(outstanding_principal_fen)`.as("o"),
          sql<number | null>`sum(days_past_due)`.as("d"),
          sql<number>`count(*)`.as("n"),
        ])
        .where("status", "=", "open")
        .executeTakeFirst(),
      riskDataVersion(db),
    ]);
  const ledger = rollups
    .map((r) => `${r.dimension}:${Number(r.amount_fen)}:${Number(r.entry_count)}`)
    .sort()
    .join(",");
  const loans = servicing
    ? [
        servicing.outstanding_fen,
        servicing.principal_repaid_fen,
        servicing.interest_repaid_fen,
        servicing.entry_count,
      ]
        .map(Number)
        .join(":")
    : "";
  return [
    ledger,
    `l:${loans}:${Number(defaults?.n ?? 0)}:${Number(overrides?.n ?? 0)}`,
    `p:${Number(products?.n ?? 0)}:${Number(products?.v ?? 0)}:${String(products?.at ?? "")}`,
    `s:${Number(settings?.n ?? 0)}:${String(settings?.at ?? "")}`,
    `a:${Number(accounts?.n ?? 0)}:${Number(accounts?.o ?? 0)}:${Number(accounts?.d ?? 0)}`,
    `r:${risk}`,
  ].join("|");
}
