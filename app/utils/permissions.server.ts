import { redirect } from "@remix-run/node";
import {
  can,
  mustEnrolFirst,
  type Action,
  type MemberAction,
  type Owners,
  type PermissionActor,
  type PublicAction,
  type SecondFactorState,
} from "../domain/permissions";
import { isGovernmentOrAdmin, type RiskActor } from "../models/risk-sharing/common.server";
import { withDb } from "../models/with-db.server";
import { getOptionalUser, requireUser } from "./auth.server";
import type { SessionUser } from "./session.server";

/**
 * The permissions table (app/domain/permissions.ts) as route guards. Every loader and action
 * starts with `authorize` (or `authorizeVisitor` on a public page) and, once it has loaded the
 * thing, may check it with `assertCan`:
 *
 *   const user = await authorize(request, "application.viewIncoming"); // log-in, or 403
 *   const view = await …;                                               // owner-scoped query
 *   assertCan(user, "application.approve", { bankOrgId: view.app.bankOrgId }); // 403 or 404
 */

export function forbidden(): never {
  throw new Response("Forbidden", { status: 403, statusText: "Forbidden" });
}

function notFound(): never {
  throw new Response("Not Found", { status: 404, statusText: "Not Found" });
}

/**
 * The logged-in user, if their role may do `action` at all. An anonymous visitor is sent to log
 * in (and back); a user whose role may not is refused with 403.
 */
export async function authorize(request: Request, action: MemberAction): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!can(user, action)) forbidden();
  if (mustEnrolFirst(user, action)) {
    const url = new URL(request.url);
    sendToEnrolment(request.method === "GET" ? url.pathname + url.search : null);
  }
  return user;
}

/**
 * `authorize`, then only a government alliance member (政府部门) or the admin: an insurer or a
 * guarantor is an alliance member too, but pools and 贴息 programmes are set up by government.
 */
export async function requireGovernmentActor(
  request: Request,
  action: MemberAction,
): Promise<RiskActor> {
  const user = await authorize(request, action);
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  if (!(await withDb(isGovernmentOrAdmin, actor))) forbidden();
  return actor;
}

/**
 * A money-moving action by a user whose role must use two-factor authentication and who has not
 * enrolled: to enrolment, and back afterwards when we know where they were (a GET).
 */
function sendToEnrolment(back: string | null): never {
  const query = back ? `&redirectTo=${encodeURIComponent(back)}` : "";
  throw redirect(`/account/two-factor?required=1${query}`);
}

/** A public page: the visitor, logged in or not (the table lets everyone in). */
export async function authorizeVisitor(
  request: Request,
  action: PublicAction,
): Promise<SessionUser | null> {
  const user = await getOptionalUser(request);
  if (can(user, action)) return user;
  // Only reached if the table stops making this action public.
  if (!user) await requireUser(request);
  return forbidden();
}

/**
 * This actor may do `action` to this thing: 403 when their role may not do it at all, 404 when
 * the thing is another organisation's (whose existence is not ours to confirm), and a redirect to
 * two-factor enrolment when the action moves money and the actor's role must use it.
 */
export function assertCan(
  actor: PermissionActor & SecondFactorState,
  action: Action,
  thing?: Owners,
): void {
  if (!can(actor, action)) forbidden();
  if (thing !== undefined && !can(actor, action, thing)) notFound();
  if (mustEnrolFirst(actor, action)) sendToEnrolment(null);
}
