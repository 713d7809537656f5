import { evaluateProduct } from "../domain/matching";
import { productTermsFromRow } from "../domain/matching/rows";
import type { Db } from "../utils/db.server";
import { todayInChina } from "../utils/time";
import { insertAppraisalOrder, openOrdersByAsset, type Actor } from "./appraisal.server";
import { UserFacingError } from "./errors";
import { loadRequestsForEngine } from "./matching.server";

/**
 * "Order the appraisal" on the match page (docs/domain.md#matching): for a product the engine
 * puts in 需正式评估 (needs_appraisal), one order for exactly the assets of its least-collateral
 * choice that still need a formal value. Idempotent: an asset already held by an open order
 * (awaiting payment … in progress) is never ordered again, so a double submit or a second click
 * returns the order placed by the first.
 */

export interface MatchAppraisalInput {
  requestId: number;
  productId: number;
  valuerOrgId: number;
}

export interface MatchAppraisalResult {
  /** The new order, or (nothing left to order) the open order holding the first asset. */
  orderId: number;
  /** False when every asset was already in an open order: nothing was written. */
  created: boolean;
  /** The assets the engine said need an appraisal for this product. */
  assetIds: number[];
  /** Of those, the ones this call ordered. */
  orderedAssetIds: number[];
}

export async function orderAppraisalsFromMatch(
  db: Db,
  actor: Actor,
  input: MatchAppraisalInput,
  opts: { today?: string; paymentMode?: "stripe" | "offline"; now?: string } = {},
): Promise<MatchAppraisalResult> {
  const today = opts.today ?? todayInChina();
  return db.transaction().execute(async (trx) => {
    // First statement: lock the request's offered assets (a no-op UPDATE takes InnoDB row locks;
    // SQLite runs one writer at a time). A concurrent order for any of them — from this page or
    // the order form — waits here, and the reads below (taken after the lock) see its rows.
    await trx
      .updateTable("ip_assets")
      .set((eb) => ({ version: eb.ref("version") }))
      .where("firm_org_id", "=", actor.org_id)
      .where(
        "id",
        "in",
        trx
          .selectFrom("financing_request_assets")
          .select("asset_id")
          .where("request_id", "=", input.requestId),
      )
      .execute();
    const [loaded] = await loadRequestsForEngine(trx, [input.requestId], today);
    if (!loaded || loaded.row.firm_org_id !== actor.org_id) {
      throw new UserFacingError("applications:errors.requestNotFound", {}, undefined, 404);
    }
    if (loaded.row.status !== "open") {
      throw new UserFacingError("products:states.errors.requestClosed");
    }
    const product = await trx
      .selectFrom("loan_products")
      .selectAll()
      .where("id", "=", input.productId)
      .where("active", "=", 1)
      .executeTakeFirst();
    if (!product) {
      throw new UserFacingError("applications:errors.productNotFound", {}, undefined, 404);
    }
    const e = evaluateProduct(
      loaded.request,
      loaded.firm,
      loaded.assets,
      productTermsFromRow(product),
      today,
    );
    const assetIds = e.state === "needs_appraisal" ? (e.appraisalAssetIds ?? []) : [];
    if (assetIds.length === 0) {
      throw new UserFacingError(
        e.state === "ready"
          ? "products:states.errors.alreadyReady"
          : "products:states.errors.notAppraisable",
      );
    }
    const open = await openOrdersByAsset(trx, assetIds);
    const toOrder = assetIds.filter((id) => !open.has(id));
    if (toOrder.length === 0) {
      return {
        orderId: open.get(assetIds[0])!.orderId,
        created: false,
        assetIds,
        orderedAssetIds: [],
      };
    }
    const { orderId } = await insertAppraisalOrder(
      trx,
      actor,
      { assetIds: toOrder, valuerOrgId: input.valuerOrgId },
      {
        paymentMode: opts.paymentMode,
        now: opts.now,
        source: { via: "match", requestId: input.requestId, productId: input.productId },
      },
    );
    return { orderId, created: true, assetIds, orderedAssetIds: toOrder };
  });
}
