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
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ConfirmBox } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { PayoutSplit } from "../components/risk";
import { formatMoneyExact } from "../domain/money";
import { UserFacingError } from "../models/errors";
import { decideClaim } from "../models/risk-sharing/claims.server";
import { getClaimDetail } from "../models/risk-sharing/views.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId, postedIntent, refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize, forbidden } from "../utils/permissions.server";
import { decisionSchema, decisionSchemas, type DecisionIntent } from "../utils/risk-schemas";
import type { SessionUser } from "../utils/session.server";

const actorOf = (u: SessionUser) => ({ userId: u.id, orgId: u.org_id, role: u.role });

/** The claim as its bank, its pool's manager or an admin sees it; anyone else: 404. */
async function claimOr404(user: SessionUser, id: number) {
  try {
    const d = await withDb(getClaimDetail, actorOf(user), id);
    if (user.role === "bank_officer") {
      assertCan(user, "riskClaim.view", { bankOrgId: d.claim.bankOrgId });
    }
    return d;
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskClaim.view");
  return { ...(await claimOr404(user, parseId(params.id))), viewer: user.role };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "riskClaim.decide");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const d = await claimOr404(user, id);
  if (!d.manages) forbidden();
  const submission = parseWithZod(await request.formData(), { schema: decisionSchema(t) });
  const intent = postedIntent(submission);
  if (submission.status !== "success") {
    return Response.json({ intent, result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    await withDb(
      decideClaim,
      actorOf(user),
      id,
      v.intent === "reject"
        ? { decision: "reject", reason: v.reason }
        : {
            decision: "approve",
            approvedFen: v.intent === "approve_full" ? d.claim.claimedFen : v.approved,
          },
    );
    return redirect(`/risk/claims/${id}`);
  } catch (e) {
    return refusal(e, submission, t, locale, { intent }, { approvedFen: "approved" });
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "risk:claims.pageTitle", { id: params.id ?? "" });

export default function ClaimPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<{ intent: string; result: SubmissionResult<string[]> }>();
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoneyExact(fen, lang);
  const c = d.claim;
  const schemas = decisionSchemas(t);
  const form = (intent: DecisionIntent) => ({
    id: `${intent}-${c.id}`,
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    onValidate: ({ formData }: { formData: FormData }) =>
      parseWithZod(formData, { schema: schemas[intent] }),
    shouldValidate: "onSubmit" as const,
  });
  const [fullForm, fullFields] = useForm(form("approve_full"));
  const [partForm, partFields] = useForm(form("approve_partial"));
  const [rejectForm, rejectFields] = useForm(form("reject"));
  const decided = c.state !== "filed";
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/risk/claims">← {t("risk:claims.title")}</Link>
      </p>
      <h1>
        {t("risk:claims.number", { id: c.id })}{" "}
        <span className="badge" data-testid="claim-state">
          {t(`risk:claims.state.${c.state}`)}
        </span>
      </h1>
      <p className="muted">
        <Link to={`/risk/pools/${d.pool.id}`}>{d.pool.name}</Link> · {c.bankName} ·{" "}
        {d.ownBank ? (
          <Link to={`/bank/loans/${c.applicationId}`}>
            {t("risk:pool.loan")} #{c.applicationId}
          </Link>
        ) : (
          `${t("risk:pool.loan")} #${c.applicationId}`
        )}{" "}
        · {t("risk:claims.filedAt", { date: c.filedAt.slice(0, 10) })}
      </p>

      <section className="card">
        <h2>{t("risk:claims.loss")}</h2>
        <dl className="grid grid-2">
          {(
            [
              ["outstanding", c.outstandingPrincipalFen],
              ["coveredPrincipal", c.coveredPrincipalFen],
              ["unpaidInterest", c.unpaidInterestFen],
              ["allowedInterest", c.allowedInterestFen],
              ["lossTotal", c.lossFen],
              ["claimed", c.claimedFen],
            ] as const
          ).map(([k, v]) => (
            <div key={k}>
              <dt className="muted">{t(`risk:claims.${k}`)}</dt>
              <dd data-testid={`claim-${k}`}>{money(v)}</dd>
            </div>
          ))}
          {c.approvedFen !== null ? (
            <div>
              <dt className="muted">{t("risk:claims.approved")}</dt>
              <dd data-testid="claim-approved">{money(c.approvedFen)}</dd>
            </div>
          ) : null}
        </dl>
        {c.rejectReason ? (
          <p data-testid="claim-reject-reason">
            {t("risk:claims.rejectReason")} {c.rejectReason}
          </p>
        ) : null}
      </section>

      <section className="card stack">
        <h2>{decided ? t("risk:claims.split") : t("risk:claims.splitIfFull")}</h2>
        {c.state === "rejected" ? (
          <p className="muted">{t("risk:claims.nothingPaid")}</p>
        ) : (
          <PayoutSplit
            amountFen={c.approvedFen ?? c.claimedFen}
            shares={d.shares}
            parts={d.paid ?? d.fullSplit}
            payers={d.payers}
            testId="payout"
          />
        )}
        <p className="muted">{t("risk:claims.bankShareNote")}</p>
      </section>

      <section className="card">
        <h2>{t("risk:claims.documents")}</h2>
        <ul>
          {d.documents.map((doc) => (
            <li key={doc.document}>
              ✓ {t(`risk:documents.${doc.document}`)}
              {doc.reference ? ` · ${doc.reference}` : ""}
            </li>
          ))}
        </ul>
      </section>

      {d.manages && !decided ? (
        <section className="grid grid-2" data-testid="decision">
          <div className="card stack">
            <h3>{t("risk:decide.fullTitle")}</h3>
            <p className="muted">
              {t("risk:decide.fullHint", {
                amount: money(c.claimedFen),
                pool: money(d.fullSplit.pool),
                balance: money(d.pool.balanceFen),
              })}
            </p>
            <Form method="post" className="stack" {...getFormProps(fullForm)}>
              <FormErrors errors={fullForm.errors} />
              <input type="hidden" name="intent" value="approve_full" />
              <ConfirmBox
                id="full-confirm"
                label={t("risk:decide.confirmFull", { amount: money(c.claimedFen) })}
                errors={fullFields.confirm.errors}
              />
              <button type="submit" className="button button-primary" disabled={busy}>
                {t("risk:decide.approveFull")}
              </button>
            </Form>
          </div>
          <div className="card stack">
            <h3>{t("risk:decide.partialTitle")}</h3>
            <Form method="post" className="stack" {...getFormProps(partForm)}>
              <FormErrors errors={partForm.errors} />
              <input type="hidden" name="intent" value="approve_partial" />
              <Field
                id={partFields.approved.id}
                label={t("risk:decide.approvedAmount")}
                hint={t("risk:form.amountHint")}
                errors={partFields.approved.errors}
              >
                <input
                  {...getInputProps(partFields.approved, { type: "text" })}
                  inputMode="decimal"
                  data-testid="approved-amount"
                />
              </Field>
              <ConfirmBox
                id="partial-confirm"
                label={t("risk:decide.confirmPartial")}
                errors={partFields.confirm.errors}
              />
              <button type="submit" className="button" disabled={busy}>
                {t("risk:decide.approvePartial")}
              </button>
            </Form>
          </div>
          <div className="card stack">
            <h3>{t("risk:decide.rejectTitle")}</h3>
            <Form method="post" className="stack" {...getFormProps(rejectForm)}>
              <FormErrors errors={rejectForm.errors} />
              <input type="hidden" name="intent" value="reject" />
              <Field
                id={rejectFields.reason.id}
                label={t("risk:decide.reason")}
                errors={rejectFields.reason.errors}
              >
                <textarea {...getTextareaProps(rejectFields.reason)} rows={2} />
              </Field>
              <ConfirmBox
                id="reject-confirm"
                label={t("risk:decide.confirmReject")}
                errors={rejectFields.confirm.errors}
              />
              <button type="submit" className="button button-danger" disabled={busy}>
                {t("risk:decide.reject")}
              </button>
            </Form>
          </div>
        </section>
      ) : null}
    </div>
  );
}
