import type { IpType, RiskClassCode } from "../../../db/schema";
import { NON_PERFORMING } from "../../domain/servicing/classification";
import {
  NO_AMOUNTS,
  portfolioFigures,
  type PortfolioAmounts,
  type PortfolioFigures,
  type PortfolioMeasure,
} from "../../domain/servicing/portfolio";
import type { Db } from "../../utils/db.server";
import { pageOf, type Page } from "../product.server";

/**
 * The loan book by 盟市 and by bank (domain/servicing/portfolio.ts says what each figure means),
 * and the drill-down: the loans each figure was summed from.
 *
 * Outstanding and repaid amounts are the servicing rollups, kept in the transaction of every
 * disbursement, repayment and reversal (loan.server.ts) and recomputed by `npm run reconcile`
 * (outstanding_drift_fen, repayment_drift_fen). Overdue and non-performing balances move with the
 * days, not with postings (the daily job reclassifies), so they are summed from the loan accounts
 * with the very conditions the drill-down lists. Either way a figure is the sum of its loans.
 */

export interface PortfolioRow extends PortfolioFigures {
  key: string;
}

export interface Portfolio {
  total: PortfolioFigures;
  byRegion: PortfolioRow[];
  byBank: (PortfolioRow & { bankOrgId: number; name: string })[];
}

export async function getPortfolio(db: Db): Promise<Portfolio> {
  const [rollups, risk, banks] = await Promise.all([
    db
      .selectFrom("servicing_rollups")
      .selectAll()
      .where("dimension", "in", ["total", "region", "bank"])
      .execute(),
    db
      .selectFrom("loan_accounts")
      .select((eb) => [
        "region_code",
        "bank_org_id",
        eb.fn
          .sum<number | string | null>(
            eb
              .case()
              .when(eb.and([eb("status", "=", "open"), eb("days_past_due", ">", 0)]))
              .then(eb.ref("outstanding_principal_fen"))
              .else(0)
              .end(),
          )
          .as("overdue"),
        eb.fn
          .sum<number | string | null>(
            eb
              .case()
              .when(
                eb.and([
                  eb("status", "in", ["open", "defaulted"]),
                  eb("risk_class", "in", [...NON_PERFORMING]),
                ]),
              )
              .then(eb.ref("outstanding_principal_fen"))
              .else(0)
              .end(),
          )
          .as("npl"),
      ])
      .groupBy(["region_code", "bank_org_id"])
      .execute(),
    db.selectFrom("organisations").select(["id", "name"]).where("kind", "=", "bank").execute(),
  ]);
  const amounts = new Map<string, PortfolioAmounts>();
  const at = (k: string) => {
    let a = amounts.get(k);
    if (!a) amounts.set(k, (a = { ...NO_AMOUNTS }));
    return a;
  };
  for (const r of rollups) {
    const a = at(`${r.dimension}|${r.bucket}`);
    a.outstandingFen += Number(r.outstanding_fen);
    a.principalRepaidFen += Number(r.principal_repaid_fen);
    a.interestRepaidFen += Number(r.interest_repaid_fen);
  }
  for (const r of risk) {
    for (const k of ["total|", `region|${r.region_code}`, `bank|${r.bank_org_id}`]) {
      const a = at(k);
      a.overdueFen += Number(r.overdue ?? 0);
      a.nonPerformingFen += Number(r.npl ?? 0);
    }
  }
  const bankName = new Map(banks.map((b) => [b.id, b.name]));
  const some = (a: PortfolioAmounts) =>
    a.outstandingFen !== 0 || a.principalRepaidFen !== 0 || a.interestRepaidFen !== 0;
  const rows = (dimension: "region" | "bank") =>
    [...amounts.entries()]
      .filter(([k, a]) => k.startsWith(`${dimension}|`) && some(a))
      .map(([k, a]) => ({ key: k.slice(dimension.length + 1), ...portfolioFigures(a) }))
      .sort((x, y) => y.outstandingFen - x.outstandingFen || (x.key < y.key ? -1 : 1));
  return {
    total: portfolioFigures(amounts.get("total|") ?? NO_AMOUNTS),
    byRegion: rows("region"),
    byBank: rows("bank").map((r) => ({
      ...r,
      bankOrgId: Number(r.key),
      name: bankName.get(Number(r.key)) ?? r.key,
    })),
  };
}

export interface PortfolioFilter {
  measure: PortfolioMeasure;
  region?: string;
  bank?: number;
}

export interface PortfolioLoanRow {
  applicationId: number;
  firmName: string;
  bankName: string;
  regionCode: string;
  ipType: IpType;
  startDate: string;
  maturityDate: string;
  principalFen: number;
  outstandingFen: number;
  principalRepaidFen: number;
  interestRepaidFen: number;
  status: string;
  daysPastDue: number;
  riskClass: RiskClassCode;
}

export const PORTFOLIO_LOANS_PAGE_SIZE = 50;

function selected(db: Db, f: PortfolioFilter) {
  let q = db.selectFrom("loan_accounts");
  if (f.region) q = q.where("loan_accounts.region_code", "=", f.region);
  if (f.bank !== undefined) q = q.where("loan_accounts.bank_org_id", "=", f.bank);
  switch (f.measure) {
    case "outstanding":
      return q.where("loan_accounts.outstanding_principal_fen", "<>", 0);
    case "repaid":
      return q.where((eb) =>
        eb.or([
          eb("loan_accounts.principal_repaid_fen", "<>", 0),
          eb("loan_accounts.interest_repaid_fen", "<>", 0),
        ]),
      );
    case "overdue":
      return q
        .where("loan_accounts.status", "=", "open")
        .where("loan_accounts.days_past_due", ">", 0);
    case "non_performing":
      return q
        .where("loan_accounts.status", "in", ["open", "defaulted"])
        .where("loan_accounts.risk_class", "in", [...NON_PERFORMING]);
  }
}

/**
 * One page of the loans behind a figure, with the sums over all of them (the figure itself: the
 * outstanding sum for outstanding, overdue and non-performing; principal + interest for repaid).
 */
export async function listPortfolioLoans(
  db: Db,
  filter: PortfolioFilter,
  page: number,
): Promise<
  Page<PortfolioLoanRow> & {
    sums: { outstandingFen: number; principalRepaidFen: number; interestRepaidFen: number };
  }
> {
  const agg = await selected(db, filter)
    .select((eb) => [
      eb.fn.countAll<number | string>().as("n"),
      eb.fn.sum<number | string | null>("loan_accounts.outstanding_principal_fen").as("o"),
      eb.fn.sum<number | string | null>("loan_accounts.principal_repaid_fen").as("p"),
      eb.fn.sum<number | string | null>("loan_accounts.interest_repaid_fen").as("i"),
    ])
    .executeTakeFirstOrThrow();
  const total = Number(agg.n);
  const pages = Math.max(1, Math.ceil(total / PORTFOLIO_LOANS_PAGE_SIZE));
  const p = Math.min(page, pages);
  const rows = await selected(db, filter)
    .innerJoin("organisations as firm", "firm.id", "loan_accounts.firm_org_id")
    .innerJoin("organisations as bank", "bank.id", "loan_accounts.bank_org_id")
    .select([
      "loan_accounts.application_id",
      "firm.name as firm_name",
      "bank.name as bank_name",
      "loan_accounts.region_code",
      "loan_accounts.ip_type",
      "loan_accounts.start_date",
      "loan_accounts.maturity_date",
      "loan_accounts.principal_fen",
      "loan_accounts.outstanding_principal_fen",
      "loan_accounts.principal_repaid_fen",
      "loan_accounts.interest_repaid_fen",
      "loan_accounts.status",
      "loan_accounts.days_past_due",
      "loan_accounts.risk_class",
    ])
    .orderBy("loan_accounts.outstanding_principal_fen", "desc")
    .orderBy("loan_accounts.application_id", "desc")
    .limit(PORTFOLIO_LOANS_PAGE_SIZE)
    .offset((p - 1) * PORTFOLIO_LOANS_PAGE_SIZE)
    .execute();
  return {
    ...pageOf(
      rows.map((r) => ({
        applicationId: r.application_id,
        firmName: r.firm_name,
        bankName: r.bank_name,
        regionCode: r.region_code,
        ipType: r.ip_type as IpType,
        startDate: r.start_date,
        maturityDate: r.maturity_date,
        principalFen: Number(r.principal_fen),
        outstandingFen: Number(r.outstanding_principal_fen),
        principalRepaidFen: Number(r.principal_repaid_fen),
        interestRepaidFen: Number(r.interest_repaid_fen),
        status: r.status,
        daysPastDue: Number(r.days_past_due),
        riskClass: r.risk_class,
      })),
      total,
      p,
      PORTFOLIO_LOANS_PAGE_SIZE,
    ),
    sums: {
      outstandingFen: Number(agg.o ?? 0),
      principalRepaidFen: Number(agg.p ?? 0),
      interestRepaidFen: Number(agg.i ?? 0),
    },
  };
}
