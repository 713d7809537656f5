import type { ApplicationState, Role } from "../../db/schema";
import type { Db } from "../utils/db.server";
import { todayInChina } from "../utils/time";

/** One figure on a role's landing page, linking to the rows it counts. */
export interface DashboardCard {
  key: string;
  value: number;
  href: string;
  /** "todo" marks work waiting on this user. */
  tone?: "todo" | "money";
}

const count = (n: { n: number | string | bigint } | undefined) => Number(n?.n ?? 0);

const LIVE_STATES: ApplicationState[] = [
  "draft",
  "submitted",
  "under_review",
  "approved",
  "pledge_registered",
];

async function firmCards(db: Db, orgId: number): Promise<DashboardCard[]> {
  const today = todayInChina();
  const [assets, appraised, requests, apps, unpaid] = await Promise.all([
    db
      .selectFrom("ip_assets")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", orgId)
      .executeTakeFirst(),
    db
      .selectFrom("ip_assets")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", orgId)
      .where("formal_valid_until", ">=", today)
      .executeTakeFirst(),
    db
      .selectFrom("financing_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", orgId)
      .where("status", "=", "open")
      .executeTakeFirst(),
    db
      .selectFrom("applications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", orgId)
      .where("state", "in", LIVE_STATES)
      .executeTakeFirst(),
    db
      .selectFrom("appraisal_orders")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("firm_org_id", "=", orgId)
      .where("status", "=", "awaiting_payment")
      .executeTakeFirst(),
  ]);
  return [
    { key: "firmAssets", value: count(assets), href: "/firm/assets" },
    { key: "firmAppraised", value: count(appraised), href: "/firm/assets" },
    { key: "firmUnpaidOrders", value: count(unpaid), href: "/firm/appraisals", tone: "todo" },
    { key: "firmOpenRequests", value: count(requests), href: "/firm/requests" },
    { key: "firmLiveApplications", value: count(apps), href: "/firm/applications" },
  ];
}

async function bankCards(db: Db, orgId: number): Promise<DashboardCard[]> {
  const byState = await db
    .selectFrom("applications")
    .select(["state", (eb) => eb.fn.countAll<number>().as("n")])
    .where("bank_org_id", "=", orgId)
    .where("state", "in", ["submitted", "under_review", "approved", "pledge_registered"])
    .groupBy("state")
    .execute();
  const n = (s: ApplicationState) => Number(byState.find((r) => r.state === s)?.n ?? 0);
  const products = await db
    .selectFrom("loan_products")
    .select([
      (eb) => eb.fn.countAll<number>().as("n"),
      (eb) => eb.fn.sum<number>("quota_remaining_fen").as("quota"),
    ])
    .where("bank_org_id", "=", orgId)
    .where("active", "=", 1)
    .executeTakeFirst();
  return [
    {
      key: "bankToReview",
      value: n("submitted") + n("under_review"),
      href: "/bank/applications",
      tone: "todo",
    },
    { key: "bankToRegister", value: n("approved"), href: "/bank/applications", tone: "todo" },
    {
      key: "bankToDisburse",
      value: n("pledge_registered"),
      href: "/bank/applications",
      tone: "todo",
    },
    { key: "bankActiveProducts", value: count(products), href: "/bank/products" },
    {
      key: "bankQuotaRemaining",
      value: Number(products?.quota ?? 0),
      href: "/bank/products",
      tone: "money",
    },
  ];
}

async function valuerCards(db: Db, orgId: number): Promise<DashboardCard[]> {
  const rows = await db
    .selectFrom("appraisal_orders")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("valuer_org_id", "=", orgId)
    .where("status", "in", ["paid", "in_progress", "signed"])
    .groupBy("status")
    .execute();
  const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return [
    { key: "valuerToStart", value: n("paid"), href: "/valuer/orders", tone: "todo" },
    { key: "valuerInProgress", value: n("in_progress"), href: "/valuer/orders", tone: "todo" },
    { key: "valuerSigned", value: n("signed"), href: "/valuer/orders" },
  ];
}

async function adminCards(db: Db): Promise<DashboardCard[]> {
  const [offline, invitations, firms, users] = await Promise.all([
    db
      .selectFrom("appraisal_orders")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "awaiting_payment")
      .where("payment_mode", "=", "offline")
      .executeTakeFirst(),
    db
      .selectFrom("invitations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("accepted_at", "is", null)
      .executeTakeFirst(),
    db
      .selectFrom("organisations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "firm")
      .executeTakeFirst(),
    db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst(),
  ]);
  return [
    { key: "adminOfflinePayments", value: count(offline), href: "/admin/payments", tone: "todo" },
    { key: "adminPendingInvitations", value: count(invitations), href: "/admin/invitations" },
    { key: "adminFirms", value: count(firms), href: "/admin/audit" },
    { key: "adminUsers", value: count(users), href: "/admin/audit" },
  ];
}

/** The figures on a role's landing page, every one scoped to the user's organisation. */
export async function getDashboardCards(
  db: Db,
  role: Role,
  orgId: number,
): Promise<DashboardCard[]> {
  switch (role) {
    case "firm":
      return firmCards(db, orgId);
    case "bank_officer":
      return bankCards(db, orgId);
    case "valuer":
      return valuerCards(db, orgId);
    case "admin":
      return adminCards(db);
    case "alliance":
      return [];
  }
}
