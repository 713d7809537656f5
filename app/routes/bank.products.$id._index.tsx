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
import { Pager, withParam } from "../components/Pager";
import { ProductStateBadge, ProductTermsList } from "../components/products";
import { formatInstant } from "../domain/dates";
import { industryName } from "../domain/industry";
import { ipTypeLabel } from "../domain/ip";
import {
  BANK_STATES,
  explainFailure,
  explainPass,
  type BankState,
  stateFailures,
  type Failure,
  type ProductEvaluation,
} from "../domain/matching";
import { formatBp, formatMoney, parseYuanToFen } from "../domain/money";
import { PLEDGE_IP_TYPES, isPledgeIpType } from "../domain/product";
import { isRegionCode, regionName } from "../domain/regions";
import { UserFacingError } from "../models/errors";
import { findRequestStatesForProduct, type RequestFilters } from "../models/matching.server";
import { flagsOfMask, productTermsFromRow, firmProfileFromRequest } from "../domain/matching/rows";
import { getBankProduct, parsePage, setProductActive } from "../models/product.server";
import { listProductQuotes } from "../models/risk-sharing/quotes.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { pseudonymCode } from "../utils/pseudonym.server";
import { withDb } from "../models/with-db.server";
import { ownerAssumptionsByAsset, type OwnerAssumptions } from "../models/valuation.server";
import { translateMessage } from "../utils/messages";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";
import { dataPageTitle } from "../utils/meta";
import { RegionOptions } from "../components/RegionOptions";
import { formErrorsOf } from "../components/Field";

const PIPELINE_PAGE_SIZE = 20;
const Params = z.object({ id: z.coerce.number().int().positive() });

/** Filters from the query string; anything unreadable is ignored, not an error. */
function readFilters(url: URL): RequestFilters & { raw: Record<string, string> } {
  const q = url.searchParams;
  const raw = {
    region: q.get("region") ?? "",
    ipType: q.get("ipType") ?? "",
    minAmount: q.get("minAmount") ?? "",
    maxAmount: q.get("maxAmount") ?? "",
  };
  const f: RequestFilters = {};
  if (isRegionCode(raw.region)) f.regionCode = raw.region;
  if (isPledgeIpType(raw.ipType)) f.ipType = raw.ipType;
  const lo = raw.minAmount ? parseYuanToFen(raw.minAmount) : null;
  const hi = raw.maxAmount ? parseYuanToFen(raw.maxAmount) : null;
  if (lo !== null) f.minAmountFen = lo;
  if (hi !== null) f.maxAmountFen = hi;
  return { ...f, raw };
}

/**
 * The assets a request is judged on by indicative value: those counted as indicative, and those a
 * product requiring a formal appraisal still needs appraised (subject to appraisal).
 */
function indicativeAssetIds(e: ProductEvaluation): number[] {
  const ids = e.eligibleAssets.filter((a) => a.valueBasis === "indicative").map((a) => a.assetId);
  return [...new Set([...ids, ...(e.appraisalAssetIds ?? [])])];
}

/**
 * What a bank may see of a matching request: no name, no USCC, no asset titles or numbers. The
 * owner's own estimate inputs behind an indicative value are shown, labelled as the firm's figures.
 */
function bankView(
  owner: Map<number, OwnerAssumptions>,
  row: {
    state: BankState;
    evaluation: ProductEvaluation;
    requestId: number;
    firmOrgId: number;
    row: {
      region_code: string;
      industry_bit: number;
      flags_mask: number;
      amount_fen: number;
      term_months: number;
      max_rate_bp: number;
      created_at: string;
      firm_org_id: number;
    };
  },
) {
  const e = row.evaluation;
  const ownerFigures = indicativeAssetIds(e).flatMap((assetId) => {
    const o = owner.get(assetId);
    if (!o) return [];
    const r = o.result.inputs.revenue;
    return [
      {
        ipType: o.result.inputs.ipType,
        revenueFen: Math.round(
          r.kind === "growth" ? r.year1RevenueFen : (r.revenueFenByYear[0] ?? 0),
        ),
        royaltyRateBp: o.result.inputs.royaltyRateBp,
        discountRateBp: o.result.inputs.discountRateBp,
        warnings: o.honesty.warnings.length,
      },
    ];
  });
  const firm = firmProfileFromRequest({ ...row.row, id: row.requestId });
  const byType = PLEDGE_IP_TYPES.flatMap((type) => {
    const assets = e.eligibleAssets.filter((a) => a.ipType === type);
    if (assets.length === 0) return [];
    return [
      {
        type,
        count: assets.length,
        valueFen: assets.reduce((s, a) => s + a.valueFen, 0),
        indicative: assets.some((a) => a.valueBasis === "indicative"),
      },
    ];
  });
  return {
    requestId: row.requestId,
    // The keyed code the alliance review shows too: one pseudonym per firm, not enumerable.
    pseudonym: pseudonymCode(row.firmOrgId),
    regionCode: firm.regionCode,
    industry: firm.industrySection,
    flags: flagsOfMask(row.row.flags_mask),
    amountFen: Number(row.row.amount_fen),
    termMonths: row.row.term_months,
    maxRateBp: row.row.max_rate_bp,
    postedOn: formatInstant(row.row.created_at, "day"),
    collateral: byType,
    capacityFen: e.capacityFen,
    ownerFigures,
    score: e.score ?? null,
    state: row.state,
    passes: e.passes,
    // A near miss says what is missing; an asset is never named to the bank (see above).
    failures:
      row.state === "near_miss"
        ? stateFailures(e).map((f): Failure =>
            "assetTitle" in f ? { ...f, assetTitle: "", assetId: 0 } : f,
          )
        : [],
  };
}

async function ownProduct(request: Request, params: unknown) {
  const user = await authorize(request, "product.view");
  const p = Params.safeParse(params);
  const product = p.success ? await withDb(getBankProduct, user.org_id, p.data.id) : null;
  if (!product) throw new Response("Not Found", { status: 404 });
  assertCan(user, "product.view", { bankOrgId: product.bank_org_id });
  return { user, product };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, product } = await ownProduct(request, params);
  const url = new URL(request.url);
  const filters = readFilters(url);
  const page = parsePage(url.searchParams.get("page"));
  const rawState = url.searchParams.get("state");
  const state = BANK_STATES.find((s) => s === rawState);
  const pipeline = await withDb(
    findRequestStatesForProduct,
    product.id,
    { page, pageSize: PIPELINE_PAGE_SIZE, filters, bankOrgId: user.org_id, state },
    todayInChina(),
  );
  const rows = pipeline?.rows ?? [];
  const owner = await withDb(
    ownerAssumptionsByAsset,
    rows.flatMap((r) => indicativeAssetIds(r.evaluation)),
  );
  const confirm = url.searchParams.get("confirm");
  const quotes = await withDb(listProductQuotes, product.id);
  return {
    quotes: quotes.map((q) => ({
      id: q.id,
      kind: q.kind,
      rateBp: q.rateBp,
      partyName: q.partyName,
    })),
    product: {
      id: product.id,
      name: product.name,
      description: product.description,
      version: product.version,
      active: product.active === 1,
      terms: productTermsFromRow(product),
    },
    filters: filters.raw,
    confirm: confirm === "pause" || confirm === "resume" ? confirm : null,
    done: url.searchParams.get("done"),
    state: state ?? null,
    counts: pipeline?.counts ?? { ready: 0, needs_appraisal: 0, near_miss: 0 },
    total: pipeline?.total ?? 0,
    page,
    pages: pipeline?.pages ?? 1,
    rows: rows.map((r) => bankView(owner, r)),
  };
}

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("pause"), version: z.coerce.number().int() }),
  z.object({ intent: z.literal("resume"), version: z.coerce.number().int() }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, product } = await ownProduct(request, params);
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ formErrors: [t("products:errors.invalid")] }), {
      status: 400,
    });
  }
  const { intent, version } = submission.value;
  assertCan(user, "product.edit", { bankOrgId: product.bank_org_id });
  try {
    await withDb(setProductActive, {
      bankOrgId: user.org_id,
      userId: user.id,
      productId: product.id,
      expectedVersion: version,
      active: intent === "resume",
    });
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    if (e instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
  return redirect(`/bank/products/${product.id}?done=${intent === "pause" ? "paused" : "resumed"}`);
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  dataPageTitle(matches, data?.product.name, "products:titles.product");

const DONE: Record<string, string> = {
  created: "products:bank.created",
  saved: "products:bank.saved",
  paused: "products:bank.paused",
  resumed: "products:bank.resumed",
};

export default function ProductDetail() {
  const data = useLoaderData<typeof loader>();
  const formErrors = formErrorsOf(
    useActionData<typeof action>() as SubmissionResult<string[]> | undefined,
  );
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const { product } = data;
  const toggle = product.active ? "pause" : "resume";
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <p>
        <Link to="/bank/products">← {t("products:bank.listTitle")}</Link>
      </p>
      <div className="checks" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <h1>
          {product.name} <ProductStateBadge active={product.active} />
        </h1>
        <div className="checks">
          <Link
            to={`/bank/products/${product.id}/edit`}
            className="button"
            data-testid="edit-product"
          >
            {t("products:bank.edit")}
          </Link>
          <Link to={`?confirm=${toggle}`} className="button" data-testid="toggle-product">
            {product.active ? t("products:bank.pause") : t("products:bank.resume")}
          </Link>
        </div>
      </div>
      {data.done && DONE[data.done] ? (
        <div className="notice" data-testid="done">
          {t(DONE[data.done])}
        </div>
      ) : null}
      {formErrors ? (
        <div className="form-error" role="alert">
          {formErrors.join(" ")}
        </div>
      ) : null}
      {data.confirm ? (
        <Form method="post" className="card stack" data-testid="confirm-toggle">
          <h2>
            {t(
              data.confirm === "pause"
                ? "products:bank.pauseConfirmTitle"
                : "products:bank.resumeConfirmTitle",
              { name: product.name },
            )}
          </h2>
          <p>
            {t(
              data.confirm === "pause"
                ? "products:bank.pauseConfirmText"
                : "products:bank.resumeConfirmText",
            )}
          </p>
          <input type="hidden" name="intent" value={data.confirm} />
          <input type="hidden" name="version" value={product.version} />
          <div className="checks">
            <button
              type="submit"
              className={`button ${data.confirm === "pause" ? "button-danger" : "button-primary"}`}
              data-testid="confirm-toggle-submit"
            >
              {data.confirm === "pause"
                ? t("products:bank.confirmPause")
                : t("products:bank.confirmResume")}
            </button>
            <Link to={`/bank/products/${product.id}`} className="button">
              {t("actions.cancel")}
            </Link>
          </div>
        </Form>
      ) : null}
      <section className="card">
        <h2>{t("products:bank.terms")}</h2>
        {product.description ? <p>{product.description}</p> : null}
        <ProductTermsList terms={product.terms} />
      </section>
      <section className="card" data-testid="product-quotes">
        <h2>{t("risk:cover.quotes")}</h2>
        {data.quotes.length === 0 ? (
          <p className="empty">{t("risk:cover.noQuotes")}</p>
        ) : (
          <ul>
            {data.quotes.map((q) => (
              <li key={q.id}>
                {q.partyName} · {t(`risk:quotes.kind.${q.kind}`)} · {formatBp(q.rateBp)}
              </li>
            ))}
          </ul>
        )}
        <p className="muted">
          <small>{t("risk:cover.productHint")}</small>
        </p>
      </section>
      <section className="grid" style={{ gap: "0.75rem" }}>
        <h2>{t("products:bank.pipelineTitle")}</h2>
        {!product.active ? (
          <div className="empty" data-testid="pipeline-paused">
            {t("products:bank.pipelinePaused")}
          </div>
        ) : (
          <>
            <p className="muted">{t("products:bank.pipelineIntro")}</p>
            <Form method="get" className="checks" style={{ alignItems: "flex-end" }}>
              <label>
                {t("products:pipeline.filterRegion")}{" "}
                <select name="region" defaultValue={data.filters.region}>
                  <RegionOptions anyLabel={t("products:catalogue.any")} />
                </select>
              </label>
              <label>
                {t("products:pipeline.filterIpType")}{" "}
                <select name="ipType" defaultValue={data.filters.ipType}>
                  <option value="">{t("products:catalogue.any")}</option>
                  {PLEDGE_IP_TYPES.map((x) => (
                    <option key={x} value={x}>
                      {ipTypeLabel(t, x)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t("products:pipeline.filterMinAmount")}{" "}
                <input name="minAmount" defaultValue={data.filters.minAmount} size={10} />
              </label>
              <label>
                {t("products:pipeline.filterMaxAmount")}{" "}
                <input name="maxAmount" defaultValue={data.filters.maxAmount} size={10} />
              </label>
              <button type="submit" className="button">
                {t("products:pipeline.filter")}
              </button>
            </Form>
            <nav className="checks" data-testid="pipeline-states">
              {[null, ...BANK_STATES].map((st) => {
                const label =
                  st === null
                    ? t("products:pipeline.stateAll", {
                        count: BANK_STATES.reduce((n, s) => n + data.counts[s], 0),
                      })
                    : t(`products:pipeline.stateTab.${st}`, { count: data.counts[st] });
                return (
                  <Link
                    key={st ?? "all"}
                    to={withParam(withParam(location.search, "state", st ?? ""), "page", 1)}
                    className={st === data.state ? "badge badge-ok" : "badge"}
                    aria-current={st === data.state ? "page" : undefined}
                    data-testid={`pipeline-state-${st ?? "all"}`}
                  >
                    {label}
                  </Link>
                );
              })}
            </nav>
            <p data-testid="pipeline-total">
              {t("products:pipeline.total", { count: data.total })}
            </p>
            {data.rows.length === 0 ? (
              <div className="empty" data-testid="pipeline-empty">
                <p>{t("products:pipeline.none")}</p>
                <Link
                  to={`/bank/products/${data.product.id}/edit`}
                  className="button"
                  data-testid="empty-next"
                >
                  {t("products:pipeline.noneNext")}
                </Link>
              </div>
            ) : (
              <table className="data" data-testid="pipeline-table">
                <thead>
                  <tr>
                    <th>{t("products:pipeline.firm")}</th>
                    <th>{t("products:pipeline.region")}</th>
                    <th className="num">{t("products:pipeline.amount")}</th>
                    <th>{t("products:pipeline.collateral")}</th>
                    <th>{t("products:pipeline.state")}</th>
                    <th className="num">{t("products:pipeline.score")}</th>
                    <th>{t("products:pipeline.reasons")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rows.map((r) => (
                    <tr key={r.requestId} data-testid="pipeline-row" data-state={r.state}>
                      <td>
                        {t("products:pipeline.firmPseudonym", { code: r.pseudonym })}
                        <br />
                        <span className="muted">
                          {r.industry ? industryName(r.industry, lang) : "—"} ·{" "}
                          {r.flags.length
                            ? r.flags.map((f) => t(`products:flags.${f}`)).join(" · ")
                            : t("products:pipeline.noFlags")}
                        </span>
                      </td>
                      <td>{r.regionCode ? regionName(r.regionCode, lang) : "—"}</td>
                      <td className="num">
                        {money(r.amountFen)}
                        <br />
                        <span className="muted">
                          {t("products:pipeline.term")} {r.termMonths} ·{" "}
                          {t("products:pipeline.maxRate")} {formatBp(r.maxRateBp)}
                        </span>
                      </td>
                      <td>
                        {r.collateral.map((c) => (
                          <div key={c.type}>
                            {t("products:pipeline.collateralItem", {
                              type: ipTypeLabel(t, c.type),
                              count: c.count,
                              value: money(c.valueFen),
                            })}
                            {c.indicative ? (
                              <span className="muted">
                                {" "}
                                ({t("products:pipeline.indicativeNote")})
                              </span>
                            ) : null}
                          </div>
                        ))}
                        <span className="muted">
                          {t("products:pipeline.capacity", { capacity: money(r.capacityFen) })}
                        </span>
                        {r.ownerFigures.map((o, i) => (
                          <div key={i} className="muted" data-testid="pipeline-owner-figures">
                            {ipTypeLabel(t, o.ipType)}：
                            {t("assets:valuation.ownerFigures.pipelineLine", {
                              revenue: money(o.revenueFen),
                              royalty: formatBp(o.royaltyRateBp, 2, { trim: true }),
                              discount: formatBp(o.discountRateBp, 2, { trim: true }),
                            })}
                            {o.warnings > 0
                              ? ` · ${t("assets:valuation.ownerFigures.pipelineWarnings", { count: o.warnings })}`
                              : ""}
                          </div>
                        ))}
                      </td>
                      <td>
                        <span className="badge" data-testid="pipeline-state">
                          {t(`products:states.badge.${r.state}`)}
                        </span>
                      </td>
                      <td className="num">{r.score === null ? "—" : r.score.toFixed(1)}</td>
                      <td>
                        {r.failures.length ? (
                          <>
                            <strong>{t("products:pipeline.missing")}</strong>
                            <ul className="reasons" data-testid="pipeline-missing">
                              {r.failures.map((f, i) => (
                                <li key={i}>
                                  {translateMessage(
                                    t,
                                    explainFailure(
                                      "assetTitle" in f
                                        ? { ...f, assetTitle: t("products:pipeline.anAsset") }
                                        : f,
                                    ),
                                    lang,
                                    "auto",
                                  )}
                                </li>
                              ))}
                            </ul>
                          </>
                        ) : null}
                        <ul className="reasons">
                          {r.passes.map((p, i) => (
                            <li key={i}>{translateMessage(t, explainPass(p), lang, "auto")}</li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager
              page={data.page}
              pages={data.pages}
              total={data.total}
              href={(n) => withParam(location.search, "page", n)}
            />
          </>
        )}
      </section>
    </div>
  );
}
