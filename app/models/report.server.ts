import { NON_PERFORMING } from "../domain/servicing/classification";
import type { IpType } from "../../db/schema";
import { rankRegions, ratioBp, reportCommentary } from "../domain/analytics";
import { chinaDateOf } from "../domain/dates";
import { INDUSTRY_CODES } from "../domain/industry";
import { IP_TYPES } from "../domain/ip";
import type { Message } from "../domain/message";
import { DISBURSED_STATES } from "../domain/application";
import type { Db } from "../utils/db.server";
import { nowInstant, todayInChina } from "../utils/time";
import { getProgressSummary, type ProgressSummary } from "./progress.server";
import { STANDING_DISBURSEMENT } from "./ledger.server";

/**
 * The public report 内蒙古知识产权金融发展报告: aggregates only. Amounts come from the running
 * totals kept with the ledger (disbursement_totals and the rollups the home page reads), so the
 * report's total is the home page's total to the fen; loan counts are the ledger's entries net of
 * reversals (a reversed disbursement is no loan). Nothing names a firm: firms appear only as
 * counts (financed, 专精特新, 高新); banks are named.
 *
 * Amounts by industry, the average rate and the average pledge rate need the applications, i.e. a
 * pass over the ledger; the result is cached per process until the ledger changes (the rollup's
 * entry count moves) or a minute passes, so a public page cannot be used to load the database.
 */

export interface Slice<K> {
  key: K;
  amountFen: number;
  /** Loans: disbursement entries net of reversals. */
  count: number;
}

export interface RankedRegion extends Slice<string> {
  rank: number;
  shareBp: number | null;
}

export interface ReportData {
  /** UTC instant the figures were read. */
  asOf: string;
  /** The same instant as a China business day. */
  asOfDate: string;
  progress: ProgressSummary;
  totals: {
    amountFen: number;
    loans: number;
    firms: number;
    averageLoanFen: number | null;
    /** Amount-weighted average approved annual rate of the loans disbursed, bp. */
    averageRateBp: number | null;
    /** Σ amount disbursed ÷ Σ formal value pledged (实际质押率), bp. */
    averagePledgeRateBp: number | null;
    specialisedFirms: number;
    highTechFirms: number;
    specialisedShareBp: number | null;
    highTechShareBp: number | null;
  };
  byRegion: RankedRegion[];
  byBank: (Slice<number> & { name: string })[];
  byIpType: Slice<IpType>[];
  byIndustry: Slice<string>[];
  byYear: Slice<string>[];
  /**
   * Balances of the loans still being repaid (docs/domain.md#servicing): the outstanding
   * principal, the part of it on loans overdue today and on non-performing loans (次级/可疑/损失).
   */
  servicing: ServicingFigures;
  /** One message per paragraph, worded by the page and the exports in the reader's language. */
  commentary: Message[];
}

export interface ServicingFigures {
  openLoans: number;
  outstandingFen: number;
  principalRepaidFen: number;
  overdueLoans: number;
  overdueOutstandingFen: number;
  overdueShareBp: number | null;
  nonPerformingOutstandingFen: number;
  nonPerformingShareBp: number | null;
}

async function servicingFigures(db: Db): Promise<ServicingFigures> {
  const rows = await db
    .selectFrom("loan_accounts")
    .select((eb) => [
      eb.fn.countAll<number | string>().as("n"),
      eb.fn.sum<number | string | null>("outstanding_principal_fen").as("outstanding"),
      eb.fn.sum<number | string | null>("principal_repaid_fen").as("repaid"),
      eb.fn
        .sum<number | string | null>(eb.case().when("days_past_due", ">", 0).then(1).else(0).end())
        .as("overdue_n"),
      eb.fn
        .sum<number | string | null>(
          eb
            .case()
            .when("days_past_due", ">", 0)
            .then(eb.ref("outstanding_principal_fen"))
            .else(0)
            .end(),
        )
        .as("overdue"),
      eb.fn
        .sum<number | string | null>(
          eb
            .case()
            .when("risk_class", "in", [...NON_PERFORMING])
            .then(eb.ref("outstanding_principal_fen"))
            .else(0)
            .end(),
        )
        .as("npl"),
    ])
    .where("status", "=", "open")
    .executeTakeFirst();
  const outstanding = Number(rows?.outstanding ?? 0);
  const overdue = Number(rows?.overdue ?? 0);
  const npl = Number(rows?.npl ?? 0);
  const repaid = await db
    .selectFrom("servicing_rollups")
    .select("principal_repaid_fen")
    .where("dimension", "=", "total")
    .executeTakeFirst();
  return {
    openLoans: Number(rows?.n ?? 0),
    outstandingFen: outstanding,
    principalRepaidFen: Number(repaid?.principal_repaid_fen ?? 0),
    overdueLoans: Number(rows?.overdue_n ?? 0),
    overdueOutstandingFen: overdue,
    overdueShareBp: ratioBp(overdue, outstanding),
    nonPerformingOutstandingFen: npl,
    nonPerformingShareBp: ratioBp(npl, outstanding),
  };
}

function add<K>(map: Map<K, Slice<K>>, key: K, amountFen: number, count: number) {
  const s = map.get(key) ?? { key, amountFen: 0, count: 0 };
  s.amountFen += amountFen;
  s.count += count;
  map.set(key, s);
}

async function computeReport(db: Db, today: string): Promise<ReportData> {
  const [progress, totals, reversals, industry, rate, pledge, flags, banks] = await Promise.all([
    getProgressSummary(db, today),
    db.selectFrom("disbursement_totals").selectAll().execute(),
    // Reversals by bucket (found through the unique index on reverses_entry_id).
    db
      .selectFrom("ledger_entries")
      .select((eb) => [
        "region_code",
        "bank_org_id",
        "ip_type",
        "month",
        eb.fn.countAll<number | string>().as("n"),
      ])
      .where("reverses_entry_id", "is not", null)
      .groupBy(["region_code", "bank_org_id", "ip_type", "month"])
      .execute(),
    db
      .selectFrom("ledger_entries as le")
      .innerJoin("applications as a", "a.id", "le.application_id")
      .select((eb) => [
        "a.industry_section",
        eb.fn.sum<number | string>("le.amount_fen").as("fen"),
        eb.fn
          .sum<number | string>(
            eb.case().when("le.entry_type", "=", "disbursement").then(1).else(-1).end(),
          )
          .as("n"),
      ])
      .groupBy("a.industry_section")
      .execute(),
    // Loans standing (not reversed): Σ amount × approved rate and Σ amount (weights of the
    // average rate), each from the application's standing disbursement.
    db
      .selectFrom("applications as a")
      .innerJoin("ledger_entries as d", (join) =>
        join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
      )
      .select((eb) => [
        eb.fn
          .sum<number | string>(
            eb("d.amount_fen", "*", eb.fn.coalesce("a.approved_rate_bp", eb.lit(0))),
          )
          .as("weighted"),
        eb.fn.sum<number | string>("d.amount_fen").as("fen"),
      ])
      .where("a.state", "in", DISBURSED_STATES)
      .where("a.approved_rate_bp", "is not", null)
      .executeTakeFirst(),
    db
      .selectFrom("applications as a")
      .innerJoin("ledger_entries as d", (join) =>
        join.onRef("d.application_id", "=", "a.id").on(STANDING_DISBURSEMENT),
      )
      .innerJoin("application_assets as aa", "aa.application_id", "a.id")
      .select((eb) => eb.fn.sum<number | string>("aa.value_fen").as("value"))
      .where("a.state", "in", DISBURSED_STATES)
      .executeTakeFirst(),
    db
      .selectFrom("financed_firms as ff")
      .innerJoin("organisations as f", "f.id", "ff.firm_org_id")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("firms"),
        eb.fn.sum<number | string>("f.flag_specialised").as("specialised"),
        eb.fn.sum<number | string>("f.flag_high_tech").as("high_tech"),
      ])
      .where("ff.disbursement_count", ">", 0)
      .executeTakeFirst(),
    db.selectFrom("organisations").select(["id", "name"]).where("kind", "=", "bank").execute(),
  ]);

  const reversed = new Map<string, number>();
  for (const r of reversals) {
    reversed.set(`${r.region_code}|${r.bank_org_id}|${r.ip_type}|${r.month}`, Number(r.n));
  }
  const region = new Map<string, Slice<string>>();
  const bank = new Map<number, Slice<number>>();
  const ipType = new Map<IpType, Slice<IpType>>();
  const year = new Map<string, Slice<string>>();
  let amountFen = 0;
  let loans = 0;
  for (const t of totals) {
    const fen = Number(t.amount_fen);
    const n =
      Number(t.entry_count) -
      2 * (reversed.get(`${t.region_code}|${t.bank_org_id}|${t.ip_type}|${t.month}`) ?? 0);
    amountFen += fen;
    loans += n;
    add(region, t.region_code, fen, n);
    add(bank, t.bank_org_id, fen, n);
    add(ipType, t.ip_type as IpType, fen, n);
    add(year, t.month.slice(0, 4), fen, n);
  }
  const bankName = new Map(banks.map((b) => [b.id, b.name]));

  const ranked = rankRegions(
    [...region.values()].map((r) => ({ code: r.key, amountFen: r.amountFen, count: r.count })),
  );
  const byRegion: RankedRegion[] = ranked.map((r, i) => ({
    key: r.code,
    amountFen: r.amountFen,
    count: r.count,
    rank: i + 1,
    shareBp: ratioBp(r.amountFen, amountFen),
  }));

  const industryMap = new Map<string, Slice<string>>();
  for (const r of industry) {
    add(industryMap, r.industry_section ?? "", Number(r.fen), Number(r.n));
  }
  const byIndustry = [
    ...INDUSTRY_CODES.filter((c) => industryMap.has(c)).map((c) => industryMap.get(c)!),
    ...(industryMap.has("") ? [industryMap.get("")!] : []),
  ].sort((a, b) => b.amountFen - a.amountFen || (a.key < b.key ? -1 : 1));

  const firms = Number(flags?.firms ?? 0);
  const specialisedFirms = Number(flags?.specialised ?? 0);
  const highTechFirms = Number(flags?.high_tech ?? 0);
  const rateFen = Number(rate?.fen ?? 0);
  const averageRateBp = rateFen > 0 ? Math.round(Number(rate?.weighted ?? 0) / rateFen) : null;
  const asOf = nowInstant();
  const asOfDate = chinaDateOf(asOf);

  const data: ReportData = {
    asOf,
    asOfDate,
    progress,
    totals: {
      amountFen,
      loans,
      firms,
      averageLoanFen: loans > 0 ? Math.round(amountFen / loans) : null,
      averageRateBp,
      averagePledgeRateBp: ratioBp(rateFen, Number(pledge?.value ?? 0)),
      specialisedFirms,
      highTechFirms,
      specialisedShareBp: ratioBp(specialisedFirms, firms),
      highTechShareBp: ratioBp(highTechFirms, firms),
    },
    byRegion,
    byBank: [...bank.values()]
      .filter((b) => b.count !== 0 || b.amountFen !== 0)
      .map((b) => ({ ...b, name: bankName.get(b.key) ?? String(b.key) }))
      .sort((a, b) => b.amountFen - a.amountFen || a.key - b.key),
    byIpType: IP_TYPES.map((t) => ipType.get(t) ?? { key: t, amountFen: 0, count: 0 }),
    byIndustry,
    byYear: [...year.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
    servicing: await servicingFigures(db),
    commentary: [],
  };
  data.commentary = reportCommentary({
    asOfDate,
    financedFen: progress.financedFen,
    targetFen: progress.targetFen,
    deadline: progress.deadline,
    deadlinePassed: progress.deadlinePassed,
    progressBp: progress.progressBp,
    remainingFen: progress.remainingFen,
    monthsLeft: progress.monthsLeft,
    neededPerMonthFen: progress.neededPerMonthFen,
    paceFen: progress.paceFen,
    projectedMonth: progress.projection.kind === "projected" ? progress.projection.month : null,
    reachedMonth: progress.projection.kind === "reached" ? progress.projection.month : null,
    regions: ranked,
    firmsFinanced: firms,
    specialisedFirms,
    highTechFirms,
  });
  return data;
}

// ---- the per-process cache ----

const CACHE_MS = 60_000;

interface CacheEntry {
  db: Db;
  key: string;
  at: number;
  data: Promise<ReportData>;
}

const holder = globalThis as typeof globalThis & { __zrReportCache?: CacheEntry };

async function ledgerVersion(db: Db): Promise<string> {
  const [rows, servicing, overdue] = await Promise.all([
    db
      .selectFrom("disbursement_rollups")
      .select(["dimension", "amount_fen", "entry_count"])
      .where("dimension", "in", ["total", "firms"])
      .execute(),
    // A repayment moves the servicing total; the daily reclassification moves the overdue loans.
    db
      .selectFrom("servicing_rollups")
      .select(["outstanding_fen", "entry_count"])
      .where("dimension", "=", "total")
      .executeTakeFirst(),
    db
      .selectFrom("loan_accounts")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string | null>("days_past_due").as("dpd"),
      ])
      .where("status", "=", "open")
      .where("days_past_due", ">", 0)
      .executeTakeFirst(),
  ]);
  return [
    ...rows.map((r) => `${r.dimension}:${Number(r.amount_fen)}:${Number(r.entry_count)}`).sort(),
    `servicing:${Number(servicing?.outstanding_fen ?? 0)}:${Number(servicing?.entry_count ?? 0)}`,
    `overdue:${Number(overdue?.n ?? 0)}:${Number(overdue?.dpd ?? 0)}`,
  ].join("|");
}

/** The report's figures (cached until the ledger changes, at most a minute). */
export async function getReport(db: Db, today: string = todayInChina()): Promise<ReportData> {
  const key = `${today}|${await ledgerVersion(db)}`;
  const c = holder.__zrReportCache;
  if (c && c.db === db && c.key === key && Date.now() - c.at < CACHE_MS) return c.data;
  const data = computeReport(db, today);
  holder.__zrReportCache = { db, key, at: Date.now(), data };
  data.catch(() => {
    if (holder.__zrReportCache?.data === data) holder.__zrReportCache = undefined;
  });
  return data;
}

/** Tests: forget the cached report (e.g. after changing a firm's flags). */
export function clearReportCache(): void {
  holder.__zrReportCache = undefined;
}
