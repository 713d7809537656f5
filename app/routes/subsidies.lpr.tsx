import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "../components/Field";
import { formatBp } from "../domain/money";
import { UserFacingError } from "../models/errors";
import { listLpr, setLpr } from "../models/risk-sharing/subsidies.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorize, forbidden } from "../utils/permissions.server";
import { lprSchema } from "../utils/subsidy-schemas";

/** The 1-year LPR by effective date: what caps a subsidy's rate basis on each payment date. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "lpr.edit");
  try {
    return {
      settings: await withDb(listLpr, { userId: user.id, orgId: user.org_id, role: user.role }),
    };
  } catch (e) {
    // An alliance member that is not a government one (an insurer, a guarantor).
    if (e instanceof UserFacingError && e.status === 403) forbidden();
    throw e;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "lpr.edit");
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: lprSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    await withDb(
      setLpr,
      { userId: user.id, orgId: user.org_id, role: user.role },
      { effectiveDate: v.effectiveDate, rateBp: v.rate },
    );
    return redirect(`/subsidies/lpr?saved=${v.effectiveDate}`);
  } catch (e) {
    return refusal(e, submission, t, locale, {}, { rateBp: "rate" });
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:lpr.title");

export default function LprSettings() {
  const { settings } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const [form, fields] = useForm({
    id: "lpr",
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: lprSchema(t) }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "40rem" }}>
      <p>
        <Link to="/subsidies">← {t("risk:programmes.title")}</Link>
      </p>
      <h1>{t("risk:lpr.title")}</h1>
      <p className="muted">{t("risk:lpr.intro")}</p>
      {search.get("saved") ? (
        <p className="notice" role="status" data-testid="lpr-saved">
          {t("risk:lpr.saved", { date: search.get("saved") })}
        </p>
      ) : null}
      <Form method="post" className="card stack" {...getFormProps(form)}>
        <h2>{t("risk:lpr.add")}</h2>
        <FormErrors errors={form.errors} />
        <Field
          id={fields.effectiveDate.id}
          label={t("risk:lpr.effectiveDate")}
          errors={fields.effectiveDate.errors}
        >
          <input {...getInputProps(fields.effectiveDate, { type: "date" })} />
        </Field>
        <Field
          id={fields.rate.id}
          label={t("risk:lpr.rate")}
          hint={t("risk:lpr.rateHint")}
          errors={fields.rate.errors}
        >
          <input {...getInputProps(fields.rate, { type: "text" })} inputMode="decimal" />
        </Field>
        <div>
          <button type="submit" className="button button-primary" data-testid="lpr-save">
            {t("risk:lpr.save")}
          </button>
        </div>
      </Form>
      <section className="card">
        <h2>{t("risk:lpr.list")}</h2>
        {settings.length === 0 ? <p className="empty">{t("risk:lpr.empty")}</p> : null}
        <table data-testid="lpr-table">
          <thead>
            <tr>
              <th scope="col">{t("risk:lpr.effectiveDate")}</th>
              <th scope="col">{t("risk:lpr.rateColumn")}</th>
            </tr>
          </thead>
          <tbody>
            {settings.map((s) => (
              <tr key={s.effectiveDate}>
                <td>{s.effectiveDate}</td>
                <td>
                  {formatBp(s.rateBp)} <small className="muted">{`(${s.rateBp} bp)`}</small>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
