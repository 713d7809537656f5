import type { SessionUser } from "./session.server";
import { requireRole } from "./auth.server";
import type { FirmActor } from "../models/asset.server";
import { UserFacingError } from "../models/errors";

/**
 * Guards shared by the /firm/assets… routes: a firm user (403 for other roles, log-in for
 * anonymous) and a numeric id from the URL (anything else is a 404, like another firm's id).
 */
export async function requireFirmActor(
  request: Request,
): Promise<{ user: SessionUser; actor: FirmActor }> {
  const user = await requireRole(request, "firm");
  return { user, actor: { userId: user.id, orgId: user.org_id } };
}

export function notFoundResponse(): never {
  throw new Response("Not Found", { status: 404, statusText: "Not Found" });
}

export function idParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,9}$/.test(value)) notFoundResponse();
  const id = Number(value);
  if (!Number.isSafeInteger(id)) notFoundResponse();
  return id;
}

/** A model's 404 (another firm's or a deleted row) becomes the 404 page; others pass through. */
export function rethrowNotFound(e: unknown): void {
  if (e instanceof UserFacingError && e.status === 404) notFoundResponse();
}
