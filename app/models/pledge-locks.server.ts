import { isUniqueViolation, UserFacingError } from "./errors";
import type { Executor, Trx } from "./ledger.server";
import { nowInstant } from "../utils/time";

/**
 * The pledge locks (docs/domain.md#pledge-locks): one pledge_locks row per asset (asset_id is the
 * primary key) from approval until the pledge ends — rejection after approval, repayment, and
 * after a default the disposal's sale (recordProceeds) or the bank's explicit release
 * (releaseDefaultedPledge). Recording a default keeps them (decision 022).
 *
 * Matching reads the rows when it matches (app/models/matching/load.server.ts): no stored request
 * summary depends on them, so taking or releasing a lock has no collateral summary to refresh.
 */

/** The assets an application's pledge still locks, ascending. */
export async function lockedAssetIds(db: Executor, applicationId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("pledge_locks")
    .select("asset_id")
    .where("application_id", "=", applicationId)
    .orderBy("asset_id")
    .execute();
  return rows.map((r) => r.asset_id);
}

/** Ends an application's pledge: deletes its lock rows and returns the assets it freed. */
export async function releasePledgeLocks(trx: Trx, applicationId: number): Promise<number[]> {
  const ids = await lockedAssetIds(trx, applicationId);
  if (ids.length > 0) {
    await trx.deleteFrom("pledge_locks").where("application_id", "=", applicationId).execute();
  }
  return ids;
}

/**
 * Takes the application row's write lock without changing it (a no-op UPDATE; InnoDB locks the
 * matched row, SQLite has one writer), so the bank's release of a defaulted pledge and a new
 * disposal listing of the same loan run one after the other and each sees the other's result.
 */
export async function holdApplicationRow(trx: Trx, applicationId: number): Promise<void> {
  await trx
    .updateTable("applications")
    .set((eb) => ({ version: eb.ref("version") }))
    .where("id", "=", applicationId)
    .execute();
}

/**
 * Takes a lock row for each of an application's assets, given in ascending asset order (two
 * pledges sharing assets then take them in the same order). An asset another pledge holds is
 * refused with `refuse(asset)`; the caller's transaction rolls back.
 */
export async function takePledgeLocks(
  trx: Trx,
  applicationId: number,
  assets: ReadonlyArray<{ asset_id: number; title: string }>,
  refuse: (asset: { asset_id: number; title: string }) => UserFacingError,
): Promise<void> {
  const now = nowInstant();
  for (const a of assets) {
    try {
      await trx
        .insertInto("pledge_locks")
        .values({ asset_id: a.asset_id, application_id: applicationId, locked_at: now })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw refuse(a);
      throw e;
    }
  }
}

/**
 * Puts an application's pledge back when a reversed repayment reopens its loan (repaid →
 * disbursed). Refused (the caller's transaction rolls back) when an asset has since been pledged
 * to another loan or deleted by the firm: an open loan never stands without its collateral.
 */
export async function retakePledgeLocks(trx: Trx, applicationId: number): Promise<void> {
  const rows = await trx
    .selectFrom("application_assets as aa")
    .leftJoin("ip_assets as a", "a.id", "aa.asset_id")
    .select(["aa.asset_id", "a.title"])
    .where("aa.application_id", "=", applicationId)
    .orderBy("aa.asset_id")
    .execute();
  const gone = rows.find((r) => r.title === null);
  if (gone) {
    throw new UserFacingError(
      "servicing:refusals.reopenAssetGone",
      { assetId: gone.asset_id },
      undefined,
      409,
    );
  }
  await takePledgeLocks(
    trx,
    applicationId,
    rows.map((r) => ({ asset_id: r.asset_id, title: r.title ?? "" })),
    (a) =>
      new UserFacingError(
        "servicing:refusals.reopenAssetPledged",
        { title: a.title },
        undefined,
        409,
      ),
  );
}
