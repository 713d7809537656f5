import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { PatentFields } from "../components/assets";
import { FormErrors } from "../components/Field";
import { createAssetFromForm, requireFirmActor } from "../utils/asset-routes.server";
import { patentFormSchema } from "../utils/asset-schemas";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFirmActor(request, "asset.create");
  return { today: todayInChina() };
}

export async function action({ request }: ActionFunctionArgs) {
  return createAssetFromForm(request, patentFormSchema);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.newPatent");

export default function NewPatent() {
  const { today } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: patentFormSchema(t, i18n.language, today) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="card" style={{ maxWidth: "44rem" }}>
      <h1>{t("assets:form.patentTitle")}</h1>
      <p className="muted">{t("assets:form.patentIntro")}</p>
      <p>
        {t("assets:form.manyAssets")}{" "}
        <Link to="/firm/assets/import" data-testid="import-instead">
          {t("assets:form.importInstead")}
        </Link>
      </p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <PatentFields fields={fields} today={today} />
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
