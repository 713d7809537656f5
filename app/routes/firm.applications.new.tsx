import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { AssetPicker } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { fenToAmountInput, formatBp, formatMoney, parseYuanToFen } from "../domain/money";
import { bpToPercentInput } from "../domain/percent";
import { parseProductSnapshot } from "../domain/application";
import {
  createApplicationDraft,
  getApplicableProduct,
  getFirmRequestTerms,
  listPledgeableAssets,
  suggestCollateral,
} from "../models/application.server";
import { productSnapshot } from "../models/product.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { draftSchema } from "../utils/application-schemas";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

const Query = z.object({
  productId: z.coerce.number().int().positive(),
  requestId: z.coerce.number().int().positive().optional().catch(undefined),
  amount: z.string().optional(),
});

async function load(request: Request) {
  const user = await authorize(request, "application.create");
  const q = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!q.success) throw new Response("Not Found", { status: 404 });
  const product = await withDb(getApplicableProduct, q.data.productId);
  if (!product) throw new Response("Not Found", { status: 404 });
  const req = q.data.requestId
    ? await withDb(getFirmRequestTerms, user.org_id, q.data.requestId)
    : null;
  if (q.data.requestId && !req) throw new Response("Not Found", { status: 404 });
  return { user, q: q.data, product, req };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, q, product, req } = await load(request);
  const snapshot = parseProductSnapshot(JSON.stringify(productSnapshot(product)));
  const typed = q.amount ? parseYuanToFen(q.amount) : null;
  const amountFen = typed ?? req?.amountFen ?? Number(product.min_amount_fen);
  const termMonths = Math.min(
    Math.max(req?.termMonths ?? 12, snapshot.minTermMonths),
    snapshot.maxTermMonths,
  );
  const assets = await withDb(listPledgeableAssets, user.org_id, snapshot);
  const suggestion = suggestCollateral(assets, amountFen);
  return {
    product: { id: product.id, name: product.name, bankName: product.bank_name },
    snapshot,
    requestId: req?.id ?? null,
    defaults: { amountFen, termMonths, rateBp: snapshot.minRateBp },
    assets,
    suggestion,
    coverFen: assets
      .filter((a) => a.validToday && a.lockedBy === null)
      .reduce((s, a) => s + a.capacityFen, 0),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, q, req } = await load(request);
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: draftSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    const { applicationId } = await withDb(createApplicationDraft, {
      firmOrgId: user.org_id,
      userId: user.id,
      productId: q.productId,
      requestId: req?.id ?? null,
      amountFen: v.amount,
      termMonths: v.termMonths,
      rateBp: v.rate,
      assetIds: v.assetIds,
    });
    return redirect(`/firm/applications/${applicationId}`);
  } catch (e) {
    return refusal(e, submission, t, locale);
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "applications:titles.apply");

export default function NewApplication() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const { snapshot, defaults, suggestion } = data;
  const [form, fields] = useForm({
    id: "draft",
    lastResult: actionData?.result,
    defaultValue: {
      amount: fenToAmountInput(defaults.amountFen),
      termMonths: String(defaults.termMonths),
      rate: bpToPercentInput(defaults.rateBp),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: draftSchema(t) }),
    shouldValidate: "onBlur",
  });
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/firm/applications">← {t("applications:common.back")}</Link>
      </p>
      <h1>{t("applications:apply.title", { product: data.product.name })}</h1>
      <p className="muted">
        {data.product.bankName} ·{" "}
        {t("applications:apply.productTerms", {
          minAmount: money(snapshot.minAmountFen),
          maxAmount: money(snapshot.maxAmountFen),
          minTerm: snapshot.minTermMonths,
          maxTerm: snapshot.maxTermMonths,
          minRate: formatBp(snapshot.minRateBp),
          maxRate: formatBp(snapshot.maxRateBp),
        })}
      </p>
      <p>{t("applications:apply.intro")}</p>
      <Form
        method="get"
        className="card"
        style={{ display: "flex", gap: "0.5rem", alignItems: "end" }}
      >
        <input type="hidden" name="productId" value={data.product.id} />
        {data.requestId ? <input type="hidden" name="requestId" value={data.requestId} /> : null}
        <div className="field" style={{ flex: 1 }}>
          <label htmlFor="suggest-amount">{t("applications:common.amount")}</label>
          <input
            id="suggest-amount"
            name="amount"
            defaultValue={fenToAmountInput(defaults.amountFen)}
            inputMode="decimal"
          />
        </div>
        <button type="submit" className="button">
          {t("applications:apply.suggest")}
        </button>
      </Form>
      {suggestion ? (
        <p className="notice" data-testid="suggestion">
          {t("applications:apply.suggested", {
            value: money(suggestion.pledgedValueFen),
            capacity: money(suggestion.capacityFen),
          })}
        </p>
      ) : data.assets.length ? (
        <p className="notice">
          {t("applications:apply.noCover", {
            capacity: money(data.coverFen),
            amount: money(defaults.amountFen),
          })}
        </p>
      ) : null}
      <Form
        method="post"
        className="card stack"
        style={{ maxWidth: "none" }}
        {...getFormProps(form)}
        data-testid="apply-form"
      >
        <FormErrors errors={form.errors} />
        <input type="hidden" name="intent" value="create" />
        <div className="grid grid-3">
          <Field
            id={fields.amount.id}
            label={t("applications:common.amount")}
            hint={t("applications:common.yuanHint")}
            errors={fields.amount.errors}
          >
            <input {...getInputProps(fields.amount, { type: "text" })} inputMode="decimal" />
          </Field>
          <Field
            id={fields.termMonths.id}
            label={t("applications:common.term")}
            errors={fields.termMonths.errors}
          >
            <input {...getInputProps(fields.termMonths, { type: "number" })} min={1} />
          </Field>
          <Field
            id={fields.rate.id}
            label={t("applications:common.rate")}
            hint={t("applications:common.rateHint")}
            errors={fields.rate.errors}
          >
            <input {...getInputProps(fields.rate, { type: "text" })} inputMode="decimal" />
          </Field>
        </div>
        <AssetPicker
          assets={data.assets}
          checked={suggestion?.assetIds ?? []}
          errors={fields.assetIds.errors}
        />
        <button
          type="submit"
          className="button button-primary"
          disabled={navigation.state !== "idle"}
          data-testid="create-draft"
        >
          {t("applications:apply.create")}
        </button>
      </Form>
    </div>
  );
}
