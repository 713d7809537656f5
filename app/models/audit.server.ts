import type { Transaction } from "kysely";
import type { Database } from "../../db/schema";
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

/** The one audit writer. Call it inside the transaction that makes the change it records. */
export async function writeAudit(db: Db | Transaction<Database>, e: AuditInput): Promise<void> {
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
