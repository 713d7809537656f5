import type { LoanProduct } from "../../db/schema";
import {
  bestSingleChange,
  evaluateProduct,
  groupByState,
  type MatchSort,
  type ProductEvaluation,
  type ProductStates,
  type SingleChange,
} from "../domain/matching";
import { productTermsFromRow } from "../domain/matching/rows";
import { appraisalFeeFen } from "../domain/valuation";
import {
  getAppraisalFeeSettings,
  listOrderableAssets,
  listValuerOrganisations,
} from "./appraisal.server";
import { loadRequestsForEngine, type LoadedRequest } from "./matching.server";
import type { Db } from "../utils/db.server";

export type ProductWithBank = LoanProduct & { bank_name: string };

export interface RequestProductStates {
  loaded: LoadedRequest;
  /** Every active product, each in exactly one state (docs/domain.md#matching). */
  groups: ProductStates;
  products: Map<number, ProductWithBank>;
  bestChange: SingleChange | null;
  /**
   * The fee of a formal appraisal of each offered asset, from the indicative central value an
   * order would be priced on (the estimate the asset points at, else its stored copy).
   */
  appraisalFeeFen: Record<number, number>;
  /** Offered assets already held by an open appraisal order (a second order is never placed). */
  openOrders: Record<number, { orderId: number; orderNumber: string; status: string }>;
  valuers: { id: number; name: string }[];
  valuerCount: number;
  /** Median days from order to signature over the platform's last signed appraisals; null if none. */
  typicalSigningDays: number | null;
}

/** How long signing usually takes, from the platform's own history (last 200 signatures). */
export async function typicalSigningDays(db: Db): Promise<number | null> {
  const rows = await db
    .selectFrom("appraisals as a")
    .innerJoin("appraisal_orders as o", "o.id", "a.order_id")
    .select(["o.created_at", "a.signed_at"])
    .orderBy("a.id", "desc")
    .limit(200)
    .execute();
  const days = rows
    .map((r) => (Date.parse(r.signed_at) - Date.parse(r.created_at)) / 86_400_000)
    .filter((d) => Number.isFinite(d) && d >= 0)
    .sort((a, b) => a - b);
  if (days.length === 0) return null;
  return Math.max(1, Math.ceil(days[Math.floor(days.length / 2)]));
}

/**
 * Every active product evaluated by the engine for one request and grouped by state. Unlike
 * findMatchesForRequest (the SQL-prefiltered pages of matches and near misses), nothing is
 * dropped: a firm sees why each product does or does not fit. Null when the request is missing.
 */
export async function findProductStatesForRequest(
  db: Db,
  requestId: number,
  today: string,
  sort: MatchSort = "score",
): Promise<RequestProductStates | null> {
  const [loaded] = await loadRequestsForEngine(db, [requestId], today);
  if (!loaded) return null;
  const [rows, settings, valuers, signingDays] = await Promise.all([
    db
      .selectFrom("loan_products as p")
      .innerJoin("organisations as o", "o.id", "p.bank_org_id")
      .selectAll("p")
      .select("o.name as bank_name")
      .where("p.active", "=", 1)
      .orderBy("p.id")
      .execute(),
    getAppraisalFeeSettings(db),
    listValuerOrganisations(db),
    typicalSigningDays(db),
  ]);
  const products = new Map<number, ProductWithBank>(rows.map((r) => [r.id, r]));
  const evaluations: ProductEvaluation[] = rows.map((r) =>
    evaluateProduct(loaded.request, loaded.firm, loaded.assets, productTermsFromRow(r), today),
  );
  const groups = groupByState(evaluations, sort);
  const orderable = await listOrderableAssets(
    db,
    loaded.row.firm_org_id,
    loaded.assets.map((a) => a.id),
  );
  const fees: Record<number, number> = {};
  const openOrders: RequestProductStates["openOrders"] = {};
  for (const a of orderable) {
    if (a.indicativeCentralFen !== null) {
      fees[a.id] = appraisalFeeFen(a.indicativeCentralFen, settings);
    }
    if (a.openOrder) openOrders[a.id] = a.openOrder;
  }
  return {
    loaded,
    groups,
    products,
    bestChange: bestSingleChange(groups),
    appraisalFeeFen: fees,
    openOrders,
    valuers,
    valuerCount: valuers.length,
    typicalSigningDays: signingDays,
  };
}
