import { MysqlAdapter, sql, type ExpressionBuilder, type SqlBool, type Transaction } from "kysely";
import type { Database, IpType, LedgerEntry, RollupDimension } from "../../db/schema";
import { DISBURSED_STATES } from "../domain/application";
import { nextDisbursementSlot, type DisbursementSlot } from "../domain/disbursement";
import type { Db } from "../utils/db.server";
import { nowInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { ConflictError, isUniqueViolation } from "./errors";

/**
 * The append-only ledger (docs/domain.md#ledger) and the totals kept beside it.
 *
 * - At most one standing disbursement per application (decision 021): the first disbursement has
 *   ledger_entries.disbursement_key = application_id, a corrected one after a reversal has
 *   after_reversal_id = that reversal; both keys are unique, so a retried or concurrent
 *   disbursement cannot add a second standing entry.
 * - Corrections are reversal entries (admin only, with a reason): the negative amount in the same
 *   bucket and month as the entry reversed, reverses_entry_id unique. Nothing here ever UPDATEs or
 *   DELETEs a ledger row. The reversal of a disbursement also returns its application to
 *   pledge_registered (app/models/application/reversal.server.ts).
 * - In the same transaction as every entry: disbursement_totals (盟市 × bank × primary IP type ×
 *   month of the value date) += amount and entry_count += 1; financed_firms.disbursement_count
 *   ± 1; and the rollups (migration 008) the dashboards read. entry_count counts ledger entries,
 *   reversals included, so it always equals the number of rows the ledger page lists for a bucket.
 *
 * Upserts are portable: UPDATE … SET x = x + ?; when no row matched, INSERT; when that INSERT hits
 * the key (a concurrent first insert committed meanwhile), UPDATE again. On MySQL the deal
 * transactions run at READ COMMITTED (no gap locks on the missing-row UPDATE) and are retried on
 * a deadlock; on SQLite the single connection serialises them.
 */

export type Trx = Transaction<Database>;
export type Executor = Db | Trx;

export function isMysql(db: Executor): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}

const RETRYABLE_MYSQL_ERRNO = new Set([1213 /* deadlock */, 1205 /* lock wait timeout */]);

function isRetryable(e: unknown): boolean {
  const err = e as { errno?: number; code?: string };
  return (
    (err?.errno !== undefined && RETRYABLE_MYSQL_ERRNO.has(err.errno)) ||
    err?.code === "SQLITE_BUSY"
  );
}

/**
 * Runs `fn` in one transaction, retrying the whole transaction when the database chose it as a
 * deadlock victim (it was rolled back, so nothing of it remains). A refusal thrown by `fn` is not
 * retried.
 */
export async function runApplicationTransaction<T>(
  db: Db,
  fn: (trx: Trx) => Promise<T>,
  attempts = 10,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = db.transaction();
      return await (isMysql(db) ? builder.setIsolationLevel("read committed") : builder).execute(
        fn,
      );
    } catch (e) {
      if (attempt >= attempts || !isRetryable(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** UPDATE first; INSERT when nothing matched; UPDATE again if a concurrent INSERT won. */
async function upsertAdd(
  update: () => Promise<bigint>,
  insert: () => Promise<unknown>,
  what: string,
): Promise<void> {
  if ((await update()) > 0n) return;
  try {
    await insert();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    if ((await update()) === 0n) throw new Error(`upsert of ${what} found neither row nor room`);
  }
}

export interface Bucket {
  regionCode: string;
  bankOrgId: number;
  ipType: IpType;
  month: string;
}

async function addToBucket(trx: Trx, b: Bucket, amountFen: number): Promise<void> {
  await upsertAdd(
    async () =>
      (
        await trx
          .updateTable("disbursement_totals")
          .set((eb) => ({
            amount_fen: eb("amount_fen", "+", amountFen),
            entry_count: eb("entry_count", "+", 1),
          }))
          .where("region_code", "=", b.regionCode)
          .where("bank_org_id", "=", b.bankOrgId)
          .where("ip_type", "=", b.ipType)
          .where("month", "=", b.month)
          .executeTakeFirst()
      ).numUpdatedRows,
    () =>
      trx
        .insertInto("disbursement_totals")
        .values({
          region_code: b.regionCode,
          bank_org_id: b.bankOrgId,
          ip_type: b.ipType,
          month: b.month,
          amount_fen: amountFen,
          entry_count: 1,
        })
        .execute(),
    "disbursement_totals",
  );
}

async function addToRollup(
  trx: Trx,
  dimension: RollupDimension,
  bucket: string,
  amountFen: number,
  entries: number,
): Promise<void> {
  await upsertAdd(
    async () =>
      (
        await trx
          .updateTable("disbursement_rollups")
          .set((eb) => ({
            amount_fen: eb("amount_fen", "+", amountFen),
            entry_count: eb("entry_count", "+", entries),
          }))
          .where("dimension", "=", dimension)
          .where("bucket", "=", bucket)
          .executeTakeFirst()
      ).numUpdatedRows,
    () =>
      trx
        .insertInto("disbursement_rollups")
        .values({ dimension, bucket, amount_fen: amountFen, entry_count: entries })
        .execute(),
    `disbursement_rollups ${dimension}/${bucket}`,
  );
}

/**
 * financed_firms.disbursement_count ± 1 for the firm. Returns +1 when the firm just became
 * financed (0 → 1), −1 when it stopped (1 → 0), else 0, for the `firms` rollup. first_value_date
 * is the earliest value date of any disbursement entry of the firm (a reversal leaves it).
 */
async function adjustFinancedFirm(
  trx: Trx,
  firmOrgId: number,
  delta: 1 | -1,
  valueDate: string,
): Promise<number> {
  const update = async () =>
    (
      await trx
        .updateTable("financed_firms")
        .set((eb) =>
          delta > 0
            ? {
                disbursement_count: eb("disbursement_count", "+", 1),
                first_value_date: eb
                  .case()
                  .when("first_value_date", ">", valueDate)
                  .then(valueDate)
                  .else(eb.ref("first_value_date"))
                  .end(),
              }
            : { disbursement_count: eb("disbursement_count", "-", 1) },
        )
        .where("firm_org_id", "=", firmOrgId)
        .executeTakeFirst()
    ).numUpdatedRows;
  await upsertAdd(
    update,
    () =>
      trx
        .insertInto("financed_firms")
        .values({ firm_org_id: firmOrgId, disbursement_count: delta, first_value_date: valueDate })
        .execute(),
    "financed_firms",
  );
  // We hold the row lock now, so this reads our own write and nobody else's.
  const row = await trx
    .selectFrom("financed_firms")
    .select("disbursement_count")
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirstOrThrow();
  const after = Number(row.disbursement_count);
  if (delta > 0 && after === 1) return 1;
  if (delta < 0 && after === 0) return -1;
  return 0;
}

interface TotalsChange extends Bucket {
  amountFen: number;
  firmOrgId: number;
  firmDelta: 1 | -1;
  valueDate: string;
}

/**
 * Adds one ledger entry to every total, always in the same order (bucket, firm, rollups in a fixed
 * order) so concurrent transactions take their row locks in one order and cannot deadlock on them.
 */
async function applyToTotals(trx: Trx, c: TotalsChange): Promise<void> {
  await addToBucket(trx, c, c.amountFen);
  const firmsDelta = await adjustFinancedFirm(trx, c.firmOrgId, c.firmDelta, c.valueDate);
  await addToRollup(trx, "total", "", c.amountFen, 1);
  await addToRollup(trx, "month", c.month, c.amountFen, 1);
  await addToRollup(trx, "region", c.regionCode, c.amountFen, 1);
  await addToRollup(trx, "bank", String(c.bankOrgId), c.amountFen, 1);
  await addToRollup(trx, "ip_type", c.ipType, c.amountFen, 1);
  if (firmsDelta !== 0) await addToRollup(trx, "firms", "", 0, firmsDelta);
}

export interface DisbursementEntryInput extends Bucket {
  applicationId: number;
  /** The reversal whose slot this disbursement fills; null for the application's first. */
  afterReversalId: number | null;
  amountFen: number;
  valueDate: string;
  firmOrgId: number;
  createdBy: number;
}

/** Test hooks: let a test crash the transaction between two steps. */
export interface LedgerHooks {
  afterLedgerInsert?: () => void | Promise<void>;
}

/**
 * Where the application's next disbursement goes (decision 021), from its ledger entries read in
 * the caller's transaction.
 */
export async function disbursementSlotOf(
  trx: Executor,
  applicationId: number,
): Promise<DisbursementSlot> {
  const rows = await trx
    .selectFrom("ledger_entries")
    .select(["id", "entry_type", "reverses_entry_id", "amount_fen"])
    .where("application_id", "=", applicationId)
    .execute();
  return nextDisbursementSlot(
    rows.map((r) => ({
      id: r.id,
      entryType: r.entry_type,
      reversesEntryId: r.reverses_entry_id,
      amountFen: Number(r.amount_fen),
    })),
  );
}

/**
 * The disbursement entry and its totals, inside the caller's transaction (the one that moves the
 * application to disbursed). A second entry for the same slot — the application's first, or the
 * one a reversal opened — is refused by the unique key and reported as a conflict.
 */
export async function insertDisbursementEntry(
  trx: Trx,
  e: DisbursementEntryInput,
  hooks: LedgerHooks = {},
): Promise<number> {
  let entryId: number;
  try {
    const res = await trx
      .insertInto("ledger_entries")
      .values({
        entry_type: "disbursement",
        application_id: e.applicationId,
        disbursement_key: e.afterReversalId === null ? e.applicationId : null,
        reverses_entry_id: null,
        after_reversal_id: e.afterReversalId,
        amount_fen: e.amountFen,
        value_date: e.valueDate,
        month: e.month,
        region_code: e.regionCode,
        bank_org_id: e.bankOrgId,
        firm_org_id: e.firmOrgId,
        ip_type: e.ipType,
        reason: null,
        created_by: e.createdBy,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    entryId = Number(res.insertId);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError("applications:errors.alreadyDisbursed");
    throw err;
  }
  await hooks.afterLedgerInsert?.();
  await applyToTotals(trx, {
    ...e,
    firmDelta: 1,
  });
  return entryId;
}

/**
 * The reversal entry of a disbursement and its totals, inside the caller's transaction (the one
 * that returns the application to pledge_registered, app/models/application/reversal.server.ts):
 * a new entry with the negative amount in the same bucket and month, so the history nets out
 * where the error was. An entry is reversed at most once (reverses_entry_id unique).
 */
export async function insertReversalEntry(
  trx: Trx,
  entry: LedgerEntry,
  input: { reason: string; actorUserId: number; actorOrgId: number },
): Promise<number> {
  let reversalId: number;
  try {
    const res = await trx
      .insertInto("ledger_entries")
      .values({
        entry_type: "reversal",
        application_id: entry.application_id,
        disbursement_key: null,
        reverses_entry_id: entry.id,
        after_reversal_id: null,
        amount_fen: -Number(entry.amount_fen),
        value_date: entry.value_date,
        month: entry.month,
        region_code: entry.region_code,
        bank_org_id: entry.bank_org_id,
        firm_org_id: entry.firm_org_id,
        ip_type: entry.ip_type,
        reason: input.reason,
        created_by: input.actorUserId,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    reversalId = Number(res.insertId);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError("applications:errors.alreadyReversed");
    throw err;
  }
  await applyToTotals(trx, {
    regionCode: entry.region_code,
    bankOrgId: entry.bank_org_id,
    ipType: entry.ip_type,
    month: entry.month,
    amountFen: -Number(entry.amount_fen),
    firmOrgId: entry.firm_org_id,
    firmDelta: -1,
    valueDate: entry.value_date,
  });
  await writeAudit(trx, {
    actorUserId: input.actorUserId,
    orgId: input.actorOrgId,
    action: "ledger.reverse",
    entityType: "ledger_entry",
    entityId: entry.id,
    fromState: "posted",
    toState: "reversed",
    reason: input.reason,
    detail: {
      reversalId,
      amountFen: -Number(entry.amount_fen),
      applicationId: entry.application_id,
    },
  });
  return reversalId;
}

/**
 * The join condition that makes `d` the application's standing disbursement: a disbursement entry
 * of the application that no reversal names. At most one per application (decision 021), so
 * `LEFT JOIN ledger_entries d ON d.application_id = a.id AND <this>` keeps one row per
 * application, and COALESCE(d.amount_fen, 0) is its net disbursed amount: every earlier
 * disbursement was reversed and nets to zero with its reversal. Read from the indexes
 * ledger_entries_application (018e) and reverses_entry_id, never from the ledger's rows.
 */
export const STANDING_DISBURSEMENT = sql<SqlBool>`(d.entry_type = 'disbursement' AND NOT EXISTS (
  SELECT 1 FROM ledger_entries d_rev WHERE d_rev.reverses_entry_id = d.id))`;

// ---------------------------------------------------------------------------------------------
// Reading the ledger
// ---------------------------------------------------------------------------------------------

export type LedgerScope =
  { kind: "all" } | { kind: "bank"; bankOrgId: number } | { kind: "firm"; firmOrgId: number };

export interface LedgerFilter {
  region?: string;
  month?: string;
  bankOrgId?: number;
  ipType?: IpType;
  /** Inclusive month range, for the cumulative chart's "up to this month". */
  fromMonth?: string;
  toMonth?: string;
}

export const LEDGER_PAGE_SIZE = 50;

function filteredLedger(db: Executor, scope: LedgerScope, f: LedgerFilter) {
  let q = db.selectFrom("ledger_entries");
  if (scope.kind === "bank") q = q.where("ledger_entries.bank_org_id", "=", scope.bankOrgId);
  if (scope.kind === "firm") q = q.where("ledger_entries.firm_org_id", "=", scope.firmOrgId);
  if (f.region) q = q.where("ledger_entries.region_code", "=", f.region);
  if (f.month) q = q.where("ledger_entries.month", "=", f.month);
  if (f.fromMonth) q = q.where("ledger_entries.month", ">=", f.fromMonth);
  if (f.toMonth) q = q.where("ledger_entries.month", "<=", f.toMonth);
  if (f.bankOrgId !== undefined) q = q.where("ledger_entries.bank_org_id", "=", f.bankOrgId);
  if (f.ipType) q = q.where("ledger_entries.ip_type", "=", f.ipType);
  return q;
}

export interface LedgerRow {
  id: number;
  entryType: "disbursement" | "reversal";
  applicationId: number;
  reversesEntryId: number | null;
  reversedById: number | null;
  amountFen: number;
  valueDate: string;
  month: string;
  regionCode: string;
  bankOrgId: number;
  bankName: string;
  firmOrgId: number;
  firmName: string;
  ipType: IpType;
  reason: string | null;
  createdAt: string;
}

/**
 * Keyset cursor of the ledger pages (issue 15): `after` an entry id lists the entries older than
 * it (the next page), `before` one the entries newer than it (the previous page). The order is the
 * entry id, newest first, which is unique, so pages never overlap or skip a row, and the database
 * seeks to the cursor through the primary key instead of counting off OFFSET rows.
 */
export interface LedgerCursor {
  after?: number;
  before?: number;
}

/**
 * One page of entries (newest first) within the viewer's scope, with the exact count and sum of
 * every entry matching the filter — the figure a chart showed, for those who may see all of it.
 * With a cursor the page is read by keyset (`page` is then only the number shown); without one,
 * page 1 is the newest entries and another page falls back to OFFSET (old links).
 */
export async function listLedgerEntries(
  db: Db,
  scope: LedgerScope,
  filter: LedgerFilter,
  page: number,
  pageSize = LEDGER_PAGE_SIZE,
  cursor: LedgerCursor = {},
): Promise<{ rows: LedgerRow[]; total: number; sumFen: number; page: number; pages: number }> {
  const agg = await filteredLedger(db, scope, filter)
    .select((eb) => [
      eb.fn.countAll<number | string>().as("n"),
      eb.fn.sum<number | string | null>("ledger_entries.amount_fen").as("sum"),
    ])
    .executeTakeFirstOrThrow();
  const total = Number(agg.n);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, page), pages);
  let keyed = filteredLedger(db, scope, filter);
  const backwards = cursor.after === undefined && cursor.before !== undefined;
  if (cursor.after !== undefined) keyed = keyed.where("ledger_entries.id", "<", cursor.after);
  else if (cursor.before !== undefined)
    keyed = keyed.where("ledger_entries.id", ">", cursor.before);
  const useKeyset = cursor.after !== undefined || cursor.before !== undefined;
  // The page's ids first, from the ledger alone (a seek on the primary key), then their names:
  // joined in one statement, MariaDB drove the join from organisations and sorted every entry.
  const pageIds = (
    await keyed
      .select("ledger_entries.id")
      .orderBy("ledger_entries.id", backwards ? "asc" : "desc")
      .limit(pageSize)
      .offset(useKeyset ? 0 : (current - 1) * pageSize)
      .execute()
  ).map((r) => r.id);
  const fetched =
    pageIds.length === 0
      ? []
      : await db
          .selectFrom("ledger_entries")
          .where("ledger_entries.id", "in", pageIds)
          .innerJoin("organisations as bank", "bank.id", "ledger_entries.bank_org_id")
          .innerJoin("organisations as firm", "firm.id", "ledger_entries.firm_org_id")
          .leftJoin("ledger_entries as rev", "rev.reverses_entry_id", "ledger_entries.id")
          .select([
            "ledger_entries.id",
            "ledger_entries.entry_type",
            "ledger_entries.application_id",
            "ledger_entries.reverses_entry_id",
            "rev.id as reversed_by_id",
            "ledger_entries.amount_fen",
            "ledger_entries.value_date",
            "ledger_entries.month",
            "ledger_entries.region_code",
            "ledger_entries.bank_org_id",
            "bank.name as bank_name",
            "ledger_entries.firm_org_id",
            "firm.name as firm_name",
            "ledger_entries.ip_type",
            "ledger_entries.reason",
            "ledger_entries.created_at",
          ])
          .orderBy("ledger_entries.id", backwards ? "asc" : "desc")
          .execute();
  const raw = backwards ? fetched.reverse() : fetched;
  return {
    rows: raw.map((r) => ({
      id: r.id,
      entryType: r.entry_type,
      applicationId: r.application_id,
      reversesEntryId: r.reverses_entry_id,
      reversedById: r.reversed_by_id ?? null,
      amountFen: Number(r.amount_fen),
      valueDate: r.value_date,
      month: r.month,
      regionCode: r.region_code,
      bankOrgId: r.bank_org_id,
      bankName: r.bank_name,
      firmOrgId: r.firm_org_id,
      firmName: r.firm_name,
      ipType: r.ip_type,
      reason: r.reason,
      createdAt: r.created_at,
    })),
    total,
    sumFen: Number(agg.sum ?? 0),
    page: current,
    pages,
  };
}

export async function getLedgerEntry(db: Db, id: number): Promise<LedgerEntry | undefined> {
  return db.selectFrom("ledger_entries").selectAll().where("id", "=", id).executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Reconcile: recompute every total from the ledger and from the applications
// ---------------------------------------------------------------------------------------------

export interface BucketDrift {
  key: string;
  storedFen: number;
  ledgerFen: number;
  applicationsFen: number;
  storedCount: number;
  ledgerCount: number;
  driftFen: number;
}

export interface ReconcileReport {
  entries: number;
  totalFen: number;
  buckets: number;
  /** Every 盟市 × bank × IP type × month bucket with its three figures, drift or not. */
  rows: BucketDrift[];
  /** Buckets (totals, rollups, firms) where something disagrees. */
  drifts: BucketDrift[];
  /** Σ |difference| in fen over every comparison. */
  driftFen: number;
  /** Σ |difference| in counts (entries, firms). */
  driftCount: number;
  /**
   * Disbursed applications without exactly one matching standing disbursement entry (same amount
   * and value date), standing entries without a disbursed application, and disbursements that
   * fill no slot of their own application (decision 021).
   */
  mismatchedApplications: number[];
  /**
   * Applications still in a disbursed state whose every disbursement was reversed: reversals made
   * before migration 018e left the application as it was. Their totals are exact (the ledger nets
   * them to zero, and so does every reader); listed, not counted as drift.
   */
  reversedInPlace: number[];
}

function bucketKey(region: string, bank: number | string, ipType: string, month: string) {
  return `${region}|${bank}|${ipType}|${month}`;
}

interface Acc {
  fen: number;
  count: number;
}

function add(map: Map<string, Acc>, key: string, fen: number, count: number) {
  const a = map.get(key) ?? { fen: 0, count: 0 };
  a.fen += fen;
  a.count += count;
  map.set(key, a);
}

/**
 * Recomputes disbursement_totals, the rollups and financed_firms from the ledger, and the buckets
 * a second time from the applications: each application in a disbursed state (disbursed, repaid or
 * defaulted) counts its disbursed amount in the bucket of its disbursed date, and each reversal in
 * the ledger counts two entries and no money in its bucket (the entry reversed and the reversal,
 * same bucket and month, netting to zero). Compares all three with what is stored.
 */
export async function reconcileTotals(db: Db): Promise<ReconcileReport> {
  const anyDisbursementOf = (
    eb: ExpressionBuilder<Database & { a: Database["applications"] }, "a">,
  ) =>
    eb.exists(
      eb
        .selectFrom("ledger_entries as x")
        .select("x.id")
        .whereRef("x.application_id", "=", "a.id")
        .where("x.entry_type", "=", "disbursement"),
    );
  const standingOf = (eb: ExpressionBuilder<Database & { a: Database["applications"] }, "a">) =>
    eb.exists(
      eb
        .selectFrom("ledger_entries as d")
        .select("d.id")
        .whereRef("d.application_id", "=", "a.id")
        .where(STANDING_DISBURSEMENT),
    );
  const [
    ledger,
    reversals,
    apps,
    stored,
    rollups,
    firmsStored,
    firmsLedger,
    appsWithoutEntry,
    entriesWithoutApp,
    misplaced,
    doubled,
    reversedInPlace,
  ] = await Promise.all([
    db
      .selectFrom("ledger_entries")
      .select((eb) => [
        "region_code",
        "bank_org_id",
        "ip_type",
        "month",
        eb.fn.sum<number | string>("amount_fen").as("fen"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .groupBy(["region_code", "bank_org_id", "ip_type", "month"])
      .execute(),
    db
      .selectFrom("ledger_entries")
      .select((eb) => [
        "region_code",
        "bank_org_id",
        "ip_type",
        "month",
        eb.fn.countAll<number | string>().as("n"),
      ])
      .where("entry_type", "=", "reversal")
      .groupBy(["region_code", "bank_org_id", "ip_type", "month"])
      .execute(),
    // Applications reversed in place (before 018e) show no disbursement any more: left out here,
    // as their entries net to zero in the ledger.
    db
      .selectFrom("applications as a")
      .select((eb) => [
        "a.region_code",
        "a.bank_org_id",
        "a.primary_ip_type",
        sql<string>`substr(a.disbursed_date, 1, 7)`.as("month"),
        eb.fn.sum<number | string>("a.disbursed_amount_fen").as("fen"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .where("a.state", "in", DISBURSED_STATES)
      .where((eb) => eb.or([standingOf(eb), eb.not(anyDisbursementOf(eb))]))
      .groupBy([
        "a.region_code",
        "a.bank_org_id",
        "a.primary_ip_type",
        sql`substr(a.disbursed_date, 1, 7)`,
      ])
      .execute(),
    db.selectFrom("disbursement_totals").selectAll().execute(),
    db.selectFrom("disbursement_rollups").selectAll().execute(),
    db.selectFrom("financed_firms").selectAll().execute(),
    db
      .selectFrom("ledger_entries")
      .select((eb) => [
        "firm_org_id",
        eb.fn
          .sum<number | string>(
            eb.case().when("entry_type", "=", "disbursement").then(1).else(-1).end(),
          )
          .as("net"),
        eb.fn.min<string>("value_date").as("first"),
      ])
      .groupBy("firm_org_id")
      .execute(),
    // Each disbursed application against its standing disbursement: one, same amount and day.
    db
      .selectFrom("applications as a")
      .leftJoin("ledger_entries as d", (join) =>
        join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
      )
      .select(["a.id"])
      .where("a.state", "in", DISBURSED_STATES)
      .where((eb) =>
        eb.or([
          eb.and([eb("d.id", "is", null), eb.not(anyDisbursementOf(eb))]),
          eb("d.amount_fen", "!=", eb.ref("a.disbursed_amount_fen")),
          eb("d.value_date", "!=", eb.ref("a.disbursed_date")),
        ]),
      )
      .execute(),
    // …and each standing disbursement against a disbursed application.
    db
      .selectFrom("ledger_entries as d")
      .leftJoin("applications as a", "a.id", "d.application_id")
      .select(["d.application_id"])
      .where(STANDING_DISBURSEMENT)
      .where((eb) => eb.or([eb("a.id", "is", null), eb("a.state", "not in", DISBURSED_STATES)]))
      .execute(),
    // Every disbursement fills a slot of its own application: the first (disbursement_key) or
    // the one a reversal of its application's earlier disbursement opened (after_reversal_id).
    db
      .selectFrom("ledger_entries as d")
      .leftJoin("ledger_entries as r", "r.id", "d.after_reversal_id")
      .leftJoin("ledger_entries as rd", "rd.id", "r.reverses_entry_id")
      .select(["d.application_id"])
      .where("d.entry_type", "=", "disbursement")
      .where((eb) =>
        eb.not(
          eb.or([
            eb.and([
              eb("d.disbursement_key", "=", eb.ref("d.application_id")),
              eb("d.after_reversal_id", "is", null),
            ]),
            eb.and([
              eb("d.disbursement_key", "is", null),
              eb("r.entry_type", "=", "reversal"),
              eb("rd.entry_type", "=", "disbursement"),
              eb("rd.application_id", "=", eb.ref("d.application_id")),
              eb("rd.id", "<", eb.ref("d.id")),
            ]),
          ]),
        ),
      )
      .execute(),
    // Two standing disbursements of one application: the slots above make it impossible.
    db
      .selectFrom("ledger_entries as d")
      .select(["d.application_id"])
      .where(STANDING_DISBURSEMENT)
      .groupBy("d.application_id")
      .having((eb) => eb.fn.countAll(), ">", 1)
      .execute(),
    db
      .selectFrom("applications as a")
      .select("a.id")
      .where("a.state", "in", DISBURSED_STATES)
      .where((eb) => eb.and([anyDisbursementOf(eb), eb.not(standingOf(eb))]))
      .orderBy("a.id")
      .execute(),
  ]);

  const fromLedger = new Map<string, Acc>();
  let entries = 0;
  let totalFen = 0;
  for (const r of ledger) {
    const fen = Number(r.fen);
    const n = Number(r.n);
    add(fromLedger, bucketKey(r.region_code, r.bank_org_id, r.ip_type, r.month), fen, n);
    entries += n;
    totalFen += fen;
  }
  const fromApps = new Map<string, Acc>();
  for (const r of apps) {
    const key = bucketKey(r.region_code, r.bank_org_id, r.primary_ip_type ?? "?", r.month);
    add(fromApps, key, Number(r.fen), Number(r.n));
  }
  for (const r of reversals) {
    // The entry reversed and its reversal: two entries, no money, in the reversal's bucket.
    add(fromApps, bucketKey(r.region_code, r.bank_org_id, r.ip_type, r.month), 0, 2 * Number(r.n));
  }
  const fromStore = new Map<string, Acc>();
  for (const r of stored) {
    add(
      fromStore,
      bucketKey(r.region_code, r.bank_org_id, r.ip_type, r.month),
      Number(r.amount_fen),
      Number(r.entry_count),
    );
  }

  const drifts: BucketDrift[] = [];
  const rows: BucketDrift[] = [];
  let driftFen = 0;
  let driftCount = 0;
  const compare = (key: string, s: Acc | undefined, l: Acc | undefined, a: Acc | undefined) => {
    const st = s ?? { fen: 0, count: 0 };
    const le = l ?? { fen: 0, count: 0 };
    const ap = a ?? le; // rollups and firms have no application-side figure
    const dFen = Math.abs(st.fen - le.fen) + Math.abs(ap.fen - le.fen);
    const dCount = Math.abs(st.count - le.count) + Math.abs(ap.count - le.count);
    driftFen += dFen;
    driftCount += dCount;
    const row: BucketDrift = {
      key,
      storedFen: st.fen,
      ledgerFen: le.fen,
      applicationsFen: ap.fen,
      storedCount: st.count,
      ledgerCount: le.count,
      driftFen: st.fen - le.fen,
    };
    if (!key.startsWith("rollup:")) rows.push(row);
    if (dFen !== 0 || dCount !== 0) drifts.push(row);
  };
  const bucketKeys = new Set([...fromLedger.keys(), ...fromApps.keys(), ...fromStore.keys()]);
  for (const key of [...bucketKeys].sort()) {
    compare(
      key,
      fromStore.get(key),
      fromLedger.get(key),
      fromApps.get(key) ?? { fen: 0, count: 0 },
    );
  }

  // Rollups, expected from the ledger buckets.
  const expectedRollups = new Map<string, Acc>();
  for (const [key, acc] of fromLedger) {
    const [region, bank, ipType, month] = key.split("|");
    add(expectedRollups, "total|", acc.fen, acc.count);
    add(expectedRollups, `month|${month}`, acc.fen, acc.count);
    add(expectedRollups, `region|${region}`, acc.fen, acc.count);
    add(expectedRollups, `bank|${bank}`, acc.fen, acc.count);
    add(expectedRollups, `ip_type|${ipType}`, acc.fen, acc.count);
  }
  const financedCount = firmsLedger.filter((f) => Number(f.net) > 0).length;
  if (financedCount > 0 || rollups.some((r) => r.dimension === "firms")) {
    add(expectedRollups, "firms|", 0, financedCount);
  }
  const storedRollups = new Map<string, Acc>();
  for (const r of rollups) {
    add(storedRollups, `${r.dimension}|${r.bucket}`, Number(r.amount_fen), Number(r.entry_count));
  }
  const rollupKeys = new Set([...expectedRollups.keys(), ...storedRollups.keys()]);
  for (const key of [...rollupKeys].sort()) {
    const s = storedRollups.get(key);
    const e = expectedRollups.get(key);
    // An emptied rollup row (0 fen, 0 entries) is the same as no row.
    if ((s?.fen ?? 0) === 0 && (s?.count ?? 0) === 0 && !e) continue;
    compare(`rollup:${key}`, s, e, undefined);
  }

  // financed_firms, expected from the ledger.
  const firmExpected = new Map(firmsLedger.map((f) => [f.firm_org_id, f]));
  const firmIds = new Set([...firmExpected.keys(), ...firmsStored.map((f) => f.firm_org_id)]);
  const storedByFirm = new Map(firmsStored.map((f) => [f.firm_org_id, f]));
  for (const id of [...firmIds].sort((a, b) => a - b)) {
    const s = storedByFirm.get(id);
    const e = firmExpected.get(id);
    const sc = Number(s?.disbursement_count ?? 0);
    const ec = Number(e?.net ?? 0);
    const dateDrift = e && s && s.first_value_date !== e.first;
    if (sc !== ec || dateDrift) {
      driftCount += Math.abs(sc - ec) + (dateDrift ? 1 : 0);
      drifts.push({
        key: `firm:${id}${dateDrift ? ` first ${s?.first_value_date} ≠ ${e?.first}` : ""}`,
        storedFen: 0,
        ledgerFen: 0,
        applicationsFen: 0,
        storedCount: sc,
        ledgerCount: ec,
        driftFen: 0,
      });
    }
  }

  const mismatchedApplications = [
    ...new Set([
      ...appsWithoutEntry.map((r) => r.id),
      ...entriesWithoutApp.map((r) => r.application_id),
      ...misplaced.map((r) => r.application_id),
      ...doubled.map((r) => r.application_id),
    ]),
  ];
  driftCount += mismatchedApplications.length;

  return {
    entries,
    totalFen,
    buckets: fromStore.size,
    rows,
    drifts,
    driftFen,
    driftCount,
    mismatchedApplications: mismatchedApplications.sort((a, b) => a - b),
    reversedInPlace: reversedInPlace.map((r) => r.id),
  };
}
