import { getFormProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ConfirmBox } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { formatBp, formatMoney, formatMoneyExact } from "../domain/money";
import { regionName } from "../domain/regions";
import { UserFacingError } from "../models/errors";
import type { RiskActor } from "../models/risk-sharing/common.server";
import { decideSubsidyClaim, getProgrammeView } from "../models/risk-sharing/subsidies.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize } from "../utils/permissions.server";
import { decisionSchema } from "../utils/subsidy-schemas";

function idOf(params: { id?: string }): number {
  const id = Number(params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Response("Not Found", { status: 404 });
  return id;
}

/** The programme as its government member (or the admin) sees it; anyone else's is a 404. */
async function programmeOr404(actor: RiskActor, id: number) {
  try {
    return await withDb(getProgrammeView, actor, id);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "subsidyProgramme.view");
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  const programme = await programmeOr404(actor, idOf(params));
  assertCan(user, "subsidyProgramme.view", { allianceOrgId: programme.ownerOrgId });
  return { programme };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "subsidyClaim.decide");
  const { t, locale } = getServerT(request);
  const id = idOf(params);
  const submission = parseWithZod(await request.formData(), { schema: decisionSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  const programme = await programmeOr404(actor, id);
  assertCan(user, "subsidyClaim.decide", { allianceOrgId: programme.ownerOrgId });
  const v = submission.value;
  // The claim must be one of this programme's: a claim id from elsewhere is not found here.
  if (!programme.claims.some((c) => c.id === v.claimId)) {
    throw new Response("Not Found", { status: 404 });
  }
  try {
    await withDb(
      decideSubsidyClaim,
      actor,
      v.claimId,
      v.intent === "approve" ? { decision: "approve" } : { decision: "reject", reason: v.reason },
    );
    return redirect(`/subsidies/${id}?decided=${v.claimId}`);
  } catch (e) {
    return refusal(e, submission, t, locale, { claimId: v.claimId }, {});
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:programmes.title");

export default function Programme() {
  const { programme: p } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]>; claimId?: number }>();
  const [search] = useSearchParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const decideId = Number(search.get("decide")) || null;
  const deciding = p.claims.find((c) => c.id === decideId && c.state === "pending") ?? null;
  const intent = search.get("intent") === "reject" ? "reject" : "approve";
  const [form, fields] = useForm({
    id: `decide-${decideId ?? 0}-${intent}`,
    lastResult: actionData?.result,
    shouldValidate: "onSubmit",
  });
  const r = p.rules;
  const figures = [
    ["budget", p.budgetFen],
    ["committed", p.committedFen],
    ["paid", p.paidFen],
    ["pending", p.pendingFen],
    ["remaining", p.remainingFen],
  ] as const;
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/subsidies">← {t("risk:programmes.title")}</Link>
      </p>
      <h1>{p.name}</h1>
      {search.has("created") ? (
        <p className="notice" role="status">
          {t("risk:programmes.created")}
        </p>
      ) : null}
      {search.get("decided") ? (
        <p className="notice" role="status" data-testid="decided">
          {t("risk:programmes.decided", { id: search.get("decided") })}
        </p>
      ) : null}
      <section className="card">
        <dl
          style={{
            display: "grid",
            gridTemplateColumns: "repeat(auto-fit, minmax(8rem, 1fr))",
            gap: "0.5rem",
          }}
        >
          {figures.map(([k, fen]) => (
            <div key={k}>
              <dt className="muted">{t(`risk:programmes.${k}`)}</dt>
              {/* Exact to the fen: a budget's remainder is a figure people reconcile. */}
              <dd data-testid={`programme-${k}`}>{formatMoneyExact(fen, lang)}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card">
        <h2>{t("risk:programmes.rules")}</h2>
        <ul>
          <li>
            {t("risk:programmes.shareOfInterest", {
              share: formatBp(r.shareBp, 2, { trim: true }),
            })}
          </li>
          <li>
            {r.lprMultipleCapBp === null
              ? t("risk:programmes.noBasisCap")
              : t("risk:programmes.basisCap", {
                  multiple: formatBp(r.lprMultipleCapBp / 100, 2, { trim: true, symbol: false }),
                })}
          </li>
          <li>
            {t("risk:programmes.perFirmYearCap")} {money(r.perFirmYearCapFen)}
          </li>
          <li>{t("risk:programmes.window", { start: r.windowStart, end: r.windowEnd })}</li>
          <li>
            {t("risk:programmes.regions")}：
            {r.regionCodes.length === 0
              ? t("risk:programmes.all")
              : r.regionCodes.map((c) => regionName(c, lang)).join(t("common:listSeparator"))}
          </li>
          <li>
            {t("risk:programmes.products")}：
            {p.productNames.length === 0
              ? t("risk:programmes.all")
              : p.productNames.join(t("common:listSeparator"))}
          </li>
          {r.requiredFlags.length > 0 ? (
            <li>
              {t("risk:programmes.flags")}：
              {r.requiredFlags
                .map((f) => t(`products:flagsInline.${f}`))
                .join(t("common:listSeparator"))}
            </li>
          ) : null}
          {r.firstPledgeOnly ? <li>{t("risk:programmes.firstPledgeOnly")}</li> : null}
          {p.autoApprove ? <li>{t("risk:programmes.autoApprove")}</li> : null}
        </ul>
      </section>
      {deciding ? (
        <Form
          method="post"
          className="card stack"
          {...getFormProps(form)}
          data-testid="decide-form"
        >
          <h2>
            {t(`risk:programmes.${intent}Title`, {
              id: deciding.id,
              amount: formatMoneyExact(deciding.amountFen, lang),
            })}
          </h2>
          <p>
            {deciding.firmName} · {t("risk:subsidies.loan", { id: deciding.applicationId })}
          </p>
          <FormErrors errors={form.errors} />
          <input type="hidden" name="intent" value={intent} />
          <input type="hidden" name="claimId" value={deciding.id} />
          {intent === "reject" ? (
            <Field
              id={fields.reason.id}
              label={t("risk:programmes.reason")}
              errors={fields.reason.errors}
            >
              <textarea {...getTextareaProps(fields.reason)} rows={2} />
            </Field>
          ) : null}
          <ConfirmBox
            id="decide-confirm"
            label={t(`risk:programmes.${intent}Confirm`)}
            errors={fields.confirm.errors}
          />
          <div style={{ display: "flex", gap: "1rem", flexWrap: "wrap" }}>
            <button
              type="submit"
              className={`button ${intent === "reject" ? "button-danger" : "button-primary"}`}
              data-testid="decide-submit"
            >
              {t(`risk:programmes.${intent}`)}
            </button>
            <Link to={`/subsidies/${p.id}`}>{t("risk:programmes.cancel")}</Link>
          </div>
        </Form>
      ) : null}
      <h2>{t("risk:programmes.claims")}</h2>
      {p.claims.length === 0 ? <p className="empty">{t("risk:programmes.noClaims")}</p> : null}
      {p.claims.map((c) => (
        <section key={c.id} className="card" data-testid={`claim-${c.id}`}>
          <h3>
            #{c.id} {c.firmName}{" "}
            <small className="muted">{t(`risk:subsidies.state.${c.state}`)}</small>
          </h3>
          <p className="muted">
            {t("risk:subsidies.loan", { id: c.applicationId })}
            {c.firmRegion ? ` · ${regionName(c.firmRegion, lang)}` : ""} · {c.year}
          </p>
          <p>
            {t("risk:subsidies.interest")} {money(c.interestFen)} · {t("risk:programmes.computed")}{" "}
            {money(c.computedFen)} · {t("risk:subsidies.amount")}{" "}
            <strong>{money(c.amountFen)}</strong>
          </p>
          {c.rejectReason ? (
            <p className="muted">
              {t("risk:programmes.rejectedBecause", { reason: c.rejectReason })}
            </p>
          ) : null}
          {c.state === "pending" ? (
            <p style={{ display: "flex", gap: "1rem", flexWrap: "wrap" }}>
              <Link to={`?decide=${c.id}&intent=approve`} data-testid={`approve-${c.id}`}>
                {t("risk:programmes.approve")}
              </Link>
              <Link to={`?decide=${c.id}&intent=reject`} data-testid={`reject-${c.id}`}>
                {t("risk:programmes.reject")}
              </Link>
            </p>
          ) : null}
        </section>
      ))}
    </div>
  );
}
