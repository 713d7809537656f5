import { sql } from "kysely";
import type { Db } from "../utils/db.server";

/**
 * What the public pages (/, /products, /report and its exports) show changes only when one of
 * these changes: the ledger's rollups (every disbursement or reversal moves the total's entry
 * count), a loan product (insert, edit or (de)activation moves the count or the sum of versions)
 * or a setting (the target phases). One small read per request instead of rendering the page.
 * Organisation names and firm flags have no version; the HTTP cache also expires every minute
 * for them, like the report's own cache (docs/decisions/012-production-mode.md).
 */
export async function publicDataVersion(db: Db): Promise<string> {
  const [rollups, products, settings, servicing] = await Promise.all([
    db
      .selectFrom("disbursement_rollups")
      .select(["dimension", "amount_fen", "entry_count"])
      .where("dimension", "in", ["total", "firms"])
      .execute(),
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
  ]);
  const ledger = rollups
    .map((r) => `${r.dimension}:${Number(r.amount_fen)}:${Number(r.entry_count)}`)
    .sort()
    .join(",");
  return [
    ledger,
    `p:${Number(products?.n ?? 0)}:${Number(products?.v ?? 0)}:${String(products?.at ?? "")}`,
    `s:${Number(settings?.n ?? 0)}:${String(settings?.at ?? "")}`,
    `l:${Number(servicing?.n ?? 0)}:${Number(servicing?.o ?? 0)}:${Number(servicing?.d ?? 0)}`,
  ].join("|");
}
