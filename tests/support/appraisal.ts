/**
 * Fixtures for the appraisal tests: firms, a valuer, an admin and IP assets with an indicative
 * estimate, written straight into the tables (the asset model has its own tests).
 */
import type { Role } from "../../db/schema";
import { buildUscc } from "../../app/domain/uscc";
import type { Actor } from "../../app/models/appraisal.server";
import { createOrganisation, registerFirm } from "../../app/models/organisation.server";
import type { Db } from "../../app/utils/db.server";
import { nowInstant } from "../../app/utils/time";

let seq = 0;
const next = () => ++seq;

export const FIRM_PASSWORD = "appraisal-test-password";

/** A registered firm and its first user (who can log in with FIRM_PASSWORD). */
export async function makeFirm(db: Db, label = "企业"): Promise<Actor & { email: string }> {
  const n = next();
  const email = `firm${n}-${Date.now()}@appraisal.test`;
  const { orgId, userId } = await registerFirm(db, {
    companyName: `${label}${n}有限公司`,
    uscc: buildUscc("150200", `MA${String(n).padStart(6, "0")}`),
    regionCode: "150200",
    industrySection: "C",
    flags: { highTech: true, specialised: false, techSme: true },
    contactName: `联系人${n}`,
    email,
    password: FIRM_PASSWORD,
  });
  return { id: userId, org_id: orgId, role: "firm", email };
}

export async function makeOrgUser(
  db: Db,
  kind: "valuer" | "platform" | "bank",
  role: Role,
  name: string,
): Promise<Actor> {
  const orgId = await createOrganisation(db, { kind, name: `${name}${next()}` }, null);
  const res = await db
    .insertInto("users")
    .values({
      org_id: orgId,
      email: `${role}${next()}-${Date.now()}@appraisal.test`,
      password_hash: "x",
      role,
      display_name: `${name}用户`,
      created_at: nowInstant(),
    })
    .executeTakeFirstOrThrow();
  return { id: Number(res.insertId), org_id: orgId, role };
}

export const makeValuer = (db: Db) => makeOrgUser(db, "valuer", "valuer", "测试评估所");
export const makeAdmin = (db: Db) => makeOrgUser(db, "platform", "admin", "平台");

/**
 * A granted invention patent of the firm; with `centralFen` it also gets an indicative estimate
 * (low = 80 %, high = 120 %) that the asset points at, as the valuation model would leave it.
 */
export async function makeAsset(
  db: Db,
  firm: Actor,
  opts: { centralFen?: number | null; title?: string } = {},
): Promise<number> {
  const n = next();
  const now = nowInstant();
  const res = await db
    .insertInto("ip_assets")
    .values({
      firm_org_id: firm.org_id,
      asset_kind: "patent",
      ip_type: "invention",
      // Unique test numbers (not check-digit valid: the asset model validates its own input).
      number: `2099${String(Date.now() % 1e8).padStart(8, "0")}${n}`.slice(0, 30),
      title: opts.title ?? `一种测试用发明${n}`,
      status: "granted",
      filing_date: "2020-03-01",
      grant_date: "2022-05-01",
      registration_date: null,
      expiry_date: "2040-03-01",
      ipc_class: "G06F",
      claims_count: 10,
      nice_class: null,
      trademark_kind: null,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  const assetId = Number(res.insertId);
  const central = opts.centralFen === undefined ? 100_000_000 : opts.centralFen;
  if (central !== null) {
    const est = await db
      .insertInto("valuation_estimates")
      .values({
        asset_id: assetId,
        firm_org_id: firm.org_id,
        created_by: firm.id,
        created_at: now,
        valuation_date: "2026-11-01",
        low_fen: Math.round(central * 0.8),
        central_fen: central,
        high_fen: Math.round(central * 1.2),
        pvd: null,
        inputs_json: "{}",
        result_json: "{}",
      })
      .executeTakeFirstOrThrow();
    await db
      .updateTable("ip_assets")
      .set({ indicative_value_fen: central, indicative_estimate_id: Number(est.insertId) })
      .where("id", "=", assetId)
      .execute();
  }
  return assetId;
}

/** Row counts of every table the appraisal workflow writes, to prove that nothing was written. */
export async function appraisalRowCounts(db: Db) {
  const count = async (
    table:
      | "appraisal_orders"
      | "appraisal_order_items"
      | "appraisals"
      | "stripe_events"
      | "audit_log"
      | "settings",
  ) => {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  return {
    orders: await count("appraisal_orders"),
    items: await count("appraisal_order_items"),
    appraisals: await count("appraisals"),
    events: await count("stripe_events"),
    audit: await count("audit_log"),
    settings: await count("settings"),
  };
}

export async function orderRow(db: Db, orderId: number) {
  return db
    .selectFrom("appraisal_orders")
    .selectAll()
    .where("id", "=", orderId)
    .executeTakeFirstOrThrow();
}
