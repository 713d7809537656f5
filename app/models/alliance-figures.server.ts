import {
  MysqlAdapter,
  sql,
  type ExpressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
} from "kysely";
import type { Database, IpType } from "../../db/schema";
import {
  DURATION_SPANS,
  GROUP_SUM_STAGES,
  emptyGroupSums,
  type DurationKey,
  type DurationStats,
  type GroupSumStage,
  type GroupSums,
  type IpTypeAssetSums,
  type PeriodBounds,
  type SupportGroup,
} from "../domain/analytics";
import type { FirmFlag } from "../domain/industry";
import { IP_TYPE_BITS } from "../domain/matching/rows";
import { scopeOf } from "../domain/permissions";
import type { CountAmount } from "../domain/analytics/figures";
import type { Role } from "../../db/schema";
import { OTHER_BANKS, type ReviewFilters } from "../utils/alliance-filters";
import type { Db } from "../utils/db.server";
import { STANDING_DISBURSEMENT } from "./ledger.server";

/**
 * The alliance review's reading: which applications and requests a viewer's filters select, and
 * the review's figures summed by the database (issue 15). Every stage's predicate and amount below
 * is the SQL form of applicationInStage / applicationStageAmountFen (app/domain/analytics/stages.ts);
 * tests/integration/alliance-aggregates.test.ts checks the sums against the row-by-row functions
 * over generated deal flow on SQLite and MySQL. Portable SQL only: CASE, GROUP BY, window
 * functions (SQLite ≥ 3.25, MariaDB ≥ 10.2); the one dialect difference is the time between two
 * instants.
 */

export interface ReviewViewer {
  role: Role;
  orgId: number;
}

/** A bank officer: the permissions table limits them to their own bank's rows. */
export function isOfficer(v: ReviewViewer): boolean {
  return scopeOf(v, "review.view") === "bankOrgId";
}

export type AppQuery = SelectQueryBuilder<
  Database & { a: Database["applications"]; f: Database["organisations"] },
  "a" | "f",
  object
>;

export type AppEb = ExpressionBuilder<
  Database & { a: Database["applications"]; f: Database["organisations"] },
  "a" | "f"
>;

export function flagColumn(flag: FirmFlag) {
  return flag === "high_tech"
    ? ("f.flag_high_tech" as const)
    : flag === "specialised"
      ? ("f.flag_specialised" as const)
      : ("f.flag_tech_sme" as const);
}

/** Region, bank, IP type, industry and firm flags, plus the viewer's row scope. */
export function applyApplicationFilters<Q extends AppQuery>(
  q: Q,
  viewer: ReviewViewer,
  f: ReviewFilters,
  opts: { ownRowsOnly: boolean },
): Q {
  let out = q as AppQuery;
  if (f.region) out = out.where("a.region_code", "=", f.region);
  if (f.industry) out = out.where("a.industry_section", "=", f.industry);
  for (const flag of f.flags) out = out.where(flagColumn(flag), "=", 1);
  if (f.bank === OTHER_BANKS) out = out.where("a.bank_org_id", "!=", viewer.orgId);
  else if (f.bank !== null) out = out.where("a.bank_org_id", "=", f.bank);
  if (opts.ownRowsOnly && isOfficer(viewer)) out = out.where("a.bank_org_id", "=", viewer.orgId);
  const ipType = f.ipType;
  if (ipType) {
    // The primary IP type is fixed at approval; before that, a deal counts under every type it
    // pledges (so the approval rate of a type means something).
    out = out.where((eb: AppEb) =>
      eb.or([
        eb("a.primary_ip_type", "=", ipType),
        eb.and([
          eb("a.primary_ip_type", "is", null),
          eb.exists(
            eb
              .selectFrom("application_assets as aa")
              .select("aa.asset_id")
              .whereRef("aa.application_id", "=", "a.id")
              .where("aa.ip_type", "=", ipType),
          ),
        ]),
      ]),
    );
  }
  return out as Q;
}

export function anyStepInPeriod(eb: AppEb, b: PeriodBounds) {
  const inst = (col: `a.${string}`) =>
    eb.and([
      eb(col as "a.submitted_at", ">=", b.fromInstant),
      eb(col as "a.submitted_at", "<", b.toInstantExclusive),
    ]);
  const day = (col: `a.${string}`) =>
    eb.and([
      eb(col as "a.disbursed_date", ">=", b.from),
      eb(col as "a.disbursed_date", "<=", b.to),
    ]);
  return eb.or([
    inst("a.submitted_at"),
    inst("a.review_started_at"),
    inst("a.approved_at"),
    inst("a.registered_at"),
    inst("a.disbursed_at"),
    inst("a.closed_at"),
    day("a.pledge_reg_date"),
    day("a.disbursed_date"),
    day("a.closed_date"),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The stages in SQL
// ---------------------------------------------------------------------------------------------

type Expr = RawBuilder<unknown>;

function isMysql(db: Db): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(String(v)));

/** An exact integer sum as text: amount × rate sums pass 2⁵³ (CHAR is TEXT affinity in SQLite). */
const exactSum = (e: Expr) => sql`CAST(SUM(${e}) AS CHAR)`;
const countIf = (p: Expr) => sql`SUM(CASE WHEN ${p} THEN 1 ELSE 0 END)`;
const sumIf = (p: Expr, v: Expr) => sql`SUM(CASE WHEN ${p} THEN ${v} ELSE 0 END)`;

/** The predicates of applicationInStage and the amounts of applicationStageAmountFen. */
function stageSql(b: PeriodBounds) {
  const inst = (col: string) =>
    sql`(${sql.ref(col)} >= ${b.fromInstant} AND ${sql.ref(col)} < ${b.toInstantExclusive})`;
  const day = (col: string) => sql`(${sql.ref(col)} >= ${b.from} AND ${sql.ref(col)} <= ${b.to})`;
  // The standing disbursement (ledger.server STANDING_DISBURSEMENT): the deal's net disbursed.
  const net = sql`COALESCE(d.amount_fen, 0)`;
  const approvedFen = sql`COALESCE(a.approved_amount_fen, 0)`;
  const approved = inst("a.approved_at");
  const disbursed = sql`(${day("a.disbursed_date")} AND ${net} > 0)`;
  const rejected = sql`(a.state = 'rejected' AND a.approved_at IS NULL AND ${inst("a.closed_at")})`;
  const stages: Record<GroupSumStage, { when: Expr; fen: Expr }> = {
    submitted: { when: inst("a.submitted_at"), fen: sql`a.amount_fen` },
    approved: { when: approved, fen: approvedFen },
    registered: { when: day("a.pledge_reg_date"), fen: approvedFen },
    disbursed: { when: disbursed, fen: net },
    repaid: { when: sql`(a.state = 'repaid' AND ${day("a.closed_date")})`, fen: net },
    defaulted: { when: sql`(a.state = 'defaulted' AND ${day("a.closed_date")})`, fen: net },
    rejected: { when: rejected, fen: sql`a.amount_fen` },
    decided: {
      when: sql`(${approved} OR ${rejected})`,
      fen: sql`(CASE WHEN a.approved_at IS NOT NULL THEN ${approvedFen} ELSE a.amount_fen END)`,
    },
  };
  return { inst, day, net, approved, disbursed, stages };
}

/** The applications the review counts: the filters, not drafts, some step in the period. */
function dealsIn(db: Db, viewer: ReviewViewer, f: ReviewFilters, b: PeriodBounds) {
  // The firm is needed only for its flags: one lookup per deal saved otherwise.
  const base = (f.flags.length > 0
    ? db.selectFrom("applications as a").innerJoin("organisations as f", "f.id", "a.firm_org_id")
    : db.selectFrom("applications as a")) as unknown as AppQuery;
  return applyApplicationFilters(base, viewer, f, { ownRowsOnly: false })
    .where("a.state", "!=", "draft")
    .where((eb) => anyStepInPeriod(eb as unknown as AppEb, b));
}

/** One group of deals: a bank, a 盟市 and a primary IP type (null before approval). */
export interface DealGroupSums extends GroupSums {
  bankOrgId: number;
  regionCode: string;
  primaryIpType: IpType | null;
  /** The smallest application id of the group (groups in first-seen order, as figuresBy). */
  firstId: number;
}

export async function sumDealGroups(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<DealGroupSums[]> {
  const s = stageSql(b);
  const rated = sql`(${s.approved} AND a.approved_rate_bp IS NOT NULL AND ${sql`COALESCE(a.approved_amount_fen, 0)`} > 0)`;
  const columns = GROUP_SUM_STAGES.flatMap((stage) => [
    countIf(s.stages[stage].when).as(`${stage}_n`),
    sumIf(s.stages[stage].when, s.stages[stage].fen).as(`${stage}_fen`),
  ]);
  const rows = (await dealsIn(db, viewer, f, b)
    .leftJoin("ledger_entries as d", (join) =>
      join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
    )
    .select([
      "a.bank_org_id",
      "a.region_code",
      "a.primary_ip_type",
      sql<number>`MIN(a.id)`.as("first_id"),
      exactSum(
        sql`CASE WHEN ${rated} THEN a.approved_amount_fen * a.approved_rate_bp ELSE 0 END`,
      ).as("rate_wv"),
      exactSum(sql`CASE WHEN ${rated} THEN a.approved_amount_fen ELSE 0 END`).as("rate_w"),
      ...columns,
    ])
    // Not led by bank_org_id: SQLite would then walk applications_bank_state for the order and
    // look every row up at random; a straight scan of the table is several times cheaper.
    .groupBy(["a.region_code", "a.primary_ip_type", "a.bank_org_id"])
    .execute()) as unknown as Array<Record<string, unknown>>;
  return rows.map((r) => {
    const sums = emptyGroupSums();
    for (const stage of GROUP_SUM_STAGES) {
      sums.stages[stage] = { count: num(r[`${stage}_n`]), amountFen: num(r[`${stage}_fen`]) };
    }
    return {
      ...sums,
      rateWeightedSum: big(r.rate_wv),
      rateWeight: big(r.rate_w),
      bankOrgId: Number(r.bank_org_id),
      regionCode: String(r.region_code),
      primaryIpType: (r.primary_ip_type as IpType | null) ?? null,
      firstId: Number(r.first_id),
    };
  });
}

const DURATION_COLUMNS = {
  submittedAt: "a.submitted_at",
  reviewStartedAt: "a.review_started_at",
  approvedAt: "a.approved_at",
  registeredAt: "a.registered_at",
  disbursedAt: "a.disbursed_at",
  closedAt: "a.closed_at",
} as const;

/**
 * Count, median and p90 (nearest rank) of each duration, from one pass over the deals: each deal
 * is unfolded into one row per span it measures (a constant table of the span numbers, joined),
 * and the database returns each span's distinct durations with how many deals took each; the ranks
 * are then walked here. One grouping of narrow rows, where ranking by window functions sorted
 * every deal once per span (issue 15: most of the review's time at seed:scale).
 */
export async function durationStatsInSql(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<Map<DurationKey, DurationStats>> {
  const mysql = isMysql(db);
  const s = stageSql(b);
  const when = DURATION_SPANS.map((span, i) => {
    const from = sql.ref(DURATION_COLUMNS[span.from]);
    const to = sql.ref(DURATION_COLUMNS[span.to]);
    // Never negative (a clock step backwards counts as no time).
    const ms = mysql
      ? sql`GREATEST(TIMESTAMPDIFF(MICROSECOND, ${from}, ${to}) DIV 1000, 0)`
      : sql`MAX(CAST(ROUND((julianday(${to}) - julianday(${from})) * 86400000.0) AS INTEGER), 0)`;
    return sql`WHEN s.k = ${sql.lit(i)} AND ${from} IS NOT NULL AND ${s.inst(DURATION_COLUMNS[span.to])} THEN ${ms}`;
  });
  const spanNumbers = sql.join(
    DURATION_SPANS.map((_, i) => sql`SELECT ${sql.lit(i)} AS k`),
    sql` UNION ALL `,
  );
  const perSpan = dealsIn(db, viewer, f, b)
    // CROSS JOIN: SQLite keeps the deals outside (one pass), not the six span numbers.
    .crossJoin(sql<{ k: number }>`(${spanNumbers})`.as("s"))
    .select([
      sql<number>`s.k`.as("k"),
      sql<number | null>`CASE ${sql.join(when, sql` `)} END`.as("ms"),
    ]);
  const rows = await db
    .selectFrom(perSpan.as("u"))
    .select(["u.k", "u.ms", sql<number>`COUNT(*)`.as("n")])
    .where("u.ms", "is not", null)
    .groupBy(["u.k", "u.ms"])
    .execute();
  const out = new Map<DurationKey, DurationStats>();
  DURATION_SPANS.forEach((span, i) => {
    const values = rows
      .filter((r) => Number(r.k) === i)
      .map((r) => ({ ms: Number(r.ms), n: Number(r.n) }))
      .sort((x, y) => x.ms - y.ms);
    const count = values.reduce((acc, v) => acc + v.n, 0);
    // Nearest rank ⌈p × n ÷ 100⌉ (≥ 1), as percentileNearestRank over the sorted durations.
    const at = (p: number): number | null => {
      if (count === 0) return null;
      const rank = Math.max(1, Math.floor((p * count + 99) / 100));
      let seen = 0;
      for (const v of values) {
        seen += v.n;
        if (seen >= rank) return v.ms;
      }
      return null;
    };
    out.set(span.key, { count, medianMs: at(50), p90Ms: at(90) });
  });
  return out;
}

/** The assets pledged in the deals approved in the period, by deal primary type and asset type. */
export async function sumPledgedAssets(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<{ byAssetType: Map<IpType, IpTypeAssetSums>; valueByPrimaryType: Map<IpType, number> }> {
  const s = stageSql(b);
  const rows = await dealsIn(db, viewer, f, b)
    .innerJoin("application_assets as aa", "aa.application_id", "a.id")
    .select([
      "a.primary_ip_type",
      "aa.ip_type",
      sql<number>`COUNT(*)`.as("n"),
      sql<number>`SUM(aa.value_fen)`.as("value_fen"),
      exactSum(sql`CASE WHEN aa.value_fen > 0 THEN aa.value_fen * aa.pledge_rate_bp ELSE 0 END`).as(
        "cap_wv",
      ),
      exactSum(sql`CASE WHEN aa.value_fen > 0 THEN aa.value_fen ELSE 0 END`).as("cap_w"),
    ])
    .where(s.approved as RawBuilder<boolean>)
    .groupBy(["a.primary_ip_type", "aa.ip_type"])
    .execute();
  const byAssetType = new Map<IpType, IpTypeAssetSums>();
  const valueByPrimaryType = new Map<IpType, number>();
  for (const r of rows) {
    const t = r.ip_type as IpType;
    const acc = byAssetType.get(t) ?? { count: 0, valueFen: 0, capWeightedSum: 0n, capWeight: 0n };
    acc.count += num(r.n);
    acc.valueFen += num(r.value_fen);
    acc.capWeightedSum += big(r.cap_wv);
    acc.capWeight += big(r.cap_w);
    byAssetType.set(t, acc);
    const p = r.primary_ip_type as IpType | null;
    if (p) valueByPrimaryType.set(p, (valueByPrimaryType.get(p) ?? 0) + num(r.value_fen));
  }
  return { byAssetType, valueByPrimaryType };
}

/**
 * The deals disbursed in the period, grouped by the support terms of the product version they
 * were applied under (applications.support_*, written with the snapshot, migration 017e). The
 * deals are picked along the covering index (applications_review) and their terms read by id
 * from the narrow applications_support index, never from the table's rows with their snapshots.
 */
export async function sumSupportGroups(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<SupportGroup[]> {
  const s = stageSql(b);
  const disbursed = dealsIn(db, viewer, f, b)
    .leftJoin("ledger_entries as d", (join) =>
      join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
    )
    .select(["a.id", sql<number>`${s.net}`.as("fen")])
    .where(s.disbursed as RawBuilder<boolean>);
  const terms = [
    "p.support_government_bp",
    "p.support_insurer_bp",
    "p.support_guarantor_bp",
    "p.support_subsidy_bp",
  ] as const;
  const rows = await db
    .selectFrom(disbursed.as("x"))
    .innerJoin("applications as p", "p.id", "x.id")
    .select([...terms, sql<number>`COUNT(*)`.as("n"), sql<number>`SUM(x.fen)`.as("fen")])
    .groupBy([...terms])
    .execute();
  return rows.map((r) => ({
    support: {
      riskGovernmentBp: num(r.support_government_bp),
      riskInsurerBp: num(r.support_insurer_bp),
      riskGuarantorBp: num(r.support_guarantor_bp),
      interestSubsidyBp: num(r.support_subsidy_bp),
    },
    count: num(r.n),
    amountFen: num(r.fen),
  }));
}

/**
 * The period's requests (the request filters) by the furthest stage any of their applications (of
 * the bank filtered on) reached: 0 none, 1 started, 2 submitted, 3 approved, 4 disbursed net of
 * reversals. Gives the funnel's request stages and the cohort funnel.
 */
export async function sumRequestsByReach(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<Map<number, CountAmount>> {
  // Every request's furthest step, grouped in request order along applications_request; only the
  // period's requests are joined to it below.
  let reach = db
    .selectFrom("applications as a")
    .leftJoin("ledger_entries as d", (join) =>
      join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
    )
    .select([
      "a.request_id",
      sql<number>`MAX(CASE
        WHEN a.disbursed_date IS NOT NULL AND COALESCE(d.amount_fen, 0) > 0 THEN 4
        WHEN a.approved_at IS NOT NULL THEN 3
        WHEN a.submitted_at IS NOT NULL THEN 2
        ELSE 1 END)`.as("far"),
    ])
    .where("a.request_id", "is not", null)
    .groupBy("a.request_id");
  if (f.bank === OTHER_BANKS) reach = reach.where("a.bank_org_id", "!=", viewer.orgId);
  else if (f.bank !== null) reach = reach.where("a.bank_org_id", "=", f.bank);
  // The firm is needed only for the industry and flag filters.
  const requests = (f.industry || f.flags.length > 0
    ? db
        .selectFrom("financing_requests as q")
        .innerJoin("organisations as f", "f.id", "q.firm_org_id")
    : db.selectFrom("financing_requests as q")) as unknown as SelectQueryBuilder<
    Database & { q: Database["financing_requests"]; f: Database["organisations"] },
    "q" | "f",
    object
  >;
  let q = requests
    .leftJoin(reach.as("c"), "c.request_id", "q.id")
    .select([
      sql<number>`COALESCE(c.far, 0)`.as("far"),
      sql<number>`COUNT(*)`.as("n"),
      sql<number>`SUM(q.amount_fen)`.as("fen"),
    ])
    .where("q.created_at", ">=", b.fromInstant)
    .where("q.created_at", "<", b.toInstantExclusive);
  if (f.region) q = q.where("q.region_code", "=", f.region);
  if (f.industry) q = q.where("f.industry_section", "=", f.industry);
  for (const flag of f.flags) q = q.where(flagColumn(flag), "=", 1);
  if (f.ipType) q = q.where(sql<boolean>`(q.offered_types_mask & ${IP_TYPE_BITS[f.ipType]}) <> 0`);
  const rows = await q.groupBy(sql`COALESCE(c.far, 0)`).execute();
  return new Map(rows.map((r) => [Number(r.far), { count: num(r.n), amountFen: num(r.fen) }]));
}
