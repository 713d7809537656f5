import { sql, type RawBuilder } from "kysely";
import {
  effectiveRate,
  nplByProduct,
  nplForBankOfficer,
  nplShortList,
  poolUsage,
  type EffectiveRate,
  type NplRow,
  type PoolUsage,
  type RiskDrillFilter,
  type RiskMeasure,
} from "../../domain/risk-sharing/figures";
import { ratioBp } from "../../domain/analytics/statistics";
import { leverageBp } from "../../domain/risk-sharing/coverage";
import { NON_PERFORMING } from "../../domain/servicing/classification";
import { isMysql, type Executor } from "../ledger.server";
import { pageOf, type Page } from "../product.server";

/**
 * Risk sharing and 贴息 in figures (docs/domain.md#risk-figures), for /report, /report.json and
 * /alliance/review, and the rows behind each figure for /report/risk. Each measure is one row
 * set (one row per loan or entry, `amount_fen` the figure's column); a figure is a SUM over its
 * row set and the drill-down pages through the same set, so the two agree to the fen by
 * construction. Portable SQL: the only dialect difference is the number of days between dates.
 */

/** Whole days from `from` to `to` (both 'YYYY-MM-DD'). */
function daysBetweenSql(db: Executor, from: RawBuilder<unknown>, to: RawBuilder<unknown>) {
  return isMysql(db)
    ? sql`DATEDIFF(${to}, ${from})`
    : sql`CAST(ROUND(julianday(${to}) - julianday(${from})) AS INTEGER)`;
}

const ref = (s: string) => sql.ref(s) as RawBuilder<unknown>;
const NPL_CLASSES = sql.join(NON_PERFORMING.map((c) => sql.lit(c)));
/** A loan with risk sharing: a pool reservation, or a bound insurance or guarantee. */
const SHARED = sql`(EXISTS (SELECT 1 FROM risk_reservations rr WHERE rr.application_id = la.application_id)
  OR EXISTS (SELECT 1 FROM risk_policies rp WHERE rp.application_id = la.application_id))`;

/**
 * One measure's rows, every measure with the same columns: application_id (null for an entry of
 * no loan, e.g. a contribution), firm_name, bank_name, region_code, product_id, label (pool,
 * programme or product), kind (entry type, party, risk class), ref_id (the entry, claim,
 * disposal or payout), value_date, amount_fen (the figure's column) and x1_fen / x2 (subsidy and
 * principal-days for the effective rate; non-performing principal and the risk-sharing flag for
 * the NPL ratio).
 */
function rowsOf(db: Executor, measure: RiskMeasure, f: RiskDrillFilter): RawBuilder<unknown> {
  const conds: RawBuilder<unknown>[] = [sql`1 = 1`];
  const loanJoins = (appId: RawBuilder<unknown>) => sql`
    LEFT JOIN applications a ON a.id = ${appId}
    LEFT JOIN organisations firm ON firm.id = a.firm_org_id
    LEFT JOIN organisations bank ON bank.id = a.bank_org_id`;
  switch (measure) {
    case "pool_exposure": {
      if (f.pool !== undefined) conds.push(sql`r.pool_id = ${f.pool}`);
      return sql`SELECT r.application_id AS application_id, firm.name AS firm_name,
          bank.name AS bank_name, a.region_code AS region_code, a.product_id AS product_id,
          p.name AS label, r.state AS kind, r.id AS ref_id, SUBSTR(r.created_at, 1, 10) AS value_date,
          r.reserved_fen AS amount_fen, r.initial_fen AS x1_fen, r.pool_id AS x2
        FROM risk_reservations r
        INNER JOIN risk_pools p ON p.id = r.pool_id
        ${loanJoins(ref("r.application_id"))}
        WHERE r.state = 'active' AND ${sql.join(conds, sql` AND `)}`;
    }
    case "pool_balance": {
      if (f.pool !== undefined) conds.push(sql`e.pool_id = ${f.pool}`);
      return sql`SELECT COALESCE(c.application_id, d.application_id) AS application_id,
          firm.name AS firm_name, bank.name AS bank_name, a.region_code AS region_code,
          a.product_id AS product_id, p.name AS label, e.entry_type AS kind, e.id AS ref_id,
          e.value_date AS value_date, e.amount_fen AS amount_fen, 0 AS x1_fen, e.pool_id AS x2
        FROM risk_pool_entries e
        INNER JOIN risk_pools p ON p.id = e.pool_id
        LEFT JOIN risk_claims c ON c.id = e.claim_id
        LEFT JOIN disposals d ON d.id = e.disposal_id
        ${loanJoins(sql`COALESCE(c.application_id, d.application_id)`)}
        WHERE ${sql.join(conds, sql` AND `)}`;
    }
    case "claims_paid": {
      if (f.pool !== undefined) conds.push(sql`c.pool_id = ${f.pool}`);
      return sql`SELECT c.application_id AS application_id, firm.name AS firm_name,
          bank.name AS bank_name, a.region_code AS region_code, a.product_id AS product_id,
          p.name AS label, cp.party AS kind, c.id AS ref_id,
          SUBSTR(c.decided_at, 1, 10) AS value_date, cp.amount_fen AS amount_fen,
          0 AS x1_fen, c.pool_id AS x2
        FROM risk_claim_payouts cp
        INNER JOIN risk_claims c ON c.id = cp.claim_id
        INNER JOIN risk_pools p ON p.id = c.pool_id
        ${loanJoins(ref("c.application_id"))}
        WHERE cp.party <> 'bank' AND ${sql.join(conds, sql` AND `)}`;
    }
    case "recovered": {
      if (f.pool !== undefined) conds.push(sql`c.pool_id = ${f.pool}`);
      return sql`SELECT d.application_id AS application_id, firm.name AS firm_name,
          bank.name AS bank_name, a.region_code AS region_code, a.product_id AS product_id,
          p.name AS label, dd.party AS kind, d.id AS ref_id,
          SUBSTR(dd.created_at, 1, 10) AS value_date, dd.amount_fen AS amount_fen,
          0 AS x1_fen, c.pool_id AS x2
        FROM disposal_distributions dd
        INNER JOIN disposals d ON d.id = dd.disposal_id
        INNER JOIN risk_claims c ON c.id = dd.claim_id
        INNER JOIN risk_pools p ON p.id = c.pool_id
        ${loanJoins(ref("d.application_id"))}
        WHERE dd.party <> 'bank' AND ${sql.join(conds, sql` AND `)}`;
    }
    case "subsidies": {
      const region = sql`COALESCE(sp.region_code, a.region_code)`;
      if (f.programme !== undefined) conds.push(sql`sp.programme_id = ${f.programme}`);
      if (f.region) conds.push(sql`${region} = ${f.region}`);
      return sql`SELECT sc.application_id AS application_id, firm.name AS firm_name,
          bank.name AS bank_name, ${region} AS region_code, a.product_id AS product_id,
          sg.name AS label, NULL AS kind, sp.id AS ref_id, sp.value_date AS value_date,
          sp.amount_fen AS amount_fen, 0 AS x1_fen, sp.programme_id AS x2
        FROM subsidy_payouts sp
        INNER JOIN subsidy_claims sc ON sc.id = sp.claim_id
        INNER JOIN subsidy_programmes sg ON sg.id = sp.programme_id
        ${loanJoins(ref("sc.application_id"))}
        WHERE ${sql.join(conds, sql` AND `)}`;
    }
    case "effective_rate": {
      // Principal-days to the latest repayment: P × (E − S) − Σ pᵢ × (E − dᵢ) (domain figures.ts).
      const end = ref("la.last_value_date");
      const held = daysBetweenSql(db, ref("la.start_date"), end);
      const early = daysBetweenSql(db, ref("re.value_date"), end);
      if (f.product !== undefined) conds.push(sql`la.product_id = ${f.product}`);
      return sql`SELECT la.application_id AS application_id, firm.name AS firm_name,
          bank.name AS bank_name, la.region_code AS region_code, la.product_id AS product_id,
          lp.name AS label, la.status AS kind, la.application_id AS ref_id,
          la.last_value_date AS value_date, la.interest_repaid_fen AS amount_fen,
          (SELECT COALESCE(SUM(sp.amount_fen), 0) FROM subsidy_payouts sp
            INNER JOIN subsidy_claims sc ON sc.id = sp.claim_id
            WHERE sc.application_id = la.application_id) AS x1_fen,
          la.principal_fen * ${held} - (SELECT COALESCE(SUM(re.principal_fen * ${early}), 0)
            FROM repayment_entries re
            WHERE re.application_id = la.application_id AND re.value_date <= la.last_value_date) AS x2
        FROM loan_accounts la
        INNER JOIN loan_products lp ON lp.id = la.product_id
        INNER JOIN organisations firm ON firm.id = la.firm_org_id
        INNER JOIN organisations bank ON bank.id = la.bank_org_id
        WHERE la.last_value_date IS NOT NULL AND ${sql.join(conds, sql` AND `)}`;
    }
    case "npl": {
      if (f.product !== undefined) conds.push(sql`la.product_id = ${f.product}`);
      if (f.shared !== undefined) conds.push(f.shared ? SHARED : sql`NOT ${SHARED}`);
      return sql`SELECT la.application_id AS application_id, firm.name AS firm_name,
          bank.name AS bank_name, la.region_code AS region_code, la.product_id AS product_id,
          lp.name AS label, la.risk_class AS kind, la.application_id AS ref_id,
          la.start_date AS value_date, la.outstanding_principal_fen AS amount_fen,
          CASE WHEN la.risk_class IN (${NPL_CLASSES}) THEN la.outstanding_principal_fen ELSE 0 END AS x1_fen,
          CASE WHEN ${SHARED} THEN 1 ELSE 0 END AS x2
        FROM loan_accounts la
        INNER JOIN loan_products lp ON lp.id = la.product_id
        INNER JOIN organisations firm ON firm.id = la.firm_org_id
        INNER JOIN organisations bank ON bank.id = la.bank_org_id
        WHERE la.status IN ('open', 'defaulted') AND la.outstanding_principal_fen <> 0
          AND ${sql.join(conds, sql` AND `)}`;
    }
  }
}

interface SumRow {
  k: string | number | null;
  k2?: string | number | null;
  n: number | string;
  amount: number | string | null;
  x1: number | string | null;
  x2: number | string | null;
}

const num = (v: unknown) => Number(v ?? 0);

/** Σ over a measure's rows, grouped by up to two of its columns. */
async function sums(
  db: Executor,
  measure: RiskMeasure,
  f: RiskDrillFilter,
  by: readonly ("x2" | "kind" | "region_code" | "product_id")[] = [],
  x2Summed = false,
): Promise<SumRow[]> {
  const keys = by.map((c) => sql.ref(`x.${c}`));
  const select = [
    by[0] ? sql`${keys[0]} AS k` : sql`NULL AS k`,
    by[1] ? sql`${keys[1]} AS k2` : sql`NULL AS k2`,
    sql`COUNT(*) AS n`,
    sql`SUM(x.amount_fen) AS amount`,
    sql`SUM(x.x1_fen) AS x1`,
    x2Summed ? sql`SUM(x.x2) AS x2` : sql`NULL AS x2`,
  ];
  const group = by.length ? sql` GROUP BY ${sql.join(keys)}` : sql``;
  const res =
    await sql<SumRow>`SELECT ${sql.join(select)} FROM (${rowsOf(db, measure, f)}) x${group}`.execute(
      db,
    );
  return res.rows;
}

export interface PoolFigure extends PoolUsage {
  id: number;
  name: string;
  contributedFen: number;
  balanceFen: number;
  exposureFen: number;
  coveredLoans: number;
  leverageCapBp: number;
  claimsPaidFen: number;
  recoveredFen: number;
}

export interface RiskFigures {
  pools: PoolFigure[];
  /** All pools together: leverage Σ exposure ÷ Σ balance, usage Σ exposure ÷ Σ limit. */
  poolTotals: PoolUsage & { contributedFen: number; balanceFen: number; exposureFen: number };
  claims: {
    /** What the pools, insurers and guarantors paid on approved claims (not the bank's own part). */
    paidFen: number;
    payouts: number;
    byParty: { pool: number; insurer: number; guarantor: number };
    /** The banks' own shares of the approved claims (a loss they keep). */
    bankRetainedFen: number;
  };
  recoveries: {
    /** Disposal proceeds the pools, insurers and guarantors got back of what they paid. */
    recoveredFen: number;
    entries: number;
    byParty: { pool: number; insurer: number; guarantor: number };
  };
  subsidies: {
    paidFen: number;
    payouts: number;
    byProgramme: { id: number; name: string; paidFen: number; payouts: number }[];
    byRegion: { code: string; paidFen: number; payouts: number }[];
  };
  effectiveRate: EffectiveRate & {
    loans: number;
    interestFen: number;
    subsidyFen: number;
    principalDays: number;
  };
  /** `others`: on the review, a bank officer's one row for every other bank's products. */
  npl: (NplRow & { productName: string; bankName: string; bankOrgId: number; others?: boolean })[];
}

type Party = "pool" | "insurer" | "guarantor";
const byParty = (rows: SumRow[]) => {
  const out = { pool: 0, insurer: 0, guarantor: 0 };
  for (const r of rows) if (r.k && r.k in out) out[r.k as Party] = num(r.amount);
  return out;
};

export async function getRiskFigures(db: Executor): Promise<RiskFigures> {
  const [
    pools,
    exposure,
    balance,
    paid,
    recovered,
    bankShare,
    subsidies,
    subsidyByProgramme,
    subsidyByRegion,
    rate,
    npl,
  ] = await Promise.all([
    db
      .selectFrom("risk_pools")
      .select(["id", "name", "contributed_fen", "leverage_multiple_bp"])
      .orderBy("id")
      .execute(),
    sums(db, "pool_exposure", {}, ["x2"]),
    sums(db, "pool_balance", {}, ["x2"]),
    sums(db, "claims_paid", {}, ["x2", "kind"]),
    sums(db, "recovered", {}, ["x2", "kind"]),
    db
      .selectFrom("risk_claim_payouts")
      .select((eb) => eb.fn.sum<number | string | null>("amount_fen").as("fen"))
      .where("party", "=", "bank")
      .executeTakeFirst(),
    sums(db, "subsidies", {}),
    sums(db, "subsidies", {}, ["x2"]),
    sums(db, "subsidies", {}, ["region_code"]),
    sums(db, "effective_rate", {}, [], true),
    sums(db, "npl", {}, ["product_id", "x2"]),
  ]);
  const perPool = (rows: SumRow[], poolId: number) =>
    rows.filter((r) => num(r.k) === poolId).reduce((s, r) => s + num(r.amount), 0);
  const poolFigures: PoolFigure[] = pools.map((p) => {
    const exposureFen = perPool(exposure, p.id);
    const balanceFen = perPool(balance, p.id);
    return {
      id: p.id,
      name: p.name,
      contributedFen: num(p.contributed_fen),
      balanceFen,
      exposureFen,
      coveredLoans: num(exposure.find((r) => num(r.k) === p.id)?.n),
      leverageCapBp: p.leverage_multiple_bp,
      claimsPaidFen: perPool(paid, p.id),
      recoveredFen: perPool(recovered, p.id),
      ...poolUsage({
        contributedFen: num(p.contributed_fen),
        balanceFen,
        exposureFen,
        leverageMultipleBp: p.leverage_multiple_bp,
      }),
    };
  });
  const totalOf = (k: "contributedFen" | "balanceFen" | "exposureFen" | "limitFen") =>
    poolFigures.reduce((s, p) => s + p[k], 0);
  const totalExposure = totalOf("exposureFen");
  const totalBalance = totalOf("balanceFen");
  const totalLimit = totalOf("limitFen");
  const programmes = await db.selectFrom("subsidy_programmes").select(["id", "name"]).execute();
  const programmeName = new Map(programmes.map((p) => [p.id, p.name]));
  const partyRows = (rows: SumRow[]) => rows.map((r) => ({ ...r, k: r.k2 ?? null }));
  const rateRow = rate[0];
  const basis = {
    interestFen: num(rateRow?.amount),
    subsidyFen: num(rateRow?.x1),
    principalDays: num(rateRow?.x2),
  };
  const nplRows = nplByProduct(
    npl.map((r) => ({
      productId: num(r.k),
      shared: num(r.k2) === 1,
      loans: num(r.n),
      outstandingFen: num(r.amount),
      nonPerformingFen: num(r.x1),
    })),
  );
  const products =
    nplRows.length === 0
      ? []
      : await db
          .selectFrom("loan_products as p")
          .innerJoin("organisations as o", "o.id", "p.bank_org_id")
          .select(["p.id", "p.name", "o.name as bankName", "p.bank_org_id"])
          .where(
            "p.id",
            "in",
            nplRows.map((r) => r.productId),
          )
          .execute();
  const product = new Map(products.map((p) => [p.id, p]));
  return {
    pools: poolFigures,
    poolTotals: {
      contributedFen: totalOf("contributedFen"),
      balanceFen: totalBalance,
      exposureFen: totalExposure,
      limitFen: totalLimit,
      leverageBp: leverageBp(totalExposure, totalBalance),
      usageBp: ratioBp(totalExposure, totalLimit),
      headroomFen: poolFigures.reduce((s, p) => s + p.headroomFen, 0),
    },
    claims: {
      paidFen: paid.reduce((s, r) => s + num(r.amount), 0),
      payouts: paid.reduce((s, r) => s + num(r.n), 0),
      byParty: byParty(partyRows(paid)),
      bankRetainedFen: num(bankShare?.fen),
    },
    recoveries: {
      recoveredFen: recovered.reduce((s, r) => s + num(r.amount), 0),
      entries: recovered.reduce((s, r) => s + num(r.n), 0),
      byParty: byParty(partyRows(recovered)),
    },
    subsidies: {
      paidFen: num(subsidies[0]?.amount),
      payouts: num(subsidies[0]?.n),
      byProgramme: subsidyByProgramme
        .map((r) => ({
          id: num(r.k),
          name: programmeName.get(num(r.k)) ?? `#${String(r.k)}`,
          paidFen: num(r.amount),
          payouts: num(r.n),
        }))
        .sort((a, b) => b.paidFen - a.paidFen || a.id - b.id),
      byRegion: subsidyByRegion
        .map((r) => ({ code: String(r.k ?? ""), paidFen: num(r.amount), payouts: num(r.n) }))
        .sort((a, b) => b.paidFen - a.paidFen || (a.code < b.code ? -1 : 1)),
    },
    effectiveRate: { loans: num(rateRow?.n), ...basis, ...effectiveRate(basis) },
    npl: nplRows.map((r) => ({
      ...r,
      productName: product.get(r.productId)?.name ?? `#${r.productId}`,
      bankName: product.get(r.productId)?.bankName ?? "",
      bankOrgId: product.get(r.productId)?.bank_org_id ?? 0,
    })),
  };
}

export interface RiskDrillRow {
  applicationId: number | null;
  firmName: string | null;
  bankName: string | null;
  regionCode: string | null;
  label: string;
  kind: string | null;
  refId: number;
  valueDate: string | null;
  amountFen: number;
  x1Fen: number;
  x2: number;
}

export const RISK_DRILL_PAGE_SIZE = 50;

/**
 * One page of the rows behind a figure, with their sums over every page: `amountFen` is the
 * figure (for the effective rate: the interest; x1 the 贴息 and x2 the principal-days it is
 * computed from; for the NPL ratio: the outstanding, x1 the non-performing part).
 */
export async function listRiskRows(
  db: Executor,
  measure: RiskMeasure,
  filter: RiskDrillFilter,
  page: number,
): Promise<Page<RiskDrillRow> & { sums: { amountFen: number; x1Fen: number; x2: number } }> {
  const [agg] = await sums(db, measure, filter, [], true);
  const total = num(agg?.n);
  const pages = Math.max(1, Math.ceil(total / RISK_DRILL_PAGE_SIZE));
  const p = Math.min(Math.max(1, page), pages);
  const res = await sql<{
    application_id: number | null;
    firm_name: string | null;
    bank_name: string | null;
    region_code: string | null;
    label: string;
    kind: string | null;
    ref_id: number;
    value_date: string | null;
    amount_fen: number | string;
    x1_fen: number | string;
    x2: number | string;
  }>`SELECT * FROM (${rowsOf(db, measure, filter)}) x
     ORDER BY x.value_date DESC, x.ref_id DESC, x.kind
     LIMIT ${RISK_DRILL_PAGE_SIZE} OFFSET ${(p - 1) * RISK_DRILL_PAGE_SIZE}`.execute(db);
  return {
    ...pageOf(
      res.rows.map((r) => ({
        applicationId: r.application_id === null ? null : Number(r.application_id),
        firmName: r.firm_name,
        bankName: r.bank_name,
        regionCode: r.region_code,
        label: r.label,
        kind: r.kind,
        refId: Number(r.ref_id),
        valueDate: r.value_date,
        amountFen: num(r.amount_fen),
        x1Fen: num(r.x1_fen),
        x2: num(r.x2),
      })),
      total,
      p,
      RISK_DRILL_PAGE_SIZE,
    ),
    sums: { amountFen: num(agg?.amount), x1Fen: num(agg?.x1), x2: num(agg?.x2) },
  };
}

/**
 * What the risk figures are read from, for the public pages' data version: every payout,
 * recovery, contribution, reservation change, claim decision and subsidy payout moves it.
 */
export async function riskDataVersion(db: Executor): Promise<string> {
  const [pools, reservations, claims, subsidies, disposals] = await Promise.all([
    db
      .selectFrom("risk_pools")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string | null>("balance_fen").as("b"),
        eb.fn.sum<number | string | null>("exposure_fen").as("e"),
        eb.fn.sum<number | string | null>("version").as("v"),
        eb.fn.max("updated_at").as("at"),
      ])
      .executeTakeFirst(),
    db
      .selectFrom("risk_reservations")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string | null>("version").as("v"),
      ])
      .executeTakeFirst(),
    db
      .selectFrom("risk_claims")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string | null>("version").as("v"),
      ])
      .executeTakeFirst(),
    db
      .selectFrom("subsidy_payouts")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string | null>("amount_fen").as("s"),
      ])
      .executeTakeFirst(),
    db
      .selectFrom("disposal_distributions")
      .select((eb) => [
        eb.fn.countAll<number | string>().as("n"),
        eb.fn.sum<number | string | null>("amount_fen").as("s"),
      ])
      .executeTakeFirst(),
  ]);
  return [
    `rp:${num(pools?.n)}:${num(pools?.b)}:${num(pools?.e)}:${num(pools?.v)}:${String(pools?.at ?? "")}`,
    `rr:${num(reservations?.n)}:${num(reservations?.v)}`,
    `rc:${num(claims?.n)}:${num(claims?.v)}`,
    `sp:${num(subsidies?.n)}:${num(subsidies?.s)}`,
    `dd:${num(disposals?.n)}:${num(disposals?.s)}`,
  ].join(",");
}

/** The figures as a bank officer sees them on the review: other banks' products combined. */
export function riskFiguresForBankOfficer(figures: RiskFigures, ownBankOrgId: number): RiskFigures {
  return {
    ...figures,
    npl: nplForBankOfficer(figures.npl, ownBankOrgId).map((r) =>
      "others" in r ? { ...r, productName: "", bankName: "", bankOrgId: 0 } : r,
    ),
  };
}

/** The figures as a page shows them: the NPL table cut to its short list (nplShortList). */
export type RiskFiguresPage = RiskFigures & {
  /** The products not named in `npl`, summed; null when every product is named. */
  nplRest: ReturnType<typeof nplShortList>["rest"];
};

export function riskFiguresForPage(figures: RiskFigures): RiskFiguresPage {
  const { rows, rest } = nplShortList(figures.npl);
  return { ...figures, npl: rows, nplRest: rest };
}
