import type { ApplicationState } from "../../db/schema";
import { loanPath, type LoanPath, type LoanPathFacts } from "../domain/loan-path";
import type { Db } from "../utils/db.server";
import { findProductStatesForRequest } from "./match-states.server";

const SUBMITTED_OR_LATER: ApplicationState[] = [
  "submitted",
  "under_review",
  "approved",
  "pledge_registered",
  "disbursed",
  "repaid",
  "defaulted",
];
const APPROVED_OR_LATER: ApplicationState[] = [
  "approved",
  "pledge_registered",
  "disbursed",
  "repaid",
  "defaulted",
];

const count = (n: { n: number | string | bigint } | undefined) => Number(n?.n ?? 0);

/** The facts of the firm's dashboard checklist, read from its own rows (app/domain/loan-path.ts). */
export async function getLoanPathFacts(
  db: Db,
  firmOrgId: number,
  today: string,
): Promise<LoanPathFacts> {
  const newestApp = (states: ApplicationState[]) =>
    db
      .selectFrom("applications")
      .select("id")
      .where("firm_org_id", "=", firmOrgId)
      .where("state", "in", states)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  const [org, assets, unestimated, estimates, request, valid, orders, draft, submitted, approved] =
    await Promise.all([
      db
        .selectFrom("organisations")
        .select(["uscc", "region_code", "industry_section", "contact_name"])
        .where("id", "=", firmOrgId)
        .executeTakeFirst(),
      db
        .selectFrom("ip_assets")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("firm_org_id", "=", firmOrgId)
        .executeTakeFirst(),
      db
        .selectFrom("ip_assets as a")
        .select("a.id")
        .where("a.firm_org_id", "=", firmOrgId)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("valuation_estimates as e")
                .select("e.id")
                .whereRef("e.asset_id", "=", "a.id"),
            ),
          ),
        )
        .orderBy("a.id")
        .limit(1)
        .executeTakeFirst(),
      db
        .selectFrom("valuation_estimates")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("firm_org_id", "=", firmOrgId)
        .executeTakeFirst(),
      db
        .selectFrom("financing_requests")
        .select("id")
        .where("firm_org_id", "=", firmOrgId)
        .where("status", "=", "open")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst(),
      db
        .selectFrom("ip_assets")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("firm_org_id", "=", firmOrgId)
        .where("formal_valid_until", ">=", today)
        .executeTakeFirst(),
      db
        .selectFrom("appraisal_orders")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("firm_org_id", "=", firmOrgId)
        .where("status", "in", ["awaiting_payment", "paid", "in_progress"])
        .executeTakeFirst(),
      newestApp(["draft"]),
      newestApp(SUBMITTED_OR_LATER),
      newestApp(APPROVED_OR_LATER),
    ]);
  let readyProducts = 0;
  let appraisalProducts = 0;
  if (request) {
    const states = await findProductStatesForRequest(db, request.id, today);
    readyProducts = states?.groups.ready.length ?? 0;
    appraisalProducts = states?.groups.needs_appraisal.length ?? 0;
  }
  return {
    profileComplete: Boolean(
      org?.uscc && org.region_code && org.industry_section && org.contact_name,
    ),
    assetCount: count(assets),
    firstUnestimatedAssetId: unestimated?.id ?? null,
    estimateCount: count(estimates),
    latestOpenRequestId: request?.id ?? null,
    readyProducts,
    appraisalProducts,
    validAppraisals: count(valid),
    openAppraisalOrders: count(orders),
    draftApplicationId: draft?.id ?? null,
    submittedApplicationId: submitted?.id ?? null,
    approvedApplicationId: approved?.id ?? null,
  };
}

export async function getLoanPath(db: Db, firmOrgId: number, today: string): Promise<LoanPath> {
  return loanPath(await getLoanPathFacts(db, firmOrgId, today));
}
