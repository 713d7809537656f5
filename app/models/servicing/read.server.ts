import type { LoanStatus, RiskClassCode } from "../../../db/schema";
import { NON_PERFORMING } from "../../domain/servicing/classification";
import { LOAN_TABS, type LoanTab } from "../../domain/servicing/loan-tabs";

export { LOAN_TABS, type LoanTab };
import type { Db } from "../../utils/db.server";
import { todayInChina } from "../../utils/time";
import { UserFacingError } from "../errors";
import { pageOf, type Page } from "../product.server";
import { watchList, type LoanWatch } from "./collateral.server";
import { getLoanView, type LoanView } from "./loan.server";

/**
 * What the loan pages read (docs/domain.md#servicing): the bank's and the firm's lists of their
 * loans, and one loan with its schedule, entries and position. Owner-scoped like every model: an id
 * of another organisation's loan is "not found".
 */

export type LoanScope = { kind: "bank"; bankOrgId: number } | { kind: "firm"; firmOrgId: number };

export const LOANS_PAGE_SIZE = 20;

export interface LoanListRow {
  applicationId: number;
  firmName: string;
  bankName: string;
  productName: string;
  principalFen: number;
  outstandingFen: number;
  rateBp: number;
  termMonths: number;
  method: string;
  startDate: string;
  maturityDate: string;
  status: LoanStatus;
  daysPastDue: number;
  overdueFen: number;
  riskClass: RiskClassCode;
}

function scoped(db: Db, scope: LoanScope) {
  const q = db.selectFrom("loan_accounts");
  return scope.kind === "bank"
    ? q.where("loan_accounts.bank_org_id", "=", scope.bankOrgId)
    : q.where("loan_accounts.firm_org_id", "=", scope.firmOrgId);
}

function inTab<Q extends ReturnType<typeof scoped>>(q: Q, tab: LoanTab): Q {
  switch (tab) {
    case "open":
      return q.where("loan_accounts.status", "=", "open") as Q;
    case "overdue":
      return q
        .where("loan_accounts.status", "=", "open")
        .where("loan_accounts.days_past_due", ">", 0) as Q;
    case "non_performing":
      return q
        .where("loan_accounts.status", "in", ["open", "defaulted"])
        .where("loan_accounts.risk_class", "in", [...NON_PERFORMING]) as Q;
    case "closed":
      return q.where("loan_accounts.status", "=", "closed") as Q;
    case "defaulted":
      return q.where("loan_accounts.status", "=", "defaulted") as Q;
    case "all":
      return q;
  }
}

/** One page of a bank's or a firm's loans in a tab, with the count of every tab. */
export async function listLoans(
  db: Db,
  scope: LoanScope,
  filter: { tab: LoanTab; page: number },
): Promise<Page<LoanListRow> & { counts: Record<LoanTab, number> }> {
  const countIn = async (tab: LoanTab) =>
    Number(
      (
        await inTab(scoped(db, scope), tab)
          .select((eb) => eb.fn.countAll<number | string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = Object.fromEntries(
    await Promise.all(LOAN_TABS.map(async (tab) => [tab, await countIn(tab)] as const)),
  ) as Record<LoanTab, number>;
  const total = counts[filter.tab];
  const pages = Math.max(1, Math.ceil(total / LOANS_PAGE_SIZE));
  const page = Math.min(filter.page, pages);
  const rows = await inTab(scoped(db, scope), filter.tab)
    .innerJoin("organisations as firm", "firm.id", "loan_accounts.firm_org_id")
    .innerJoin("organisations as bank", "bank.id", "loan_accounts.bank_org_id")
    .innerJoin("loan_products", "loan_products.id", "loan_accounts.product_id")
    .select([
      "loan_accounts.application_id",
      "firm.name as firm_name",
      "bank.name as bank_name",
      "loan_products.name as product_name",
      "loan_accounts.principal_fen",
      "loan_accounts.outstanding_principal_fen",
      "loan_accounts.rate_bp",
      "loan_accounts.term_months",
      "loan_accounts.method",
      "loan_accounts.start_date",
      "loan_accounts.maturity_date",
      "loan_accounts.status",
      "loan_accounts.days_past_due",
      "loan_accounts.overdue_fen",
      "loan_accounts.risk_class",
    ])
    // What needs attention first: the longest overdue, then the newest.
    .orderBy("loan_accounts.days_past_due", "desc")
    .orderBy("loan_accounts.application_id", "desc")
    .limit(LOANS_PAGE_SIZE)
    .offset((page - 1) * LOANS_PAGE_SIZE)
    .execute();
  return {
    ...pageOf(
      rows.map((r) => ({
        applicationId: r.application_id,
        firmName: r.firm_name,
        bankName: r.bank_name,
        productName: r.product_name,
        principalFen: Number(r.principal_fen),
        outstandingFen: Number(r.outstanding_principal_fen),
        rateBp: r.rate_bp,
        termMonths: r.term_months,
        method: r.method,
        startDate: r.start_date,
        maturityDate: r.maturity_date,
        status: r.status,
        daysPastDue: Number(r.days_past_due),
        overdueFen: Number(r.overdue_fen),
        riskClass: r.risk_class,
      })),
      total,
      page,
      LOANS_PAGE_SIZE,
    ),
    counts,
  };
}

export interface LoanDetail extends LoanView {
  firmName: string;
  bankName: string;
  productName: string;
  /** Who posted each entry, by user id. */
  posters: Record<number, string>;
  /** The latest standing repayment: the only one that may be reversed. */
  reversibleEntryId: number | null;
  defaultRecord: { defaultDate: string; principalLossFen: number; interestLossFen: number } | null;
  overrides: { riskClass: RiskClassCode; reason: string; createdAt: string }[];
  /** An open loan's pledged assets, their fee states and the coverage they still give. */
  collateral: LoanWatch | null;
}

/** One loan of the bank's or the firm's, as it stands on `asOf`; another's id is a 404. */
export async function getLoanDetail(
  db: Db,
  scope: LoanScope,
  applicationId: number,
  asOf: string = todayInChina(),
): Promise<LoanDetail> {
  const names = await scoped(db, scope)
    .innerJoin("organisations as firm", "firm.id", "loan_accounts.firm_org_id")
    .innerJoin("organisations as bank", "bank.id", "loan_accounts.bank_org_id")
    .innerJoin("loan_products", "loan_products.id", "loan_accounts.product_id")
    .select([
      "firm.name as firm_name",
      "bank.name as bank_name",
      "loan_products.name as product_name",
    ])
    .where("loan_accounts.application_id", "=", applicationId)
    .executeTakeFirst();
  const view = names ? await getLoanView(db, applicationId, asOf) : null;
  if (!names || !view) throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
  const userIds = [...new Set(view.entries.map((e) => e.created_by))];
  const [users, defaults, overrides, watch] = await Promise.all([
    userIds.length
      ? db.selectFrom("users").select(["id", "display_name"]).where("id", "in", userIds).execute()
      : Promise.resolve([]),
    db
      .selectFrom("loan_defaults")
      .select(["default_date", "principal_loss_fen", "interest_loss_fen"])
      .where("application_id", "=", applicationId)
      .executeTakeFirst(),
    db
      .selectFrom("loan_classification_overrides")
      .select(["risk_class", "reason", "created_at"])
      .where("application_id", "=", applicationId)
      .orderBy("id", "desc")
      .execute(),
    watchList(db, scope, asOf, applicationId),
  ]);
  const reversed = new Set(view.entries.map((e) => e.reverses_entry_id).filter((x) => x !== null));
  const latest = view.entries
    .filter((e) => e.entry_type === "repayment" && !reversed.has(e.id))
    .at(-1);
  return {
    ...view,
    firmName: names.firm_name,
    bankName: names.bank_name,
    productName: names.product_name,
    posters: Object.fromEntries(users.map((u) => [u.id, u.display_name])),
    reversibleEntryId: view.account.status === "defaulted" ? null : (latest?.id ?? null),
    defaultRecord: defaults
      ? {
          defaultDate: defaults.default_date,
          principalLossFen: Number(defaults.principal_loss_fen),
          interestLossFen: Number(defaults.interest_loss_fen),
        }
      : null,
    collateral: watch[0] ?? null,
    overrides: overrides.map((o) => ({
      riskClass: o.risk_class,
      reason: o.reason,
      createdAt: o.created_at,
    })),
  };
}
