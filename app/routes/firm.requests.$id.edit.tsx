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
import { z } from "zod";
import { RequestForm, requestFormSchema } from "../components/request-form";
import { fenToAmountInput } from "../domain/money";
import { bpToPercentInput } from "../domain/percent";
import { getFirmRequest, listOfferableAssets, updateRequest } from "../models/request.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { offerableAssetView, requestErrorReply } from "../utils/request-routes.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

const Params = z.object({ id: z.coerce.number().int().positive() });

async function ownOpenRequest(request: Request, params: unknown) {
  const user = await authorize(request, "request.edit");
  const p = Params.safeParse(params);
  const req = p.success ? await withDb(getFirmRequest, user.org_id, p.data.id) : null;
  if (!req) throw new Response("Not Found", { status: 404 });
  assertCan(user, "request.edit", { firmOrgId: req.firm_org_id });
  if (req.status !== "open") throw redirect(`/firm/requests/${req.id}`);
  return { user, req };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, req } = await ownOpenRequest(request, params);
  const assets = await withDb(listOfferableAssets, user.org_id, todayInChina());
  return {
    id: req.id,
    version: req.version,
    assets: assets.map(offerableAssetView),
    defaults: {
      amount: fenToAmountInput(Number(req.amount_fen)),
      term: String(req.term_months),
      maxRate: bpToPercentInput(req.max_rate_bp),
      purpose: req.purpose,
      assetIds: req.assetIds.map(String),
    },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, req } = await ownOpenRequest(request, params);
  const { t } = getServerT(request);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: requestFormSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  const version = Number(formData.get("version"));
  try {
    await withDb(updateRequest, {
      firmOrgId: user.org_id,
      userId: user.id,
      requestId: req.id,
      expectedVersion: Number.isSafeInteger(version) ? version : -1,
      input: {
        amountFen: v.amount,
        termMonths: v.term,
        maxRateBp: v.maxRate,
        purpose: v.purpose,
        assetIds: v.assetIds,
      },
    });
    return redirect(`/firm/requests/${req.id}`);
  } catch (e) {
    const reply = requestErrorReply(e, t, (o) => submission.reply(o));
    if (reply) return reply;
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "products:titles.editRequest");

export default function EditRequest() {
  const data = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "56rem" }}>
      <p>
        <Link to={`/firm/requests/${data.id}`}>← #{data.id}</Link>
      </p>
      <h1>{t("products:requests.editTitle")}</h1>
      <RequestForm
        lastResult={lastResult}
        assets={data.assets}
        defaultValue={data.defaults}
        version={data.version}
        submitLabel={t("products:requests.submitEdit")}
      />
    </div>
  );
}
