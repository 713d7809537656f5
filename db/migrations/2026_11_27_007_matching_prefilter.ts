import type { Kysely } from "kysely";
import { dropIndex } from "./portable";

// Columns and indexes for the matching prefilter (app/models/matching.server.ts).
//
// A bank's product is matched against up to ~100,000 open requests in one page view. Evaluating
// every request's offered assets one by one is too slow at that size, so each request carries a
// summary of its collateral that gives, for any product, a LOWER and an UPPER bound of the
// engine's capacity without reading the assets:
//   upper: offered_<type>_fen (migration 003: Σ max(formal, indicative) of every offered asset of
//          that type) and formal_<type>_fen below (Σ formal value of pledgeable ones);
//   lower: when every asset counted in formal_<type>_fen is eligible under the product (the
//          earliest expiry, the earliest formal valid-until and, for trademarks, the latest
//          registration pass the product's limits), they all lend, so capacity ≥
//          Σ (value × rate − 9999) / 10000 over them.
// Requests between the bounds are decided by an exact per-asset query. All of it is derived from
// the offered assets and recomputed by app/models/request.server.ts (refreshRequestCollateral…)
// whenever a request's assets or an asset's status, dates or values change.
//
// offered_types_mask: bit 1 invention, 2 utility model, 4 design, 8 trademark — the IP types of
// all offered assets, whatever their state (the engine's "IP type accepted" rule looks at those).

const TYPES = ["invention", "utility_model", "design", "trademark"] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("financing_requests")
    .addColumn("offered_types_mask", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  for (const t of TYPES) {
    // One ALTER per column: SQLite adds a single column per statement.
    await db.schema
      .alterTable("financing_requests")
      .addColumn(`formal_${t}_fen`, "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("financing_requests")
      .addColumn(`formal_${t}_count`, "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable("financing_requests")
      .addColumn(`formal_${t}_expiry_min`, "date")
      .execute();
    await db.schema
      .alterTable("financing_requests")
      .addColumn(`formal_${t}_valid_min`, "date")
      .execute();
  }
  // Latest registration date of the counted trademarks; '9999-12-31' when one has none, so a
  // product with a minimum trademark age never takes the lower bound for granted.
  await db.schema
    .alterTable("financing_requests")
    .addColumn("formal_trademark_registered_max", "date")
    .execute();

  // The firm direction's product table is reloaded when COUNT(*), MAX(id) or SUM(version) of
  // loan_products changes: this index answers that without reading the table.
  await db.schema
    .createIndex("loan_products_version")
    .on("loan_products")
    .column("version")
    .execute();
  // Bank direction: open requests of one 盟市 in an amount range.
  await db.schema
    .createIndex("financing_requests_open_region")
    .on("financing_requests")
    .columns(["status", "region_code", "amount_fen"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are untyped by design
export async function down(db: Kysely<any>): Promise<void> {
  await dropIndex(db, "financing_requests_open_region", "financing_requests");
  await dropIndex(db, "loan_products_version", "loan_products");
  const columns = [
    "offered_types_mask",
    ...TYPES.flatMap((t) => [
      `formal_${t}_fen`,
      `formal_${t}_count`,
      `formal_${t}_expiry_min`,
      `formal_${t}_valid_min`,
    ]),
    "formal_trademark_registered_max",
  ];
  for (const c of columns) {
    await db.schema.alterTable("financing_requests").dropColumn(c).execute();
  }
}
