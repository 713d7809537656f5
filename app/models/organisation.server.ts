import type { Transaction } from "kysely";
import type { AllianceKind, Database, OrgKind } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { hashPassword } from "../utils/password.server";
import { nowInstant } from "../utils/time";
import { writeAudit } from "./audit.server";
import { isUniqueViolation, UserFacingError } from "./errors";

export interface FirmRegistration {
  companyName: string;
  uscc: string; // already validated and normalised
  regionCode: string;
  industrySection: string;
  flags: { highTech: boolean; specialised: boolean; techSme: boolean };
  contactName: string;
  email: string; // normalised
  password: string;
}

export interface RegisterFirmOptions {
  /**
   * Whether the e-mail counts as verified. Self-registration (/register) passes false; firms
   * created by scripts, the seed and tests are verified.
   */
  emailVerified?: boolean;
  /** Runs inside the registering transaction, e.g. to queue the verification mail. */
  within?: (trx: Transaction<Database>, ids: { orgId: number; userId: number }) => Promise<void>;
}

/**
 * Creates the firm and its first user in one transaction. The unique constraints on
 * organisations.uscc and users.email decide races; the message never says who holds a USCC.
 */
export async function registerFirm(
  db: Db,
  r: FirmRegistration,
  opts: RegisterFirmOptions = {},
): Promise<{ orgId: number; userId: number }> {
  const passwordHash = await hashPassword(r.password);
  try {
    return await db.transaction().execute(async (trx) => {
      const now = nowInstant();
      const org = await trx
        .insertInto("organisations")
        .values({
          kind: "firm",
          alliance_kind: null,
          name: r.companyName,
          uscc: r.uscc,
          region_code: r.regionCode,
          industry_section: r.industrySection,
          flag_high_tech: r.flags.highTech ? 1 : 0,
          flag_specialised: r.flags.specialised ? 1 : 0,
          flag_tech_sme: r.flags.techSme ? 1 : 0,
          contact_name: r.contactName,
          created_at: now,
        })
        .executeTakeFirstOrThrow();
      const orgId = Number(org.insertId);
      const user = await trx
        .insertInto("users")
        .values({
          org_id: orgId,
          email: r.email,
          password_hash: passwordHash,
          role: "firm",
          display_name: r.contactName,
          created_at: now,
          email_verified: opts.emailVerified === false ? 0 : 1,
        })
        .executeTakeFirstOrThrow();
      const userId = Number(user.insertId);
      await writeAudit(trx, {
        actorUserId: userId,
        orgId,
        action: "firm.register",
        entityType: "organisation",
        entityId: orgId,
        toState: "registered",
      });
      await opts.within?.(trx, { orgId, userId });
      return { orgId, userId };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      const msg = String((e as Error).message);
      if (/email/i.test(msg)) throw new UserFacingError("auth:errors.emailTaken", {}, "email");
      throw new UserFacingError("auth:errors.usccTaken", {}, "uscc");
    }
    throw e;
  }
}

export async function usccExists(db: Db, uscc: string): Promise<boolean> {
  const row = await db
    .selectFrom("organisations")
    .select("id")
    .where("uscc", "=", uscc)
    .executeTakeFirst();
  return !!row;
}

export async function emailExists(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirst();
  return !!row;
}

export async function createOrganisation(
  db: Db,
  o: {
    kind: OrgKind;
    name: string;
    allianceKind?: AllianceKind | null;
    regionCode?: string | null;
    /** A valuer firm's filing number, printed on its reports. */
    licenceNumber?: string | null;
  },
  actorUserId: number | null,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .insertInto("organisations")
      .values({
        kind: o.kind,
        alliance_kind: o.allianceKind ?? null,
        name: o.name,
        region_code: o.regionCode ?? null,
        licence_number: o.licenceNumber ?? null,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await writeAudit(trx, {
      actorUserId,
      orgId: id,
      action: "organisation.create",
      entityType: "organisation",
      entityId: id,
      toState: o.kind,
    });
    return id;
  });
}

export async function listOrganisations(db: Db, kinds?: OrgKind[]) {
  let q = db
    .selectFrom("organisations")
    .select(["id", "kind", "name", "alliance_kind"])
    .orderBy("id");
  if (kinds?.length) q = q.where("kind", "in", kinds);
  return q.execute();
}

export async function getOrganisation(db: Db, id: number) {
  return db.selectFrom("organisations").selectAll().where("id", "=", id).executeTakeFirst();
}
