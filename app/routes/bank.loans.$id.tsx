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
import { ConfirmBox } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import {
  CollateralSection,
  EntriesTable,
  LoanHeading,
  LoanSummary,
  ScheduleSection,
} from "../components/loan";
import { formatMoneyExact } from "../domain/money";
import { RISK_CLASSES, severity } from "../domain/servicing/classification";
import {
  overrideClassification,
  postRepayment,
  recordLoanDefault,
  reverseRepayment,
  settleLoan,
} from "../models/servicing/loan.server";
import { getLiveDisposal } from "../models/risk-sharing/disposals.server";
import { getPledgeHold, releaseDefaultedPledge } from "../models/servicing/pledge.server";
import { getLoanCover } from "../models/risk-sharing/views.server";
import { getLoanDetail } from "../models/servicing/read.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId, postedIntent, refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { loanActionSchema, loanSchemas, type LoanIntent } from "../utils/loan-schemas";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize } from "../utils/permissions.server";
import type { SessionUser } from "../utils/session.server";
import { todayInChina } from "../utils/time";
import { UserFacingError } from "../models/errors";

async function loanOr404(user: SessionUser, id: number) {
  try {
    const loan = await withDb(getLoanDetail, { kind: "bank", bankOrgId: user.org_id }, id);
    assertCan(user, "loan.viewIncoming", { bankOrgId: loan.account.bank_org_id });
    return loan;
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "loan.viewIncoming");
  const loan = await loanOr404(user, parseId(params.id));
  const cover = await withDb(getLoanCover, user.org_id, loan.account.application_id);
  const disposal = await withDb(getLiveDisposal, user.org_id, loan.account.application_id);
  const pledge = await withDb(getPledgeHold, user.org_id, loan.account.application_id);
  // One key per rendering: a double click or a retried post of this page records once.
  return { loan, cover, disposal, pledge, today: todayInChina(), key: crypto.randomUUID() };
}

const PERMISSION: Record<LoanIntent, Parameters<typeof assertCan>[1]> = {
  repay: "loan.postRepayment",
  settle: "loan.postRepayment",
  reverse: "loan.reverseRepayment",
  classify: "loan.classify",
  default: "loan.default",
  release: "loan.releasePledge",
};

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "loan.viewIncoming");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const loan = await loanOr404(user, id);
  const submission = parseWithZod(await request.formData(), { schema: loanActionSchema(t) });
  const intent = postedIntent(submission);
  if (submission.status !== "success") {
    return Response.json({ intent, result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  assertCan(user, PERMISSION[v.intent], { bankOrgId: loan.account.bank_org_id });
  const actor = { actorUserId: user.id, actorOrgId: user.org_id, bankOrgId: user.org_id };
  try {
    switch (v.intent) {
      case "repay":
        await withDb(postRepayment, {
          ...actor,
          applicationId: id,
          amountFen: v.amount,
          valueDate: v.valueDate,
          idempotencyKey: v.key,
        });
        break;
      case "settle":
        await withDb(settleLoan, {
          ...actor,
          applicationId: id,
          valueDate: v.valueDate,
          idempotencyKey: v.key,
        });
        break;
      case "reverse":
        await withDb(reverseRepayment, { ...actor, entryId: v.entryId, reason: v.reason });
        break;
      case "classify":
        await withDb(overrideClassification, {
          ...actor,
          applicationId: id,
          riskClass: v.riskClass,
          reason: v.reason,
        });
        break;
      case "default":
        await withDb(recordLoanDefault, { ...actor, applicationId: id, reason: v.reason });
        break;
      case "release":
        await withDb(releaseDefaultedPledge, { ...actor, applicationId: id, reason: v.reason });
        break;
    }
    return redirect(`/bank/loans/${id}`);
  } catch (e) {
    return refusal(
      e,
      submission,
      t,
      locale,
      { intent },
      { amount: "amount", valueDate: "valueDate" },
    );
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "servicing:titles.loan", { id: params.id ?? "" });

type ActionData = { intent: string; result: SubmissionResult<string[]> | null };

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="card stack no-print">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export default function BankLoan() {
  const { loan, cover, disposal, pledge, today, key } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionData>();
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const a = loan.account;
  const open = a.status === "open";
  const schemas = loanSchemas(t);
  // The id carries the entry count, so each form starts afresh after every posting.
  const form = <I extends LoanIntent>(intent: I, defaultValue?: Record<string, string>) => ({
    id: `${intent}-${a.version}`,
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    defaultValue,
    onValidate: ({ formData }: { formData: FormData }) =>
      parseWithZod(formData, { schema: schemas[intent] }),
    shouldValidate: "onSubmit" as const,
  });
  const [repayForm, repayFields] = useForm(form("repay", { valueDate: today }));
  const [settleForm, settleFields] = useForm(form("settle", { valueDate: today }));
  const [reverseForm, reverseFields] = useForm(form("reverse"));
  const [classifyForm, classifyFields] = useForm(form("classify"));
  const [defaultForm, defaultFields] = useForm(form("default"));
  const [releaseForm, releaseFields] = useForm(form("release"));
  const held = pledge.lockedAssetIds.length;
  const stricter = RISK_CLASSES.filter(
    (c) => severity(c) > severity(loan.classification.floor) || c === loan.classification.riskClass,
  );

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <LoanHeading side="bank" loan={loan} />
      <LoanSummary loan={loan} />
      {loan.defaultRecord ? (
        <div className="notice" data-testid="default-record">
          {t("servicing:page.defaulted", {
            date: loan.defaultRecord.defaultDate,
            principal: formatMoneyExact(loan.defaultRecord.principalLossFen, lang),
            interest: formatMoneyExact(loan.defaultRecord.interestLossFen, lang),
          })}
        </div>
      ) : null}
      {cover ? (
        <div className="card stack" data-testid="loan-cover">
          <p>
            {t("risk:cover.coveredBy")}{" "}
            <Link to={`/risk/pools/${cover.poolId}`}>{cover.poolName}</Link> ·{" "}
            {t(`risk:reservation.${cover.state}`)}
            {cover.state === "active"
              ? ` · ${t("risk:cover.reserved", { amount: formatMoneyExact(cover.reservedFen, lang) })}`
              : ""}
          </p>
          {cover.claim && cover.claim.state !== "rejected" ? (
            <p>
              <Link to={`/risk/claims/${cover.claim.id}`}>
                {t("risk:claims.number", { id: cover.claim.id })}
              </Link>{" "}
              · {t(`risk:claims.state.${cover.claim.state}`)}
            </p>
          ) : loan.defaultRecord || cover.defaulted ? (
            <p>
              <Link
                to={`/bank/loans/${a.application_id}/claim`}
                className="button button-primary"
                data-testid="file-claim"
              >
                {t("risk:cover.fileClaim")}
              </Link>
            </p>
          ) : null}
        </div>
      ) : null}
      {loan.defaultRecord || cover?.defaulted ? (
        <div className="card stack" data-testid="loan-pledge">
          <h3>{t("servicing:form.releaseTitle")}</h3>
          <p data-testid="pledge-status">
            {held > 0
              ? t("servicing:form.pledgeHeld", { count: held })
              : t("servicing:form.pledgeReleased")}
          </p>
          {held > 0 && disposal?.state === "listed" ? (
            <p className="muted">{t("servicing:form.releaseListed")}</p>
          ) : held > 0 ? (
            <>
              <p className="muted">{t("servicing:form.releaseHint")}</p>
              <Form method="post" className="stack" {...getFormProps(releaseForm)}>
                <FormErrors errors={releaseForm.errors} />
                <input type="hidden" name="intent" value="release" />
                <Field
                  id={releaseFields.reason.id}
                  label={t("servicing:page.reason")}
                  errors={releaseFields.reason.errors}
                >
                  <textarea {...getTextareaProps(releaseFields.reason)} rows={2} />
                </Field>
                <ConfirmBox
                  id="release-confirm"
                  label={t("servicing:form.releaseConfirm")}
                  errors={releaseFields.confirm.errors}
                />
                <button
                  type="submit"
                  className="button button-danger"
                  disabled={busy}
                  data-testid="release-pledge"
                >
                  {t("servicing:form.releaseTitle")}
                </button>
              </Form>
            </>
          ) : null}
        </div>
      ) : null}
      {(loan.defaultRecord || cover?.defaulted) && (disposal || held > 0) ? (
        <div className="card" data-testid="loan-disposal">
          {disposal ? (
            <Link to={`/bank/disposals/${disposal.id}`} data-testid="view-disposal">
              {t("risk:dispose.view", {
                id: disposal.id,
                state: t(`risk:disposals.state.${disposal.state}`),
              })}
            </Link>
          ) : (
            <Link
              to={`/bank/loans/${a.application_id}/dispose`}
              className="button"
              data-testid="dispose-ip"
            >
              {t("risk:dispose.link")}
            </Link>
          )}
        </div>
      ) : null}

      {open ? (
        <section className="grid grid-2" data-testid="loan-actions">
          <Card title={t("servicing:page.postRepayment")}>
            <p className="muted">
              {t("servicing:form.repayHint", {
                due: formatMoneyExact(
                  loan.position.duePrincipalFen + loan.position.dueInterestFen,
                  lang,
                ),
              })}
            </p>
            <Form method="post" className="stack" {...getFormProps(repayForm)}>
              <FormErrors errors={repayForm.errors} />
              <input type="hidden" name="intent" value="repay" />
              <input type="hidden" name="key" value={key} />
              <Field
                id={repayFields.amount.id}
                label={t("servicing:page.amount")}
                errors={repayFields.amount.errors}
              >
                <input
                  {...getInputProps(repayFields.amount, { type: "text" })}
                  inputMode="decimal"
                  data-testid="repay-amount"
                />
              </Field>
              <Field
                id={repayFields.valueDate.id}
                label={t("servicing:page.valueDate")}
                errors={repayFields.valueDate.errors}
              >
                <input
                  {...getInputProps(repayFields.valueDate, { type: "date" })}
                  min={a.start_date}
                  max={today}
                />
              </Field>
              <button type="submit" className="button" disabled={busy} data-testid="repay">
                {t("servicing:page.submit")}
              </button>
            </Form>
          </Card>

          <Card title={t("servicing:form.settleTitle")}>
            <p className="muted">
              {t("servicing:form.settleHint", {
                amount: formatMoneyExact(loan.position.settlementFen, lang),
              })}
            </p>
            <Form method="post" className="stack" {...getFormProps(settleForm)}>
              <FormErrors errors={settleForm.errors} />
              <input type="hidden" name="intent" value="settle" />
              <input type="hidden" name="key" value={`settle-${key}`} />
              <Field
                id={settleFields.valueDate.id}
                label={t("servicing:page.valueDate")}
                errors={settleFields.valueDate.errors}
              >
                <input
                  {...getInputProps(settleFields.valueDate, { type: "date" })}
                  min={a.start_date}
                  max={today}
                />
              </Field>
              <ConfirmBox
                id="settle-confirm"
                label={t("servicing:form.settleConfirm")}
                errors={settleFields.confirm.errors}
              />
              <button type="submit" className="button" disabled={busy} data-testid="settle">
                {t("servicing:form.settleTitle")}
              </button>
            </Form>
          </Card>

          <Card title={t("servicing:form.classifyTitle")}>
            <p className="muted">
              {t("servicing:form.classifyHint", {
                floor: t(`servicing:classes.${loan.classification.floor}`),
              })}
            </p>
            <Form method="post" className="stack" {...getFormProps(classifyForm)}>
              <FormErrors errors={classifyForm.errors} />
              <input type="hidden" name="intent" value="classify" />
              <Field
                id={classifyFields.riskClass.id}
                label={t("servicing:page.riskClass")}
                errors={classifyFields.riskClass.errors}
              >
                <select {...getSelectProps(classifyFields.riskClass)}>
                  <option value="">{t("servicing:form.choose")}</option>
                  {stricter.map((c) => (
                    <option key={c} value={c}>
                      {t(`servicing:classes.${c}`)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field
                id={classifyFields.reason.id}
                label={t("servicing:page.reason")}
                errors={classifyFields.reason.errors}
              >
                <textarea {...getTextareaProps(classifyFields.reason)} rows={2} />
              </Field>
              <button type="submit" className="button" disabled={busy} data-testid="classify">
                {t("servicing:form.classifyTitle")}
              </button>
            </Form>
          </Card>

          <Card title={t("servicing:form.defaultTitle")}>
            <p className="muted">
              {t("servicing:form.defaultHint", {
                principal: formatMoneyExact(loan.position.outstandingPrincipalFen, lang),
                interest: formatMoneyExact(loan.position.dueInterestFen, lang),
              })}
            </p>
            <Form method="post" className="stack" {...getFormProps(defaultForm)}>
              <FormErrors errors={defaultForm.errors} />
              <input type="hidden" name="intent" value="default" />
              <Field
                id={defaultFields.reason.id}
                label={t("servicing:page.reason")}
                errors={defaultFields.reason.errors}
              >
                <textarea {...getTextareaProps(defaultFields.reason)} rows={2} />
              </Field>
              <ConfirmBox
                id="default-confirm"
                label={t("servicing:form.defaultConfirm")}
                errors={defaultFields.confirm.errors}
              />
              <button
                type="submit"
                className="button button-danger"
                disabled={busy}
                data-testid="record-default"
              >
                {t("servicing:form.defaultTitle")}
              </button>
            </Form>
          </Card>
        </section>
      ) : null}

      {loan.collateral ? <CollateralSection collateral={loan.collateral} /> : null}
      <ScheduleSection position={loan.position} />

      <section className="stack">
        <h2>{t("servicing:page.entries")}</h2>
        <EntriesTable
          entries={loan.entries}
          posters={loan.posters}
          action={(e) =>
            e.id === loan.reversibleEntryId ? (
              <details>
                <summary>{t("servicing:page.reverse")}</summary>
                <Form method="post" className="stack" {...getFormProps(reverseForm)}>
                  <FormErrors errors={reverseForm.errors} />
                  <input type="hidden" name="intent" value="reverse" />
                  <input type="hidden" name="entryId" value={e.id} />
                  <Field
                    id={reverseFields.reason.id}
                    label={t("servicing:page.reason")}
                    errors={reverseFields.reason.errors}
                  >
                    <textarea {...getTextareaProps(reverseFields.reason)} rows={2} />
                  </Field>
                  <ConfirmBox
                    id="reverse-confirm"
                    label={t("servicing:form.reverseConfirm")}
                    errors={reverseFields.confirm.errors}
                  />
                  <button
                    type="submit"
                    className="button button-danger"
                    disabled={busy}
                    data-testid="reverse"
                  >
                    {t("servicing:page.reverse")}
                  </button>
                </Form>
              </details>
            ) : null
          }
        />
      </section>

      {loan.overrides.length ? (
        <section className="stack">
          <h2>{t("servicing:form.overrides")}</h2>
          <ul>
            {loan.overrides.map((o, i) => (
              <li key={i}>
                {o.createdAt.slice(0, 10)} · {t(`servicing:classes.${o.riskClass}`)} · {o.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
