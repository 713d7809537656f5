import type { LoanProduct } from "../../../db/schema";
import { supportColumns } from "../../domain/analytics/figures";
import { checkDraft, parseProductSnapshot } from "../../domain/application";
import type { Db } from "../../utils/db.server";
import { nowInstant } from "../../utils/time";
import { writeAudit } from "../audit.server";
import { ConflictError, UserFacingError } from "../errors";
import { runApplicationTransaction } from "../ledger.server";
import { productSnapshot } from "../product.server";
import {
  assertNoProblems,
  loadScoped,
  ownAssets,
  writeApplicationAssets,
  type Actor,
} from "./shared.server";

// ---------------------------------------------------------------------------------------------
// The firm's side
// ---------------------------------------------------------------------------------------------

export interface DraftInput {
  firmOrgId: number;
  userId: number;
  productId: number;
  requestId: number | null;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  assetIds: number[];
}

/**
 * A new draft application to a product: the product's terms are snapshotted now (later product
 * edits never change them), the firm's 盟市 and industry are copied, and each pledged asset is
 * stored with its current formal value and the snapshot's pledge rate. The matching page's
 * "apply" button and the catalogue's apply form both call this.
 */
export async function createApplicationDraft(
  db: Db,
  input: DraftInput,
): Promise<{ applicationId: number }> {
  return runApplicationTransaction(db, async (trx) => {
    const product = await trx
      .selectFrom("loan_products")
      .selectAll()
      .where("id", "=", input.productId)
      .executeTakeFirst();
    if (!product)
      throw new UserFacingError("applications:errors.productNotFound", {}, undefined, 404);
    if (product.active !== 1) throw new UserFacingError("applications:errors.productPaused");
    const firm = await trx
      .selectFrom("organisations")
      .select(["id", "kind", "region_code", "industry_section"])
      .where("id", "=", input.firmOrgId)
      .executeTakeFirst();
    if (!firm || firm.kind !== "firm")
      throw new UserFacingError("applications:errors.notAFirm", {}, undefined, 403);
    if (!firm.region_code) throw new UserFacingError("applications:errors.firmRegionMissing");
    if (input.requestId !== null) {
      const req = await trx
        .selectFrom("financing_requests")
        .select("id")
        .where("id", "=", input.requestId)
        .where("firm_org_id", "=", input.firmOrgId)
        .executeTakeFirst();
      if (!req) throw new UserFacingError("applications:errors.requestNotFound", {}, "requestId");
    }
    const snapshotJson = JSON.stringify(productSnapshot(product as LoanProduct));
    const snapshot = parseProductSnapshot(snapshotJson);
    const assets = await ownAssets(trx, input.firmOrgId, input.assetIds);
    assertNoProblems(
      checkDraft({
        snapshot,
        amountFen: input.amountFen,
        termMonths: input.termMonths,
        rateBp: input.rateBp,
        assets,
      }),
    );
    const now = nowInstant();
    const res = await trx
      .insertInto("applications")
      .values({
        request_id: input.requestId,
        product_id: product.id,
        firm_org_id: input.firmOrgId,
        bank_org_id: product.bank_org_id,
        region_code: firm.region_code,
        industry_section: firm.industry_section,
        state: "draft",
        version: 1,
        amount_fen: input.amountFen,
        term_months: input.termMonths,
        rate_bp: input.rateBp,
        product_snapshot_json: snapshotJson,
        ...supportColumns(snapshotJson),
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const applicationId = Number(res.insertId);
    await writeApplicationAssets(trx, applicationId, assets, snapshot);
    await writeAudit(trx, {
      actorUserId: input.userId,
      orgId: input.firmOrgId,
      action: "application.create",
      entityType: "application",
      entityId: applicationId,
      toState: "draft",
      detail: {
        productId: product.id,
        productVersion: product.version,
        amountFen: input.amountFen,
        assetIds: assets.map((a) => a.assetId),
      },
    });
    return { applicationId };
  });
}

export interface DraftEdit {
  applicationId: number;
  version: number;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  assetIds: number[];
}

/** Changes a draft's amount, term, rate and pledged assets (the snapshot stays). */
export async function updateDraft(db: Db, actor: Actor, edit: DraftEdit): Promise<void> {
  await runApplicationTransaction(db, async (trx) => {
    const app = await loadScoped(trx, "firm", actor.orgId, edit.applicationId);
    if (app.version !== edit.version) throw new ConflictError();
    if (app.state !== "draft") throw new UserFacingError("applications:errors.notEditable");
    const snapshot = parseProductSnapshot(app.product_snapshot_json);
    const assets = await ownAssets(trx, actor.orgId, edit.assetIds);
    assertNoProblems(
      checkDraft({
        snapshot,
        amountFen: edit.amountFen,
        termMonths: edit.termMonths,
        rateBp: edit.rateBp,
        assets,
      }),
    );
    const res = await trx
      .updateTable("applications")
      .set((eb) => ({
        amount_fen: edit.amountFen,
        term_months: edit.termMonths,
        rate_bp: edit.rateBp,
        version: eb("version", "+", 1),
        updated_at: nowInstant(),
      }))
      .where("id", "=", app.id)
      .where("state", "=", "draft")
      .where("version", "=", edit.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ConflictError();
    await writeApplicationAssets(trx, app.id, assets, snapshot);
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "application.edit",
      entityType: "application",
      entityId: app.id,
      fromState: "draft",
      toState: "draft",
      detail: {
        amountFen: edit.amountFen,
        termMonths: edit.termMonths,
        rateBp: edit.rateBp,
        assetIds: assets.map((a) => a.assetId),
      },
    });
  });
}
