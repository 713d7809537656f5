import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { RequestForm, requestFormSchema } from "../components/request-form";
import { createRequest, listOfferableAssets } from "../models/request.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { offerableAssetView, requestErrorReply } from "../utils/request-routes.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "request.create");
  const assets = await withDb(listOfferableAssets, user.org_id, todayInChina());
  return { assets: assets.map(offerableAssetView) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "request.create");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: requestFormSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const id = await withDb(createRequest, {
      firmOrgId: user.org_id,
      userId: user.id,
      input: {
        amountFen: v.amount,
        termMonths: v.term,
        maxRateBp: v.maxRate,
        purpose: v.purpose,
        assetIds: v.assetIds,
      },
    });
    return redirect(`/firm/requests/${id}`);
  } catch (e) {
    const reply = requestErrorReply(e, t, (o) => submission.reply(o));
    if (reply) return reply;
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "products:titles.newRequest");

export default function NewRequest() {
  const { assets } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "56rem" }}>
      <p>
        <Link to="/firm/requests">← {t("products:requests.back")}</Link>
      </p>
      <h1>{t("products:requests.newTitle")}</h1>
      {assets.length === 0 ? (
        <div className="empty" data-testid="no-assets">
          {t("products:requests.noAssets")}{" "}
          <Link to="/firm/assets">{t("products:requests.addAssets")}</Link>
        </div>
      ) : (
        <RequestForm
          lastResult={lastResult}
          assets={assets}
          defaultValue={{
            term: "12",
            maxRate: "4.5",
            assetIds: assets.filter((a) => a.inForce).map((a) => String(a.id)),
          }}
          submitLabel={t("products:requests.submitNew")}
        />
      )}
    </div>
  );
}
