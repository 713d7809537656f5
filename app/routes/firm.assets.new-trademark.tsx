import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { TrademarkFields } from "../components/assets";
import { FormErrors } from "../components/Field";
import { createAssetFromForm, requireFirmActor } from "../utils/asset-routes.server";
import { trademarkFormSchema } from "../utils/asset-schemas";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFirmActor(request, "asset.create");
  return { today: todayInChina() };
}

export async function action({ request }: ActionFunctionArgs) {
  return createAssetFromForm(request, trademarkFormSchema);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.newTrademark");

export default function NewTrademark() {
  const { today } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { trademarkKind: "ordinary", renewals: "0" },
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: trademarkFormSchema(t, i18n.language, today) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="card" style={{ maxWidth: "44rem" }}>
      <h1>{t("assets:form.trademarkTitle")}</h1>
      <p className="muted">{t("assets:form.trademarkIntro")}</p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <TrademarkFields fields={fields} today={today} />
        <div className="checks">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t("assets:form.create")}
          </button>
          <Link to="/firm/assets" className="button">
            {t("assets:form.cancel")}
          </Link>
        </div>
      </Form>
    </div>
  );
}
