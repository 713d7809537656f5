import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formErrorsOf } from "../components/Field";
import { formatBp } from "../domain/money";
import { bpToPercentInput } from "../domain/percent";
import { UserFacingError } from "../models/errors";
import {
  listQuotableProducts,
  quoteKindFor,
  quoteProduct,
} from "../models/risk-sharing/quotes.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorize, forbidden } from "../utils/permissions.server";
import { quoteSchema } from "../utils/subsidy-schemas";

/**
 * An insurer or guarantor quotes its rate per product. Every alliance member has the page in its
 * menu, so the others get an explanation rather than a 403; their posts are still refused.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskQuote.set");
  try {
    return await withDb(listQuotableProducts, {
      userId: user.id,
      orgId: user.org_id,
      role: user.role,
    });
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 403) {
      const none: Awaited<ReturnType<typeof listQuotableProducts>>["products"] = [];
      return { kind: null, products: none };
    }
    throw e;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "riskQuote.set");
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  if (!(await withDb(quoteKindFor, actor))) forbidden();
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: quoteSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    await withDb(quoteProduct, actor, { productId: v.productId, rateBp: v.rate });
    return redirect(`/alliance/quotes?saved=${v.productId}`);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 403) forbidden();
    return refusal(e, submission, t, locale, { productId: v.productId }, { rateBp: "" });
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:quotes.title");

export default function AllianceQuotes() {
  const { kind, products } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]>; productId?: number }>();
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const errors = formErrorsOf(actionData?.result) ?? [];
  const fieldErrors = actionData?.result?.error?.rate ?? [];
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>
        {t("risk:quotes.title")}{" "}
        {kind ? <small className="muted">{t(`risk:quotes.kind.${kind}`)}</small> : null}
      </h1>
      <p className="muted">{t("risk:quotes.intro")}</p>
      {kind ? null : (
        <p className="empty" data-testid="quotes-not-party">
          {t("risk:quotes.notCoverParty")}
        </p>
      )}
      {search.get("saved") ? (
        <p className="notice" role="status">
          {t("risk:quotes.saved")}
        </p>
      ) : null}
      {kind && products.length === 0 ? <p className="empty">{t("risk:quotes.empty")}</p> : null}
      {products.map((p) => {
        const mine = actionData?.productId === p.id;
        return (
          <section key={p.id} className="card" data-testid={`quote-product-${p.id}`}>
            <h2>{p.name}</h2>
            <p className="muted">
              {p.bankName} ·{" "}
              {p.rateBp === null
                ? t("risk:quotes.none")
                : t("risk:quotes.current", { rate: formatBp(p.rateBp) })}
            </p>
            <Form method="post" className="stack">
              <input type="hidden" name="productId" value={p.id} />
              {mine
                ? [...errors, ...fieldErrors].map((e) => (
                    <p key={e} className="error" role="alert">
                      {e}
                    </p>
                  ))
                : null}
              <label htmlFor={`rate-${p.id}`}>{t("risk:quotes.rate")}</label>
              <input
                id={`rate-${p.id}`}
                name="rate"
                type="text"
                inputMode="decimal"
                defaultValue={p.rateBp === null ? "" : bpToPercentInput(p.rateBp)}
                aria-describedby={`rate-${p.id}-hint`}
              />
              <div className="hint" id={`rate-${p.id}-hint`}>
                {t("risk:quotes.rateHint")}
              </div>
              <div>
                <button type="submit" className="button button-primary">
                  {t("risk:quotes.save")}
                </button>
              </div>
            </Form>
          </section>
        );
      })}
    </div>
  );
}
