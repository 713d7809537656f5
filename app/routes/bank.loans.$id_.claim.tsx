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
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import { ConfirmBox } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { PayoutSplit } from "../components/risk";
import { fenToYuanInput, formatMoneyExact } from "../domain/money";
import { UserFacingError } from "../models/errors";
import { fileClaim, previewClaim } from "../models/risk-sharing/claims.server";
import { RiskRefusal } from "../models/risk-sharing/common.server";
import { getPoolRules } from "../models/risk-sharing/pools.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId, refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { translateError, translateMessage } from "../utils/messages";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";
import { claimSchema } from "../utils/risk-schemas";
import type { SessionUser } from "../utils/session.server";

const actorOf = (u: SessionUser) => ({ userId: u.id, orgId: u.org_id, role: u.role });

/**
 * The bank's claim on its defaulted covered loan: the loss as the pool's rules compute it, the
 * checklist of documents, then the claim. Another bank's loan is 404 (previewClaim scopes it); a
 * loan that is not defaulted or not covered says so instead of showing the form.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskClaim.file");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  try {
    const preview = await withDb(previewClaim, actorOf(user), id);
    const loaded = await withDb(getPoolRules, preview.poolId);
    return {
      id,
      preview,
      shares: loaded!.rules.shares,
      refusal: null,
      key: crypto.randomUUID(),
    };
  } catch (e) {
    if (e instanceof RiskRefusal) {
      return {
        id,
        preview: null,
        shares: null,
        refusal: translateError(t, e.key, e.params, locale),
        key: "",
      };
    }
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "riskClaim.file");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: claimSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    const { claimId } = await withDb(fileClaim, actorOf(user), {
      applicationId: id,
      claimedFen: v.claimed,
      documents: v.documents.map((document) => ({ document })),
      idempotencyKey: `${user.org_id}:${id}:${v.key}`,
    });
    return redirect(`/risk/claims/${claimId}`);
  } catch (e) {
    if (e instanceof RiskRefusal) {
      const messages = e.messages.map((m) => translateMessage(t, m, locale));
      return Response.json({ result: submission.reply({ formErrors: messages }) }, { status: 400 });
    }
    return refusal(e, submission, t, locale, {}, { claimedFen: "claimed" });
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "risk:file.title", { id: params.id ?? "" });

export default function FileClaim() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoneyExact(fen, i18n.language);
  const p = d.preview;
  const [form, fields] = useForm<
    {
      key: string;
      claimed: string;
      documents: string[];
      confirm: string;
    },
    z.output<ReturnType<typeof claimSchema>>
  >({
    id: "file-claim",
    lastResult: actionData?.result,
    defaultValue: p ? { claimed: fenToYuanInput(p.lossFen), documents: [] } : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: claimSchema(t) }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "48rem" }}>
      <p>
        <Link to={`/bank/loans/${d.id}`}>← {t("risk:file.back", { id: d.id })}</Link>
      </p>
      <h1>{t("risk:file.title", { id: d.id })}</h1>
      {d.refusal ? (
        <p className="notice" role="status" data-testid="claim-refusal">
          {d.refusal}
        </p>
      ) : null}
      {p && d.shares ? (
        <>
          <section className="card" data-testid="claim-preview">
            <h2>{t("risk:claims.loss")}</h2>
            <p className="muted">{t("risk:file.poolRules", { pool: p.poolName })}</p>
            <dl className="grid grid-2">
              {(
                [
                  ["outstanding", p.outstandingPrincipalFen],
                  ["coveredPrincipal", p.coveredPrincipalFen],
                  ["unpaidInterest", p.unpaidInterestFen],
                  ["allowedInterest", p.allowedInterestFen],
                  ["lossTotal", p.lossFen],
                ] as const
              ).map(([k, v]) => (
                <div key={k}>
                  <dt className="muted">{t(`risk:claims.${k}`)}</dt>
                  <dd data-testid={`preview-${k}`}>{money(v)}</dd>
                </div>
              ))}
            </dl>
            <h3>{t("risk:claims.splitIfFull")}</h3>
            <PayoutSplit amountFen={p.lossFen} shares={d.shares} testId="preview-split" />
          </section>
          <Form method="post" className="card stack" {...getFormProps(form)}>
            <FormErrors errors={form.errors} />
            <input type="hidden" name="key" value={d.key} />
            <Field
              id={fields.claimed.id}
              label={t("risk:file.claimed")}
              hint={t("risk:file.claimedHint", { loss: money(p.lossFen) })}
              errors={fields.claimed.errors}
            >
              <input
                {...getInputProps(fields.claimed, { type: "text" })}
                inputMode="decimal"
                data-testid="claimed"
              />
            </Field>
            <fieldset>
              <legend>{t("risk:file.checklist")}</legend>
              <p className="hint">{t("risk:file.checklistHint")}</p>
              <div className="checks" data-testid="checklist">
                {getCollectionProps(fields.documents, {
                  type: "checkbox",
                  options: p.requiredDocuments,
                }).map((c) => (
                  <label key={c.key}>
                    <input {...c} key={c.key} />
                    {t(`risk:documents.${c.value}`)}
                  </label>
                ))}
              </div>
            </fieldset>
            <ConfirmBox
              id="claim-confirm"
              label={t("risk:file.confirm")}
              errors={fields.confirm.errors}
            />
            <button type="submit" className="button button-primary" disabled={busy}>
              {t("risk:file.submit")}
            </button>
          </Form>
        </>
      ) : null}
    </div>
  );
}
