import { sql } from "kysely";
import type { LoanProduct } from "../../db/schema";
import { industryName } from "../domain/industry";
import {
  validateProductTerms,
  type LoanProductTerms,
  type PledgeIpType,
  type ProductFieldError,
} from "../domain/product";
import type { RegionCode } from "../domain/regions";
import type { Db } from "../utils/db.server";
import { nowInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { ConflictError, UserFacingError } from "./errors";
import {
  IP_TYPE_BITS,
  productTermColumns,
  productTermsFromRow,
  regionBit,
} from "../domain/matching/rows";

/**
 * Bank loan products: a bank officer creates, edits, pauses and resumes its own bank's products.
 * Every query is scoped by the officer's bank; another bank's product id reads as "not found".
 */

export const PRODUCT_PAGE_SIZE = 20;
export const MAX_DESCRIPTION_LENGTH = 2000;

/** What an officer enters. The remaining quota is derived (see createProduct / updateProduct). */
export type ProductInput = Omit<
  LoanProductTerms,
  "id" | "bankOrgId" | "quotaRemainingFen" | "active"
> & { description: string };

/** Terms that failed validateProductTerms; the form shows each next to its field. */
export class ProductValidationError extends UserFacingError {
  constructor(public readonly fieldErrors: ProductFieldError[]) {
    super("products:errors.invalid", {}, fieldErrors[0]?.field);
    this.name = "ProductValidationError";
  }
}

export function productNotFound(): UserFacingError {
  return new UserFacingError("products:errors.notFound", {}, undefined, 404);
}

function termsOf(
  input: ProductInput,
  quotaRemainingFen: number,
  active: boolean,
  ids: { id: number; bankOrgId: number },
): LoanProductTerms {
  const { description: _description, ...terms } = input;
  return { ...terms, ...ids, name: input.name.trim(), quotaRemainingFen, active };
}

function validateOrThrow(terms: LoanProductTerms, description: string): void {
  const errors = validateProductTerms(terms);
  if ([...description].length > MAX_DESCRIPTION_LENGTH) {
    errors.push({
      field: "description",
      code: "too_long",
      params: { max: MAX_DESCRIPTION_LENGTH },
    });
  }
  if (errors.length > 0) throw new ProductValidationError(errors);
}

export async function createProduct(
  db: Db,
  a: { bankOrgId: number; userId: number; input: ProductInput },
): Promise<number> {
  // A new product starts with its whole quota available.
  const terms = termsOf(a.input, a.input.quotaTotalFen, true, { id: 0, bankOrgId: a.bankOrgId });
  validateOrThrow(terms, a.input.description);
  return db.transaction().execute(async (trx) => {
    const now = nowInstant();
    const res = await trx
      .insertInto("loan_products")
      .values({
        bank_org_id: a.bankOrgId,
        name: terms.name,
        description: a.input.description.trim(),
        ...productTermColumns(terms),
        version: 1,
        created_by: a.userId,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await writeAudit(trx, {
      actorUserId: a.userId,
      orgId: a.bankOrgId,
      action: "product.create",
      entityType: "loan_product",
      entityId: id,
      toState: "active",
      detail: { name: terms.name, quotaTotalFen: terms.quotaTotalFen },
    });
    return id;
  });
}

/**
 * Saves new terms if nobody changed the product since `expectedVersion` was read. Changing the
 * total quota moves the remaining quota by the same amount (what was already used stays used),
 * never below 0: a total cut below what is already committed leaves nothing remaining. Submitted
 * applications are unaffected: they carry their own snapshot (productSnapshot).
 */
export async function updateProduct(
  db: Db,
  a: {
    bankOrgId: number;
    userId: number;
    productId: number;
    expectedVersion: number;
    input: ProductInput;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("loan_products")
      .selectAll()
      .where("id", "=", a.productId)
      .where("bank_org_id", "=", a.bankOrgId)
      .executeTakeFirst();
    if (!current) throw productNotFound();
    if (current.version !== a.expectedVersion) throw new ConflictError();
    const remaining = Math.max(
      0,
      Number(current.quota_remaining_fen) +
        (a.input.quotaTotalFen - Number(current.quota_total_fen)),
    );
    const terms = termsOf(a.input, remaining, current.active === 1, {
      id: current.id,
      bankOrgId: a.bankOrgId,
    });
    validateOrThrow(terms, a.input.description);
    const columns = {
      name: terms.name,
      description: a.input.description.trim(),
      ...productTermColumns(terms),
    };
    const res = await trx
      .updateTable("loan_products")
      .set({ ...columns, version: current.version + 1, updated_at: nowInstant() })
      .where("id", "=", a.productId)
      .where("bank_org_id", "=", a.bankOrgId)
      .where("version", "=", a.expectedVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, v] of Object.entries(columns)) {
      const before = current[k as keyof LoanProduct];
      if (String(before) !== String(v)) changed[k] = { from: before, to: v };
    }
    await writeAudit(trx, {
      actorUserId: a.userId,
      orgId: a.bankOrgId,
      action: "product.update",
      entityType: "loan_product",
      entityId: a.productId,
      detail: { version: current.version + 1, changed },
    });
  });
}

/** Pauses (active = false) or resumes a product; a paused product matches no request. */
export async function setProductActive(
  db: Db,
  a: {
    bankOrgId: number;
    userId: number;
    productId: number;
    expectedVersion: number;
    active: boolean;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const from = a.active ? 0 : 1;
    const res = await trx
      .updateTable("loan_products")
      .set({ active: a.active ? 1 : 0, version: a.expectedVersion + 1, updated_at: nowInstant() })
      .where("id", "=", a.productId)
      .where("bank_org_id", "=", a.bankOrgId)
      .where("version", "=", a.expectedVersion)
      .where("active", "=", from)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const exists = await trx
        .selectFrom("loan_products")
        .select("id")
        .where("id", "=", a.productId)
        .where("bank_org_id", "=", a.bankOrgId)
        .executeTakeFirst();
      throw exists ? new ConflictError() : productNotFound();
    }
    await writeAudit(trx, {
      actorUserId: a.userId,
      orgId: a.bankOrgId,
      action: a.active ? "product.resume" : "product.pause",
      entityType: "loan_product",
      entityId: a.productId,
      fromState: a.active ? "paused" : "active",
      toState: a.active ? "active" : "paused",
    });
  });
}

/** One of the bank's own products, or null (also for another bank's product). */
export async function getBankProduct(
  db: Db,
  bankOrgId: number,
  productId: number,
): Promise<LoanProduct | null> {
  const row = await db
    .selectFrom("loan_products")
    .selectAll()
    .where("id", "=", productId)
    .where("bank_org_id", "=", bankOrgId)
    .executeTakeFirst();
  return row ?? null;
}

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

export function pageOf<T>(rows: T[], total: number, page: number, pageSize: number): Page<T> {
  return { rows, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

/** Clamps a 1-based page number from a query string. */
export function parsePage(v: string | null | undefined): number {
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

export async function listBankProducts(
  db: Db,
  bankOrgId: number,
  page: number,
  pageSize = PRODUCT_PAGE_SIZE,
): Promise<Page<LoanProduct>> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom("loan_products")
      .selectAll()
      .where("bank_org_id", "=", bankOrgId)
      .orderBy("id", "desc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    db
      .selectFrom("loan_products")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("bank_org_id", "=", bankOrgId)
      .executeTakeFirstOrThrow(),
  ]);
  return pageOf(rows, Number(count.n), page, pageSize);
}

export interface CatalogueFilters {
  regionCode?: RegionCode;
  ipType?: PledgeIpType;
  amountFen?: number;
  termMonths?: number;
}

export type CatalogueProduct = LoanProduct & { bank_name: string };

/** The public catalogue: active products of every bank, lowest rate first. */
export async function listCatalogue(
  db: Db,
  filters: CatalogueFilters,
  page: number,
  pageSize = PRODUCT_PAGE_SIZE,
): Promise<Page<CatalogueProduct>> {
  let q = db
    .selectFrom("loan_products as p")
    .innerJoin("organisations as o", "o.id", "p.bank_org_id")
    .where("p.active", "=", 1);
  if (filters.regionCode) {
    const bit = regionBit(filters.regionCode);
    q = q.where(sql<boolean>`(p.all_regions = 1 OR (p.region_mask & ${sql.lit(bit)}) <> 0)`);
  }
  if (filters.ipType) {
    q = q.where(sql<boolean>`(p.ip_types_mask & ${sql.lit(IP_TYPE_BITS[filters.ipType])}) <> 0`);
  }
  if (filters.amountFen !== undefined) {
    q = q
      .where("p.min_amount_fen", "<=", filters.amountFen)
      .where("p.max_amount_fen", ">=", filters.amountFen);
  }
  if (filters.termMonths !== undefined) {
    q = q
      .where("p.min_term_months", "<=", filters.termMonths)
      .where("p.max_term_months", ">=", filters.termMonths);
  }
  const [rows, count] = await Promise.all([
    q
      .selectAll("p")
      .select("o.name as bank_name")
      .orderBy("p.min_rate_bp", "asc")
      .orderBy("p.id", "asc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return pageOf(rows, Number(count.n), page, pageSize);
}

export interface ProductSnapshot {
  productId: number;
  bankOrgId: number;
  version: number;
  name: string;
  description: string;
  terms: LoanProductTerms;
  /** Industry names in Chinese, so a snapshot reads the same if the code list ever changes. */
  industryNames: string[] | "all";
}

/**
 * The terms an application keeps from the moment it is created: store
 * JSON.stringify(productSnapshot(row)) in applications.product_snapshot_json. Later edits of the
 * product change the row, never the snapshot.
 */
export function productSnapshot(row: LoanProduct): ProductSnapshot {
  const terms = productTermsFromRow(row);
  return {
    productId: row.id,
    bankOrgId: row.bank_org_id,
    version: row.version,
    name: row.name,
    description: row.description,
    terms,
    industryNames:
      terms.industries === "all" ? "all" : terms.industries.map((s) => industryName(s, "zh-CN")),
  };
}
