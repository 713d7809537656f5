import {
  getCollectionProps,
  getFormProps,
  getInputProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "../components/Field";
import { FIRM_FLAGS } from "../domain/industry";
import { REGIONS, regionName } from "../domain/regions";
import { subsidyRulesProblems } from "../domain/risk-sharing/subsidy";
import {
  createProgramme,
  listProgrammeProductChoices,
} from "../models/risk-sharing/subsidies.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { translateMessage } from "../utils/messages";
import { pageTitle } from "../utils/meta";
import { requireGovernmentActor } from "../utils/permissions.server";
import { fieldErrorsOf, programmeRulesOf, programmeSchema } from "../utils/subsidy-schemas";
import { RiskRefusal } from "../models/risk-sharing/common.server";

const governmentOrAdmin = (request: Request) =>
  requireGovernmentActor(request, "subsidyProgramme.create");

export async function loader({ request }: LoaderFunctionArgs) {
  await governmentOrAdmin(request);
  return { products: await withDb(listProgrammeProductChoices) };
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await governmentOrAdmin(request);
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: programmeSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  const rules = programmeRulesOf(v);
  const problems = subsidyRulesProblems(rules);
  if (problems.length > 0) {
    const { "": formErrors, ...fieldErrors } = fieldErrorsOf(problems, (m) =>
      translateMessage(t, m, locale),
    );
    return Response.json(
      { result: submission.reply({ fieldErrors, formErrors }) },
      { status: 400 },
    );
  }
  try {
    const id = await withDb(createProgramme, actor, {
      ...rules,
      name: v.name,
      autoApprove: v.autoApprove,
    });
    return redirect(`/subsidies/${id}?created=1`);
  } catch (e) {
    if (e instanceof RiskRefusal) {
      const { "": formErrors, ...fieldErrors } = fieldErrorsOf(e.messages, (m) =>
        translateMessage(t, m, locale),
      );
      return Response.json(
        { result: submission.reply({ fieldErrors, formErrors }) },
        { status: 400 },
      );
    }
    return refusal(e, submission, t, locale, {}, {});
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:programmes.new");

export default function NewProgramme() {
  const { products } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const { t, i18n } = useTranslation();
  const [form, fields] = useForm({
    id: "programme",
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: programmeSchema(t) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const checkErrors = (errors?: string[]) =>
    errors?.length ? (
      <div className="error" role="alert">
        {errors[0]}
      </div>
    ) : null;
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "48rem" }}>
      <p>
        <Link to="/subsidies">← {t("risk:programmes.title")}</Link>
      </p>
      <h1>{t("risk:programmes.new")}</h1>
      <p className="muted">{t("risk:programmes.newIntro")}</p>
      <Form method="post" className="card stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field id={fields.name.id} label={t("risk:programmes.name")} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: "text" })} />
        </Field>
        <Field
          id={fields.share.id}
          label={t("risk:programmes.share")}
          hint={t("risk:programmes.shareHint")}
          errors={fields.share.errors}
        >
          <input {...getInputProps(fields.share, { type: "text" })} inputMode="decimal" />
        </Field>
        <Field
          id={fields.lprMultiple.id}
          label={t("risk:programmes.lprMultiple")}
          hint={t("risk:programmes.lprMultipleHint")}
          errors={fields.lprMultiple.errors}
        >
          <input {...getInputProps(fields.lprMultiple, { type: "text" })} inputMode="decimal" />
        </Field>
        <Field
          id={fields.perFirmYearCap.id}
          label={t("risk:programmes.perFirmYearCap")}
          hint={t("risk:programmes.yuanHint")}
          errors={fields.perFirmYearCap.errors}
        >
          <input {...getInputProps(fields.perFirmYearCap, { type: "text" })} />
        </Field>
        <Field
          id={fields.budget.id}
          label={t("risk:programmes.budget")}
          hint={t("risk:programmes.yuanHint")}
          errors={fields.budget.errors}
        >
          <input {...getInputProps(fields.budget, { type: "text" })} />
        </Field>
        <div className="grid grid-2">
          <Field
            id={fields.windowStart.id}
            label={t("risk:programmes.windowStart")}
            errors={fields.windowStart.errors}
          >
            <input {...getInputProps(fields.windowStart, { type: "date" })} />
          </Field>
          <Field
            id={fields.windowEnd.id}
            label={t("risk:programmes.windowEnd")}
            errors={fields.windowEnd.errors}
          >
            <input {...getInputProps(fields.windowEnd, { type: "date" })} />
          </Field>
        </div>
        <fieldset>
          <legend>{t("risk:programmes.regions")}</legend>
          <p className="hint">{t("risk:programmes.emptyMeansAll")}</p>
          <div className="checks" data-testid="programme-regions">
            {getCollectionProps(fields.regions, {
              type: "checkbox",
              options: REGIONS.map((r) => r.code),
            }).map((p) => (
              <label key={p.key}>
                <input {...p} key={p.key} />
                {regionName(p.value, i18n.language)}
              </label>
            ))}
          </div>
          {checkErrors(fields.regions.errors)}
        </fieldset>
        <fieldset>
          <legend>{t("risk:programmes.flags")}</legend>
          <div className="checks">
            {getCollectionProps(fields.flags, {
              type: "checkbox",
              options: [...FIRM_FLAGS],
            }).map((p) => (
              <label key={p.key}>
                <input {...p} key={p.key} />
                {t(`products:flagsInline.${p.value}`)}
              </label>
            ))}
          </div>
          {checkErrors(fields.flags.errors)}
        </fieldset>
        <fieldset>
          <legend>{t("risk:programmes.products")}</legend>
          <p className="hint">{t("risk:programmes.emptyMeansAll")}</p>
          <div className="checks">
            {getCollectionProps(fields.productIds, {
              type: "checkbox",
              options: products.map((p) => String(p.id)),
            }).map((p, i) => (
              <label key={p.key}>
                <input {...p} key={p.key} />
                {products[i].name} · {products[i].bankName}
              </label>
            ))}
          </div>
          {checkErrors(fields.productIds.errors)}
        </fieldset>
        <label className="checks" htmlFor={fields.firstPledgeOnly.id}>
          <input {...getInputProps(fields.firstPledgeOnly, { type: "checkbox" })} />
          {t("risk:programmes.firstPledgeOnly")}
        </label>
        <label className="checks" htmlFor={fields.autoApprove.id}>
          <input {...getInputProps(fields.autoApprove, { type: "checkbox" })} />
          {t("risk:programmes.autoApprove")}
        </label>
        <div>
          <button type="submit" className="button button-primary" data-testid="create-programme">
            {t("risk:programmes.create")}
          </button>
        </div>
      </Form>
    </div>
  );
}
