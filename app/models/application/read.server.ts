import { sql } from "kysely";
import type { Application, ApplicationState, IpType } from "../../../db/schema";
import { chooseLeastCollateral } from "../../domain/matching";
import {
  checkApproval,
  BANK_OPEN_STATES,
  parseProductSnapshot,
  pledgeSetCapacity,
  type ProductSnapshot,
  type ApplicationActor,
} from "../../domain/application";
import { collateralCoverage } from "../../domain/coverage";
import { ALL_REPAYMENT_METHODS_MASK, methodsInMask } from "../../domain/servicing/schedule";
import { OPEN_ORDER_STATUSES } from "../../domain/appraisal";
import {
  appraisalStatusCounts,
  assetAppraisalStatus,
  type AppraisalStatus,
} from "../../domain/pledge-status";
import type { Db } from "../../utils/db.server";
import { todayInChina } from "../../utils/time";
import { loadPledgedAssets, loadScoped } from "./shared.server";
import { assetIdsOf } from "./transitions.server";

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export const APPLICATIONS_PAGE_SIZE = 20;

export interface ApplicationListRow {
  id: number;
  state: ApplicationState;
  version: number;
  productName: string;
  bankName: string;
  firmName: string;
  amountFen: number;
  approvedAmountFen: number | null;
  disbursedAmountFen: number | null;
  termMonths: number;
  rateBp: number;
  updatedAt: string;
}

function listQuery(db: Db) {
  return db
    .selectFrom("applications")
    .innerJoin("loan_products", "loan_products.id", "applications.product_id")
    .innerJoin("organisations as bank", "bank.id", "applications.bank_org_id")
    .innerJoin("organisations as firm", "firm.id", "applications.firm_org_id")
    .select([
      "applications.id",
      "applications.state",
      "applications.version",
      "loan_products.name as product_name",
      "bank.name as bank_name",
      "firm.name as firm_name",
      "applications.amount_fen",
      "applications.approved_amount_fen",
      "applications.disbursed_amount_fen",
      "applications.term_months",
      "applications.rate_bp",
      "applications.updated_at",
    ]);
}

type RawListRow = Awaited<ReturnType<ReturnType<typeof listQuery>["execute"]>>[number];

function toListRow(r: RawListRow): ApplicationListRow {
  return {
    id: r.id,
    state: r.state,
    version: r.version,
    productName: r.product_name,
    bankName: r.bank_name,
    firmName: r.firm_name,
    amountFen: Number(r.amount_fen),
    approvedAmountFen: r.approved_amount_fen === null ? null : Number(r.approved_amount_fen),
    disbursedAmountFen: r.disbursed_amount_fen === null ? null : Number(r.disbursed_amount_fen),
    termMonths: r.term_months,
    rateBp: r.rate_bp,
    updatedAt: r.updated_at,
  };
}

function pageOf(total: number, page: number) {
  const pages = Math.max(1, Math.ceil(total / APPLICATIONS_PAGE_SIZE));
  return { pages, page: Math.min(Math.max(1, page), pages) };
}

export async function listFirmApplications(db: Db, firmOrgId: number, page: number) {
  const count = await db
    .selectFrom("applications")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirstOrThrow();
  const total = Number(count.n);
  const p = pageOf(total, page);
  const rows = await listQuery(db)
    .where("applications.firm_org_id", "=", firmOrgId)
    .orderBy("applications.id", "desc")
    .limit(APPLICATIONS_PAGE_SIZE)
    .offset((p.page - 1) * APPLICATIONS_PAGE_SIZE)
    .execute();
  return { rows: rows.map(toListRow), total, ...p };
}

export async function listBankApplications(
  db: Db,
  bankOrgId: number,
  filter: { state: ApplicationState | "open" | "all"; page: number },
) {
  const byState = await db
    .selectFrom("applications")
    .select((eb) => ["state", eb.fn.countAll<number | string>().as("n")])
    .where("bank_org_id", "=", bankOrgId)
    .where("state", "!=", "draft")
    .groupBy("state")
    .execute();
  const counts: Partial<Record<ApplicationState, number>> = {};
  for (const r of byState) counts[r.state] = Number(r.n);
  const states: ApplicationState[] =
    filter.state === "all"
      ? (Object.keys(counts) as ApplicationState[])
      : filter.state === "open"
        ? [...BANK_OPEN_STATES]
        : [filter.state];
  const total = states.reduce((s, st) => s + (counts[st] ?? 0), 0);
  const p = pageOf(total, filter.page);
  const rows =
    total === 0 || filter.state === "draft"
      ? []
      : await listQuery(db)
          .where("applications.bank_org_id", "=", bankOrgId)
          .where("applications.state", "in", states)
          // The to-do list puts what waits longest in the workflow first: new submissions.
          .orderBy(
            sql`case applications.state when 'submitted' then 0 when 'under_review' then 1 when 'approved' then 2 when 'pledge_registered' then 3 else 4 end`,
          )
          .orderBy("applications.id", "desc")
          .limit(APPLICATIONS_PAGE_SIZE)
          .offset((p.page - 1) * APPLICATIONS_PAGE_SIZE)
          .execute();
  return { rows: rows.map(toListRow), total, counts, ...p };
}

export interface PledgeOverview {
  /** Pledged assets per appraisal status, e.g. 2 signed · 1 ordered. */
  appraisal: Array<{ status: AppraisalStatus; count: number }>;
  /** collateralCoverage on `day` (the approval check's own function) against the amount. */
  capacityFen: number;
  amountFen: number;
  supported: boolean;
}

/**
 * For the bank's incoming list: each application's pledged assets by appraisal status today and
 * whether they cover its amount — what an officer needs to see which are approvable now.
 */
export async function pledgeOverviewOfApplications(
  db: Db,
  bankOrgId: number,
  applicationIds: readonly number[],
  day: string = todayInChina(),
): Promise<Record<number, PledgeOverview>> {
  const out: Record<number, PledgeOverview> = {};
  if (applicationIds.length === 0) return out;
  const apps = await db
    .selectFrom("applications")
    .select(["id", "firm_org_id", "amount_fen", "product_snapshot_json"])
    .where("bank_org_id", "=", bankOrgId)
    .where("id", "in", [...applicationIds])
    .execute();
  const links = await db
    .selectFrom("application_assets")
    .select(["application_id", "asset_id"])
    .where("application_id", "in", [...applicationIds])
    .execute();
  const assetIds = [...new Set(links.map((l) => l.asset_id))];
  const openOrders = new Map<number, string>();
  if (assetIds.length > 0) {
    const rows = await db
      .selectFrom("appraisal_order_items as i")
      .innerJoin("appraisal_orders as o", "o.id", "i.order_id")
      .select(["i.asset_id", "o.status"])
      .where("i.asset_id", "in", assetIds)
      .where("o.status", "in", [...OPEN_ORDER_STATUSES])
      .execute();
    for (const r of rows) openOrders.set(r.asset_id, r.status);
  }
  for (const app of apps) {
    const ids = links.filter((l) => l.application_id === app.id).map((l) => l.asset_id);
    const assets = await loadPledgedAssets(db, app.firm_org_id, ids);
    const snapshot = parseProductSnapshot(app.product_snapshot_json);
    const amountFen = Number(app.amount_fen);
    const coverage = collateralCoverage(assets, snapshot.pledgeRateBp, amountFen, day);
    out[app.id] = {
      appraisal: appraisalStatusCounts(
        assets.map((a) => assetAppraisalStatus(a, openOrders.get(a.assetId) ?? null, day)),
      ),
      capacityFen: coverage.capacity.capacityFen,
      amountFen,
      supported: coverage.supported,
    };
  }
  return out;
}

export interface ApplicationAssetView {
  assetId: number;
  title: string;
  number: string;
  ipType: IpType;
  status: string;
  expiryDate: string;
  /** Stored with the application (the value at creation, submission or approval). */
  valueFen: number;
  pledgeRateBp: number;
  capacityFen: number;
  currentFormalValueFen: number | null;
  formalValidUntil: string | null;
  lockedBy: number | null;
}

export interface TimelineItem {
  id: number;
  action: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  actorName: string | null;
  actorOrg: string | null;
  at: string;
}

export interface CommentView {
  id: number;
  kind: "comment" | "document_request";
  body: string;
  authorName: string;
  authorSide: "firm" | "bank" | "other";
  at: string;
}

/**
 * Everything the detail page shows, for a viewer allowed to see it (the firm that applied, or an
 * officer of the bank once submitted); anyone else gets "not found".
 */
export async function getApplicationDetail(
  db: Db,
  side: ApplicationActor,
  orgId: number,
  applicationId: number,
) {
  const app = await loadScoped(db, side, orgId, applicationId);
  const snapshot = parseProductSnapshot(app.product_snapshot_json);
  const [assets, comments, timeline, names] = await Promise.all([
    db
      .selectFrom("application_assets")
      .innerJoin("ip_assets", "ip_assets.id", "application_assets.asset_id")
      .leftJoin("pledge_locks", "pledge_locks.asset_id", "application_assets.asset_id")
      .select([
        "application_assets.asset_id",
        "application_assets.ip_type",
        "application_assets.value_fen",
        "application_assets.pledge_rate_bp",
        "ip_assets.title",
        "ip_assets.number",
        "ip_assets.status",
        "ip_assets.expiry_date",
        "ip_assets.formal_value_fen",
        "ip_assets.formal_valid_until",
        "pledge_locks.application_id as locked_by",
      ])
      .where("application_assets.application_id", "=", app.id)
      .orderBy("application_assets.asset_id")
      .execute(),
    db
      .selectFrom("application_comments")
      .innerJoin("users", "users.id", "application_comments.author_user_id")
      .select([
        "application_comments.id",
        "application_comments.kind",
        "application_comments.body",
        "application_comments.author_org_id",
        "application_comments.created_at",
        "users.display_name",
      ])
      .where("application_comments.application_id", "=", app.id)
      .orderBy("application_comments.id")
      .execute(),
    db
      .selectFrom("audit_log")
      .leftJoin("users", "users.id", "audit_log.actor_user_id")
      .leftJoin("organisations", "organisations.id", "audit_log.org_id")
      .select([
        "audit_log.id",
        "audit_log.action",
        "audit_log.from_state",
        "audit_log.to_state",
        "audit_log.reason",
        "audit_log.created_at",
        "users.display_name",
        "organisations.name as org_name",
      ])
      .where("audit_log.entity_type", "=", "application")
      .where("audit_log.entity_id", "=", String(app.id))
      .orderBy("audit_log.id")
      .execute(),
    db
      .selectFrom("organisations")
      .select(["id", "name"])
      .where("id", "in", [app.firm_org_id, app.bank_org_id])
      .execute(),
  ]);
  const assetViews: ApplicationAssetView[] = assets.map((a) => {
    const valueFen = Number(a.value_fen);
    const cap = pledgeSetCapacity(
      [
        {
          assetId: a.asset_id,
          title: a.title,
          ipType: a.ip_type,
          formalValueFen: valueFen,
          formalValidUntil: null,
        },
      ],
      { pledgeRateBp: { ...snapshot.pledgeRateBp, [a.ip_type]: a.pledge_rate_bp } },
    );
    return {
      assetId: a.asset_id,
      title: a.title,
      number: a.number,
      ipType: a.ip_type,
      status: a.status,
      expiryDate: a.expiry_date,
      valueFen,
      pledgeRateBp: a.pledge_rate_bp,
      capacityFen: cap.capacityFen,
      currentFormalValueFen: a.formal_value_fen === null ? null : Number(a.formal_value_fen),
      formalValidUntil: a.formal_valid_until,
      lockedBy: a.locked_by ?? null,
    };
  });
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  return {
    app: {
      id: app.id,
      state: app.state,
      version: app.version,
      productId: app.product_id,
      requestId: app.request_id,
      firmOrgId: app.firm_org_id,
      firmName: nameOf.get(app.firm_org_id) ?? "",
      bankOrgId: app.bank_org_id,
      bankName: nameOf.get(app.bank_org_id) ?? "",
      regionCode: app.region_code,
      amountFen: Number(app.amount_fen),
      termMonths: app.term_months,
      rateBp: app.rate_bp,
      approvedAmountFen: app.approved_amount_fen === null ? null : Number(app.approved_amount_fen),
      approvedRateBp: app.approved_rate_bp,
      approvedTermMonths: app.approved_term_months,
      primaryIpType: app.primary_ip_type,
      pledgeRegNumber: app.pledge_reg_number,
      pledgeRegDate: app.pledge_reg_date,
      disbursedAmountFen:
        app.disbursed_amount_fen === null ? null : Number(app.disbursed_amount_fen),
      disbursedDate: app.disbursed_date,
      closedDate: app.closed_date,
      rejectReason: app.reject_reason,
      createdAt: app.created_at,
      updatedAt: app.updated_at,
    },
    snapshot,
    assets: assetViews,
    capacityFen: assetViews.reduce((s, a) => s + a.capacityFen, 0),
    comments: comments.map((c): CommentView => ({
      id: c.id,
      kind: c.kind,
      body: c.body,
      authorName: c.display_name,
      authorSide:
        c.author_org_id === app.firm_org_id
          ? "firm"
          : c.author_org_id === app.bank_org_id
            ? "bank"
            : "other",
      at: c.created_at,
    })),
    timeline: timeline.map((e): TimelineItem => ({
      id: e.id,
      action: e.action,
      fromState: e.from_state,
      toState: e.to_state,
      reason: e.reason,
      actorName: e.display_name ?? null,
      actorOrg: e.org_name ?? null,
      at: e.created_at,
    })),
  };
}

export type ApplicationDetail = Awaited<ReturnType<typeof getApplicationDetail>>;

/** The product a firm may apply to (active), with its bank's name, or null. */
export async function getApplicableProduct(db: Db, productId: number) {
  const row = await db
    .selectFrom("loan_products")
    .innerJoin("organisations", "organisations.id", "loan_products.bank_org_id")
    .selectAll("loan_products")
    .select("organisations.name as bank_name")
    .where("loan_products.id", "=", productId)
    .where("loan_products.active", "=", 1)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * The firm's assets a product could take, with their capacity under its pledge rates (formal
 * values valid today only) and whether another application holds them locked.
 */
export async function listPledgeableAssets(
  db: Db,
  firmOrgId: number,
  snapshot: ProductSnapshot,
  today: string = todayInChina(),
) {
  const rows = await db
    .selectFrom("ip_assets")
    .leftJoin("pledge_locks", "pledge_locks.asset_id", "ip_assets.id")
    .select([
      "ip_assets.id",
      "ip_assets.title",
      "ip_assets.number",
      "ip_assets.ip_type",
      "ip_assets.status",
      "ip_assets.expiry_date",
      "ip_assets.formal_value_fen",
      "ip_assets.formal_valid_until",
      "pledge_locks.application_id as locked_by",
    ])
    .where("ip_assets.firm_org_id", "=", firmOrgId)
    .where(
      "ip_assets.ip_type",
      "in",
      snapshot.acceptedIpTypes.length ? snapshot.acceptedIpTypes : ["invention"],
    )
    .orderBy("ip_assets.id")
    .execute();
  return rows.map((r) => {
    const valid =
      r.formal_value_fen !== null && r.formal_valid_until !== null && r.formal_valid_until >= today;
    const valueFen = valid ? Number(r.formal_value_fen) : 0;
    const cap = pledgeSetCapacity(
      [
        {
          assetId: r.id,
          title: r.title,
          ipType: r.ip_type,
          formalValueFen: valueFen,
          formalValidUntil: null,
        },
      ],
      snapshot,
    ).capacityFen;
    return {
      id: r.id,
      title: r.title,
      number: r.number,
      ipType: r.ip_type,
      formalValueFen: r.formal_value_fen === null ? null : Number(r.formal_value_fen),
      formalValidUntil: r.formal_valid_until,
      validToday: valid,
      capacityFen: cap,
      lockedBy: r.locked_by ?? null,
    };
  });
}

/**
 * What the approve form shows before the officer decides: the capacity of the pledged set with the
 * appraisals valid today, the problems an approval of the requested terms would meet, and the
 * product's remaining quota. Read-only; the approval itself checks again in its transaction.
 */
export async function previewApproval(
  db: Db,
  bankOrgId: number,
  applicationId: number,
  day: string = todayInChina(),
) {
  const app = await loadScoped(db, "bank", bankOrgId, applicationId);
  const snapshot = parseProductSnapshot(app.product_snapshot_json);
  const assets = await loadPledgedAssets(db, app.firm_org_id, await assetIdsOf(db, app.id));
  const result = checkApproval({
    snapshot,
    requestedFen: Number(app.amount_fen),
    amountFen: Number(app.amount_fen),
    termMonths: app.term_months,
    rateBp: app.rate_bp,
    assets,
    day,
  });
  const product = await db
    .selectFrom("loan_products")
    .select(["quota_remaining_fen", "repayment_methods_mask"])
    .where("id", "=", app.product_id)
    .executeTakeFirst();
  return {
    day,
    /** The repayment methods the product offers; the approval picks one (decision 010). */
    repaymentMethods: methodsInMask(product?.repayment_methods_mask ?? ALL_REPAYMENT_METHODS_MASK),
    capacityFen: result.capacity.capacityFen,
    problems: result.problems,
    quotaRemainingFen: Number(product?.quota_remaining_fen ?? 0),
  };
}

/** The amount and term of the firm's own financing request, to prefill an application. */
export async function getFirmRequestTerms(db: Db, firmOrgId: number, requestId: number) {
  const row = await db
    .selectFrom("financing_requests")
    .select(["id", "amount_fen", "term_months", "max_rate_bp"])
    .where("id", "=", requestId)
    .where("firm_org_id", "=", firmOrgId)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        amountFen: Number(row.amount_fen),
        termMonths: row.term_months,
        maxRateBp: row.max_rate_bp,
      }
    : null;
}

/**
 * The least-collateral set (app/domain/matching/least-collateral.ts) among the assets that can lend today and are
 * not pledged elsewhere, for `amountFen`; null when they do not cover it together.
 */
export function suggestCollateral(
  assets: Awaited<ReturnType<typeof listPledgeableAssets>>,
  amountFen: number,
  ownApplicationId?: number,
) {
  const free = assets.filter(
    (a) =>
      a.validToday && a.capacityFen > 0 && (a.lockedBy === null || a.lockedBy === ownApplicationId),
  );
  return chooseLeastCollateral(
    free.map((a) => ({ id: a.id, valueFen: a.formalValueFen ?? 0, capacityFen: a.capacityFen })),
    amountFen,
  );
}

/** For tests and the reconcile script: the raw row. */
export async function getApplicationRow(db: Db, id: number): Promise<Application | undefined> {
  return db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirst();
}
