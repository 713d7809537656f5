import { sql, type Transaction } from "kysely";
import type { ApplicationState, Database, IpAsset, NewIpAsset } from "../../db/schema";
import type { PatentRecord, TrademarkRecord } from "../domain/asset";
import { assetKey } from "../domain/asset-import";
import type { IpType } from "../domain/ip";
import type { Db } from "../utils/db.server";
import { nowInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { ConflictError, isUniqueViolation, UserFacingError } from "./errors";
import { refreshRequestCollateralBounds } from "./request.server";

/**
 * IP assets of a firm (ip_assets). Every query is scoped by the firm's organisation: another
 * firm's id behaves exactly like one that does not exist. Numbers are unique platform-wide by the
 * key (asset_kind, number); a clash is reported without saying who holds the number.
 */

export type AssetRecord = PatentRecord | TrademarkRecord;
export type DbOrTrx = Db | Transaction<Database>;

/** Who acts: a firm user and the firm. */
export interface FirmActor {
  userId: number;
  orgId: number;
}

export function notFound(): UserFacingError {
  return new UserFacingError("assets:errors.not_found", {}, undefined, 404);
}

/** The columns a record sets; the rest keep their defaults (values, version). */
export function recordColumns(r: AssetRecord) {
  if (r.assetKind === "patent") {
    return {
      asset_kind: "patent" as const,
      ip_type: r.ipType,
      number: r.number,
      title: r.title,
      status: r.status,
      filing_date: r.filingDate,
      grant_date: r.grantDate,
      registration_date: null,
      expiry_date: r.expiryDate,
      ipc_class: r.ipcClass,
      claims_count: r.claimsCount,
      co_owned: r.coOwned ? 1 : 0,
      nice_class: null,
      trademark_kind: null,
      geo_indication: 0,
      well_known: 0,
      renewals: 0,
    };
  }
  return {
    asset_kind: "trademark" as const,
    ip_type: "trademark" as const,
    number: r.number,
    title: r.title,
    status: r.status,
    filing_date: null,
    grant_date: null,
    registration_date: r.registrationDate,
    expiry_date: r.expiryDate,
    ipc_class: null,
    claims_count: null,
    co_owned: 0,
    nice_class: r.niceClass,
    trademark_kind: r.trademarkKind,
    geo_indication: r.geoIndication ? 1 : 0,
    well_known: r.wellKnown ? 1 : 0,
    renewals: r.renewals,
  };
}

export function newAssetRow(orgId: number, r: AssetRecord, now: string): NewIpAsset {
  return { firm_org_id: orgId, ...recordColumns(r), created_at: now, updated_at: now };
}

/**
 * The message for a number someone already listed: "in your portfolio" when it is this firm's,
 * otherwise only "already listed" — which firm holds it is not ours to tell.
 */
async function duplicateNumberError(
  db: DbOrTrx,
  orgId: number,
  r: Pick<AssetRecord, "assetKind" | "number">,
): Promise<UserFacingError> {
  const holder = await db
    .selectFrom("ip_assets")
    .select("firm_org_id")
    .where("asset_kind", "=", r.assetKind)
    .where("number", "=", r.number)
    .executeTakeFirst();
  const key = holder?.firm_org_id === orgId ? "already_in_portfolio" : "already_listed";
  return new UserFacingError(`assets:errors.${key}`, {}, "number");
}

/** Used by the forms' async check so the clash shows next to the field before any write. */
export async function numberTakenMessageKey(
  db: Db,
  orgId: number,
  r: Pick<AssetRecord, "assetKind" | "number">,
  exceptAssetId?: number,
): Promise<string | null> {
  let q = db
    .selectFrom("ip_assets")
    .select(["id", "firm_org_id"])
    .where("asset_kind", "=", r.assetKind)
    .where("number", "=", r.number);
  if (exceptAssetId !== undefined) q = q.where("id", "<>", exceptAssetId);
  const row = await q.executeTakeFirst();
  if (!row) return null;
  return row.firm_org_id === orgId
    ? "assets:errors.already_in_portfolio"
    : "assets:errors.already_listed";
}

export async function createAsset(db: Db, actor: FirmActor, r: AssetRecord): Promise<number> {
  try {
    return await db.transaction().execute(async (trx) => {
      const res = await trx
        .insertInto("ip_assets")
        .values(newAssetRow(actor.orgId, r, nowInstant()))
        .executeTakeFirstOrThrow();
      const id = Number(res.insertId);
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "asset.create",
        entityType: "ip_asset",
        entityId: id,
        toState: r.status,
        detail: { assetKind: r.assetKind, ipType: r.ipType, number: r.number },
      });
      return id;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw await duplicateNumberError(db, actor.orgId, r);
    throw e;
  }
}

export async function getAsset(
  db: DbOrTrx,
  orgId: number,
  id: number,
): Promise<IpAsset | undefined> {
  return db
    .selectFrom("ip_assets")
    .selectAll()
    .where("id", "=", id)
    .where("firm_org_id", "=", orgId)
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Encumbrance: applications and pledges (issue 5 writes those tables; the check lives here)
// ---------------------------------------------------------------------------------------------

/**
 * Application states that do not by themselves hold an asset: the bank said no, the firm
 * withdrew, the loan was repaid, or its default was recorded. The guard holds an asset while a
 * pledge lock row exists for it (from approval until the pledge ends: for a defaulted loan, until
 * the disposal's sale is recorded or the bank releases the pledge — decision 022), and while an
 * application in any other state lists it: draft, submitted and under review before approval
 * (a draft lists the asset by id, and changing the number under it would change what the firm is
 * about to pledge; the firm can delete or withdraw the draft first), and approved, pledge
 * registered and disbursed, which hold their locks anyway. So the guard and the locks agree
 * (docs/domain.md#pledge-locks).
 */
export const RELEASED_APPLICATION_STATES: readonly ApplicationState[] = [
  "rejected",
  "withdrawn",
  "repaid",
  "defaulted",
];

export interface Encumbrance {
  /** The application holding the pledge lock, if any. */
  pledgedBy: number | null;
  /** Live applications that list the asset. */
  applications: { id: number; state: ApplicationState }[];
}

export async function findEncumbrance(db: DbOrTrx, assetId: number): Promise<Encumbrance> {
  const [lock, apps] = await Promise.all([
    db
      .selectFrom("pledge_locks")
      .select("application_id")
      .where("asset_id", "=", assetId)
      .executeTakeFirst(),
    db
      .selectFrom("application_assets")
      .innerJoin("applications", "applications.id", "application_assets.application_id")
      .select(["applications.id", "applications.state"])
      .where("application_assets.asset_id", "=", assetId)
      .where("applications.state", "not in", RELEASED_APPLICATION_STATES)
      .orderBy("applications.id")
      .execute(),
  ]);
  return { pledgedBy: lock?.application_id ?? null, applications: apps };
}

export function isEncumbered(e: Encumbrance): boolean {
  return e.pledgedBy !== null || e.applications.length > 0;
}

/**
 * Throws a field error on `number` when the asset is pledged or in a live application: its number
 * must not change and it must not be deleted. Call inside the transaction that makes the change.
 */
export async function assertAssetUnencumbered(
  trx: DbOrTrx,
  assetId: number,
  field = "number",
): Promise<void> {
  const e = await findEncumbrance(trx, assetId);
  if (e.pledgedBy !== null) {
    throw new UserFacingError("assets:errors.pledged", { application: e.pledgedBy }, field, 409);
  }
  if (e.applications.length > 0) {
    throw new UserFacingError(
      "assets:errors.in_application",
      { application: e.applications[0].id },
      field,
      409,
    );
  }
}

/**
 * An appraisal order still open (awaiting payment, paid, being appraised) or signed refers to the
 * asset; a signed report must stay verifiable, so such an asset is not deleted (mark it lapsed or
 * expired instead).
 */
async function assertNoAppraisalRecords(trx: DbOrTrx, assetId: number): Promise<void> {
  const row = await trx
    .selectFrom("appraisal_order_items")
    .innerJoin("appraisal_orders", "appraisal_orders.id", "appraisal_order_items.order_id")
    .select("appraisal_orders.id")
    .where("appraisal_order_items.asset_id", "=", assetId)
    .where("appraisal_orders.status", "not in", ["cancelled", "payment_failed"])
    .executeTakeFirst();
  if (row) {
    throw new UserFacingError("assets:errors.has_appraisal", { order: row.id }, "version", 409);
  }
}

/** An open financing request offering the asset to banks keeps it too. */
async function assertNotInOpenRequest(trx: DbOrTrx, assetId: number): Promise<void> {
  const row = await trx
    .selectFrom("financing_request_assets")
    .innerJoin("financing_requests", "financing_requests.id", "financing_request_assets.request_id")
    .select("financing_requests.id")
    .where("financing_request_assets.asset_id", "=", assetId)
    .where("financing_requests.status", "=", "open")
    .executeTakeFirst();
  if (row) {
    throw new UserFacingError("assets:errors.in_request", { request: row.id }, "version", 409);
  }
}

// ---------------------------------------------------------------------------------------------
// Edit and delete
// ---------------------------------------------------------------------------------------------

const AUDITED_COLUMNS = [
  "number",
  "ip_type",
  "title",
  "status",
  "filing_date",
  "grant_date",
  "registration_date",
  "expiry_date",
  "ipc_class",
  "claims_count",
  "co_owned",
  "nice_class",
  "trademark_kind",
  "geo_indication",
  "well_known",
  "renewals",
] as const;

/**
 * Saves an edit made on version `version`. The row is updated first (taking its lock on MySQL),
 * then the encumbrance is checked when the number changed; a refusal rolls the update back.
 */
export async function updateAsset(
  db: Db,
  actor: FirmActor,
  id: number,
  version: number,
  r: AssetRecord,
): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      const before = await getAsset(trx, actor.orgId, id);
      if (!before) throw notFound();
      if (before.asset_kind !== r.assetKind) throw notFound();
      const cols = recordColumns(r);
      const res = await trx
        .updateTable("ip_assets")
        .set({ ...cols, version: sql<number>`version + 1`, updated_at: nowInstant() })
        .where("id", "=", id)
        .where("firm_org_id", "=", actor.orgId)
        .where("version", "=", version)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
      if (before.number !== r.number) await assertAssetUnencumbered(trx, id);
      // Status, dates and expiry feed the collateral bounds of open requests offering the asset.
      await refreshRequestCollateralBounds(trx, id);
      const changes: Record<string, [unknown, unknown]> = {};
      for (const c of AUDITED_COLUMNS) {
        if (before[c] !== cols[c]) changes[c] = [before[c], cols[c]];
      }
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "asset.update",
        entityType: "ip_asset",
        entityId: id,
        fromState: before.status,
        toState: r.status,
        detail: changes,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw await duplicateNumberError(db, actor.orgId, r);
    throw e;
  }
}

/**
 * Deletes the asset (and its free indicative estimates) as seen at `version`. Refused while it is
 * pledged, in a live application or an open financing request, or has a formal appraisal.
 */
export async function deleteAsset(
  db: Db,
  actor: FirmActor,
  id: number,
  version: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await getAsset(trx, actor.orgId, id);
    if (!before) throw notFound();
    const res = await trx
      .deleteFrom("ip_assets")
      .where("id", "=", id)
      .where("firm_org_id", "=", actor.orgId)
      .where("version", "=", version)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw new ConflictError();
    await assertAssetUnencumbered(trx, id, "version");
    await assertNotInOpenRequest(trx, id);
    await assertNoAppraisalRecords(trx, id);
    await trx.deleteFrom("valuation_estimates").where("asset_id", "=", id).execute();
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "asset.delete",
      entityType: "ip_asset",
      entityId: id,
      fromState: before.status,
      toState: "deleted",
      detail: { assetKind: before.asset_kind, number: before.number, title: before.title },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The portfolio
// ---------------------------------------------------------------------------------------------

export const ASSET_SORTS = [
  "created",
  "number",
  "title",
  "type",
  "status",
  "expiry",
  "indicative",
  "formal",
  "validity",
] as const;
export type AssetSort = (typeof ASSET_SORTS)[number];

const SORT_COLUMN = {
  created: "ip_assets.id",
  number: "ip_assets.number",
  title: "ip_assets.title",
  type: "ip_assets.ip_type",
  status: "ip_assets.status",
  expiry: "ip_assets.expiry_date",
  indicative: "ip_assets.indicative_value_fen",
  formal: "ip_assets.formal_value_fen",
  validity: "ip_assets.formal_valid_until",
} as const satisfies Record<AssetSort, string>;

export interface AssetListQuery {
  q?: string;
  type?: IpType;
  status?: string;
  sort: AssetSort;
  dir: "asc" | "desc";
  page: number;
  pageSize: number;
}

/** LIKE pattern for a text containing `s`, with % _ and the escape character taken literally. */
function containsPattern(s: string): string {
  return `%${s.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** "ZL 2017 1060 1862.3" finds 201710601862.3: the search ignores ZL and spaces in numbers. */
function numberSearchText(q: string): string {
  const compact = q.replace(/\s+/g, "");
  return /^zl\d/i.test(compact) ? compact.slice(2) : compact;
}

export async function listAssets(db: Db, orgId: number, query: AssetListQuery) {
  let base = db.selectFrom("ip_assets").where("ip_assets.firm_org_id", "=", orgId);
  if (query.type) base = base.where("ip_assets.ip_type", "=", query.type);
  if (query.status) base = base.where("ip_assets.status", "=", query.status);
  const q = query.q?.trim();
  if (q) {
    const title = containsPattern(q);
    const number = containsPattern(numberSearchText(q));
    // Portable LIKE with an explicit escape character ('!' needs no escaping in either dialect).
    base = base.where((eb) =>
      eb.or([
        sql<boolean>`${eb.ref("ip_assets.title")} like ${title} escape '!'`,
        sql<boolean>`${eb.ref("ip_assets.number")} like ${number} escape '!'`,
      ]),
    );
  }
  const column = SORT_COLUMN[query.sort];
  const [rows, totals] = await Promise.all([
    base
      .leftJoin("valuation_estimates", "valuation_estimates.id", "ip_assets.indicative_estimate_id")
      .select([
        "ip_assets.id",
        "ip_assets.asset_kind",
        "ip_assets.ip_type",
        "ip_assets.number",
        "ip_assets.title",
        "ip_assets.status",
        "ip_assets.filing_date",
        "ip_assets.registration_date",
        "ip_assets.expiry_date",
        "ip_assets.nice_class",
        "ip_assets.indicative_value_fen",
        "ip_assets.formal_value_fen",
        "ip_assets.formal_valid_until",
        "valuation_estimates.low_fen as indicative_low_fen",
        "valuation_estimates.high_fen as indicative_high_fen",
        "valuation_estimates.valuation_date as indicative_date",
      ])
      .orderBy(column, query.dir)
      .orderBy("ip_assets.id", query.dir)
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base
      .select((eb) => [
        eb.fn.countAll<number>().as("n"),
        eb.fn.sum<number | null>("ip_assets.indicative_value_fen").as("indicative"),
        eb.fn.sum<number | null>("ip_assets.formal_value_fen").as("formal"),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const total = Number(totals.n);
  return {
    rows: rows.map((r) => ({
      ...r,
      indicative_value_fen: r.indicative_value_fen === null ? null : Number(r.indicative_value_fen),
      formal_value_fen: r.formal_value_fen === null ? null : Number(r.formal_value_fen),
      indicative_low_fen: r.indicative_low_fen === null ? null : Number(r.indicative_low_fen),
      indicative_high_fen: r.indicative_high_fen === null ? null : Number(r.indicative_high_fen),
    })),
    total,
    indicativeTotalFen: Number(totals.indicative ?? 0),
    formalTotalFen: Number(totals.formal ?? 0),
    page: query.page,
    pages: Math.max(1, Math.ceil(total / query.pageSize)),
  };
}

export async function countAssets(db: Db, orgId: number): Promise<number> {
  const row = await db
    .selectFrom("ip_assets")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("firm_org_id", "=", orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------
// Bulk (import and seed)
// ---------------------------------------------------------------------------------------------

/** Rows per INSERT: 500 × 27 columns stays far below SQLite's and MySQL's parameter limits. */
export const INSERT_BATCH_SIZE = 500;

/**
 * Which of these (kind, number) keys are already listed, and which of those by this firm.
 * Looked up 500 numbers at a time.
 */
export async function findListedNumbers(
  db: DbOrTrx,
  orgId: number,
  records: readonly Pick<AssetRecord, "assetKind" | "number">[],
): Promise<{ listed: Set<string>; own: Set<string> }> {
  const listed = new Set<string>();
  const own = new Set<string>();
  for (const kind of ["patent", "trademark"] as const) {
    const numbers = [...new Set(records.filter((r) => r.assetKind === kind).map((r) => r.number))];
    for (let i = 0; i < numbers.length; i += INSERT_BATCH_SIZE) {
      const chunk = numbers.slice(i, i + INSERT_BATCH_SIZE);
      const rows = await db
        .selectFrom("ip_assets")
        .select(["number", "firm_org_id"])
        .where("asset_kind", "=", kind)
        .where("number", "in", chunk)
        .execute();
      for (const row of rows) {
        const key = assetKey(kind, row.number);
        listed.add(key);
        if (row.firm_org_id === orgId) own.add(key);
      }
    }
  }
  return { listed, own };
}

/**
 * Inserts many records in batches inside the caller's transaction; `onBatch` hears the running
 * count after each batch. A number already listed aborts with the unique violation (the caller
 * rolls back).
 */
export async function insertAssetRecords(
  trx: Transaction<Database>,
  orgId: number,
  records: readonly AssetRecord[],
  onBatch?: (inserted: number) => void | Promise<void>,
): Promise<number> {
  const now = nowInstant();
  let inserted = 0;
  for (let i = 0; i < records.length; i += INSERT_BATCH_SIZE) {
    const batch = records.slice(i, i + INSERT_BATCH_SIZE).map((r) => newAssetRow(orgId, r, now));
    await trx.insertInto("ip_assets").values(batch).execute();
    inserted += batch.length;
    await onBatch?.(inserted);
  }
  return inserted;
}
