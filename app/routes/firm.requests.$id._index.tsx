import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
} from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { formErrorsOf } from "../components/Field";
import { withParam } from "../components/Pager";
import { ProductTermsList } from "../components/products";
import {
  explainFailure,
  explainPass,
  MATCH_STATES,
  SCORE_WEIGHTS,
  stateFailures,
  type MatchState,
  type ProductEvaluation,
} from "../domain/matching";
import { findProductStatesForRequest } from "../models/match-states.server";
import { ipTypeLabel } from "../domain/ip";
import { formatBp, formatMoney, formatMoneyExact } from "../domain/money";
import { Money } from "../components/Money";
import { UserFacingError } from "../models/errors";
import { orderAppraisalsFromMatch } from "../models/match-appraisal.server";
import { startCheckout } from "../models/payment.server";
import { productTermsFromRow } from "../domain/matching/rows";
import { applyFromMatch, closeRequest, getFirmRequest } from "../models/request.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { translateMessage } from "../utils/messages";
import { getServerT } from "../utils/i18n.server";
import { getEnv } from "../utils/env.server";
import { isStripeEnabled } from "../utils/stripe.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

const Params = z.object({ id: z.coerce.number().int().positive() });

async function ownRequest(request: Request, params: unknown) {
  const user = await authorize(request, "request.view");
  const p = Params.safeParse(params);
  const req = p.success ? await withDb(getFirmRequest, user.org_id, p.data.id) : null;
  if (!req) throw new Response("Not Found", { status: 404 });
  assertCan(user, "request.view", { firmOrgId: req.firm_org_id });
  return { user, req };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { req } = await ownRequest(request, params);
  const url = new URL(request.url);
  const today = todayInChina();
  const sort = url.searchParams.get("sort") === "rate" ? "rate" : "score";
  const states = await withDb(findProductStatesForRequest, req.id, today, sort);
  if (!states) throw new Response("Not Found", { status: 404 });
  // Every active product, in its state, with what its card shows (docs/domain.md#matching).
  const stateRow = (e: ProductEvaluation) => {
    const p = states.products.get(e.productId)!;
    return {
      product: { id: p.id, name: p.name, bankName: p.bank_name, terms: productTermsFromRow(p) },
      e,
    };
  };
  const assets = Object.fromEntries(
    states.loaded.assetRows.map((a) => [
      a.id,
      { number: a.number, title: a.title, ipType: a.ip_type },
    ]),
  );
  const confirm = url.searchParams.get("confirm");
  const orderFor = Number(url.searchParams.get("order"));
  const groups = Object.fromEntries(
    MATCH_STATES.map((k) => [k, states.groups[k].map(stateRow)]),
  ) as Record<MatchState, ReturnType<typeof stateRow>[]>;
  return {
    request: {
      id: req.id,
      version: req.version,
      status: req.status,
      amountFen: Number(req.amount_fen),
      termMonths: req.term_months,
      maxRateBp: req.max_rate_bp,
      purpose: req.purpose,
    },
    confirmClose: confirm === "close" && req.status === "open",
    // The product whose appraisal order is being confirmed (only a subject-to-appraisal one).
    orderFor: states.groups.needs_appraisal.some((e) => e.productId === orderFor) ? orderFor : null,
    activeProducts: MATCH_STATES.reduce((n, k) => n + groups[k].length, 0),
    assets,
    sort,
    states: groups,
    bestChange: states.bestChange,
    appraisalFeeFen: states.appraisalFeeFen,
    openOrders: states.openOrders,
    valuers: states.valuers,
    valuerCount: states.valuerCount,
    typicalSigningDays: states.typicalSigningDays,
  };
}

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("apply"), productId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("close"), version: z.coerce.number().int() }),
  z.object({
    intent: z.literal("orderAppraisal"),
    productId: z.coerce.number().int().positive(),
    valuerOrgId: z.coerce.number().int().positive(),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, req } = await ownRequest(request, params);
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ formErrors: [t("products:errors.invalid")] }), {
      status: 400,
    });
  }
  const v = submission.value;
  try {
    if (v.intent === "close") {
      assertCan(user, "request.close", { firmOrgId: req.firm_org_id });
      await withDb(closeRequest, {
        firmOrgId: user.org_id,
        userId: user.id,
        requestId: req.id,
        expectedVersion: v.version,
      });
      return redirect(`/firm/requests/${req.id}?done=closed`);
    }
    if (v.intent === "orderAppraisal") {
      assertCan(user, "appraisalOrder.create", { firmOrgId: req.firm_org_id });
      const res = await withDb(orderAppraisalsFromMatch, user, {
        requestId: req.id,
        productId: v.productId,
        valuerOrgId: v.valuerOrgId,
      });
      // Into the payment flow: Stripe Checkout when online (idempotent per order, so a repeated
      // click reopens the same session), else the order page with the transfer details.
      if (isStripeEnabled()) {
        try {
          const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
          const { url } = await withDb(startCheckout, user, res.orderId, origin);
          return redirect(url);
        } catch (err) {
          if (!(err instanceof UserFacingError)) throw err;
          // Already paid, or Stripe unreachable: the order page says what to do next.
        }
      }
      return redirect(`/firm/appraisals/${res.orderId}${res.created ? "?created=1" : ""}`);
    }
    assertCan(user, "application.create", { firmOrgId: req.firm_org_id });
    const productId = v.productId;
    const applied = await withDb(applyFromMatch, {
      firmOrgId: user.org_id,
      userId: user.id,
      requestId: req.id,
      productId,
    });
    if (applied.outcome === "adjust") {
      return redirect(`/firm/applications/new?productId=${productId}&requestId=${req.id}`);
    }
    return redirect(`/firm/applications/${applied.applicationId}`);
  } catch (err) {
    if (err instanceof UserFacingError && err.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    if (err instanceof UserFacingError) {
      // A refused "apply" offers the application form, to adjust the terms by hand.
      const adjust =
        v.intent === "apply"
          ? `/firm/applications/new?productId=${v.productId}&requestId=${req.id}`
          : null;
      return Response.json(
        { ...submission.reply({ formErrors: [t(err.key, err.params)] }), adjust },
        { status: err.status },
      );
    }
    throw err;
  }
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, "products:titles.match", { id: data?.request.id ?? "" });

export default function MatchPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as
    (SubmissionResult<string[]> & { adjust?: string | null }) | undefined;
  const applyErrors = formErrorsOf(actionData);
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const r = data.request;
  const open = r.status === "open";
  const done = new URLSearchParams(location.search).get("done");
  const busy = useNavigation().state !== "idle";
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <p>
        <Link to="/firm/requests">← {t("products:requests.back")}</Link>
      </p>
      <div className="checks" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <h1>{t("products:match.title", { id: r.id })}</h1>
        {open ? (
          <div className="checks">
            <Link to={`/firm/requests/${r.id}/edit`} className="button" data-testid="edit-request">
              {t("products:requests.edit")}
            </Link>
            <Link to="?confirm=close" className="button" data-testid="close-request">
              {t("products:requests.close")}
            </Link>
          </div>
        ) : null}
      </div>
      <p data-testid="request-summary">
        {t("products:match.summary", {
          amount: money(r.amountFen),
          term: r.termMonths,
          rate: formatBp(r.maxRateBp),
        })}{" "}
        · {r.purpose}
      </p>
      {done === "closed" ? <div className="notice">{t("products:requests.closed")}</div> : null}
      {!open ? <div className="notice">{t("products:match.closedNotice")}</div> : null}
      {applyErrors ? (
        <div className="form-error" role="alert" data-testid="apply-error">
          {applyErrors.join(" ")}{" "}
          {actionData?.adjust ? (
            <Link to={actionData.adjust}>{t("products:match.applyAdjust")}</Link>
          ) : null}
        </div>
      ) : null}
      {data.confirmClose ? (
        <Form method="post" className="card stack" data-testid="confirm-close">
          <h2>{t("products:requests.closeTitle")}</h2>
          <p>{t("products:requests.closeText")}</p>
          <input type="hidden" name="intent" value="close" />
          <input type="hidden" name="version" value={r.version} />
          <div className="checks">
            <button
              type="submit"
              className="button button-danger"
              data-testid="confirm-close-submit"
            >
              {t("products:requests.confirmClose")}
            </button>
            <Link to={`/firm/requests/${r.id}`} className="button">
              {t("actions.cancel")}
            </Link>
          </div>
        </Form>
      ) : null}
      <p className="muted" data-testid="match-counts">
        {t("products:states.counts", {
          products: data.activeProducts,
          ready: data.states.ready.length,
          needs: data.states.needs_appraisal.length,
          near: data.states.near_miss.length,
          not: data.states.not_suitable.length,
        })}
      </p>

      <section className="grid" style={{ gap: "0.75rem" }} data-testid="product-states">
        <h2>{t("products:states.title")}</h2>
        <p className="muted">{t("products:states.intro", { count: data.activeProducts })}</p>
        {data.bestChange ? (
          <div className="notice" data-testid="best-change">
            {t(`products:states.bestChange.${data.bestChange.kind}`, {
              products: data.bestChange.products,
              count: data.bestChange.kind === "appraisal" ? data.bestChange.assetIds.length : 0,
              value:
                data.bestChange.kind === "collateral"
                  ? money(data.bestChange.collateralValueFen)
                  : "",
              amount:
                data.bestChange.kind === "smaller_amount" ||
                data.bestChange.kind === "larger_amount"
                  ? money(data.bestChange.amountFen)
                  : "",
              months:
                data.bestChange.kind === "longer_term" || data.bestChange.kind === "shorter_term"
                  ? data.bestChange.termMonths
                  : 0,
              rate: data.bestChange.kind === "higher_rate" ? formatBp(data.bestChange.rateBp) : "",
            })}
          </div>
        ) : null}
        <p className="muted" data-testid="score-legend">
          {t("products:states.legend", {
            rate: SCORE_WEIGHTS.rate,
            risk: SCORE_WEIGHTS.riskShare,
            headroom: SCORE_WEIGHTS.headroom,
            term: SCORE_WEIGHTS.termFit,
          })}
        </p>
        <p className="checks" data-testid="sort">
          <span>{t("products:states.sort")}:</span>
          {data.sort === "score" ? (
            <strong>{t("products:states.sortScore")}</strong>
          ) : (
            <Link to={withParam(location.search, "sort", "score")}>
              {t("products:states.sortScore")}
            </Link>
          )}
          {data.sort === "rate" ? (
            <strong>{t("products:states.sortRate")}</strong>
          ) : (
            <Link to={withParam(location.search, "sort", "rate")}>
              {t("products:states.sortRate")}
            </Link>
          )}
        </p>
        {MATCH_STATES.map((state) => (
          <div key={state} className="stack" data-testid={`state-${state}`}>
            <h3>{t(`products:states.${state}`, { count: data.states[state].length })}</h3>
            {data.states[state].length === 0 ? (
              <p className="muted">{t("products:states.emptyGroup")}</p>
            ) : null}
            {data.states[state].map(({ product, e }) => (
              <ProductCard
                key={product.id}
                state={state}
                product={product}
                e={e}
                open={open}
                busy={busy}
              />
            ))}
          </div>
        ))}
      </section>
    </div>
  );
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = Data["states"]["ready"][number];

/** One product in its state: why, what to do next (apply / order the appraisal / what to fix). */
function ProductCard({
  state,
  product,
  e,
  open,
  busy,
}: {
  state: MatchState;
  product: Row["product"];
  e: Row["e"];
  open: boolean;
  busy: boolean;
}) {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const location = useLocation();
  const assetLabel = (id: number) => {
    const a = data.assets[id];
    return a ? `${ipTypeLabel(t, a.ipType)} ${a.number} 「${a.title}」` : String(id);
  };
  const fits = state === "ready" || state === "needs_appraisal";
  const needed = e.appraisalAssetIds ?? [];
  const toOrder = needed.filter((id) => !data.openOrders[id]);
  const held = [...new Set(needed.flatMap((id) => data.openOrders[id] ?? []))].filter(
    (o, i, all) => all.findIndex((x) => x.orderId === o.orderId) === i,
  );
  const feeFen = toOrder.reduce((s, id) => s + (data.appraisalFeeFen[id] ?? 0), 0);
  const confirming = data.orderFor === product.id && toOrder.length > 0;
  return (
    <article
      id={`product-${product.id}`}
      className="card stack"
      data-testid="state-product"
      data-state={state}
      data-product={product.id}
    >
      <div className="checks" style={{ justifyContent: "space-between" }}>
        <strong>
          {product.name} <span className="muted">· {product.bankName}</span>
        </strong>
        <span className="badge" data-testid="match-state">
          {t(`products:states.badge.${state}`)}
        </span>
        {e.score !== undefined ? (
          <span className="badge badge-ok" data-testid="match-score">
            {t("products:match.score", { score: e.score.toFixed(1) })}
          </span>
        ) : null}
      </div>
      <span className="muted">
        {t("products:match.effectiveRate", { rate: formatBp(e.effectiveRateBp) })}
        {fits ? ` · ${t("products:match.capacity", { capacity: money(e.capacityFen) })}` : ""}
      </span>
      {state === "ready" ? (
        <p data-testid="state-reason">{t("products:states.readyHint")}</p>
      ) : null}
      {state === "needs_appraisal" ? (
        <div className="stack" data-testid="state-reason">
          <p>{t("products:states.appraisalHint")}</p>
          <ul data-testid="appraisal-assets">
            {needed.map((id) => {
              const fee = data.appraisalFeeFen[id];
              const o = data.openOrders[id];
              return (
                <li key={id}>
                  {t("products:states.appraisalAsset", {
                    asset: assetLabel(id),
                    fee: fee !== undefined ? money(fee) : "—",
                  })}
                  {o ? (
                    <span className="muted">
                      {" "}
                      · {t("products:states.inOpenOrder", { order: o.orderNumber })}
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <span className="muted">
            {data.typicalSigningDays !== null
              ? t("products:states.appraisalMeta", {
                  valuers: data.valuerCount,
                  days: data.typicalSigningDays,
                })
              : t("products:states.appraisalMetaNoHistory", { valuers: data.valuerCount })}
          </span>
          {held.map((o) => (
            <Link key={o.orderId} to={`/firm/appraisals/${o.orderId}`} data-testid="view-order">
              {t("products:states.viewOrder", { order: o.orderNumber })}
            </Link>
          ))}
          {open && toOrder.length > 0 && !confirming ? (
            data.valuerCount === 0 ? (
              <p className="muted">{t("products:states.orderNoValuers")}</p>
            ) : (
              <Link
                className="button button-primary"
                data-testid="order-appraisal"
                preventScrollReset
                to={`${withParam(location.search, "order", product.id)}#product-${product.id}`}
              >
                {t("products:states.orderOne", { fee: money(feeFen) })}
              </Link>
            )
          ) : null}
          {open && confirming ? (
            <Form method="post" className="stack card" data-testid="confirm-order-appraisal">
              <strong>{t("products:states.orderConfirmTitle")}</strong>
              <p>
                {data.typicalSigningDays !== null
                  ? t("products:states.orderConfirmText", {
                      count: toOrder.length,
                      fee: formatMoneyExact(feeFen, lang),
                      days: data.typicalSigningDays,
                    })
                  : t("products:states.orderConfirmTextNoHistory", {
                      count: toOrder.length,
                      fee: formatMoneyExact(feeFen, lang),
                    })}
              </p>
              <ul>
                {toOrder.map((id) => (
                  <li key={id}>
                    {assetLabel(id)} · <Money fen={data.appraisalFeeFen[id] ?? 0} />
                  </li>
                ))}
              </ul>
              <input type="hidden" name="intent" value="orderAppraisal" />
              <input type="hidden" name="productId" value={product.id} />
              <label className="stack">
                {t("products:states.orderValuer")}
                <select name="valuerOrgId" defaultValue={data.valuers[0]?.id} data-testid="valuer">
                  {data.valuers.map((v) => (
                    <option key={v.id} value={v.id}>
                      {v.name}
                    </option>
                  ))}
                </select>
              </label>
              <div className="checks">
                <button
                  type="submit"
                  className="button button-primary"
                  disabled={busy}
                  data-testid="confirm-order"
                >
                  {t("products:states.orderConfirm", { fee: formatMoneyExact(feeFen, lang) })}
                </button>
                <Link
                  to={withParam(location.search, "order", "")}
                  preventScrollReset
                  className="button"
                >
                  {t("products:states.orderCancel")}
                </Link>
              </div>
            </Form>
          ) : null}
        </div>
      ) : null}
      {fits && e.collateral ? (
        <div data-testid="collateral">
          <strong>{t("products:match.collateral")}</strong>
          <ul>
            {e.collateral.assetIds.map((id) => {
              const el = e.eligibleAssets.find((x) => x.assetId === id);
              return (
                <li key={id}>
                  {assetLabel(id)}
                  {el ? ` · ${money(el.valueFen)}` : ""}
                </li>
              );
            })}
          </ul>
          <span className="muted">
            {t("products:match.collateralValue", {
              value: money(e.collateral.pledgedValueFen),
              capacity: money(e.collateral.capacityFen),
            })}
            {e.collateral.exact ? "" : ` ${t("products:match.collateralApprox")}`}
          </span>
        </div>
      ) : null}
      {state === "near_miss" || state === "not_suitable" ? (
        <div>
          <strong>{t("products:match.fix")}</strong>
          <ul data-testid={state === "near_miss" ? "near-miss-fix" : "state-reason"}>
            {stateFailures(e).map((f, i) => (
              <li key={i}>{translateMessage(t, explainFailure(f), lang, "auto")}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {fits ? (
        <details>
          <summary>{t("products:match.reasons")}</summary>
          <ul data-testid="match-reasons">
            {e.passes.map((p, i) => (
              <li key={i}>{translateMessage(t, explainPass(p), lang, "auto")}</li>
            ))}
          </ul>
          {e.notes.length ? (
            <>
              <strong>{t("products:match.notes")}</strong>
              <ul>
                {e.notes.map((n, i) => (
                  <li key={i}>{translateMessage(t, explainFailure(n), lang, "auto")}</li>
                ))}
              </ul>
            </>
          ) : null}
        </details>
      ) : null}
      <details>
        <summary>{t("products:match.viewTerms")}</summary>
        <ProductTermsList terms={product.terms} />
      </details>
      {open && (state === "ready" || e.status === "match") ? (
        <Form method="post">
          <input type="hidden" name="intent" value="apply" />
          <input type="hidden" name="productId" value={product.id} />
          <button
            type="submit"
            className={`button ${state === "ready" ? "button-primary" : ""}`}
            disabled={busy}
            data-testid="apply"
          >
            {t("products:match.apply")}
          </button>
        </Form>
      ) : null}
    </article>
  );
}
