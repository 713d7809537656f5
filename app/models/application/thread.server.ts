import { canComment, type ApplicationActor } from "../../domain/application";
import type { Db } from "../../utils/db.server";
import { nowInstant } from "../../utils/time";
import { UserFacingError } from "../errors";
import { runApplicationTransaction } from "../ledger.server";
import { notifyOrganisation } from "../notification.server";
import { linkFor, loadScoped, type Actor } from "./shared.server";

// ---------------------------------------------------------------------------------------------
// The thread
// ---------------------------------------------------------------------------------------------

export const MAX_COMMENT_LENGTH = 2000;

/**
 * A message in the application's thread, which both sides see. A bank officer may mark it as a
 * request for documents (补充材料). Not a state change, so no version check; the other side is
 * notified.
 */
export async function addComment(
  db: Db,
  actor: Actor,
  side: ApplicationActor,
  c: { applicationId: number; body: string; kind: "comment" | "document_request" },
): Promise<number> {
  const body = c.body.trim();
  if (!body) throw new UserFacingError("applications:errors.commentRequired", {}, "body");
  if ([...body].length > MAX_COMMENT_LENGTH) {
    throw new UserFacingError(
      "applications:errors.commentTooLong",
      { max: MAX_COMMENT_LENGTH },
      "body",
    );
  }
  if (c.kind === "document_request" && side !== "bank") {
    throw new UserFacingError("applications:errors.actionNotAllowed", {}, undefined, 403);
  }
  return runApplicationTransaction(db, async (trx) => {
    const app = await loadScoped(trx, side, actor.orgId, c.applicationId);
    if (!canComment(app.state))
      throw new UserFacingError("applications:errors.commentOnDraft", {}, "body");
    const res = await trx
      .insertInto("application_comments")
      .values({
        application_id: app.id,
        author_user_id: actor.userId,
        author_org_id: actor.orgId,
        kind: c.kind,
        body,
        created_at: nowInstant(),
      })
      .executeTakeFirstOrThrow();
    const other = side === "firm" ? app.bank_org_id : app.firm_org_id;
    await notifyOrganisation(trx, other, {
      kind: c.kind,
      params: { id: app.id },
      link: linkFor(side === "firm" ? "bank" : "firm", app.id),
    });
    return Number(res.insertId);
  });
}
