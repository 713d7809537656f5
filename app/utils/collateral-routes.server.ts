import { parseWithZod } from "@conform-to/zod";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { WATCH_GROUPS, firstBusyGroup, watchCounts, watchPage } from "../domain/servicing/watch";
import { UserFacingError } from "../models/errors";
import {
  confirmFeePayment,
  getLoanCollateral,
  recordFeePayment,
  recordLegalEvent,
  watchList,
  type WatchScope,
} from "../models/servicing/collateral.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId, postedIntent, refusal } from "./application-routes.server";
import { collateralActionSchema, type CollateralIntent } from "./collateral-schemas";
import { getServerT } from "./i18n.server";
import { assertCan, authorize } from "./permissions.server";
import type { SessionUser } from "./session.server";
import { todayInChina } from "./time";

/**
 * The collateral pages of both sides (docs/domain.md#collateral-monitoring): the watch list and
 * one loan's pledged assets with the fee and legal-event forms. The bank's and the firm's routes
 * differ only in the side, so their loaders and actions live here once.
 */

export type Side = "bank" | "firm";

const VIEW = { bank: "collateral.watchIncoming", firm: "collateral.watchOwn" } as const;

function scopeOf(user: SessionUser, side: Side): WatchScope {
  return side === "bank"
    ? { kind: "bank", bankOrgId: user.org_id }
    : { kind: "firm", firmOrgId: user.org_id };
}

const WatchQuery = z.object({
  group: z.enum(WATCH_GROUPS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

/** The watch list: the count of every group and one page of the group asked for. */
export async function watchLoader(request: Request, side: Side) {
  const user = await authorize(request, VIEW[side]);
  const q = WatchQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const today = todayInChina();
  const loans = await withDb(watchList, scopeOf(user, side), today);
  const counts = watchCounts(loans);
  const group = q.group ?? firstBusyGroup(counts);
  return {
    side,
    today,
    counts,
    group,
    loanCount: loans.length,
    ...watchPage(loans, group, q.page),
  };
}

async function collateralOr404(user: SessionUser, side: Side, id: number) {
  try {
    const data = await withDb(getLoanCollateral, scopeOf(user, side), id, todayInChina());
    return data;
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

/** One loan's collateral; another organisation's loan is the 404 page. */
export async function collateralLoader(request: Request, id: string | undefined, side: Side) {
  const user = await authorize(request, VIEW[side]);
  const data = await collateralOr404(user, side, parseId(id));
  return { side, today: todayInChina(), ...data };
}

const PERMISSION = {
  fee: "collateral.recordFee",
  confirm: "collateral.confirmFee",
  legal: "collateral.recordLegalEvent",
} as const satisfies Record<CollateralIntent, string>;

/**
 * A posted fee payment, confirmation or legal event. The asset must be one pledged to this loan;
 * the model checks again that the actor may record for it (owner firm, or a bank lending on it).
 */
export async function collateralAction(request: Request, idParam: string | undefined, side: Side) {
  const user = await authorize(request, VIEW[side]);
  const id = parseId(idParam);
  const { t, locale } = getServerT(request);
  const data = await collateralOr404(user, side, id);
  const submission = parseWithZod(await request.formData(), { schema: collateralActionSchema(t) });
  const intent = postedIntent(submission);
  const assetId = Number((submission.payload as Record<string, unknown>).assetId) || 0;
  if (submission.status !== "success") {
    return Response.json({ intent, assetId, result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  const owners = side === "bank" ? { bankOrgId: user.org_id } : { firmOrgId: user.org_id };
  assertCan(user, PERMISSION[v.intent], owners);
  if (!data.watch.assets.some((a) => a.assetId === v.assetId)) notFound();
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  try {
    switch (v.intent) {
      case "fee":
        await withDb(recordFeePayment, actor, {
          assetId: v.assetId,
          feeYear: v.feeYear,
          paidDate: v.paidDate,
          amountFen: v.amount,
          receiptNumber: v.receiptNumber,
        });
        break;
      case "confirm":
        if (!data.payments.some((p) => p.id === v.paymentId && p.assetId === v.assetId)) {
          notFound();
        }
        await withDb(confirmFeePayment, actor, v.paymentId);
        break;
      case "legal":
        await withDb(recordLegalEvent, actor, {
          assetId: v.assetId,
          eventType: v.eventType,
          eventDate: v.eventDate,
          noticeDate: v.noticeDate,
          note: v.note,
          source: side,
        });
        break;
    }
    return redirect(`/${side}/loans/${id}/collateral#asset-${v.assetId}`);
  } catch (e) {
    return refusal(e, submission, t, locale, { intent, assetId: v.assetId }, {});
  }
}
