import { sql } from "kysely";
import type { IpType } from "../../db/schema";
import {
  computeDurations,
  computeCohortFunnel,
  computeFunnel,
  computeIpTypeFigures,
  computeSupport,
  applicationDurationMs,
  applicationInStage,
  applicationStageAmountFen,
  DURATION_KEYS,
  figuresBy,
  firmDisplayName,
  groupFigures,
  isRequestStage,
  periodBounds,
  requestInStage,
  snapshotSupport,
  type ApplicationRow,
  type DrillStage,
  type DurationFigure,
  type DurationKey,
  type CohortApplication,
  type CohortStep,
  type FunnelStep,
  type GroupFigures,
  type IpTypeFigures,
  type PeriodBounds,
  type PledgedAssetRow,
  type RequestRow,
  type SupportFigures,
  FUNNEL_STAGES,
  addGroupSums,
  cohortFromReach,
  emptyGroupSums,
  figuresFromSums,
  ipTypeFiguresFromSums,
  supportFromGroups,
  type GroupSums,
  type IpTypeDealSums,
} from "../domain/analytics";
import { chinaDateOf } from "../domain/dates";
import { REGIONS, type RegionCode } from "../domain/regions";
import type { ApplicationState } from "../domain/application";
import { OTHER_BANKS, type BankFilter, type ReviewFilters } from "../utils/alliance-filters";
import type { Db } from "../utils/db.server";
import { translateMessage } from "../utils/messages";
import { DEFAULT_LOCALE, getFixedT, isLocale } from "../utils/i18n";
import { pseudonymCode, pseudonymSecret } from "../utils/pseudonym.server";
import { UserFacingError } from "./errors";
import { STANDING_DISBURSEMENT } from "./ledger.server";
import {
  anyStepInPeriod,
  applyApplicationFilters,
  durationStatsInSql,
  flagColumn,
  isOfficer,
  sumDealGroups,
  sumPledgedAssets,
  sumRequestsByReach,
  sumSupportGroups,
  type AppEb,
  type AppQuery,
  type DealGroupSums,
  type ReviewViewer,
} from "./alliance-figures.server";
import { IP_TYPE_BITS } from "../domain/matching/rows";

/**
 * The alliance members' review of the deal flow (联盟成员审阅): the funnel, time in each stage,
 * rates by bank and IP type, risk sharing and 贴息, and the applications behind every figure.
 * Definitions live in app/domain/analytics.ts; this module reads the rows and applies who may see
 * what:
 *
 *  - alliance members and admins see every bank by name and every application;
 *  - bank officers may open the review too (banks are alliance members in this product), but see
 *    other banks only in aggregate: every per-bank breakdown shows their own bank by name and all
 *    others as one row "其他银行（合计）", a bank filter can only be their own bank or the others
 *    together (another bank's id → not found), and drill-downs list their own bank's applications
 *    only;
 *  - everyone sees a firm's name only where the firm consented (organisations.consent_show_name);
 *    otherwise its stable pseudonym. Bank officers get the same rule on these pages, for one
 *    simple promise to firms: the alliance views never name a firm that did not agree.
 *
 * Reading (issue 15): the review's figures are summed by the database (alliance-figures.server.ts:
 * one grouped pass over the period's deals, durations ranked by window functions, support terms
 * read once per product snapshot, requests counted by how far they got), with the same definitions
 * as the pure functions; getReviewFromRows still reads every deal and classifies it in memory, and
 * a test holds the two equal. The drill-down reads the rows behind one figure through the same
 * predicate (applicationInStage), so its exact total always equals the figure.
 */

export type { ReviewViewer };

export type { BankFilter, ReviewFilters };

export { OTHER_BANKS };
export const DRILL_PAGE_SIZE = 50;
/** Upper bound on the rows one CSV download carries. */
export const EXPORT_MAX_ROWS = 100_000;

export function reviewNotFound(): UserFacingError {
  return new UserFacingError("alliance:errors.notFound", {}, undefined, 404);
}

/** Refuses what a viewer may not ask for, before anything is read. */
export async function checkReviewFilters(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
): Promise<void> {
  if (f.from > f.to) throw new UserFacingError("alliance:errors.periodOrder", {}, "to");
  if (f.bank === null) return;
  if (isOfficer(viewer)) {
    if (f.bank !== OTHER_BANKS && f.bank !== viewer.orgId) throw reviewNotFound();
    return;
  }
  if (f.bank === OTHER_BANKS) throw reviewNotFound();
  const bank = await db
    .selectFrom("organisations")
    .select("id")
    .where("id", "=", f.bank)
    .where("kind", "=", "bank")
    .executeTakeFirst();
  if (!bank) throw reviewNotFound();
}

// ---------------------------------------------------------------------------------------------
// Reading the rows
// ---------------------------------------------------------------------------------------------

/** A deal with what the drill-down shows besides the figures. */
export interface ApplicationRecord extends ApplicationRow {
  firmName: string;
  firmConsent: boolean;
  productName: string;
}

function productNameOf(json: string): string {
  try {
    const raw = JSON.parse(json) as { name?: unknown; terms?: { name?: unknown } };
    const name = raw.name ?? raw.terms?.name;
    return typeof name === "string" ? name : "";
  } catch {
    return "";
  }
}

const num = (v: number | string | bigint | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

async function loadApplications(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
  opts: { ownRowsOnly: boolean },
): Promise<ApplicationRecord[]> {
  const base = db
    .selectFrom("applications as a")
    .innerJoin("organisations as f", "f.id", "a.firm_org_id") as unknown as AppQuery;
  const rows = await applyApplicationFilters(base, viewer, f, opts)
    .leftJoin("ledger_entries as d", (join) =>
      join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
    )
    .select([
      "a.id",
      "a.state",
      "a.firm_org_id",
      "a.bank_org_id",
      "a.region_code",
      "a.industry_section",
      "a.primary_ip_type",
      "a.amount_fen",
      "a.approved_amount_fen",
      "a.approved_rate_bp",
      "a.submitted_at",
      "a.review_started_at",
      "a.approved_at",
      "a.registered_at",
      "a.pledge_reg_date",
      "a.disbursed_at",
      "a.disbursed_date",
      "a.closed_at",
      "a.closed_date",
      "a.product_snapshot_json",
      "f.name as firm_name",
      "f.consent_show_name",
      "d.amount_fen as entry_fen",
    ])
    .where("a.state", "!=", "draft")
    .where((eb) => anyStepInPeriod(eb as unknown as AppEb, b))
    .orderBy("a.id")
    .execute();
  // Deals of one product version share one snapshot text: parse (and validate) each text once,
  // not once per deal (tens of thousands of rows at scale, issue 15).
  const snapshots = new Map<
    string,
    { support: ReturnType<typeof snapshotSupport>; name: string }
  >();
  const snapshotOf = (json: string) => {
    let v = snapshots.get(json);
    if (!v) {
      v = { support: snapshotSupport(json), name: productNameOf(json) };
      snapshots.set(json, v);
    }
    return v;
  };
  return rows.map((r) => ({
    id: r.id,
    state: r.state as ApplicationState,
    firmOrgId: r.firm_org_id,
    bankOrgId: r.bank_org_id,
    regionCode: r.region_code,
    industrySection: r.industry_section,
    primaryIpType: r.primary_ip_type,
    amountFen: Number(r.amount_fen),
    approvedAmountFen: num(r.approved_amount_fen),
    approvedRateBp: num(r.approved_rate_bp),
    submittedAt: r.submitted_at,
    reviewStartedAt: r.review_started_at,
    approvedAt: r.approved_at,
    registeredAt: r.registered_at,
    pledgeRegDate: r.pledge_reg_date,
    disbursedAt: r.disbursed_at,
    disbursedDate: r.disbursed_date,
    closedAt: r.closed_at,
    closedDate: r.closed_date,
    // The standing disbursement's amount: every earlier one was reversed and nets to zero.
    ledgerNetFen: Number(r.entry_fen ?? 0),
    // A copy per deal, as before: callers may treat each record's support as their own.
    support: { ...snapshotOf(r.product_snapshot_json).support },
    firmName: r.firm_name,
    firmConsent: r.consent_show_name === 1,
    productName: snapshotOf(r.product_snapshot_json).name,
  }));
}

/**
 * Every application started from a request created in the period (of the bank filtered on, if
 * any), with the steps it has reached by now: the cohort funnel follows the requests through them.
 * The request filters (region, industry, flags, IP type) apply through the requests themselves.
 */
async function loadCohortApplications(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<CohortApplication[]> {
  let q = db
    .selectFrom("applications as a")
    .innerJoin("financing_requests as q", "q.id", "a.request_id")
    .leftJoin("ledger_entries as d", (join) =>
      join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
    )
    .select([
      "a.request_id",
      "a.submitted_at",
      "a.approved_at",
      "a.disbursed_date",
      "d.amount_fen as entry_fen",
    ])
    .where("q.created_at", ">=", b.fromInstant)
    .where("q.created_at", "<", b.toInstantExclusive);
  if (f.bank === OTHER_BANKS) q = q.where("a.bank_org_id", "!=", viewer.orgId);
  else if (f.bank !== null) q = q.where("a.bank_org_id", "=", f.bank);
  const rows = await q.orderBy("a.id").execute();
  return rows.map((r) => ({
    requestId: Number(r.request_id),
    submitted: r.submitted_at !== null,
    approved: r.approved_at !== null,
    disbursed: r.disbursed_date !== null && Number(r.entry_fen ?? 0) > 0,
  }));
}

export interface RequestRecord extends RequestRow {
  firmName: string;
  firmConsent: boolean;
  regionCode: string;
  industrySection: string | null;
}

async function loadRequests(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
  opts: { ownRowsOnly: boolean },
): Promise<RequestRecord[]> {
  let q = db
    .selectFrom("financing_requests as q")
    .innerJoin("organisations as f", "f.id", "q.firm_org_id")
    .select([
      "q.id",
      "q.firm_org_id",
      "q.amount_fen",
      "q.created_at",
      "q.region_code",
      "f.industry_section",
      "f.name as firm_name",
      "f.consent_show_name",
    ])
    .where("q.created_at", ">=", b.fromInstant)
    .where("q.created_at", "<", b.toInstantExclusive);
  if (f.region) q = q.where("q.region_code", "=", f.region);
  if (f.industry) q = q.where("f.industry_section", "=", f.industry);
  for (const flag of f.flags) q = q.where(flagColumn(flag), "=", 1);
  if (f.ipType) q = q.where(sql<boolean>`(q.offered_types_mask & ${IP_TYPE_BITS[f.ipType]}) <> 0`);
  // The requests that led to an application (of the bank filtered on, if any).
  let applied = db
    .selectFrom("applications as a")
    .innerJoin("financing_requests as q", "q.id", "a.request_id")
    .select("a.request_id")
    .where("q.created_at", ">=", b.fromInstant)
    .where("q.created_at", "<", b.toInstantExclusive)
    .groupBy("a.request_id");
  if (f.bank === OTHER_BANKS) applied = applied.where("a.bank_org_id", "!=", viewer.orgId);
  else if (f.bank !== null) applied = applied.where("a.bank_org_id", "=", f.bank);
  if (opts.ownRowsOnly && isOfficer(viewer)) {
    applied = applied.where("a.bank_org_id", "=", viewer.orgId);
  }
  const [rows, appliedRows] = await Promise.all([q.orderBy("q.id").execute(), applied.execute()]);
  const appliedIds = new Set(appliedRows.map((r) => Number(r.request_id)));
  return rows.map((r) => ({
    id: r.id,
    firmOrgId: r.firm_org_id,
    amountFen: Number(r.amount_fen),
    createdAt: r.created_at,
    applied: appliedIds.has(r.id),
    firmName: r.firm_name,
    firmConsent: r.consent_show_name === 1,
    regionCode: r.region_code,
    industrySection: r.industry_section,
  }));
}

async function loadPledgedAssets(
  db: Db,
  viewer: ReviewViewer,
  f: ReviewFilters,
  b: PeriodBounds,
): Promise<PledgedAssetRow[]> {
  const base = db
    .selectFrom("applications as a")
    .innerJoin("organisations as f", "f.id", "a.firm_org_id") as unknown as AppQuery;
  const rows = await applyApplicationFilters(base, viewer, f, { ownRowsOnly: false })
    .innerJoin("application_assets as aa", "aa.application_id", "a.id")
    .select(["aa.application_id", "aa.ip_type", "aa.value_fen", "aa.pledge_rate_bp"])
    .where("a.approved_at", ">=", b.fromInstant)
    .where("a.approved_at", "<", b.toInstantExclusive)
    .execute();
  return rows.map((r) => ({
    applicationId: r.application_id,
    ipType: r.ip_type,
    valueFen: Number(r.value_fen),
    pledgeRateBp: r.pledge_rate_bp,
  }));
}

// ---------------------------------------------------------------------------------------------
// The review
// ---------------------------------------------------------------------------------------------

export interface BankFigures extends GroupFigures {
  /** A bank's id, or "others" for the other banks together (bank officers' view). */
  key: number | "others";
  name: string;
}

export interface RegionFigures extends GroupFigures {
  code: RegionCode;
}

export interface Review {
  filters: ReviewFilters;
  /** For bank officers: their bank (the only one named); null for alliance members and admins. */
  ownBank: { id: number; name: string } | null;
  banks: { id: number; name: string }[];
  funnel: FunnelStep[];
  /** The requests created in the period, followed through their own later steps. */
  cohort: CohortStep[];
  totals: GroupFigures;
  durations: DurationFigure[];
  byBank: BankFigures[];
  byIpType: IpTypeFigures[];
  byRegion: RegionFigures[];
  support: SupportFigures;
}

async function bankNames(db: Db): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom("organisations")
    .select(["id", "name"])
    .where("kind", "=", "bank")
    .orderBy("id")
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * The review's figures, summed by the database (issue 15): one grouped pass over the period's
 * deals (by bank, 盟市 and primary IP type) gives the totals, the funnel, every bank's and 盟市's
 * figures and the per-type deal counts; the durations are ranked in SQL; the support terms are read
 * once per product snapshot; the requests are counted by the furthest stage they reached.
 * Equal, figure for figure, to getReviewFromRows.
 */
export async function getReview(
  db: Db,
  viewer: ReviewViewer,
  filters: ReviewFilters,
): Promise<Review> {
  await checkReviewFilters(db, viewer, filters);
  const b = periodBounds(filters);
  // Independent reads: on MySQL/MariaDB they run side by side on the pool's connections.
  const [groups, durations, pledged, support, reach, names] = await Promise.all([
    sumDealGroups(db, viewer, filters, b),
    durationStatsInSql(db, viewer, filters, b),
    sumPledgedAssets(db, viewer, filters, b),
    sumSupportGroups(db, viewer, filters, b),
    sumRequestsByReach(db, viewer, filters, b),
    bankNames(db),
  ]);
  groups.sort((x, y) => x.firstId - y.firstId);
  const officer = isOfficer(viewer);
  const ownBank = officer ? { id: viewer.orgId, name: names.get(viewer.orgId) ?? "" } : null;

  const sumBy = <K>(keyOf: (g: DealGroupSums) => K) => {
    const out = new Map<K, { first: number; sums: GroupSums }>();
    for (const g of groups) {
      const k = keyOf(g);
      const acc = out.get(k);
      if (acc) {
        addGroupSums(acc.sums, g);
        acc.first = Math.min(acc.first, g.firstId);
      } else out.set(k, { first: g.firstId, sums: addGroupSums(emptyGroupSums(), g) });
    }
    // First-seen order by application id, as figuresBy over rows sorted by id.
    return new Map(
      [...out]
        .sort((x, y) => x[1].first - y[1].first)
        .map(([k, v]) => [k, figuresFromSums(v.sums)]),
    );
  };
  const empty = figuresFromSums(emptyGroupSums());
  let byBank: BankFigures[];
  if (officer) {
    const grouped = sumBy((g) => (g.bankOrgId === viewer.orgId ? "own" : "others"));
    byBank = [
      { key: viewer.orgId, name: ownBank!.name, ...(grouped.get("own") ?? empty) },
      { key: OTHER_BANKS, name: "", ...(grouped.get("others") ?? empty) },
    ];
    if (filters.bank === OTHER_BANKS) byBank = byBank.slice(1);
    else if (filters.bank !== null) byBank = byBank.slice(0, 1);
  } else {
    const grouped = sumBy((g) => g.bankOrgId);
    const ids = filters.bank !== null ? [filters.bank as number] : [...names.keys()];
    for (const id of grouped.keys()) if (!ids.includes(id)) ids.push(id);
    byBank = ids.map((id) => ({
      key: id,
      name: names.get(id) ?? String(id),
      ...(grouped.get(id) ?? empty),
    }));
  }
  const byRegionMap = sumBy((g) => g.regionCode);
  const totals = figuresFromSums(groups.reduce((acc, g) => addGroupSums(acc, g), emptyGroupSums()));

  const requestsApplicable = filters.bank === null;
  const reachSum = (min: number) => {
    const c = { count: 0, amountFen: 0 };
    for (const [far, v] of reach) {
      if (far >= min) {
        c.count += v.count;
        c.amountFen += v.amountFen;
      }
    }
    return c;
  };
  const funnel: FunnelStep[] = FUNNEL_STAGES.map((stage) => {
    if (stage === "requests") {
      return requestsApplicable
        ? { stage, ...reachSum(0), applicable: true }
        : { stage, count: 0, amountFen: 0, applicable: false };
    }
    if (stage === "matched") return { stage, ...reachSum(1), applicable: true };
    return { stage, ...totals[stage], applicable: true };
  });

  const ipDeals = new Map<IpType, IpTypeDealSums>();
  for (const g of groups) {
    if (!g.primaryIpType) continue;
    const acc = ipDeals.get(g.primaryIpType) ?? {
      approved: { count: 0, amountFen: 0 },
      disbursed: { count: 0, amountFen: 0 },
      pledgedValueOfDealsFen: pledged.valueByPrimaryType.get(g.primaryIpType) ?? 0,
    };
    acc.approved.count += g.stages.approved.count;
    acc.approved.amountFen += g.stages.approved.amountFen;
    acc.disbursed.count += g.stages.disbursed.count;
    acc.disbursed.amountFen += g.stages.disbursed.amountFen;
    ipDeals.set(g.primaryIpType, acc);
  }
  for (const [t, v] of pledged.valueByPrimaryType) {
    if (!ipDeals.has(t)) {
      ipDeals.set(t, {
        approved: { count: 0, amountFen: 0 },
        disbursed: { count: 0, amountFen: 0 },
        pledgedValueOfDealsFen: v,
      });
    }
  }

  return {
    filters,
    ownBank,
    banks: officer ? [] : [...names].map(([id, name]) => ({ id, name })),
    funnel,
    cohort: cohortFromReach(reach),
    totals,
    durations: DURATION_KEYS.map((key) => ({
      key,
      ...(durations.get(key) ?? { count: 0, medianMs: null, p90Ms: null }),
    })),
    byBank,
    byIpType: ipTypeFiguresFromSums(ipDeals, pledged.byAssetType),
    byRegion: REGIONS.filter((r) => !filters.region || r.code === filters.region).map((r) => ({
      code: r.code,
      ...(byRegionMap.get(r.code) ?? empty),
    })),
    support: supportFromGroups(support),
  };
}

/**
 * The review computed row by row in memory from every deal of the period: the definition the SQL
 * sums of getReview are tested against (tests/integration/alliance-aggregates.test.ts). Not used
 * by any page: at seed:scale it reads ~100,000 rows per request.
 */
export async function getReviewFromRows(
  db: Db,
  viewer: ReviewViewer,
  filters: ReviewFilters,
): Promise<Review> {
  await checkReviewFilters(db, viewer, filters);
  const b = periodBounds(filters);
  const opts = { ownRowsOnly: false };
  const [applications, requests, assets, names, cohortApplications] = await Promise.all([
    loadApplications(db, viewer, filters, b, opts),
    loadRequests(db, viewer, filters, b, opts),
    loadPledgedAssets(db, viewer, filters, b),
    bankNames(db),
    loadCohortApplications(db, viewer, filters, b),
  ]);
  const officer = isOfficer(viewer);
  const ownBank = officer ? { id: viewer.orgId, name: names.get(viewer.orgId) ?? "" } : null;

  let byBank: BankFigures[];
  if (officer) {
    const grouped = figuresBy(
      applications,
      (r) => (r.bankOrgId === viewer.orgId ? "own" : "others"),
      b,
    );
    const empty = groupFigures([], b);
    byBank = [
      { key: viewer.orgId, name: ownBank!.name, ...(grouped.get("own") ?? empty) },
      { key: OTHER_BANKS, name: "", ...(grouped.get("others") ?? empty) },
    ];
    if (filters.bank === OTHER_BANKS) byBank = byBank.slice(1);
    else if (filters.bank !== null) byBank = byBank.slice(0, 1);
  } else {
    const grouped = figuresBy(applications, (r) => r.bankOrgId, b);
    const ids = filters.bank !== null ? [filters.bank as number] : [...names.keys()];
    for (const id of grouped.keys()) if (!ids.includes(id)) ids.push(id);
    byBank = ids.map((id) => ({
      key: id,
      name: names.get(id) ?? String(id),
      ...(grouped.get(id) ?? groupFigures([], b)),
    }));
  }
  const byRegionMap = figuresBy(applications, (r) => r.regionCode, b);
  return {
    filters,
    ownBank,
    banks: officer ? [] : [...names].map(([id, name]) => ({ id, name })),
    funnel: computeFunnel(applications, requests, b, { requestsApplicable: filters.bank === null }),
    cohort: computeCohortFunnel(requests, cohortApplications),
    totals: groupFigures(applications, b),
    durations: computeDurations(applications, b),
    byBank,
    byIpType: computeIpTypeFigures(applications, assets, b),
    byRegion: REGIONS.filter((r) => !filters.region || r.code === filters.region).map((r) => ({
      code: r.code,
      ...(byRegionMap.get(r.code) ?? groupFigures([], b)),
    })),
    support: computeSupport(applications, b),
  };
}

// ---------------------------------------------------------------------------------------------
// Drill-down
// ---------------------------------------------------------------------------------------------

export interface DrillApplicationRow {
  id: number;
  firm: string;
  /** True when the firm consented and `firm` is its name; false for a pseudonym. */
  named: boolean;
  regionCode: string;
  industrySection: string | null;
  bankName: string;
  productName: string;
  primaryIpType: IpType | null;
  state: ApplicationState;
  /** The amount this deal adds to the figure. */
  amountFen: number;
  approvedRateBp: number | null;
  submittedDate: string | null;
  approvedDate: string | null;
  pledgeRegDate: string | null;
  disbursedDate: string | null;
  closedDate: string | null;
  /** For a duration figure: the time this deal took. */
  durationMs: number | null;
}

export interface DrillRequestRow {
  id: number;
  firm: string;
  named: boolean;
  regionCode: string;
  industrySection: string | null;
  amountFen: number;
  createdDate: string;
  applied: boolean;
}

export type DrillDown =
  | { kind: "applications"; rows: DrillApplicationRow[]; total: number; totalAmountFen: number }
  | { kind: "requests"; rows: DrillRequestRow[]; total: number; totalAmountFen: number };

export interface DrillPage {
  page: number;
  pages: number;
  pageSize: number;
  /** For bank officers: the rows are their own bank's only. */
  ownBankOnly: boolean;
}

/** The date a deal's row is sorted by: that of the step the figure counts. */
function stageDate(r: ApplicationRow, stage: DrillStage): string {
  switch (stage) {
    case "registered":
      return r.pledgeRegDate ?? "";
    case "disbursed":
    case "riskShared":
    case "riskGovernment":
    case "riskInsurer":
    case "riskGuarantor":
    case "subsidised":
      return r.disbursedDate ?? "";
    case "repaid":
    case "defaulted":
      return r.closedDate ?? "";
    case "submitted":
      return r.submittedAt ?? "";
    case "rejected":
      return r.closedAt ?? "";
    case "approved":
    case "decided":
      return r.approvedAt ?? r.closedAt ?? "";
    default:
      return (DURATION_KEYS as readonly string[]).includes(stage)
        ? (r[
            (
              {
                toReview: "reviewStartedAt",
                review: "approvedAt",
                toRegistration: "registeredAt",
                toDisbursement: "disbursedAt",
                submitToDisbursement: "disbursedAt",
                loanLife: "closedAt",
              } as const
            )[stage as DurationKey]
          ] ?? "")
        : "";
  }
}

/**
 * Every application (or request) behind one figure, newest first, with the exact count and sum.
 * `page` null returns every row (the CSV), up to EXPORT_MAX_ROWS.
 */
export async function getDrillDown(
  db: Db,
  viewer: ReviewViewer,
  filters: ReviewFilters,
  stage: DrillStage,
  page: number | null,
  locale: string,
): Promise<DrillDown & DrillPage> {
  await checkReviewFilters(db, viewer, filters);
  // A bank officer never lists another bank's applications, not even as "the others".
  if (isOfficer(viewer) && filters.bank === OTHER_BANKS) throw reviewNotFound();
  const b = periodBounds(filters);
  const opts = { ownRowsOnly: true };
  const secret = pseudonymSecret();
  const codeOf = (firmOrgId: number) => pseudonymCode(firmOrgId, secret);
  const t = getFixedT(isLocale(locale) ? locale : DEFAULT_LOCALE);
  // A firm that has not consented is listed under its pseudonym, worded in the reader's language.
  const showFirm = (firm: Parameters<typeof firmDisplayName>[0]) => {
    const shown = firmDisplayName(firm, codeOf);
    return shown.named
      ? shown
      : { named: false, name: translateMessage(t, shown.pseudonym, locale) };
  };
  const ownBankOnly = isOfficer(viewer);
  const paginate = <T>(all: T[]) => {
    const pages = Math.max(1, Math.ceil(all.length / DRILL_PAGE_SIZE));
    if (page === null) {
      return { rows: all.slice(0, EXPORT_MAX_ROWS), page: 1, pages: 1, pageSize: all.length };
    }
    const p = Math.min(Math.max(1, page), pages);
    return {
      rows: all.slice((p - 1) * DRILL_PAGE_SIZE, p * DRILL_PAGE_SIZE),
      page: p,
      pages,
      pageSize: DRILL_PAGE_SIZE,
    };
  };

  if (isRequestStage(stage)) {
    const requests = (await loadRequests(db, viewer, filters, b, opts))
      .filter((r) => requestInStage(r, stage, b))
      .sort((x, y) =>
        x.createdAt < y.createdAt ? 1 : x.createdAt > y.createdAt ? -1 : y.id - x.id,
      );
    // A request has no bank: with a bank filter (always, for an officer) only "matched" applies.
    const applicable = stage === "matched" || (filters.bank === null && !ownBankOnly);
    const list = applicable ? requests : [];
    const rows: DrillRequestRow[] = list.map((r) => {
      const shown = showFirm({ id: r.firmOrgId, name: r.firmName, consentShowName: r.firmConsent });
      return {
        id: r.id,
        firm: shown.name,
        named: shown.named,
        regionCode: r.regionCode,
        industrySection: r.industrySection,
        amountFen: r.amountFen,
        createdDate: chinaDateOf(r.createdAt),
        applied: r.applied,
      };
    });
    return {
      kind: "requests",
      total: rows.length,
      totalAmountFen: rows.reduce((s, r) => s + r.amountFen, 0),
      ownBankOnly,
      ...paginate(rows),
    };
  }

  const [applications, names] = await Promise.all([
    loadApplications(db, viewer, filters, b, opts),
    bankNames(db),
  ]);
  const matched = applications
    .filter((r) => applicationInStage(r, stage, b))
    .sort((x, y) => {
      const dx = stageDate(x, stage);
      const dy = stageDate(y, stage);
      return dx < dy ? 1 : dx > dy ? -1 : y.id - x.id;
    });
  const isDuration = (DURATION_KEYS as readonly string[]).includes(stage);
  const rows: DrillApplicationRow[] = matched.map((r) => {
    const shown = showFirm({ id: r.firmOrgId, name: r.firmName, consentShowName: r.firmConsent });
    return {
      id: r.id,
      firm: shown.name,
      named: shown.named,
      regionCode: r.regionCode,
      industrySection: r.industrySection,
      bankName: names.get(r.bankOrgId) ?? String(r.bankOrgId),
      productName: r.productName,
      primaryIpType: r.primaryIpType,
      state: r.state,
      amountFen: applicationStageAmountFen(r, stage),
      approvedRateBp: r.approvedRateBp,
      submittedDate: r.submittedAt ? chinaDateOf(r.submittedAt) : null,
      approvedDate: r.approvedAt ? chinaDateOf(r.approvedAt) : null,
      pledgeRegDate: r.pledgeRegDate,
      disbursedDate: r.disbursedDate,
      closedDate: r.closedDate,
      durationMs: isDuration ? applicationDurationMs(r, stage as DurationKey, b) : null,
    };
  });
  return {
    kind: "applications",
    total: rows.length,
    totalAmountFen: rows.reduce((s, r) => s + r.amountFen, 0),
    ownBankOnly,
    ...paginate(rows),
  };
}
