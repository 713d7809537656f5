import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Field, FormErrors } from "../components/Field";
import { PoolFigures } from "../components/risk";
import { formatBp, formatMoney, formatMoneyExact } from "../domain/money";
import { regionName } from "../domain/regions";
import { SHARE_PARTIES } from "../domain/risk-sharing/shares";
import { UserFacingError } from "../models/errors";
import { addContribution } from "../models/risk-sharing/pools.server";
import { getPoolDetail } from "../models/risk-sharing/views.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId, refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorize, forbidden } from "../utils/permissions.server";
import { contributionSchema } from "../utils/risk-schemas";
import type { SessionUser } from "../utils/session.server";
import { todayInChina } from "../utils/time";

const actorOf = (u: SessionUser) => ({ userId: u.id, orgId: u.org_id, role: u.role });

async function poolOr404(user: SessionUser, id: number) {
  try {
    return await withDb(getPoolDetail, actorOf(user), id);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskPool.view");
  const detail = await poolOr404(user, parseId(params.id));
  // One key per rendering: a double click or a retried post records the contribution once.
  return { ...detail, viewer: user.role, today: todayInChina(), key: crypto.randomUUID() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "riskPool.contribute");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  const detail = await poolOr404(user, id);
  if (!detail.manages) forbidden();
  const submission = parseWithZod(await request.formData(), { schema: contributionSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    await withDb(addContribution, actorOf(user), {
      poolId: id,
      funderName: v.funderName,
      amountFen: v.amount,
      valueDate: v.valueDate,
      idempotencyKey: `${id}:${v.key}`,
    });
    return redirect(`/risk/pools/${id}?done=contributed`);
  } catch (e) {
    return refusal(e, submission, t, locale, {}, { amount: "amount" });
  }
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, "risk:pool.title", { name: data?.pool.name ?? "" });

export default function PoolPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const [form, fields] = useForm({
    id: `contribute-${d.summary.contributedFen}`,
    lastResult: actionData?.result,
    defaultValue: { valueDate: d.today },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: contributionSchema(t) }),
    shouldValidate: "onSubmit",
  });
  const loanHref = (l: { application_id: number }) =>
    d.viewer === "bank_officer" ? `/bank/loans/${l.application_id}` : null;
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/risk/pools">← {t("risk:pools.title")}</Link>
      </p>
      <h1>
        {d.pool.name} <small className="muted">{t(`risk:pools.kind.${d.pool.kind}`)}</small>
      </h1>
      <p className="muted">{t("risk:pool.manager", { name: d.pool.managerName ?? "—" })}</p>
      <section className="card">
        <PoolFigures pool={d.summary} />
      </section>

      <section className="card stack">
        <h2>{t("risk:pool.rules")}</h2>
        <ul data-testid="pool-shares">
          {SHARE_PARTIES.map((p) => (
            <li key={p}>
              {t(`risk:parties.${p}`)} {formatBp(d.rules.shares[p], 2, { trim: true })}
              {p === "insurer" && d.pool.insurerName ? ` · ${d.pool.insurerName}` : ""}
              {p === "guarantor" && d.pool.guarantorName ? ` · ${d.pool.guarantorName}` : ""}
            </li>
          ))}
        </ul>
        <p>
          {t("risk:pool.perLoanCap")} {money(d.rules.perLoanCapFen)} ·{" "}
          {t("risk:pool.interestDays", { days: d.rules.interestDaysAllowed })}
        </p>
        <p>
          {t("risk:pool.products")}{" "}
          {d.products.map((p) => `${p.bankName} · ${p.name}`).join(t("common:listSeparator"))}
        </p>
        <p>
          {t("risk:pool.regions")}{" "}
          {d.rules.regionCodes.length === 0
            ? t("risk:pool.allRegions")
            : d.rules.regionCodes.map((c) => regionName(c, lang)).join(t("common:listSeparator"))}
        </p>
        <p>
          {t("risk:pool.documents")}{" "}
          {d.requiredDocuments
            .map((doc) => t(`risk:documents.${doc}`))
            .join(t("common:listSeparator"))}
        </p>
      </section>

      <section className="stack">
        <h2>{t("risk:pool.funders")}</h2>
        {d.funders.length === 0 ? <p className="empty">{t("risk:pool.noFunders")}</p> : null}
        <ul>
          {d.funders.map((f) => (
            <li key={f.id}>
              {f.name} · {formatMoneyExact(f.contributedFen, lang)}
            </li>
          ))}
        </ul>
        {d.manages ? (
          <div className="card stack">
            <h3>{t("risk:pool.contribute")}</h3>
            <Form method="post" className="stack" {...getFormProps(form)}>
              <FormErrors errors={form.errors} />
              <input type="hidden" name="intent" value="contribute" />
              <input type="hidden" name="key" value={d.key} />
              <Field
                id={fields.funderName.id}
                label={t("risk:pool.funder")}
                errors={fields.funderName.errors}
              >
                <input {...getInputProps(fields.funderName, { type: "text" })} />
              </Field>
              <Field
                id={fields.amount.id}
                label={t("risk:pool.amount")}
                hint={t("risk:form.amountHint")}
                errors={fields.amount.errors}
              >
                <input
                  {...getInputProps(fields.amount, { type: "text" })}
                  inputMode="decimal"
                  data-testid="contribution-amount"
                />
              </Field>
              <Field
                id={fields.valueDate.id}
                label={t("risk:pool.valueDate")}
                errors={fields.valueDate.errors}
              >
                <input {...getInputProps(fields.valueDate, { type: "date" })} max={d.today} />
              </Field>
              <button type="submit" className="button button-primary" disabled={busy}>
                {t("risk:pool.contribute")}
              </button>
            </Form>
          </div>
        ) : null}
      </section>

      <section className="stack">
        <h2>{t("risk:pool.loans")}</h2>
        {d.loans.length === 0 ? <p className="empty">{t("risk:pool.noLoans")}</p> : null}
        <table className="data">
          <thead>
            <tr>
              <th>{t("risk:pool.loan")}</th>
              <th>{t("risk:pool.bank")}</th>
              <th>{t("risk:pool.region")}</th>
              <th>{t("risk:pool.reserved")}</th>
              <th>{t("risk:pool.state")}</th>
            </tr>
          </thead>
          <tbody>
            {d.loans.map((l) => {
              const href = loanHref(l);
              return (
                <tr key={l.application_id} data-testid={`covered-${l.application_id}`}>
                  <td>
                    {href ? <Link to={href}>#{l.application_id}</Link> : `#${l.application_id}`}{" "}
                    {l.firmName}
                  </td>
                  <td>{l.bankName}</td>
                  <td>{regionName(l.region_code, lang)}</td>
                  <td>
                    {formatMoneyExact(l.reserved_fen, lang)} /{" "}
                    {formatMoneyExact(l.initial_fen, lang)}
                  </td>
                  <td>{t(`risk:reservation.${l.state}`)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section className="stack">
        <h2>{t("risk:claims.title")}</h2>
        {d.claims.length === 0 ? <p className="empty">{t("risk:claims.empty")}</p> : null}
        <ul>
          {d.claims.map((c) => (
            <li key={c.id}>
              <Link to={`/risk/claims/${c.id}`}>{t("risk:claims.number", { id: c.id })}</Link> ·{" "}
              {t("risk:pool.loan")} #{c.application_id} · {formatMoneyExact(c.claimed_fen, lang)} ·{" "}
              {t(`risk:claims.state.${c.state}`)}
              {c.approved_fen !== null ? ` · ${formatMoneyExact(c.approved_fen, lang)}` : ""}
            </li>
          ))}
        </ul>
      </section>

      <section className="stack">
        <h2>{t("risk:pool.entries")}</h2>
        {d.entries.length === 0 ? <p className="empty">{t("risk:pool.noEntries")}</p> : null}
        <ul data-testid="pool-entries">
          {d.entries.map((e) => (
            <li key={e.id}>
              {e.value_date} · {t(`risk:entry.${e.entry_type}`)} ·{" "}
              {formatMoneyExact(e.amount_fen, lang)}
              {e.funderName ? ` · ${e.funderName}` : ""}
              {e.claim_id ? ` · ${t("risk:claims.number", { id: e.claim_id })}` : ""}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
