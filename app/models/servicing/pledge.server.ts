import { pledgeReleaseRefusal } from "../../domain/servicing/pledge";
import type { Db } from "../../utils/db.server";
import { writeAudit } from "../audit.server";
import { UserFacingError } from "../errors";
import { runApplicationTransaction, type Executor } from "../ledger.server";
import { holdApplicationRow, lockedAssetIds, releasePledgeLocks } from "../pledge-locks.server";
import { notifyOrganisation } from "../notification.server";
import { linkFor } from "../application/shared.server";

/**
 * The pledge of a defaulted loan (docs/domain.md#pledge-locks, decision 022): recording the
 * default keeps it; the disposal's sale ends it (recordProceeds), or the bank releases it here —
 * say the IP was sold at a court auction off the platform, or the bank gives up the collateral.
 */

export interface PledgeHold {
  /** Assets the pledge still locks (none: released, or never taken). */
  lockedAssetIds: number[];
}

/** The bank's own loan's pledge as it stands (404 for another bank's). */
export async function getPledgeHold(
  db: Executor,
  bankOrgId: number,
  applicationId: number,
): Promise<PledgeHold> {
  const app = await db
    .selectFrom("applications")
    .select("id")
    .where("id", "=", applicationId)
    .where("bank_org_id", "=", bankOrgId)
    .executeTakeFirst();
  if (!app) throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
  return { lockedAssetIds: await lockedAssetIds(db, applicationId) };
}

/**
 * Releases a defaulted loan's pledge on the bank's word, with a reason: deletes the lock rows (so
 * the firm may pledge the assets again, renumber or delete them), writes the audit row
 * `loan.pledge_release` and notifies the firm. Refused unless the loan is defaulted, while its IP
 * is listed for disposal, and once the pledge is gone (pledgeReleaseRefusal). The application row is held first, so a
 * disposal listing of the same loan (which refuses a released pledge) waits for it or it for that.
 */
export async function releaseDefaultedPledge(
  db: Db,
  input: {
    applicationId: number;
    reason: string;
    actorUserId: number;
    actorOrgId: number;
    bankOrgId: number;
  },
): Promise<{ releasedAssetIds: number[] }> {
  const reason = input.reason.trim();
  if (reason.length < 4) {
    throw new UserFacingError("servicing:refusals.reasonRequired", {}, "reason");
  }
  return runApplicationTransaction(db, async (trx) => {
    await holdApplicationRow(trx, input.applicationId);
    const app = await trx
      .selectFrom("applications")
      .select(["id", "state", "bank_org_id", "firm_org_id"])
      .where("id", "=", input.applicationId)
      .executeTakeFirst();
    if (!app || app.bank_org_id !== input.bankOrgId) {
      throw new UserFacingError("servicing:refusals.notFound", {}, undefined, 404);
    }
    const live = await trx
      .selectFrom("disposals")
      .select(["id", "state"])
      .where("live_key", "=", input.applicationId)
      .executeTakeFirst();
    const locked = await lockedAssetIds(trx, input.applicationId);
    const refusal = pledgeReleaseRefusal({
      applicationState: app.state,
      liveDisposal: live ?? null,
      lockedAssets: locked.length,
    });
    if (refusal) throw new UserFacingError(refusal.key, { ...refusal.params }, undefined, 409);
    const releasedAssetIds = await releasePledgeLocks(trx, input.applicationId);
    await writeAudit(trx, {
      actorUserId: input.actorUserId,
      orgId: input.actorOrgId,
      action: "loan.pledge_release",
      entityType: "application",
      entityId: input.applicationId,
      reason,
      detail: { via: "bank", releasedAssetIds },
    });
    // The firm learns its IP is free to pledge again, in the same transaction as the release.
    await notifyOrganisation(trx, app.firm_org_id, {
      kind: "pledge_release",
      params: { id: app.id, count: releasedAssetIds.length },
      link: linkFor("firm", app.id),
    });
    return { releasedAssetIds };
  });
}
