import type { Application } from "../../../db/schema";
import { isIsoDate } from "../../domain/ip";
import {
  isVisibleToBank,
  type ApplicationProblem,
  type PledgedAsset,
  type ProductSnapshot,
  type ApplicationActor,
} from "../../domain/application";
import { UserFacingError } from "../errors";
import { type Executor, type Trx } from "../ledger.server";

// What the application model's pieces share: the actor, scoped reads, and the problem error.

export interface Actor {
  userId: number;
  orgId: number;
}

/** A refusal with every problem found, for the form to show each next to its field. */
export class ApplicationProblemsError extends UserFacingError {
  constructor(public readonly problems: ApplicationProblem[]) {
    super(`applications:problems.${problems[0].code}`, { ...problems[0] }, undefined, 400);
    this.name = "ApplicationProblemsError";
  }
}

export function applicationNotFound(): UserFacingError {
  return new UserFacingError("applications:errors.notFound", {}, undefined, 404);
}

export function linkFor(side: ApplicationActor, id: number): string {
  return side === "firm" ? `/firm/applications/${id}` : `/bank/applications/${id}`;
}

export async function loadScoped(
  db: Executor,
  side: ApplicationActor,
  orgId: number,
  id: number,
): Promise<Application> {
  let q = db.selectFrom("applications").selectAll().where("id", "=", id);
  q = side === "firm" ? q.where("firm_org_id", "=", orgId) : q.where("bank_org_id", "=", orgId);
  const app = await q.executeTakeFirst();
  if (!app || (side === "bank" && !isVisibleToBank(app.state))) throw applicationNotFound();
  return app;
}

/** Asset facts the approval checks need, with the signing day of the current appraisal. */
export async function loadPledgedAssets(
  db: Executor,
  firmOrgId: number,
  assetIds: readonly number[],
): Promise<PledgedAsset[]> {
  if (assetIds.length === 0) return [];
  const rows = await db
    .selectFrom("ip_assets")
    .leftJoin("appraisals", "appraisals.id", "ip_assets.formal_appraisal_id")
    .select([
      "ip_assets.id",
      "ip_assets.title",
      "ip_assets.ip_type",
      "ip_assets.status",
      "ip_assets.expiry_date",
      "ip_assets.formal_value_fen",
      "ip_assets.formal_valid_until",
      "appraisals.signed_date",
    ])
    .where("ip_assets.firm_org_id", "=", firmOrgId)
    .where("ip_assets.id", "in", [...assetIds])
    .orderBy("ip_assets.id")
    .execute();
  return rows.map((r) => ({
    assetId: r.id,
    title: r.title,
    ipType: r.ip_type,
    status: r.status,
    expiryDate: r.expiry_date,
    formalValueFen: r.formal_value_fen === null ? null : Number(r.formal_value_fen),
    formalValidUntil: r.formal_valid_until,
    formalSignedDate: r.signed_date ?? null,
  }));
}

function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Every requested asset must be the firm's own; another firm's id reads as "not found". */
export async function ownAssets(
  db: Executor,
  firmOrgId: number,
  assetIds: readonly number[],
): Promise<PledgedAsset[]> {
  const ids = uniqueIds(assetIds);
  const assets = await loadPledgedAssets(db, firmOrgId, ids);
  if (assets.length !== ids.length) {
    throw new UserFacingError("applications:errors.assetNotFound", {}, "assetIds");
  }
  return assets;
}

export async function writeApplicationAssets(
  trx: Trx,
  applicationId: number,
  assets: readonly PledgedAsset[],
  snapshot: ProductSnapshot,
): Promise<void> {
  await trx.deleteFrom("application_assets").where("application_id", "=", applicationId).execute();
  if (assets.length === 0) return;
  await trx
    .insertInto("application_assets")
    .values(
      assets.map((a) => ({
        application_id: applicationId,
        asset_id: a.assetId,
        ip_type: a.ipType,
        value_fen: a.formalValueFen ?? 0,
        pledge_rate_bp: snapshot.pledgeRateBp[a.ipType],
      })),
    )
    .execute();
}

export function assertNoProblems(problems: ApplicationProblem[]): void {
  if (problems.length > 0) throw new ApplicationProblemsError(problems);
}

export function assertDate(value: string, field: string, today: string): void {
  if (!isIsoDate(value)) throw new UserFacingError("applications:errors.badDate", {}, field);
  if (value > today)
    throw new UserFacingError("applications:errors.dateInFuture", { today }, field);
}
