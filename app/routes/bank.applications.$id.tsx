import {
  getFormProps,
  getInputProps,
  getSelectProps,
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
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ApplicationFacts, ConfirmBox, StateBadge, Thread } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { OwnerFiguresSection } from "../components/ValuationResult";
import { fenToAmountInput, formatMoney } from "../domain/money";
import { bpToPercentInput } from "../domain/percent";
import { availableActions } from "../domain/application";
import {
  addComment,
  approveApplication,
  disburseApplication,
  previewApproval,
  registerPledge,
  rejectApplication,
  startReview,
} from "../models/application.server";
import { recordLoanDefault } from "../models/servicing/loan.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { ownerAssumptionsByAsset } from "../models/valuation.server";
import { problemMessage } from "../utils/messages";
import {
  applicationDetailOr404,
  parseId,
  postedIntent,
  refusal,
} from "../utils/application-routes.server";
import { bankActionSchema, bankSchemas, type BankIntent } from "../utils/application-schemas";
import { getServerT } from "../utils/i18n.server";
import type { SessionUser } from "../utils/session.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

/** The bank's own application (anyone else's id is the 404 page). */
async function detailOr404(user: SessionUser, id: number) {
  const view = await applicationDetailOr404("bank", user.org_id, id);
  assertCan(user, "application.viewIncoming", view.app);
  return view;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "application.viewIncoming");
  const id = parseId(params.id);
  const view = await detailOr404(user, id);
  const actions = availableActions(view.app.state, "bank");
  const preview = actions.includes("approve")
    ? await withDb(previewApproval, user.org_id, id)
    : null;
  // The firm's own estimate inputs behind each asset, labelled as such on the page.
  const assumptions = await withDb(
    ownerAssumptionsByAsset,
    view.assets.map((a) => a.assetId),
  );
  const ownerFigures = view.assets.flatMap((a) => {
    const o = assumptions.get(a.assetId);
    return o
      ? [
          {
            assetId: a.assetId,
            label: `${a.number} ${a.title}`,
            centralFen: o.result.centralFen,
            valuationDate: o.valuationDate,
            result: o.result,
            honesty: o.honesty,
          },
        ]
      : [];
  });
  return { view, actions, preview, ownerFigures, today: todayInChina() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "application.viewIncoming");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const formData = await request.formData();
  const actor = { userId: user.id, orgId: user.org_id };
  const { app } = await detailOr404(user, id);
  const submission = parseWithZod(formData, { schema: bankActionSchema(t) });
  // The intent names the form on the page the reply belongs to.
  const intent = postedIntent(submission);
  if (submission.status !== "success") {
    return Response.json({ intent, result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;

  if (v.intent === "comment") {
    assertCan(user, "application.comment", app);
    try {
      await withDb(addComment, actor, "bank", {
        applicationId: id,
        body: v.body,
        kind: v.documentRequest ? "document_request" : "comment",
      });
      return redirect(`/bank/applications/${id}#thread`);
    } catch (e) {
      return refusal(e, submission, t, locale, { intent });
    }
  }

  assertCan(user, `application.${v.intent}`, app);
  const applicationId = id;
  try {
    switch (v.intent) {
      case "start_review":
        await withDb(startReview, actor, { applicationId, version: v.version });
        break;
      case "approve":
        await withDb(approveApplication, actor, {
          applicationId,
          version: v.version,
          amountFen: v.amount,
          rateBp: v.rate,
          termMonths: v.termMonths,
          repaymentMethod: v.repaymentMethod,
        });
        break;
      case "reject":
        await withDb(rejectApplication, actor, {
          applicationId,
          version: v.version,
          reason: v.reason,
        });
        break;
      case "register_pledge":
        await withDb(registerPledge, actor, {
          applicationId,
          version: v.version,
          regNumber: v.regNumber,
          regDate: v.regDate,
        });
        break;
      case "disburse":
        await withDb(disburseApplication, actor, {
          applicationId,
          version: v.version,
          amountFen: v.amount,
          valueDate: v.valueDate,
        });
        break;
      case "default":
        // One path for a default: the loan account's (the loss recorded, the loan closed).
        await withDb(recordLoanDefault, {
          applicationId,
          reason: v.reason,
          actorUserId: user.id,
          actorOrgId: user.org_id,
          bankOrgId: user.org_id,
        });
        break;
    }
    return redirect(`/bank/applications/${id}`);
  } catch (e) {
    // Asset problems have no field on the bank's forms: they show at the top of the form.
    return refusal(
      e,
      submission,
      t,
      locale,
      { intent },
      {
        amount: "amount",
        rateBp: "rate",
        termMonths: "termMonths",
        assetIds: "",
        valueDate: "valueDate",
        repaymentMethod: "repaymentMethod",
      },
    );
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "applications:titles.bankApplication", { id: params.id ?? "" });

type ActionData = { intent: string; result: SubmissionResult<string[]> | null };

function ActionCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="card stack">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export default function BankApplication() {
  const { view, actions, preview, ownerFigures, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const { app } = view;
  const resultFor = (intent: string) =>
    actionData?.intent === intent ? actionData.result : undefined;
  const schemas = bankSchemas(t);
  // The id carries the version, so each form starts afresh (new defaults) after every step.
  const form = <I extends BankIntent>(intent: I, defaultValue?: Record<string, string>) => ({
    id: `${intent}-${app.version}`,
    lastResult: resultFor(intent),
    defaultValue,
    onValidate: ({ formData }: { formData: FormData }) =>
      parseWithZod(formData, { schema: schemas[intent] }),
    shouldValidate: "onSubmit" as const,
  });
  const [reviewForm] = useForm(form("start_review"));
  const [approveForm, approveFields] = useForm(
    form("approve", {
      amount: fenToAmountInput(app.amountFen),
      rate: bpToPercentInput(app.rateBp),
      termMonths: String(app.termMonths),
      repaymentMethod: preview?.repaymentMethods[0] ?? "",
    }),
  );
  const [rejectForm, rejectFields] = useForm(form("reject"));
  const [registerForm, registerFields] = useForm(form("register_pledge", { regDate: today }));
  const [disburseForm, disburseFields] = useForm(
    form("disburse", {
      amount: fenToAmountInput(app.approvedAmountFen ?? 0),
      valueDate: today,
    }),
  );
  const [defaultForm, defaultFields] = useForm(form("default"));
  const version = <input type="hidden" name="version" value={app.version} />;

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/bank/applications">← {t("applications:common.back")}</Link>
      </p>
      <h1>
        {t("applications:detail.title", { id: app.id })} <StateBadge state={app.state} />
      </h1>
      <p className="muted">
        {app.firmName} · {view.snapshot.name}
      </p>
      <ApplicationFacts view={view} side="bank" today={today} />
      <OwnerFiguresSection items={ownerFigures} />

      <section className="stack" data-testid="bank-actions">
        <h2>{t("applications:detail.actions")}</h2>
        {actions.length === 0 ? (
          <p className="muted">{t("applications:detail.noActions")}</p>
        ) : null}

        {actions.includes("start_review") ? (
          <Form method="post" {...getFormProps(reviewForm)}>
            <FormErrors errors={reviewForm.errors} />
            <input type="hidden" name="intent" value="start_review" />
            {version}
            <button
              type="submit"
              className="button button-primary"
              disabled={busy}
              data-testid="start-review"
            >
              {t("applications:forms.startReview")}
            </button>
          </Form>
        ) : null}

        {actions.includes("approve") && preview ? (
          <ActionCard title={t("applications:forms.approve")}>
            <div className="notice" data-testid="approve-check">
              <strong>{t("applications:forms.approveCheck")}</strong>
              <p>
                {t("applications:forms.capacityNow", {
                  capacity: money(preview.capacityFen),
                  requested: money(app.amountFen),
                })}
              </p>
              <p>
                {t("applications:forms.quotaLeft", { remaining: money(preview.quotaRemainingFen) })}
              </p>
              {preview.problems.length ? (
                <ul>
                  {preview.problems.map((p, i) => (
                    <li key={i} className="error">
                      {problemMessage(t, p, lang)}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
            <Form method="post" className="stack" {...getFormProps(approveForm)}>
              <FormErrors errors={approveForm.errors} />
              <input type="hidden" name="intent" value="approve" />
              {version}
              <div className="grid grid-3">
                <Field
                  id={approveFields.amount.id}
                  label={t("applications:common.approved")}
                  hint={t("applications:common.yuanHint")}
                  errors={approveFields.amount.errors}
                >
                  <input {...getInputProps(approveFields.amount, { type: "text" })} />
                </Field>
                <Field
                  id={approveFields.rate.id}
                  label={t("applications:common.rate")}
                  hint={t("applications:common.rateHint")}
                  errors={approveFields.rate.errors}
                >
                  <input {...getInputProps(approveFields.rate, { type: "text" })} />
                </Field>
                <Field
                  id={approveFields.termMonths.id}
                  label={t("applications:common.term")}
                  errors={approveFields.termMonths.errors}
                >
                  <input {...getInputProps(approveFields.termMonths, { type: "number" })} />
                </Field>
              </div>
              <Field
                id={approveFields.repaymentMethod.id}
                label={t("servicing:page.method")}
                errors={approveFields.repaymentMethod.errors}
              >
                <select
                  {...getSelectProps(approveFields.repaymentMethod)}
                  key={approveFields.repaymentMethod.key}
                  data-testid="approve-method"
                >
                  {preview.repaymentMethods.map((m) => (
                    <option key={m} value={m}>
                      {t(`servicing:methods.${m}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <ConfirmBox
                id="approve-confirm"
                label={t("applications:forms.approveConfirm")}
                errors={approveFields.confirm.errors}
              />
              <button
                type="submit"
                className="button button-primary"
                disabled={busy}
                data-testid="approve"
              >
                {t("applications:forms.approve")}
              </button>
            </Form>
          </ActionCard>
        ) : null}

        {actions.includes("register_pledge") ? (
          <ActionCard title={t("applications:forms.register")}>
            <Form method="post" className="stack" {...getFormProps(registerForm)}>
              <FormErrors errors={registerForm.errors} />
              <input type="hidden" name="intent" value="register_pledge" />
              {version}
              <div className="grid grid-3">
                <Field
                  id={registerFields.regNumber.id}
                  label={t("applications:forms.regNumber")}
                  errors={registerFields.regNumber.errors}
                >
                  <input {...getInputProps(registerFields.regNumber, { type: "text" })} />
                </Field>
                <Field
                  id={registerFields.regDate.id}
                  label={t("applications:forms.regDate")}
                  errors={registerFields.regDate.errors}
                >
                  <input {...getInputProps(registerFields.regDate, { type: "date" })} max={today} />
                </Field>
              </div>
              <button
                type="submit"
                className="button button-primary"
                disabled={busy}
                data-testid="register-pledge"
              >
                {t("applications:forms.register")}
              </button>
            </Form>
          </ActionCard>
        ) : null}

        {actions.includes("disburse") ? (
          <ActionCard title={t("applications:forms.disburse")}>
            <Form method="post" className="stack" {...getFormProps(disburseForm)}>
              <FormErrors errors={disburseForm.errors} />
              <input type="hidden" name="intent" value="disburse" />
              {version}
              <div className="grid grid-3">
                <Field
                  id={disburseFields.amount.id}
                  label={t("applications:forms.disburseAmount")}
                  hint={t("applications:common.yuanHint")}
                  errors={disburseFields.amount.errors}
                >
                  <input {...getInputProps(disburseFields.amount, { type: "text" })} />
                </Field>
                <Field
                  id={disburseFields.valueDate.id}
                  label={t("applications:common.valueDate")}
                  errors={disburseFields.valueDate.errors}
                >
                  <input
                    {...getInputProps(disburseFields.valueDate, { type: "date" })}
                    max={today}
                  />
                </Field>
              </div>
              <ConfirmBox
                id="disburse-confirm"
                label={t("applications:forms.disburseConfirm")}
                errors={disburseFields.confirm.errors}
              />
              <button
                type="submit"
                className="button button-primary"
                disabled={busy}
                data-testid="disburse"
              >
                {t("applications:forms.disburse")}
              </button>
            </Form>
          </ActionCard>
        ) : null}

        {app.state === "approved" ? (
          // Guarantee insurance or a guarantee is bound at approval, before disbursement.
          <ActionCard title={t("risk:cover.link")}>
            <p className="muted">{t("risk:cover.intro")}</p>
            <Link
              className="button"
              to={`/bank/applications/${app.id}/cover`}
              data-testid="cover-link"
            >
              {t("risk:cover.link")}
            </Link>
          </ActionCard>
        ) : null}

        {actions.includes("repay") ? (
          // Repayments go through the loan account (schedule, split, balances), never a bare
          // state change: the loan page is where they are posted.
          <ActionCard title={t("servicing:nav.bankLoans")}>
            <p className="muted">{t("servicing:form.goToLoan")}</p>
            <Link className="button" to={`/bank/loans/${app.id}`} data-testid="loan-link">
              {t("servicing:titles.loan", { id: app.id })}
            </Link>
          </ActionCard>
        ) : null}

        {actions.includes("default") ? (
          <ActionCard title={t("applications:forms.default")}>
            <p className="muted">{t("applications:forms.defaultHint")}</p>
            <Form method="post" className="stack" {...getFormProps(defaultForm)}>
              <FormErrors errors={defaultForm.errors} />
              <input type="hidden" name="intent" value="default" />
              {version}
              <Field
                id={defaultFields.reason.id}
                label={t("applications:forms.defaultReason")}
                errors={defaultFields.reason.errors}
              >
                <textarea {...getTextareaProps(defaultFields.reason)} rows={2} />
              </Field>
              <ConfirmBox
                id="default-confirm"
                label={t("applications:forms.defaultConfirm")}
                errors={defaultFields.confirm.errors}
              />
              <button
                type="submit"
                className="button button-danger"
                disabled={busy}
                data-testid="default"
              >
                {t("applications:forms.default")}
              </button>
            </Form>
          </ActionCard>
        ) : null}

        {actions.includes("reject") ? (
          <ActionCard title={t("applications:forms.reject")}>
            <Form method="post" className="stack" {...getFormProps(rejectForm)}>
              <FormErrors errors={rejectForm.errors} />
              <input type="hidden" name="intent" value="reject" />
              {version}
              <Field
                id={rejectFields.reason.id}
                label={t("applications:forms.rejectReason")}
                errors={rejectFields.reason.errors}
              >
                <textarea {...getTextareaProps(rejectFields.reason)} rows={2} />
              </Field>
              <ConfirmBox
                id="reject-confirm"
                label={t("applications:forms.rejectConfirm")}
                errors={rejectFields.confirm.errors}
              />
              <button
                type="submit"
                className="button button-danger"
                disabled={busy}
                data-testid="reject"
              >
                {t("applications:forms.reject")}
              </button>
            </Form>
          </ActionCard>
        ) : null}
      </section>

      <div id="thread">
        <Thread view={view} canWrite canRequestDocuments lastResult={resultFor("comment")} />
      </div>
    </div>
  );
}
