import { setFirmConsent } from "../app/models/firm-profile.server";
import type { ExtraSeeder } from "./seed";

/**
 * The alliance review's demo: every third demo firm (firm01, firm04, firm07, …) has agreed to
 * show its name to alliance members, through the same model function as the profile page (so the
 * audit log has the change); the others appear under their pseudonym. firm01, the demo firm
 * log-in, consents, so a visitor can see both kinds of row in the review's drill-downs.
 */
export const seedAllianceConsent: ExtraSeeder = async (db, { log }) => {
  const firms = await db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .select(["users.id as userId", "users.org_id as orgId", "users.email"])
    .where("users.role", "=", "firm")
    .where("users.email", "like", "firm%@firms.demo")
    .where("organisations.consent_show_name", "=", 0)
    .orderBy("users.email")
    .execute();
  let n = 0;
  for (const [i, f] of firms.entries()) {
    if (i % 3 !== 0) continue;
    await setFirmConsent(db, { userId: f.userId, orgId: f.orgId }, { show: true, expected: false });
    n++;
  }
  log(`${n} of ${firms.length} demo firms show their name to the alliance`);
};
