import {
  getFormProps,
  getInputProps,
  getTextareaProps,
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
import {
  ApplicationFacts,
  AssetPicker,
  ConfirmBox,
  StateBadge,
  Thread,
} from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { fenToAmountInput, formatMoney } from "../domain/money";
import { bpToPercentInput } from "../domain/percent";
import { availableActions, isEditable } from "../domain/application";
import {
  addComment,
  listPledgeableAssets,
  submitApplication,
  suggestCollateral,
  updateDraft,
  withdrawApplication,
} from "../models/application.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import {
  applicationDetailOr404,
  parseId,
  postedIntent,
  refusal,
} from "../utils/application-routes.server";
import { draftSchema, firmActionSchema, firmSchemas } from "../utils/application-schemas";
import { getServerT } from "../utils/i18n.server";
import type { SessionUser } from "../utils/session.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

/** The firm's own application (anyone else's id is the 404 page). */
async function detailOr404(user: SessionUser, id: number) {
  const view = await applicationDetailOr404("firm", user.org_id, id);
  assertCan(user, "application.viewOwn", view.app);
  return view;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "application.viewOwn");
  const id = parseId(params.id);
  const view = await detailOr404(user, id);
  let editing = null;
  if (isEditable(view.app.state)) {
    const assets = await withDb(listPledgeableAssets, user.org_id, view.snapshot);
    editing = {
      assets,
      suggestion: suggestCollateral(assets, view.app.amountFen, id),
      checked: view.assets.map((a) => a.assetId),
    };
  }
  return {
    view,
    version: view.app.version,
    actions: availableActions(view.app.state, "firm"),
    editing,
    today: todayInChina(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "application.viewOwn");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const formData = await request.formData();
  const actor = { userId: user.id, orgId: user.org_id };
  // Unknown application or another firm's: 404 before any parsing result is shown.
  const { app } = await detailOr404(user, id);
  const submission = parseWithZod(formData, { schema: firmActionSchema(t) });
  // The intent names the form on the page the reply belongs to.
  const intent = postedIntent(submission);
  if (submission.status !== "success") {
    return Response.json({ intent, result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  if (v.intent === "comment") {
    assertCan(user, "application.comment", app);
    try {
      await withDb(addComment, actor, "firm", { applicationId: id, body: v.body, kind: "comment" });
      return redirect(`/firm/applications/${id}#thread`);
    } catch (e) {
      return refusal(e, submission, t, locale, { intent });
    }
  }
  if (v.intent === "edit") {
    assertCan(user, "application.edit", app);
    try {
      await withDb(updateDraft, actor, {
        applicationId: id,
        version: v.version ?? 0,
        amountFen: v.amount,
        termMonths: v.termMonths,
        rateBp: v.rate,
        assetIds: v.assetIds,
      });
      return redirect(`/firm/applications/${id}?saved=1`);
    } catch (e) {
      return refusal(e, submission, t, locale, { intent });
    }
  }
  assertCan(user, `application.${v.intent}`, app);
  try {
    if (v.intent === "submit") {
      await withDb(submitApplication, actor, { applicationId: id, version: v.version });
    } else {
      await withDb(withdrawApplication, actor, {
        applicationId: id,
        version: v.version,
        reason: v.reason,
      });
    }
    return redirect(`/firm/applications/${id}`);
  } catch (e) {
    return refusal(
      e,
      submission,
      t,
      locale,
      { intent },
      { amount: "", assetIds: "", termMonths: "", rateBp: "" },
    );
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "applications:titles.firmApplication", { id: params.id ?? "" });

type ActionData = { intent: string; result: SubmissionResult<string[]> | null };

export default function FirmApplication() {
  const { view, version, actions, editing, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const resultFor = (intent: string) =>
    actionData?.intent === intent ? actionData.result : undefined;
  const { app } = view;

  const [editForm, editFields] = useForm({
    id: `edit-${app.version}`,
    lastResult: resultFor("edit"),
    defaultValue: {
      amount: fenToAmountInput(app.amountFen),
      termMonths: String(app.termMonths),
      rate: bpToPercentInput(app.rateBp),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: draftSchema(t) }),
    shouldValidate: "onBlur",
  });
  const [submitForm] = useForm({ id: `submit-${app.version}`, lastResult: resultFor("submit") });
  const [withdrawForm, withdrawFields] = useForm({
    id: `withdraw-${app.version}`,
    lastResult: resultFor("withdraw"),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: firmSchemas(t).withdraw }),
    shouldValidate: "onSubmit",
  });

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/firm/applications">← {t("applications:common.back")}</Link>
      </p>
      <h1>
        {t("applications:detail.title", { id: app.id })} <StateBadge state={app.state} />
      </h1>
      <p className="muted">
        {view.snapshot.name} · {app.bankName}
      </p>
      <ApplicationFacts view={view} side="firm" today={today} />

      <section className="card stack" data-testid="firm-actions">
        <h2>{t("applications:detail.actions")}</h2>
        {actions.length === 0 && !editing ? (
          <p className="muted">{t("applications:detail.noActions")}</p>
        ) : null}
        {editing ? (
          <Form
            method="post"
            className="stack"
            style={{ maxWidth: "none" }}
            {...getFormProps(editForm)}
          >
            <h3>{t("applications:forms.edit")}</h3>
            <FormErrors errors={editForm.errors} />
            <input type="hidden" name="intent" value="edit" />
            <input type="hidden" name="version" value={version} />
            <div className="grid grid-3">
              <Field
                id={editFields.amount.id}
                label={t("applications:common.amount")}
                hint={t("applications:common.yuanHint")}
                errors={editFields.amount.errors}
              >
                <input
                  {...getInputProps(editFields.amount, { type: "text" })}
                  inputMode="decimal"
                />
              </Field>
              <Field
                id={editFields.termMonths.id}
                label={t("applications:common.term")}
                errors={editFields.termMonths.errors}
              >
                <input {...getInputProps(editFields.termMonths, { type: "number" })} />
              </Field>
              <Field
                id={editFields.rate.id}
                label={t("applications:common.rate")}
                hint={t("applications:common.rateHint")}
                errors={editFields.rate.errors}
              >
                <input {...getInputProps(editFields.rate, { type: "text" })} />
              </Field>
            </div>
            {editing.suggestion ? (
              <p className="muted">
                {t("applications:apply.suggested", {
                  value: money(editing.suggestion.pledgedValueFen),
                  capacity: money(editing.suggestion.capacityFen),
                })}{" "}
                (#{editing.suggestion.assetIds.join(", #")})
              </p>
            ) : null}
            <AssetPicker
              assets={editing.assets}
              checked={editing.checked}
              errors={editFields.assetIds.errors}
              ownApplicationId={app.id}
            />
            <button type="submit" className="button">
              {t("applications:forms.save")}
            </button>
          </Form>
        ) : null}
        {actions.includes("submit") ? (
          <Form method="post" {...getFormProps(submitForm)}>
            <FormErrors errors={submitForm.errors} />
            <input type="hidden" name="intent" value="submit" />
            <input type="hidden" name="version" value={version} />
            <p className="muted">{t("applications:forms.submitHint")}</p>
            <button
              type="submit"
              className="button button-primary"
              data-testid="submit-application"
            >
              {t("applications:forms.submit")}
            </button>
          </Form>
        ) : null}
        {actions.includes("withdraw") ? (
          <Form method="post" className="stack" {...getFormProps(withdrawForm)}>
            <h3>{t("applications:forms.withdraw")}</h3>
            <FormErrors errors={withdrawForm.errors} />
            <input type="hidden" name="intent" value="withdraw" />
            <input type="hidden" name="version" value={version} />
            <Field
              id={withdrawFields.reason.id}
              label={t("applications:forms.withdrawReason")}
              errors={withdrawFields.reason.errors}
            >
              <textarea {...getTextareaProps(withdrawFields.reason)} rows={2} />
            </Field>
            <ConfirmBox
              id="withdraw-confirm"
              label={t("applications:forms.withdrawConfirm")}
              errors={withdrawFields.confirm.errors}
            />
            <button type="submit" className="button button-danger" data-testid="withdraw">
              {t("applications:forms.withdraw")}
            </button>
          </Form>
        ) : null}
      </section>

      <div id="thread">
        <Thread
          view={view}
          canWrite={app.state !== "draft"}
          canRequestDocuments={false}
          lastResult={resultFor("comment")}
        />
      </div>
    </div>
  );
}
