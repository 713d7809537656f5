import type { Db } from "../utils/db.server";
import { nowInstant } from "../utils/time";
import type { Executor } from "./ledger.server";

/**
 * In-app notifications, one row per recipient user. `kind` names a translation key under
 * applications:notifications.kinds and `params_json` its parameters, so the list renders in the reader's
 * language, not the sender's.
 */

export const NOTIFICATIONS_PAGE_SIZE = 30;

/** Notifies every active user of an organisation; call inside the transaction of the change. */
export async function notifyOrganisation(
  db: Executor,
  orgId: number,
  n: { kind: string; params: Record<string, string | number>; link: string | null },
): Promise<void> {
  const users = await db
    .selectFrom("users")
    .select("id")
    .where("org_id", "=", orgId)
    .where("disabled", "=", 0)
    .execute();
  if (users.length === 0) return;
  const now = nowInstant();
  await db
    .insertInto("notifications")
    .values(
      users.map((u) => ({
        user_id: u.id,
        kind: n.kind,
        params_json: JSON.stringify(n.params),
        link: n.link,
        created_at: now,
        read_at: null,
      })),
    )
    .execute();
}

export async function countUnread(db: Db, userId: number): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NotificationItem {
  id: number;
  kind: string;
  params: Record<string, string | number>;
  link: string | null;
  createdAt: string;
  read: boolean;
}

export async function listNotifications(db: Db, userId: number, page: number) {
  const [count, unread] = await Promise.all([
    db
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow(),
    countUnread(db, userId),
  ]);
  const total = Number(count.n);
  const pages = Math.max(1, Math.ceil(total / NOTIFICATIONS_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const rows = await db
    .selectFrom("notifications")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .limit(NOTIFICATIONS_PAGE_SIZE)
    .offset((current - 1) * NOTIFICATIONS_PAGE_SIZE)
    .execute();
  const items: NotificationItem[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    params: safeParams(r.params_json),
    link: r.link,
    createdAt: r.created_at,
    read: r.read_at !== null,
  }));
  return { items, total, unread, page: current, pages };
}

function safeParams(json: string): Record<string, string | number> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === "object" ? (v as Record<string, string | number>) : {};
  } catch {
    return {};
  }
}

/** Marks the user's own notifications read (`ids` omitted: all of them). Returns how many. */
export async function markNotificationsRead(
  db: Db,
  userId: number,
  ids?: number[],
): Promise<number> {
  if (ids && ids.length === 0) return 0;
  let q = db
    .updateTable("notifications")
    .set({ read_at: nowInstant() })
    .where("user_id", "=", userId)
    .where("read_at", "is", null);
  if (ids) q = q.where("id", "in", ids);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}
