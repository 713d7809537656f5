import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { fenToUnitInput, formatMoney, parseYuanToFen } from "../domain/money";
import { MAX_PHASES, validateTargetPhases, type TargetPhase } from "../domain/progress";
import { UserFacingError } from "../models/errors";
import { getTargetSetting, setTargetPhases } from "../models/progress.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

const row = z.object({
  name: z.string().trim().optional(),
  amount: z.string().trim().optional(),
  deadline: z.string().trim().optional(),
});
const Schema = z.object({
  expectedUpdatedAt: z.string().optional(),
  phases: z
    .array(row)
    .max(MAX_PHASES + 5)
    .default([]),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "settings.edit");
  const setting = await withDb(getTargetSetting);
  const extra = Math.min(
    5,
    Math.max(1, Number(new URL(request.url).searchParams.get("rows")) || 1),
  );
  return { ...setting, extraRows: extra, saved: new URL(request.url).searchParams.has("saved") };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "settings.edit");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Schema });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  // Rows left empty are ignored; the others keep their index for the error messages.
  const filled = submission.value.phases
    .map((p, index) => ({ ...p, index }))
    .filter((p) => p.name || p.amount || p.deadline);
  const fieldErrors: Record<string, string[]> = {};
  const phases: TargetPhase[] = filled.map((p) => {
    const targetFen = p.amount ? parseYuanToFen(p.amount) : null;
    if (p.amount && targetFen === null) {
      fieldErrors[`phases[${p.index}].amount`] = [t("applications:errors.yuanInvalid")];
    }
    return { name: p.name ?? "", targetFen: targetFen ?? 0, deadline: p.deadline ?? "" };
  });
  for (const problem of validateTargetPhases(phases)) {
    const message = t(`applications:target.errors.${problem.code}`);
    const key =
      problem.index < 0
        ? ""
        : `phases[${filled[problem.index].index}].${problem.field === "targetFen" ? "amount" : problem.field}`;
    (fieldErrors[key] ??= []).push(message);
  }
  if (Object.keys(fieldErrors).length) {
    const { "": formErrors, ...rest } = fieldErrors;
    return Response.json(
      { result: submission.reply({ fieldErrors: rest, formErrors }) },
      { status: 400 },
    );
  }
  try {
    await withDb(
      setTargetPhases,
      { userId: admin.id, orgId: admin.org_id },
      phases,
      submission.value.expectedUpdatedAt || null,
    );
  } catch (e) {
    if (e instanceof UserFacingError) {
      return Response.json(
        { result: submission.reply({ formErrors: [t(e.key, e.params)] }) },
        { status: e.status },
      );
    }
    throw e;
  }
  return redirect("/admin/settings/target?saved=1");
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "applications:titles.target");

export default function TargetSettings() {
  const { phases, updatedAt, extraRows, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const { t, i18n } = useTranslation();
  const rows = [
    ...phases.map((p) => ({
      name: p.name,
      amount: fenToUnitInput(p.targetFen, "亿"),
      deadline: p.deadline,
    })),
    ...Array.from({ length: extraRows }, () => ({ name: "", amount: "", deadline: "" })),
  ];
  const [form, fields] = useForm({
    id: "target",
    lastResult: actionData?.result,
    defaultValue: { expectedUpdatedAt: updatedAt ?? "", phases: rows },
    shouldValidate: "onSubmit",
  });
  const list = fields.phases.getFieldList();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("applications:target.title")}</h1>
      <p className="muted">{t("applications:target.intro")}</p>
      {saved ? <p className="notice">{t("applications:target.saved")}</p> : null}
      <section className="card">
        <h2>{t("applications:target.current")}</h2>
        <ul data-testid="current-phases">
          {phases.map((p) => (
            <li key={p.deadline}>
              {p.name}：{formatMoney(p.targetFen, i18n.language)} · {p.deadline}
            </li>
          ))}
        </ul>
      </section>
      <Form
        method="post"
        className="card stack"
        style={{ maxWidth: "none" }}
        {...getFormProps(form)}
      >
        <FormErrors errors={form.errors} />
        <input {...getInputProps(fields.expectedUpdatedAt, { type: "hidden" })} />
        {list.map((item, i) => {
          const f = item.getFieldset();
          return (
            <div key={item.key} className="grid grid-3" data-testid={`phase-row-${i}`}>
              <Field id={f.name.id} label={t("applications:target.name")} errors={f.name.errors}>
                <input {...getInputProps(f.name, { type: "text" })} />
              </Field>
              <Field
                id={f.amount.id}
                label={t("applications:target.amount")}
                hint={t("applications:target.amountHint")}
                errors={f.amount.errors}
              >
                <input {...getInputProps(f.amount, { type: "text" })} />
              </Field>
              <Field
                id={f.deadline.id}
                label={t("applications:target.deadline")}
                errors={f.deadline.errors}
              >
                <input {...getInputProps(f.deadline, { type: "date" })} />
              </Field>
            </div>
          );
        })}
        <div style={{ display: "flex", gap: "1rem", alignItems: "center" }}>
          <button type="submit" className="button button-primary" data-testid="save-target">
            {t("applications:target.save")}
          </button>
          <Link to={`?rows=${extraRows + 1}`}>{t("applications:target.addRow")}</Link>
        </div>
      </Form>
    </div>
  );
}
