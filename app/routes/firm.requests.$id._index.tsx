import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
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
import { formatBp, formatMoney } from "../domain/money";
import { UserFacingError } from "../models/errors";
import {
  countActiveProducts,
  findMatchesForRequest,
  MATCH_PAGE_SIZE,
  NEAR_MISS_PAGE_SIZE,
} from "../models/matching.server";
import { productTermsFromRow } from "../domain/matching/rows";
import { parsePage } from "../models/product.server";
import { applyFromMatch, closeRequest, getFirmRequest } from "../models/request.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { translateMessage } from "../utils/messages";
import { getServerT } from "../utils/i18n.server";
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
  const mp = parsePage(url.searchParams.get("mp"));
  const np = parsePage(url.searchParams.get("np"));
  const today = todayInChina();
  const sort = url.searchParams.get("sort") === "rate" ? "rate" : "score";
  const [result, activeProducts, states] = await Promise.all([
    withDb(findMatchesForRequest, req.id, today, {
      matchOffset: (mp - 1) * MATCH_PAGE_SIZE,
      matchLimit: MATCH_PAGE_SIZE,
      nearMissOffset: (np - 1) * NEAR_MISS_PAGE_SIZE,
      nearMissLimit: NEAR_MISS_PAGE_SIZE,
    }),
    withDb(countActiveProducts),
    withDb(findProductStatesForRequest, req.id, today, sort),
  ]);
  if (!result || !states) throw new Response("Not Found", { status: 404 });
  const stateRow = (e: ProductEvaluation) => {
    const p = states.products.get(e.productId)!;
    return { product: { id: p.id, name: p.name, bankName: p.bank_name }, e };
  };
  const assets = Object.fromEntries(
    result.loaded.assetRows.map((a) => [
      a.id,
      { number: a.number, title: a.title, ipType: a.ip_type },
    ]),
  );
  const product = (e: ProductEvaluation) => {
    const p = result.products.get(e.productId)!;
    return { id: p.id, name: p.name, bankName: p.bank_name, terms: productTermsFromRow(p) };
  };
  const confirm = url.searchParams.get("confirm");
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
    activeProducts,
    assets,
    matchCount: result.matchCount,
    nearMissCount: result.nearMissCount,
    mp,
    np,
    matchPages: Math.max(1, Math.ceil(result.matchCount / MATCH_PAGE_SIZE)),
    nearPages: Math.max(1, Math.ceil(result.nearMissCount / NEAR_MISS_PAGE_SIZE)),
    sort,
    states: Object.fromEntries(
      MATCH_STATES.map((k) => [k, states.groups[k].map(stateRow)]),
    ) as Record<MatchState, ReturnType<typeof stateRow>[]>,
    stateOf: Object.fromEntries(
      MATCH_STATES.flatMap((k) => states.groups[k].map((e) => [e.productId, k])),
    ) as Record<number, MatchState>,
    bestChange: states.bestChange,
    appraisalFeeFen: states.appraisalFeeFen,
    valuerCount: states.valuerCount,
    typicalSigningDays: states.typicalSigningDays,
    matches: result.matches.map((e) => ({ product: product(e), e })),
    nearMisses: result.nearMisses.map((e) => ({ product: product(e), e })),
  };
}

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("apply"), productId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("close"), version: z.coerce.number().int() }),
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
        {t("products:match.evaluated", {
          products: data.activeProducts,
          matches: data.matchCount,
          nearMisses: data.nearMissCount,
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
              <article key={product.id} className="card stack" data-testid="state-product">
                <div className="checks" style={{ justifyContent: "space-between" }}>
                  <strong>
                    {product.name} <span className="muted">· {product.bankName}</span>
                  </strong>
                  {e.score !== undefined ? (
                    <span className="badge">
                      {t("products:match.score", { score: e.score.toFixed(1) })}
                    </span>
                  ) : null}
                </div>
                <span className="muted">
                  {t("products:match.effectiveRate", { rate: formatBp(e.effectiveRateBp) })}
                </span>
                {state === "ready" ? (
                  <p data-testid="state-reason">{t("products:states.readyHint")}</p>
                ) : null}
                {state === "needs_appraisal" ? (
                  <div className="stack" data-testid="state-reason">
                    <p>{t("products:states.appraisalHint")}</p>
                    <ul>
                      {(e.appraisalAssetIds ?? []).map((id) => {
                        const a = data.assets[id];
                        const fee = data.appraisalFeeFen[id];
                        return (
                          <li key={id}>
                            {t("products:states.appraisalAsset", {
                              asset: a
                                ? `${ipTypeLabel(t, a.ipType)} ${a.number} 「${a.title}」`
                                : id,
                              fee: fee !== undefined ? money(fee) : "—",
                            })}
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
                        : t("products:states.appraisalMetaNoHistory", {
                            valuers: data.valuerCount,
                          })}
                    </span>
                    {open ? (
                      <Link
                        className="button"
                        data-testid="order-appraisal"
                        to={`/firm/appraisals/new?${(e.appraisalAssetIds ?? [])
                          .map((id) => `asset=${id}`)
                          .join("&")}`}
                      >
                        {t("products:states.order")}
                      </Link>
                    ) : null}
                  </div>
                ) : null}
                {state === "near_miss" || state === "not_suitable" ? (
                  <ul data-testid="state-reason">
                    {stateFailures(e).map((f, i) => (
                      <li key={i}>{translateMessage(t, explainFailure(f), lang, "auto")}</li>
                    ))}
                  </ul>
                ) : null}
              </article>
            ))}
          </div>
        ))}
      </section>

      <section className="grid" style={{ gap: "0.75rem" }} data-testid="matches">
        <h2>{t("products:match.matches", { count: data.matchCount })}</h2>
        {data.matchCount === 0 ? (
          <div className="empty" data-testid="no-matches">
            {t("products:match.noMatches")}
          </div>
        ) : null}
        {data.matches.map(({ product, e }) => (
          <article key={product.id} className="card stack" data-testid="match">
            <div className="checks" style={{ justifyContent: "space-between" }}>
              <h3>
                {product.name} <span className="muted">· {product.bankName}</span>
              </h3>
              <span className="badge" data-testid="match-state">
                {t(`products:states.badge.${data.stateOf[product.id] ?? "not_suitable"}`)}
              </span>
              <span className="badge badge-ok" data-testid="match-score">
                {t("products:match.score", { score: (e.score ?? 0).toFixed(1) })}
              </span>
            </div>
            <p>
              {t("products:match.effectiveRate", { rate: formatBp(e.effectiveRateBp) })} ·{" "}
              {t("products:match.capacity", { capacity: money(e.capacityFen) })}
            </p>
            {e.collateral ? (
              <div data-testid="collateral">
                <strong>{t("products:match.collateral")}</strong>
                <ul>
                  {e.collateral.assetIds.map((id) => {
                    const a = data.assets[id];
                    const el = e.eligibleAssets.find((x) => x.assetId === id);
                    return (
                      <li key={id}>
                        {a ? `${ipTypeLabel(t, a.ipType)} ${a.number} 「${a.title}」` : id}
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
            <details>
              <summary>{t("products:match.viewTerms")}</summary>
              <ProductTermsList terms={product.terms} />
            </details>
            {open ? (
              <Form method="post">
                <input type="hidden" name="intent" value="apply" />
                <input type="hidden" name="productId" value={product.id} />
                <button type="submit" className="button button-primary" data-testid="apply">
                  {t("products:match.apply")}
                </button>
              </Form>
            ) : null}
          </article>
        ))}
        {data.matchPages > 1 ? (
          <p className="muted">
            {data.mp > 1 ? (
              <Link to={withParam(location.search, "mp", data.mp - 1)}>{t("pagination.prev")}</Link>
            ) : null}{" "}
            {t("pagination.page", {
              page: data.mp,
              pages: data.matchPages,
              total: data.matchCount,
            })}{" "}
            {data.mp < data.matchPages ? (
              <Link to={withParam(location.search, "mp", data.mp + 1)}>{t("pagination.next")}</Link>
            ) : null}
          </p>
        ) : null}
      </section>

      <section className="grid" style={{ gap: "0.75rem" }} data-testid="near-misses">
        <h2>{t("products:match.nearMisses", { count: data.nearMissCount })}</h2>
        {data.nearMissCount === 0 ? (
          <div className="empty">{t("products:match.noNearMisses")}</div>
        ) : null}
        {data.nearMisses.map(({ product, e }) => (
          <article key={product.id} className="card stack" data-testid="near-miss">
            <h3>
              {product.name} <span className="muted">· {product.bankName}</span>
            </h3>
            <div>
              <strong>{t("products:match.fix")}</strong>
              <ul data-testid="near-miss-fix">
                {e.failures.map((f, i) => (
                  <li key={i}>{translateMessage(t, explainFailure(f), lang, "auto")}</li>
                ))}
              </ul>
            </div>
            <details>
              <summary>{t("products:match.viewTerms")}</summary>
              <ProductTermsList terms={product.terms} />
            </details>
          </article>
        ))}
        {data.nearPages > 1 ? (
          <p className="muted">
            {data.np > 1 ? (
              <Link to={withParam(location.search, "np", data.np - 1)}>{t("pagination.prev")}</Link>
            ) : null}{" "}
            {t("pagination.page", {
              page: data.np,
              pages: data.nearPages,
              total: data.nearMissCount,
            })}{" "}
            {data.np < data.nearPages ? (
              <Link to={withParam(location.search, "np", data.np + 1)}>{t("pagination.next")}</Link>
            ) : null}
          </p>
        ) : null}
      </section>
    </div>
  );
}
