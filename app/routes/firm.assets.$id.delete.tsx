import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormErrors } from "../components/Field";
import { displayAssetNumber } from "../domain/asset";
import { deleteAsset, findEncumbrance, getAsset, isEncumbered } from "../models/asset.server";
import { UserFacingError } from "../models/errors";
import { idParam, ownAsset, requireFirmActor, rethrowNotFound } from "../utils/asset-routes.server";
import { deleteAssetSchema } from "../utils/asset-schemas";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.delete");
  const id = idParam(params.id);
  const a = ownAsset(user, "asset.delete", await withDb(getAsset, actor.orgId, id));
  const e = await withDb(findEncumbrance, id);
  return {
    id: a.id,
    title: a.title,
    number: displayAssetNumber(a.asset_kind, a.number, a.status),
    version: a.version,
    refusal: !isEncumbered(e)
      ? null
      : e.pledgedBy !== null
        ? { key: "assets:errors.pledged", application: e.pledgedBy }
        : { key: "assets:errors.in_application", application: e.applications[0].id },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.delete");
  const id = idParam(params.id);
  const before = ownAsset(user, "asset.delete", await withDb(getAsset, actor.orgId, id));
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: deleteAssetSchema });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ formErrors: [t("common:errors.conflict")] }), {
      status: 400,
    });
  }
  try {
    await withDb(deleteAsset, actor, id, submission.value.version);
  } catch (e) {
    rethrowNotFound(e);
    if (e instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
  const shown = displayAssetNumber(before.asset_kind, before.number, before.status);
  return redirect(`/firm/assets?deleted=${encodeURIComponent(shown)}`);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.delete");

export default function DeleteAsset() {
  const { id, title, number, version, refusal } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const errors = lastResult?.error?.[""] ?? undefined;
  return (
    <div className="card" style={{ maxWidth: "40rem" }}>
      <h1>{t("assets:delete.title", { number })}</h1>
      {refusal ? (
        <div className="form-error" role="alert">
          {t("assets:delete.refused")} {t(refusal.key, { application: refusal.application })}
        </div>
      ) : (
        <Form method="post" className="stack">
          <p>{t("assets:delete.text", { title })}</p>
          <FormErrors errors={errors ?? undefined} />
          <input type="hidden" name="version" value={version} />
          <div className="checks">
            <button
              type="submit"
              className="button button-danger"
              disabled={busy}
              data-testid="confirm-delete"
            >
              {t("assets:delete.confirm")}
            </button>
            <Link to={`/firm/assets/${id}`} className="button">
              {t("assets:delete.cancel")}
            </Link>
          </div>
        </Form>
      )}
      {refusal ? (
        <p>
          <Link to={`/firm/assets/${id}`}>{t("assets:delete.cancel")}</Link>
        </p>
      ) : null}
    </div>
  );
}
