import type { Db } from "../utils/db.server";
import { writeAudit } from "./audit.server";
import { ConflictError, UserFacingError } from "./errors";
import { invalidatePublicPages } from "./public-version.server";

/**
 * A firm's own registration data, and its consent to show its name to alliance members
 * (organisations.consent_show_name, default 0 = off). Without consent the alliance review shows a
 * stable pseudonym (app/domain/analytics/pseudonyms.ts firmPseudonym).
 */

export interface FirmProfile {
  id: number;
  name: string;
  uscc: string | null;
  regionCode: string | null;
  industrySection: string | null;
  flags: { highTech: boolean; specialised: boolean; techSme: boolean };
  contactName: string | null;
  createdAt: string;
  consentShowName: boolean;
}

export function firmNotFound(): UserFacingError {
  return new UserFacingError("alliance:profile.notFound", {}, undefined, 404);
}

export async function getFirmProfile(db: Db, firmOrgId: number): Promise<FirmProfile> {
  const row = await db
    .selectFrom("organisations")
    .selectAll()
    .where("id", "=", firmOrgId)
    .where("kind", "=", "firm")
    .executeTakeFirst();
  if (!row) throw firmNotFound();
  return {
    id: row.id,
    name: row.name,
    uscc: row.uscc,
    regionCode: row.region_code,
    industrySection: row.industry_section,
    flags: {
      highTech: row.flag_high_tech === 1,
      specialised: row.flag_specialised === 1,
      techSme: row.flag_tech_sme === 1,
    },
    contactName: row.contact_name,
    createdAt: row.created_at,
    consentShowName: row.consent_show_name === 1,
  };
}

/**
 * Turns the consent on or off, if it still has the value the user saw (`expected`): the UPDATE
 * checks it, so two tabs or two colleagues cannot silently undo each other (zero rows →
 * ConflictError). Audited with from/to in the same transaction. Setting the value it already has
 * is refused as a conflict too: the form always offers the opposite of what it showed.
 */
export async function setFirmConsent(
  db: Db,
  actor: { userId: number; orgId: number },
  change: { show: boolean; expected: boolean },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const from = change.expected ? 1 : 0;
    const to = change.show ? 1 : 0;
    const res = await trx
      .updateTable("organisations")
      .set({ consent_show_name: to })
      .where("id", "=", actor.orgId)
      .where("kind", "=", "firm")
      .where("consent_show_name", "=", from)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1 || from === to) {
      const exists = await trx
        .selectFrom("organisations")
        .select("id")
        .where("id", "=", actor.orgId)
        .where("kind", "=", "firm")
        .executeTakeFirst();
      if (!exists) throw firmNotFound();
      throw new ConflictError();
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "firm.consent_show_name",
      entityType: "organisation",
      entityId: actor.orgId,
      fromState: from === 1 ? "shown" : "hidden",
      toState: to === 1 ? "shown" : "hidden",
    });
  });
  // The public report names consenting firms; its pages carry no version for that.
  invalidatePublicPages();
}
