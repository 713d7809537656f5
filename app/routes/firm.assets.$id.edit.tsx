import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import {
  PatentFields,
  TrademarkFields,
  type PatentFieldName,
  type TrademarkFieldName,
} from "../components/assets";
import { FormErrors } from "../components/Field";
import {
  findEncumbrance,
  getAsset,
  isEncumbered,
  numberTakenMessageKey,
  updateAsset,
  type AssetRecord,
} from "../models/asset.server";
import { UserFacingError } from "../models/errors";
import { idParam, ownAsset, requireFirmActor, rethrowNotFound } from "../utils/asset-routes.server";
import { patentFormSchema, trademarkFormSchema } from "../utils/asset-schemas";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

/** The union of both forms' fields, so one useForm serves a patent or a trademark. */
type EditDefaults = Partial<Record<PatentFieldName | TrademarkFieldName | "version", string>>;

function schemaFor(kind: string, t: TFunction, locale: string, today: string) {
  return kind === "patent"
    ? patentFormSchema(t, locale, today)
    : trademarkFormSchema(t, locale, today);
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.edit");
  const id = idParam(params.id);
  const a = ownAsset(user, "asset.edit", await withDb(getAsset, actor.orgId, id));
  const encumbered = isEncumbered(await withDb(findEncumbrance, id));
  const common = { number: a.number, title: a.title, status: a.status, version: String(a.version) };
  const defaultValue: EditDefaults =
    a.asset_kind === "patent"
      ? {
          ...common,
          filingDate: a.filing_date ?? "",
          grantDate: a.grant_date ?? "",
          ipcClass: a.ipc_class ?? "",
          claimsCount: a.claims_count === null ? "" : String(a.claims_count),
          coOwned: a.co_owned === 1 ? "on" : "",
        }
      : {
          ...common,
          niceClass: String(a.nice_class ?? ""),
          trademarkKind: a.trademark_kind ?? "ordinary",
          geoIndication: a.geo_indication === 1 ? "on" : "",
          wellKnown: a.well_known === 1 ? "on" : "",
          registrationDate: a.registration_date ?? "",
          renewals: String(a.renewals),
        };
  return {
    id: a.id,
    kind: a.asset_kind,
    number: a.number,
    encumbered,
    defaultValue,
    today: todayInChina(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.edit");
  const id = idParam(params.id);
  const { t, locale } = getServerT(request);
  const current = ownAsset(user, "asset.edit", await withDb(getAsset, actor.orgId, id));
  const today = todayInChina();
  const checkNumber = async (
    v: { record: AssetRecord; version?: number },
    ctx: z.RefinementCtx,
  ) => {
    // zod still runs refinements after the transform reported problems; v is then empty.
    if (!v?.record) return;
    const key = await withDb(numberTakenMessageKey, actor.orgId, v.record, id);
    if (key) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["number"], message: t(key) });
    if (v.version === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: t("common:errors.conflict") });
    }
  };
  const schema =
    current.asset_kind === "patent"
      ? patentFormSchema(t, locale, today).superRefine(checkNumber)
      : trademarkFormSchema(t, locale, today).superRefine(checkNumber);
  const submission = await parseWithZod(await request.formData(), { schema, async: true });
  if (submission.status !== "success") {
    return Response.json(submission.reply(), { status: 400 });
  }
  try {
    await withDb(updateAsset, actor, id, submission.value.version!, submission.value.record);
    return redirect(`/firm/assets/${id}`);
  } catch (e) {
    rethrowNotFound(e);
    if (e instanceof UserFacingError) {
      const message = t(e.key, e.params);
      return Response.json(
        e.field === "number"
          ? submission.reply({ fieldErrors: { number: [message] } })
          : submission.reply({ formErrors: [message] }),
        { status: e.status },
      );
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.edit");

export default function EditAsset() {
  const { id, kind, number, encumbered, defaultValue, today } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    defaultValue,
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: schemaFor(kind, t, i18n.language, today) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="card" style={{ maxWidth: "44rem" }}>
      <h1>{t("assets:form.editTitle", { number })}</h1>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <input {...getInputProps(fields.version, { type: "hidden" })} />
        {kind === "patent" ? (
          <PatentFields fields={fields} today={today} numberLocked={encumbered} />
        ) : (
          <TrademarkFields fields={fields} today={today} numberLocked={encumbered} />
        )}
        <div className="checks">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t("assets:form.save")}
          </button>
          <Link to={`/firm/assets/${id}`} className="button">
            {t("assets:form.cancel")}
          </Link>
        </div>
      </Form>
    </div>
  );
}
