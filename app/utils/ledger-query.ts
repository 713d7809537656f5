import { z } from "zod";
import { IP_TYPES } from "../domain/ip";
import { isMonth } from "../domain/progress";
import { REGION_CODES } from "../domain/regions";

/** The ledger pages' filters in the URL (?region=150200&month=2025-03&bank=3&ipType=invention). */
export const LedgerQuery = z.object({
  region: z
    .string()
    .refine((v) => (REGION_CODES as readonly string[]).includes(v))
    .optional()
    .catch(undefined),
  month: z.string().refine(isMonth).optional().catch(undefined),
  bank: z.coerce.number().int().positive().optional().catch(undefined),
  ipType: z.enum(IP_TYPES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).catch(1),
  /** Keyset cursor (listLedgerEntries): entries older than this id… */
  after: z.coerce.number().int().positive().optional().catch(undefined),
  /** …or newer than this id. */
  before: z.coerce.number().int().positive().optional().catch(undefined),
});
export type LedgerQueryValue = z.infer<typeof LedgerQuery>;

export function ledgerSearch(
  q: Partial<LedgerQueryValue>,
  page?: number,
  cursor: { after?: number; before?: number } = {},
): string {
  const p = new URLSearchParams();
  if (q.region) p.set("region", q.region);
  if (q.month) p.set("month", q.month);
  if (q.bank) p.set("bank", String(q.bank));
  if (q.ipType) p.set("ipType", q.ipType);
  if (page && page > 1) {
    p.set("page", String(page));
    if (cursor.after !== undefined) p.set("after", String(cursor.after));
    else if (cursor.before !== undefined) p.set("before", String(cursor.before));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The prev/next link of a ledger page: a keyset cursor from the first or last row shown. */
export function ledgerPageHref(
  q: Partial<LedgerQueryValue>,
  current: number,
  rows: ReadonlyArray<{ id: number }>,
  target: number,
): string {
  const cursor =
    rows.length === 0
      ? {}
      : target === current + 1
        ? { after: rows[rows.length - 1].id }
        : target === current - 1
          ? { before: rows[0].id }
          : {};
  return ledgerSearch(q, target, cursor) || "?";
}
