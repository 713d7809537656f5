import { parseWithZod } from "@conform-to/zod";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import type { SessionUser } from "./session.server";
import { getDb } from "./db.server";
import { getServerT } from "./i18n.server";
import { todayInChina } from "./time";
import type { TFunction } from "i18next";
import { createAsset, numberTakenMessageKey } from "../models/asset.server";
import type { AssetRecord } from "../models/asset.server";
import type { FirmActor } from "../models/asset.server";
import { UserFacingError } from "../models/errors";
import type { MemberAction } from "../domain/permissions";
import { assertCan, authorize } from "./permissions.server";

/**
 * Guards shared by the /firm/assets… routes: a user the permissions table lets do `action` (a
 * firm user: 403 for other roles, log-in for anonymous) and a numeric id from the URL (anything
 * else is a 404, like another firm's id).
 */
export async function requireFirmActor(
  request: Request,
  action: MemberAction,
): Promise<{ user: SessionUser; actor: FirmActor }> {
  const user = await authorize(request, action);
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

/**
 * The asset the owner-scoped model read found (none: the 404 page), checked against the
 * permissions table as well.
 */
export function ownAsset<T extends { firm_org_id: number }>(
  user: SessionUser,
  action: MemberAction,
  asset: T | null | undefined,
): T {
  if (!asset) notFoundResponse();
  assertCan(user, action, { firmOrgId: asset.firm_org_id });
  return asset;
}

/** A model's 404 (another firm's or a deleted row) becomes the 404 page; others pass through. */
export function rethrowNotFound(e: unknown): void {
  if (e instanceof UserFacingError && e.status === 404) notFoundResponse();
}

/**
 * The action of the "new patent" and "new trademark" forms: the form's schema (plus the
 * platform-wide number check, shown next to the field), then one createAsset call.
 */
export async function createAssetFromForm(
  request: Request,
  formSchema: (
    t: TFunction,
    locale: string,
    today: string,
  ) => z.ZodType<{ record: AssetRecord }, z.ZodTypeDef, unknown>,
): Promise<Response> {
  const { actor } = await requireFirmActor(request, "asset.create");
  const { t, locale } = getServerT(request);
  const db = getDb();
  const submission = await parseWithZod(await request.formData(), {
    schema: formSchema(t, locale, todayInChina()).superRefine(async (v, ctx) => {
      // zod still runs refinements after the transform reported problems; v is then empty.
      if (!v?.record) return;
      const key = await numberTakenMessageKey(db, actor.orgId, v.record);
      if (key) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["number"], message: t(key) });
    }),
    async: true,
  });
  if (submission.status !== "success") {
    return Response.json(submission.reply(), { status: 400 });
  }
  try {
    const id = await createAsset(db, actor, submission.value.record);
    return redirect(`/firm/assets/${id}?created=1`);
  } catch (e) {
    // A concurrent listing won the unique key after our check.
    if (e instanceof UserFacingError && e.field) {
      return Response.json(submission.reply({ fieldErrors: { [e.field]: [t(e.key, e.params)] } }), {
        status: 400,
      });
    }
    throw e;
  }
}
