import type { InterestPayment } from "../../domain/risk-sharing/subsidy";
import type { Executor } from "../ledger.server";

/**
 * What risk sharing needs to know about a loan, read from loan servicing (issue 13, migration
 * 013): the loan account's outstanding principal, the repayment ledger's interest payments and
 * the recorded default. A loan disbursed before loan accounts existed has none; its outstanding
 * principal is then the amount disbursed until it is marked repaid.
 */
export interface LoanFacts {
  applicationId: number;
  productId: number;
  firmOrgId: number;
  bankOrgId: number;
  regionCode: string;
  state: string;
  rateBp: number;
  disbursedFen: number;
  disbursedDate: string | null;
  outstandingPrincipalFen: number;
  defaulted: boolean;
  /** Interest due and unpaid when the default was recorded (the bank's recorded interest loss). */
  unpaidInterestFen: number;
  interestPayments: InterestPayment[];
}

/** The key a repayment entry's interest is subsidised under (subsidised_interest.payment_key). */
export function paymentKey(entryId: number): string {
  return `repayment:${entryId}`;
}

export async function getLoanFacts(db: Executor, applicationId: number): Promise<LoanFacts | null> {
  const app = await db
    .selectFrom("applications")
    .select([
      "id",
      "product_id",
      "firm_org_id",
      "bank_org_id",
      "region_code",
      "state",
      "approved_rate_bp",
      "rate_bp",
      "disbursed_amount_fen",
      "disbursed_date",
    ])
    .where("id", "=", applicationId)
    .executeTakeFirst();
  if (!app) return null;
  const account = await db
    .selectFrom("loan_accounts")
    .select(["outstanding_principal_fen", "status", "rate_bp"])
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  const loanDefault = await db
    .selectFrom("loan_defaults")
    .select(["principal_loss_fen", "interest_loss_fen"])
    .where("application_id", "=", applicationId)
    .executeTakeFirst();
  // Reversed repayments and the reversals themselves net out: only live repayments count.
  const entries = await db
    .selectFrom("repayment_entries as r")
    .select(["r.id", "r.value_date", "r.interest_fen"])
    .where("r.application_id", "=", applicationId)
    .where("r.entry_type", "=", "repayment")
    .where("r.interest_fen", ">", 0)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("repayment_entries as x")
            .select("x.id")
            .whereRef("x.reverses_entry_id", "=", "r.id"),
        ),
      ),
    )
    .orderBy("r.value_date")
    .orderBy("r.id")
    .execute();

  const disbursedFen = Number(app.disbursed_amount_fen ?? 0);
  const defaulted = app.state === "defaulted" || account?.status === "defaulted";
  let outstanding: number;
  if (account) outstanding = Number(account.outstanding_principal_fen);
  else if (app.state === "disbursed" || app.state === "defaulted") outstanding = disbursedFen;
  else outstanding = 0;
  if (loanDefault && !account) outstanding = Number(loanDefault.principal_loss_fen);
  return {
    applicationId: app.id,
    productId: app.product_id,
    firmOrgId: app.firm_org_id,
    bankOrgId: app.bank_org_id,
    regionCode: app.region_code,
    state: app.state,
    rateBp: Number(account?.rate_bp ?? app.approved_rate_bp ?? app.rate_bp),
    disbursedFen,
    disbursedDate: app.disbursed_date,
    outstandingPrincipalFen: outstanding,
    defaulted,
    unpaidInterestFen: Number(loanDefault?.interest_loss_fen ?? 0),
    interestPayments: entries.map((e) => ({
      entryKey: paymentKey(e.id),
      paidDate: e.value_date,
      interestFen: Number(e.interest_fen),
    })),
  };
}
