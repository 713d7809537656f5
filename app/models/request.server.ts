import type { Transaction } from "kysely";
import type { Database, FinancingRequest } from "../../db/schema";
import { isInForceOn } from "../domain/ip";
import { evaluateProduct } from "../domain/matching";
import { MAX_ANNUAL_RATE_BP, MAX_TERM_MONTHS } from "../domain/product";
import type { Db } from "../utils/db.server";
import { nowInstant, todayInChina } from "../utils/time";
import { createApplicationDraft, getApplicableProduct } from "./application.server";
import { writeAudit } from "./audit.server";
import { ConflictError, UserFacingError } from "./errors";
import { loadRequestsForEngine } from "./matching.server";
import {
  ASSET_ENGINE_COLUMNS,
  collateralColumns,
  isPledgeableStatus,
  productTermsFromRow,
  requestFirmColumns,
  type AssetRowForEngine,
  type AssetRowWithLock,
} from "../domain/matching/rows";
import { pageOf, type Page } from "./product.server";

/**
 * A firm's financing requests (融资需求): amount, term, the highest rate it accepts, a purpose and
 * the IP assets it offers as collateral. Each request keeps copies the matching prefilter needs
 * (the firm's region, industry and flags; a collateral summary of its offered assets, migration
 * 007) — see refreshRequestCollateral* for when they are recomputed.
 */

export const REQUEST_PAGE_SIZE = 20;
export const MAX_PURPOSE_LENGTH = 500;
/** 100亿元: far above any SME pledge loan; catches an amount typed in fen or with extra zeros. */
export const MAX_REQUEST_AMOUNT_FEN = 1_000_000_000_000;

export interface RequestInput {
  amountFen: number;
  termMonths: number;
  maxRateBp: number;
  purpose: string;
  assetIds: number[];
}

type Executor = Db | Transaction<Database>;

export function requestNotFound(): UserFacingError {
  return new UserFacingError("products:errors.requestNotFound", {}, undefined, 404);
}

/** The field-level checks the form also runs; returns [field, translation key, params]. */
export function requestInputProblems(
  input: RequestInput,
): Array<[keyof RequestInput, string, Record<string, unknown>]> {
  const problems: Array<[keyof RequestInput, string, Record<string, unknown>]> = [];
  if (
    !Number.isSafeInteger(input.amountFen) ||
    input.amountFen <= 0 ||
    input.amountFen > MAX_REQUEST_AMOUNT_FEN
  ) {
    problems.push(["amountFen", "products:errors.requestAmount", {}]);
  }
  if (
    !Number.isSafeInteger(input.termMonths) ||
    input.termMonths < 1 ||
    input.termMonths > MAX_TERM_MONTHS
  ) {
    problems.push(["termMonths", "products:errors.requestTerm", { max: MAX_TERM_MONTHS }]);
  }
  if (
    !Number.isSafeInteger(input.maxRateBp) ||
    input.maxRateBp <= 0 ||
    input.maxRateBp > MAX_ANNUAL_RATE_BP
  ) {
    problems.push(["maxRateBp", "products:errors.requestRate", {}]);
  }
  const purpose = input.purpose.trim();
  if (purpose === "") problems.push(["purpose", "products:errors.required", {}]);
  else if ([...purpose].length > MAX_PURPOSE_LENGTH) {
    problems.push(["purpose", "products:errors.tooLong", { max: MAX_PURPOSE_LENGTH }]);
  }
  if (input.assetIds.length === 0) problems.push(["assetIds", "products:errors.noAssets", {}]);
  return problems;
}

function checkInput(input: RequestInput): void {
  const [first] = requestInputProblems(input);
  if (first) throw new UserFacingError(first[1], first[2], first[0]);
}

/**
 * The firm's own assets among `assetIds` (all of them, or a field error). The rows are locked
 * first (a no-op write) and read after, so a value changed by a concurrent appraisal is either
 * seen here or recomputed by that transaction's refreshRequestCollateralBounds.
 */
async function ownAssets(
  trx: Executor,
  firmOrgId: number,
  assetIds: readonly number[],
): Promise<AssetRowForEngine[]> {
  const ids = [...new Set(assetIds)];
  await trx
    .updateTable("ip_assets")
    .set((eb) => ({ version: eb.ref("version") }))
    .where("firm_org_id", "=", firmOrgId)
    .where("id", "in", ids)
    .execute();
  const rows = await trx
    .selectFrom("ip_assets")
    .select(ASSET_ENGINE_COLUMNS)
    .where("firm_org_id", "=", firmOrgId)
    .where("id", "in", ids)
    .execute();
  if (rows.length !== ids.length) {
    throw new UserFacingError("products:errors.assetNotOwned", {}, "assetIds");
  }
  return rows;
}

async function firmColumns(trx: Executor, firmOrgId: number) {
  const org = await trx
    .selectFrom("organisations")
    .select([
      "region_code",
      "industry_section",
      "flag_high_tech",
      "flag_specialised",
      "flag_tech_sme",
    ])
    .where("id", "=", firmOrgId)
    .where("kind", "=", "firm")
    .executeTakeFirst();
  if (!org) throw new UserFacingError("products:errors.notAFirm", {}, undefined, 403);
  return requestFirmColumns(org);
}

export async function createRequest(
  db: Db,
  a: { firmOrgId: number; userId: number; input: RequestInput; today?: string },
): Promise<number> {
  checkInput(a.input);
  return db.transaction().execute(async (trx) => {
    const assets = await ownAssets(trx, a.firmOrgId, a.input.assetIds);
    const now = nowInstant();
    const res = await trx
      .insertInto("financing_requests")
      .values({
        firm_org_id: a.firmOrgId,
        amount_fen: a.input.amountFen,
        term_months: a.input.termMonths,
        max_rate_bp: a.input.maxRateBp,
        purpose: a.input.purpose.trim(),
        status: "open",
        ...(await firmColumns(trx, a.firmOrgId)),
        ...collateralColumns(a.today ?? todayInChina(), assets),
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await trx
      .insertInto("financing_request_assets")
      .values(assets.map((x) => ({ request_id: id, asset_id: x.id })))
      .execute();
    await writeAudit(trx, {
      actorUserId: a.userId,
      orgId: a.firmOrgId,
      action: "request.create",
      entityType: "financing_request",
      entityId: id,
      toState: "open",
      detail: { amountFen: a.input.amountFen, assetIds: assets.map((x) => x.id) },
    });
    return id;
  });
}

/** Changes an open request's terms and offered assets (and re-copies the firm's profile). */
export async function updateRequest(
  db: Db,
  a: {
    firmOrgId: number;
    userId: number;
    requestId: number;
    expectedVersion: number;
    input: RequestInput;
    today?: string;
  },
): Promise<void> {
  checkInput(a.input);
  await db.transaction().execute(async (trx) => {
    // The versioned write comes first: it locks the row before the assets are read.
    const res = await trx
      .updateTable("financing_requests")
      .set({ version: a.expectedVersion + 1, updated_at: nowInstant() })
      .where("id", "=", a.requestId)
      .where("firm_org_id", "=", a.firmOrgId)
      .where("status", "=", "open")
      .where("version", "=", a.expectedVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      await throwWhyNotUpdated(trx, a.firmOrgId, a.requestId);
    }
    const assets = await ownAssets(trx, a.firmOrgId, a.input.assetIds);
    await trx
      .updateTable("financing_requests")
      .set({
        amount_fen: a.input.amountFen,
        term_months: a.input.termMonths,
        max_rate_bp: a.input.maxRateBp,
        purpose: a.input.purpose.trim(),
        ...(await firmColumns(trx, a.firmOrgId)),
        ...collateralColumns(a.today ?? todayInChina(), assets),
      })
      .where("id", "=", a.requestId)
      .execute();
    await trx
      .deleteFrom("financing_request_assets")
      .where("request_id", "=", a.requestId)
      .execute();
    await trx
      .insertInto("financing_request_assets")
      .values(assets.map((x) => ({ request_id: a.requestId, asset_id: x.id })))
      .execute();
    await writeAudit(trx, {
      actorUserId: a.userId,
      orgId: a.firmOrgId,
      action: "request.update",
      entityType: "financing_request",
      entityId: a.requestId,
      detail: {
        version: a.expectedVersion + 1,
        amountFen: a.input.amountFen,
        termMonths: a.input.termMonths,
        maxRateBp: a.input.maxRateBp,
        assetIds: assets.map((x) => x.id),
      },
    });
  });
}

async function throwWhyNotUpdated(trx: Executor, firmOrgId: number, requestId: number) {
  const row = await trx
    .selectFrom("financing_requests")
    .select(["status"])
    .where("id", "=", requestId)
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirst();
  if (!row) throw requestNotFound();
  if (row.status !== "open") throw new ConflictError("products:errors.requestClosed");
  throw new ConflictError();
}

export async function closeRequest(
  db: Db,
  a: { firmOrgId: number; userId: number; requestId: number; expectedVersion: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable("financing_requests")
      .set({ status: "closed", version: a.expectedVersion + 1, updated_at: nowInstant() })
      .where("id", "=", a.requestId)
      .where("firm_org_id", "=", a.firmOrgId)
      .where("status", "=", "open")
      .where("version", "=", a.expectedVersion)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) await throwWhyNotUpdated(trx, a.firmOrgId, a.requestId);
    await writeAudit(trx, {
      actorUserId: a.userId,
      orgId: a.firmOrgId,
      action: "request.close",
      entityType: "financing_request",
      entityId: a.requestId,
      fromState: "open",
      toState: "closed",
    });
  });
}

export async function getFirmRequest(
  db: Executor,
  firmOrgId: number,
  requestId: number,
): Promise<(FinancingRequest & { assetIds: number[] }) | null> {
  const row = await db
    .selectFrom("financing_requests")
    .selectAll()
    .where("id", "=", requestId)
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirst();
  if (!row) return null;
  const assets = await db
    .selectFrom("financing_request_assets")
    .select("asset_id")
    .where("request_id", "=", requestId)
    .orderBy("asset_id")
    .execute();
  return { ...row, assetIds: assets.map((x) => x.asset_id) };
}

export type RequestListRow = Pick<
  FinancingRequest,
  "id" | "amount_fen" | "term_months" | "max_rate_bp" | "purpose" | "status" | "created_at"
> & { asset_count: number };

export async function listFirmRequests(
  db: Db,
  firmOrgId: number,
  page: number,
  pageSize = REQUEST_PAGE_SIZE,
): Promise<Page<RequestListRow>> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom("financing_requests as r")
      .select([
        "r.id",
        "r.amount_fen",
        "r.term_months",
        "r.max_rate_bp",
        "r.purpose",
        "r.status",
        "r.created_at",
      ])
      .select((eb) =>
        eb
          .selectFrom("financing_request_assets as fra")
          .select((e) => e.fn.countAll<number>().as("n"))
          .whereRef("fra.request_id", "=", "r.id")
          .as("asset_count"),
      )
      .where("r.firm_org_id", "=", firmOrgId)
      // Open first, then newest.
      .orderBy("r.status", "desc")
      .orderBy("r.id", "desc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    db
      .selectFrom("financing_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", firmOrgId)
      .executeTakeFirstOrThrow(),
  ]);
  return pageOf(
    rows.map((r) => ({ ...r, asset_count: Number(r.asset_count ?? 0) })),
    Number(count.n),
    page,
    pageSize,
  );
}

export type OfferableAsset = AssetRowWithLock & { inForce: boolean; formalExpired: boolean };

/**
 * The firm's assets for the offer checklist, in force first. "In force" (granted or registered,
 * before its expiry day) is what the form checks by default; the engine still judges each asset
 * against each product. `locked_by` is the application whose pledge holds the asset, if any.
 */
export async function listOfferableAssets(
  db: Db,
  firmOrgId: number,
  today: string,
): Promise<OfferableAsset[]> {
  const rows = await db
    .selectFrom("ip_assets as a")
    .leftJoin("pledge_locks as pl", "pl.asset_id", "a.id")
    .select(ASSET_ENGINE_COLUMNS.map((c) => `a.${c}` as const))
    .select("pl.application_id as locked_by")
    .where("a.firm_org_id", "=", firmOrgId)
    .orderBy("a.id")
    .execute();
  return rows
    .map((r) => ({
      ...r,
      inForce: isPledgeableStatus(r.ip_type, r.status) && isInForceOn(r.expiry_date, today),
      // Valid until is inclusive: expired from the day after (docs/domain.md#appraisal-validity).
      formalExpired: r.formal_valid_until !== null && r.formal_valid_until < today,
    }))
    .sort((a, b) => Number(b.inForce) - Number(a.inForce) || a.id - b.id);
}

/**
 * Recomputes the collateral summary (migration 007) of the given requests from their offered
 * assets as they are now. Locks the request rows first (a no-op write), so a concurrent edit of
 * the same request either finished before or waits until after this recomputation.
 */
export async function refreshRequestCollateral(
  trx: Transaction<Database>,
  requestIds: readonly number[],
  today: string = todayInChina(),
): Promise<void> {
  const ids = [...new Set(requestIds)];
  if (ids.length === 0) return;
  await trx
    .updateTable("financing_requests")
    .set((eb) => ({ version: eb.ref("version") }))
    .where("id", "in", ids)
    .execute();
  const rows = await trx
    .selectFrom("financing_request_assets as fra")
    .innerJoin("financing_requests as r", "r.id", "fra.request_id")
    .innerJoin("ip_assets as a", (j) =>
      j.onRef("a.id", "=", "fra.asset_id").onRef("a.firm_org_id", "=", "r.firm_org_id"),
    )
    .select("fra.request_id")
    .select(ASSET_ENGINE_COLUMNS.map((c) => `a.${c}` as const))
    .where("fra.request_id", "in", ids)
    .execute();
  const byRequest = new Map<number, AssetRowForEngine[]>(ids.map((id) => [id, []]));
  for (const r of rows) byRequest.get(r.request_id)?.push(r);
  for (const [id, assets] of byRequest) {
    await trx
      .updateTable("financing_requests")
      .set(collateralColumns(today, assets))
      .where("id", "=", id)
      .execute();
  }
}

/**
 * Call inside the transaction that changes an IP asset's status, dates, formal value (a signed
 * appraisal) or indicative value: the open requests offering it get their collateral summary
 * recomputed, so matching stays exact.
 */
export async function refreshRequestCollateralBounds(
  trx: Transaction<Database>,
  assetId: number,
  today: string = todayInChina(),
): Promise<void> {
  const rows = await trx
    .selectFrom("financing_request_assets as fra")
    .innerJoin("financing_requests as r", "r.id", "fra.request_id")
    .select("r.id")
    .where("fra.asset_id", "=", assetId)
    .where("r.status", "=", "open")
    .execute();
  await refreshRequestCollateral(
    trx,
    rows.map((r) => r.id),
    today,
  );
}

/**
 * Call inside the transaction that changes a firm's region, industry or flags: its open requests
 * re-copy them (the matching engine judges the firm as its requests recorded it).
 */
export async function refreshFirmRequests(
  trx: Transaction<Database>,
  firmOrgId: number,
): Promise<void> {
  await trx
    .updateTable("financing_requests")
    .set(await firmColumns(trx, firmOrgId))
    .where("firm_org_id", "=", firmOrgId)
    .where("status", "=", "open")
    .execute();
}

/** What "apply" on the match page led to: a draft, or the form to adjust the terms by hand. */
export type ApplyFromMatchResult =
  { outcome: "draft"; applicationId: number } | { outcome: "adjust" };

/**
 * "Apply" from the match page: the engine judges the request against the product again now, and
 * when it still matches, its least-collateral choice and the request's amount and term, at the
 * product's lowest rate, become a draft application. When it no longer matches (the product,
 * the assets or their values changed since the page was drawn) the firm adjusts the terms on the
 * application form instead. Another firm's request, or a product that is gone or paused, is a
 * 404.
 */
export async function applyFromMatch(
  db: Db,
  input: { firmOrgId: number; userId: number; requestId: number; productId: number },
  today: string = todayInChina(),
): Promise<ApplyFromMatchResult> {
  const [product, [loaded]] = await Promise.all([
    getApplicableProduct(db, input.productId),
    loadRequestsForEngine(db, [input.requestId], today),
  ]);
  if (!product)
    throw new UserFacingError("applications:errors.productNotFound", {}, undefined, 404);
  if (!loaded || loaded.row.firm_org_id !== input.firmOrgId) {
    throw new UserFacingError("applications:errors.requestNotFound", {}, undefined, 404);
  }
  const e = evaluateProduct(
    loaded.request,
    loaded.firm,
    loaded.assets,
    productTermsFromRow(product),
    today,
  );
  if (e.status !== "match" || !e.collateral) return { outcome: "adjust" };
  const { applicationId } = await createApplicationDraft(db, {
    firmOrgId: input.firmOrgId,
    userId: input.userId,
    productId: product.id,
    requestId: loaded.row.id,
    amountFen: loaded.request.amountFen,
    termMonths: loaded.request.termMonths,
    rateBp: product.min_rate_bp,
    assetIds: e.collateral.assetIds,
  });
  return { outcome: "draft", applicationId };
}
