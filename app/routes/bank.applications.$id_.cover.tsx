import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ConfirmBox } from "../components/applications";
import { formErrorsOf } from "../components/Field";
import { formatBp, formatMoneyExact } from "../domain/money";
import { UserFacingError } from "../models/errors";
import type { RiskActor } from "../models/risk-sharing/common.server";
import { bindQuote, getApplicationCover } from "../models/risk-sharing/quotes.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize } from "../utils/permissions.server";
import { bindSchema } from "../utils/subsidy-schemas";

async function coverOr404(actor: RiskActor, idParam: string | undefined) {
  const id = Number(idParam);
  try {
    if (!Number.isSafeInteger(id) || id <= 0) throw new UserFacingError("", {}, undefined, 404);
    return await withDb(getApplicationCover, actor, id);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    throw e;
  }
}

/** The quotes on the application's product, and binding one at approval (premium recorded). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskPolicy.bind");
  const cover = await coverOr404(
    { userId: user.id, orgId: user.org_id, role: user.role },
    params.id,
  );
  assertCan(user, "riskPolicy.bind", { bankOrgId: cover.bankOrgId });
  return { cover };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "riskPolicy.bind");
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  const cover = await coverOr404(actor, params.id);
  assertCan(user, "riskPolicy.bind", { bankOrgId: cover.bankOrgId });
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: bindSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  try {
    await withDb(bindQuote, actor, {
      applicationId: cover.applicationId,
      quoteId: submission.value.quoteId,
    });
    return redirect(`/bank/applications/${cover.applicationId}/cover?bound=1`);
  } catch (e) {
    return refusal(e, submission, t, locale, {}, {});
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:cover.link");

export default function ApplicationCover() {
  const { cover } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const errors = [
    ...(formErrorsOf(actionData?.result) ?? []),
    ...(actionData?.result?.error?.confirm ?? []),
  ];
  const bindable = cover.state === "approved";
  const boundKinds = new Set(cover.policies.map((p) => p.kind));
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to={`/bank/applications/${cover.applicationId}`}>
          ← {t("risk:subsidies.loan", { id: cover.applicationId })}
        </Link>
      </p>
      <h1>{t("risk:cover.title", { id: cover.applicationId })}</h1>
      <p className="muted">{t("risk:cover.intro")}</p>
      {errors.map((e) => (
        <p key={e} className="error" role="alert">
          {e}
        </p>
      ))}
      <section className="card">
        <h2>{t("risk:cover.policies")}</h2>
        {cover.policies.length === 0 ? <p className="empty">{t("risk:cover.noPolicies")}</p> : null}
        <ul data-testid="policies">
          {cover.policies.map((p) => (
            <li key={p.id}>
              {t(`risk:quotes.kind.${p.kind}`)} · {p.partyName} · {formatBp(p.rateBp)} ·{" "}
              {t("risk:cover.insured")} {formatMoneyExact(p.insuredFen, lang)} ·{" "}
              {t("risk:cover.premium")} <strong>{formatMoneyExact(p.premiumFen, lang)}</strong>
            </li>
          ))}
        </ul>
      </section>
      <h2>{t("risk:cover.quotes")}</h2>
      {!bindable ? <p className="muted">{t("risk:cover.notApproved")}</p> : null}
      {cover.quotes.length === 0 ? <p className="empty">{t("risk:cover.noQuotes")}</p> : null}
      {cover.quotes.map((q) => (
        <section key={q.id} className="card" data-testid={`quote-${q.id}`}>
          <h3>
            {q.partyName} <small className="muted">{t(`risk:quotes.kind.${q.kind}`)}</small>
          </h3>
          <p>
            {formatBp(q.rateBp)}
            {q.premiumFen !== null ? (
              <>
                {" "}
                · {t("risk:cover.premium")} {formatMoneyExact(q.premiumFen, lang)}
              </>
            ) : null}
          </p>
          {bindable && !boundKinds.has(q.kind) ? (
            <Form method="post" className="stack">
              <input type="hidden" name="quoteId" value={q.id} />
              <ConfirmBox id={`bind-confirm-${q.id}`} label={t("risk:cover.confirm")} />
              <div>
                <button type="submit" className="button button-primary">
                  {t("risk:cover.bind")}
                </button>
              </div>
            </Form>
          ) : null}
        </section>
      ))}
    </div>
  );
}
