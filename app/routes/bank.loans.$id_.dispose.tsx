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
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import { ConfirmBox } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { ipTypeLabel } from "../domain/ip";
import { fenToYuanInput, formatMoneyExact } from "../domain/money";
import { disposalFieldOf } from "../domain/risk-sharing/disposal";
import { UserFacingError } from "../models/errors";
import { RiskRefusal } from "../models/risk-sharing/common.server";
import { getListingDraft, listForDisposal } from "../models/risk-sharing/disposals.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { translateMessage } from "../utils/messages";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";
import { listingSchema } from "../utils/risk-schemas";
import type { SessionUser } from "../utils/session.server";

const actorOf = (u: SessionUser) => ({ userId: u.id, orgId: u.org_id, role: u.role });

async function draftOr404(user: SessionUser, id: number) {
  try {
    return await withDb(getListingDraft, actorOf(user), id);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

/**
 * The bank lists its defaulted loan's pledged IP for transfer or licence (docs/domain.md#disposal).
 * Another bank's loan is 404; a loan not in default, or already listed, says so instead of the form.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "disposal.manage");
  const id = parseId(params.id);
  const { t } = getServerT(request);
  const draft = await draftOr404(user, id);
  // The public description starts from the pledged assets' own facts; the bank may edit it.
  const summary = draft.assets
    .map((a) => `${ipTypeLabel(t, a.ipType)} ${a.number} ${a.title}`)
    .join("\n");
  return { id, draft, summary };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "disposal.manage");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: listingSchema(t, locale) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    const disposalId = await withDb(listForDisposal, actorOf(user), {
      applicationId: id,
      kind: v.kind,
      title: v.title,
      assetSummary: v.summary,
      appraisalFen: v.appraisal ?? null,
      askingFen: v.asking,
      terms: v.terms,
    });
    return redirect(`/bank/disposals/${disposalId}`);
  } catch (e) {
    if (e instanceof RiskRefusal) {
      const formErrors: string[] = [];
      const fieldErrors: Record<string, string[]> = {};
      for (const m of e.messages) {
        const field = disposalFieldOf(m);
        const text = translateMessage(t, m, locale);
        if (field) (fieldErrors[field] ??= []).push(text);
        else formErrors.push(text);
      }
      return Response.json(
        { result: submission.reply({ formErrors, fieldErrors }) },
        { status: 400 },
      );
    }
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "risk:dispose.title", { id: params.id ?? "" });

export default function DisposeLoanIp() {
  const { id, draft, summary } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoneyExact(fen, i18n.language);
  const [form, fields] = useForm<
    {
      kind: string;
      title: string;
      summary: string;
      appraisal: string;
      asking: string;
      terms: string;
      confirm: string;
    },
    z.output<ReturnType<typeof listingSchema>>
  >({
    id: "dispose",
    lastResult: actionData?.result,
    defaultValue: {
      kind: "transfer",
      summary,
      appraisal: draft.appraisalFen === null ? "" : fenToYuanInput(draft.appraisalFen),
    },
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: listingSchema(t, i18n.language) }),
    shouldValidate: "onSubmit",
  });
  const open = draft.defaulted && draft.liveDisposalId === null;
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "48rem" }}>
      <p>
        <Link to={`/bank/loans/${id}`}>← {t("risk:dispose.back", { id })}</Link>
      </p>
      <h1>{t("risk:dispose.title", { id })}</h1>
      <p className="muted">{t("risk:dispose.intro")}</p>
      {!draft.defaulted ? (
        <p className="notice" role="status" data-testid="dispose-refusal">
          {t("risk:errors.notDisposable")}
        </p>
      ) : draft.liveDisposalId !== null ? (
        <p className="notice" role="status" data-testid="dispose-refusal">
          {t("risk:errors.alreadyListed", { id: draft.liveDisposalId })}{" "}
          <Link to={`/bank/disposals/${draft.liveDisposalId}`}>
            {t("risk:bankDisposals.number", { id: draft.liveDisposalId })}
          </Link>
        </p>
      ) : null}
      <section className="card" data-testid="pledged-assets">
        <h2>{t("risk:dispose.pledged")}</h2>
        {draft.assets.length === 0 ? (
          <p className="empty">{t("risk:dispose.noAssets")}</p>
        ) : (
          <ul className="stack">
            {draft.assets.map((a) => (
              <li key={a.id}>
                <strong>{a.title}</strong> · {ipTypeLabel(t, a.ipType)} {a.number}
                <br />
                <span className="muted">
                  {a.formalValueFen !== null && a.formalValidUntil !== null
                    ? t("risk:dispose.formalValue", {
                        value: money(a.formalValueFen),
                        until: a.formalValidUntil,
                      })
                    : t("risk:dispose.noFormalValue")}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {open ? (
        <Form method="post" className="card stack" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <Field id={fields.kind.id} label={t("risk:dispose.kind")} errors={fields.kind.errors}>
            <select {...getSelectProps(fields.kind)} data-testid="kind">
              <option value="transfer">{t("risk:disposals.kind.transfer")}</option>
              <option value="licence">{t("risk:disposals.kind.licence")}</option>
            </select>
          </Field>
          <Field
            id={fields.title.id}
            label={t("risk:dispose.titleLabel")}
            hint={t("risk:dispose.titleHint")}
            errors={fields.title.errors}
          >
            <input {...getInputProps(fields.title, { type: "text" })} data-testid="title" />
          </Field>
          <Field
            id={fields.summary.id}
            label={t("risk:dispose.summary")}
            hint={t("risk:dispose.summaryHint")}
            errors={fields.summary.errors}
          >
            <textarea {...getTextareaProps(fields.summary)} rows={4} data-testid="summary" />
          </Field>
          <Field
            id={fields.appraisal.id}
            label={t("risk:dispose.appraisal")}
            hint={t("risk:dispose.appraisalHint")}
            errors={fields.appraisal.errors}
          >
            <input
              {...getInputProps(fields.appraisal, { type: "text" })}
              inputMode="decimal"
              data-testid="appraisal"
            />
          </Field>
          <Field
            id={fields.asking.id}
            label={t("risk:dispose.asking")}
            hint={t("risk:dispose.askingHint")}
            errors={fields.asking.errors}
          >
            <input
              {...getInputProps(fields.asking, { type: "text" })}
              inputMode="decimal"
              data-testid="asking"
            />
          </Field>
          <Field
            id={fields.terms.id}
            label={t("risk:dispose.terms")}
            hint={t("risk:dispose.termsHint")}
            errors={fields.terms.errors}
          >
            <textarea {...getTextareaProps(fields.terms)} rows={3} data-testid="terms" />
          </Field>
          <ConfirmBox
            id="dispose-confirm"
            label={t("risk:dispose.confirm")}
            errors={fields.confirm.errors}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t("risk:dispose.submit")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}
