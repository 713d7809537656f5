import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { auditEntityHref } from "../domain/audit";
import type { Db } from "../utils/db.server";
import { nowInstant } from "../utils/time";

export interface AuditInput {
  actorUserId: number | null;
  orgId: number | null;
  action: string;
  entityType: string;
  entityId: string | number;
  fromState?: string | null;
  toState?: string | null;
  reason?: string | null;
  detail?: unknown;
}

/**
 * Column widths of `audit_log` (migration 001). MariaDB refuses a longer value where SQLite stores
 * it, so the writer checks them itself: a caller that overflows fails on both databases alike.
 */
const AUDIT_LIMITS = {
  action: 64,
  entityType: 32,
  entityId: 64,
  fromState: 32,
  toState: 32,
  reason: 1000,
} as const;

/** The one audit writer. Call it inside the transaction that makes the change it records. */
export async function writeAudit(db: Db | Transaction<Database>, e: AuditInput): Promise<void> {
  for (const [field, max] of Object.entries(AUDIT_LIMITS)) {
    const value = e[field as keyof typeof AUDIT_LIMITS];
    if (value != null && String(value).length > max) {
      throw new Error(`audit ${field} longer than ${max} characters (${e.action})`);
    }
  }
  await db
    .insertInto("audit_log")
    .values({
      actor_user_id: e.actorUserId,
      org_id: e.orgId,
      action: e.action,
      entity_type: e.entityType,
      entity_id: String(e.entityId),
      from_state: e.fromState ?? null,
      to_state: e.toState ?? null,
      reason: e.reason ?? null,
      detail_json: e.detail === undefined ? null : JSON.stringify(e.detail),
      created_at: nowInstant(),
    })
    .execute();
}

export const AUDIT_PAGE_SIZE = 50;

/**
 * One page of the audit log, newest first. The page number is clamped to the pages that exist
 * (1 … last), so a page past the end shows the last page instead of an offset the database
 * cannot take.
 */
export async function listAuditLog(
  db: Db,
  { page, pageSize = AUDIT_PAGE_SIZE }: { page: number; pageSize?: number },
) {
  const count = await db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const total = Number(count.n);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const rows = await db
    .selectFrom("audit_log")
    .leftJoin("users", "users.id", "audit_log.actor_user_id")
    .select([
      "audit_log.id",
      "audit_log.created_at",
      "audit_log.action",
      "audit_log.entity_type",
      "audit_log.entity_id",
      "audit_log.from_state",
      "audit_log.to_state",
      "audit_log.reason",
      "users.email as actorEmail",
    ])
    .orderBy("audit_log.id", "desc")
    .limit(pageSize)
    .offset((current - 1) * pageSize)
    .execute();
  // An appraisal order's page for the admin is its signed report: look the reports up in one go.
  const orderIds = rows
    .filter((r) => r.entity_type === "appraisal_order" && /^\d+$/.test(r.entity_id))
    .map((r) => Number(r.entity_id));
  const reports = orderIds.length
    ? await db
        .selectFrom("appraisals")
        .select(["id", "order_id"])
        .where("order_id", "in", [...new Set(orderIds)])
        .execute()
    : [];
  const reportOf = new Map(reports.map((a) => [Number(a.order_id), Number(a.id)]));
  return {
    rows: rows.map((r) => ({
      ...r,
      href: auditEntityHref({
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        appraisalId:
          r.entity_type === "appraisal_order" ? reportOf.get(Number(r.entity_id)) : undefined,
      }),
    })),
    page: current,
    total,
    pages,
  };
}
