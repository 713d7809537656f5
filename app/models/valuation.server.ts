import { sql } from "kysely";
import type { IpAsset, ValuationEstimate } from "../../db/schema";
import {
  valuationDefaults,
  valuationFirm,
  valuationRequestFor,
  type AssetValuationFacts,
  type ValuationFormInputs,
} from "../domain/asset-valuation";
import type { IpType } from "../domain/ip";
import {
  indicativeValuation,
  royaltyRateRange,
  valuationWarnings,
  type RoyaltyRange,
  type ValuationWarning,
  type IndicativeValuation,
  type ResolvedAssumptions,
  type ValuationFirm,
  type ValuationRequest,
} from "../domain/valuation";
import type { Db } from "../utils/db.server";
import { nowInstant } from "../utils/time";
import { getAsset, notFound, type DbOrTrx, type FirmActor } from "./asset.server";
import { writeAudit } from "./audit.server";
import { ConflictError } from "./errors";
import { refreshRequestCollateralBounds } from "./request.server";

/**
 * Instant indicative valuations (valuation_estimates). Each estimate is stored with everything
 * that produced it — the form as entered, the request given to the model, the asset's legal facts
 * that day — and the model's full result, so a number shown months later can be traced and
 * recomputed. The asset's "latest indicative value" is updated in the same transaction.
 */

/** Bumped when the model or the stored shape changes, so old estimates stay interpretable. */
export const VALUATION_MODEL_VERSION = "rfr-pvd-1";

export interface StoredValuationInputs {
  modelVersion: string;
  form: ValuationFormInputs;
  request: ValuationRequest;
  asset: AssetValuationFacts & { number: string; title: string };
}

export function assetFacts(a: IpAsset): AssetValuationFacts {
  return {
    ipType: a.ip_type as IpType,
    status: a.status,
    filingDate: a.filing_date,
    expiryDate: a.expiry_date,
    wellKnown: a.well_known === 1,
  };
}

async function firmForValuation(db: DbOrTrx, orgId: number): Promise<ValuationFirm> {
  const org = await db
    .selectFrom("organisations")
    .select(["industry_section", "flag_high_tech"])
    .where("id", "=", orgId)
    .executeTakeFirstOrThrow();
  return valuationFirm(org);
}

/** The asset, the firm's valuation profile and the defaults the form starts with. */
export async function getValuationContext(db: Db, orgId: number, assetId: number) {
  const asset = await getAsset(db, orgId, assetId);
  if (!asset) return null;
  const firm = await firmForValuation(db, orgId);
  const defaults: ResolvedAssumptions = valuationDefaults(assetFacts(asset), firm);
  return { asset, firm, defaults };
}

/**
 * Computes and stores an indicative estimate of the asset as of `today`, and makes it the asset's
 * latest indicative value. `expectedVersion` (optional) is the asset version the person saw; a
 * different one means the asset changed meanwhile (ConflictError).
 */
export async function createIndicativeEstimate(
  db: Db,
  actor: FirmActor,
  assetId: number,
  form: ValuationFormInputs,
  today: string,
  expectedVersion?: number,
): Promise<{ estimateId: number; result: IndicativeValuation }> {
  return db.transaction().execute(async (trx) => {
    const asset = await getAsset(trx, actor.orgId, assetId);
    if (!asset) throw notFound();
    if (expectedVersion !== undefined && asset.version !== expectedVersion) {
      throw new ConflictError();
    }
    const firm = await firmForValuation(trx, actor.orgId);
    const facts = assetFacts(asset);
    const request = valuationRequestFor(facts, firm, form, today);
    const result = indicativeValuation(request);
    const stored: StoredValuationInputs = {
      modelVersion: VALUATION_MODEL_VERSION,
      form,
      request,
      asset: { ...facts, number: asset.number, title: asset.title },
    };
    const now = nowInstant();
    const ins = await trx
      .insertInto("valuation_estimates")
      .values({
        asset_id: asset.id,
        firm_org_id: actor.orgId,
        created_by: actor.userId,
        created_at: now,
        valuation_date: today,
        low_fen: result.lowFen,
        central_fen: result.centralFen,
        high_fen: result.highFen,
        pvd: result.pvd ? Math.round(result.pvd.pvd) : null,
        inputs_json: JSON.stringify(stored),
        result_json: JSON.stringify(result),
      })
      .executeTakeFirstOrThrow();
    const estimateId = Number(ins.insertId);
    const upd = await trx
      .updateTable("ip_assets")
      .set({
        indicative_value_fen: result.centralFen,
        indicative_estimate_id: estimateId,
        version: sql<number>`version + 1`,
        updated_at: now,
      })
      .where("id", "=", asset.id)
      .where("firm_org_id", "=", actor.orgId)
      .where("version", "=", asset.version)
      .executeTakeFirst();
    if (Number(upd.numUpdatedRows) !== 1) throw new ConflictError();
    // Open requests offering this asset carry collateral bounds the bank-side matching uses.
    await refreshRequestCollateralBounds(trx, asset.id);
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "asset.valuation.indicative",
      entityType: "ip_asset",
      entityId: asset.id,
      fromState: asset.indicative_value_fen === null ? null : String(asset.indicative_value_fen),
      toState: String(result.centralFen),
      detail: {
        estimateId,
        lowFen: result.lowFen,
        centralFen: result.centralFen,
        highFen: result.highFen,
      },
    });
    return { estimateId, result };
  });
}

export type EstimateListItem = Pick<
  ValuationEstimate,
  "id" | "created_at" | "valuation_date" | "low_fen" | "central_fen" | "high_fen" | "pvd"
> & { createdByName: string | null };

/** The asset's estimates, newest first (scoped by firm). */
export async function listEstimates(
  db: Db,
  orgId: number,
  assetId: number,
  limit = 50,
): Promise<EstimateListItem[]> {
  const rows = await db
    .selectFrom("valuation_estimates")
    .leftJoin("users", "users.id", "valuation_estimates.created_by")
    .select([
      "valuation_estimates.id",
      "valuation_estimates.created_at",
      "valuation_estimates.valuation_date",
      "valuation_estimates.low_fen",
      "valuation_estimates.central_fen",
      "valuation_estimates.high_fen",
      "valuation_estimates.pvd",
      "users.display_name as createdByName",
    ])
    .where("valuation_estimates.asset_id", "=", assetId)
    .where("valuation_estimates.firm_org_id", "=", orgId)
    .orderBy("valuation_estimates.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    low_fen: Number(r.low_fen),
    central_fen: Number(r.central_fen),
    high_fen: Number(r.high_fen),
  }));
}

export interface StoredEstimate {
  id: number;
  createdAt: string;
  valuationDate: string;
  inputs: StoredValuationInputs;
  result: IndicativeValuation;
}

export async function getEstimate(
  db: Db,
  orgId: number,
  assetId: number,
  estimateId: number,
): Promise<StoredEstimate | null> {
  const row = await db
    .selectFrom("valuation_estimates")
    .selectAll()
    .where("id", "=", estimateId)
    .where("asset_id", "=", assetId)
    .where("firm_org_id", "=", orgId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    createdAt: row.created_at,
    valuationDate: row.valuation_date,
    inputs: JSON.parse(row.inputs_json) as StoredValuationInputs,
    result: JSON.parse(row.result_json) as IndicativeValuation,
  };
}

/**
 * What the owner assumed for a stored estimate, for the valuer (and anyone who reviews the
 * estimate): the result with its resolved inputs, the royalty range and the warnings
 * (docs/domain.md#estimate-honesty). Null for an estimate with nothing to draw (e.g. a fixture).
 */
export function estimateAssumptions(
  inputsJson: string,
  resultJson: string,
): {
  result: IndicativeValuation;
  honesty: {
    range: RoyaltyRange;
    firmAnnualRevenueFen: number | null;
    warnings: ValuationWarning[];
  };
} | null {
  try {
    const inputs = JSON.parse(inputsJson) as Partial<StoredValuationInputs>;
    const result = JSON.parse(resultJson) as IndicativeValuation;
    if (typeof result?.centralFen !== "number" || !result.inputs) return null;
    const range = royaltyRateRange(result.inputs.ipType, result.inputs.industry);
    const firmAnnualRevenueFen = inputs.form?.firmAnnualRevenueFen ?? null;
    return {
      result,
      honesty: {
        range,
        firmAnnualRevenueFen,
        warnings: valuationWarnings({
          assetRevenueFen: inputs.form?.year1RevenueFen ?? 0,
          firmAnnualRevenueFen,
          royaltyRateBp: result.inputs.royaltyRateBp,
          range,
        }),
      },
    };
  } catch {
    return null;
  }
}

export type OwnerAssumptions = NonNullable<ReturnType<typeof estimateAssumptions>> & {
  valuationDate: string;
};

/**
 * The owner's assumptions behind each asset's current indicative value (the estimate
 * ip_assets.indicative_estimate_id points to), by asset id, for the bank: what the firm typed
 * (revenue, royalty, …) is its own figure, not an appraisal (issue 10, docs/domain.md#estimate-honesty).
 * Assets without a stored estimate are absent from the map.
 */
export async function ownerAssumptionsByAsset(
  db: Db,
  assetIds: readonly number[],
): Promise<Map<number, OwnerAssumptions>> {
  const out = new Map<number, OwnerAssumptions>();
  if (assetIds.length === 0) return out;
  const rows = await db
    .selectFrom("ip_assets")
    .innerJoin("valuation_estimates", "valuation_estimates.id", "ip_assets.indicative_estimate_id")
    .select([
      "ip_assets.id as asset_id",
      "valuation_estimates.inputs_json",
      "valuation_estimates.valuation_date",
      "valuation_estimates.result_json",
    ])
    .where("ip_assets.id", "in", [...new Set(assetIds)])
    .execute();
  for (const r of rows) {
    const a = estimateAssumptions(r.inputs_json, r.result_json);
    if (a) out.set(r.asset_id, { ...a, valuationDate: r.valuation_date });
  }
  return out;
}
