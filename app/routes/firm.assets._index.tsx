import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { AppraisalValidityText, AssetStatusBadge, ExpiryCell } from "../components/assets";
import { displayAssetNumber, LISTABLE_TRADEMARK_STATUSES } from "../domain/asset";
import { IP_TYPES, ipTypeLabel } from "../domain/ip";
import { formatMoney } from "../domain/money";
import { PATENT_STATUSES } from "../domain/patent";
import { ASSET_SORTS, listAssets, type AssetSort } from "../models/asset.server";
import { requireFirmActor } from "../utils/asset-routes.server";
import { withDb } from "../models/with-db.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

const PAGE_SIZE = 20;
const STATUSES = [...new Set<string>([...PATENT_STATUSES, ...LISTABLE_TRADEMARK_STATUSES])];

/** Bad query values fall back to the defaults instead of failing the page. */
const Query = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  type: z.enum(IP_TYPES).optional().catch(undefined),
  status: z
    .string()
    .refine((s) => STATUSES.includes(s))
    .optional()
    .catch(undefined),
  sort: z.enum(ASSET_SORTS).catch("created"),
  dir: z.enum(["asc", "desc"]).catch("desc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { actor } = await requireFirmActor(request, "asset.view");
  const query = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const list = await withDb(listAssets, actor.orgId, {
    ...query,
    q: query.q || undefined,
    pageSize: PAGE_SIZE,
  });
  return {
    ...list,
    query,
    filtered: Boolean(query.q || query.type || query.status),
    today: todayInChina(),
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.portfolio");

const COLUMNS: { key: string; sort?: AssetSort; numeric?: boolean }[] = [
  { key: "number", sort: "number" },
  { key: "title", sort: "title" },
  { key: "type", sort: "type" },
  { key: "status", sort: "status" },
  { key: "expiry", sort: "expiry" },
  { key: "indicative", sort: "indicative", numeric: true },
  { key: "formal", sort: "formal", numeric: true },
  { key: "validity", sort: "validity" },
];

export default function Portfolio() {
  const data = useLoaderData<typeof loader>();
  const { rows, total, page, pages, query, filtered, today } = data;
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const lang = i18n.language;

  const href = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    return s ? `?${s}` : "?";
  };
  const sortHref = (sort: AssetSort) =>
    href({
      sort,
      dir: query.sort === sort && query.dir === "asc" ? "desc" : "asc",
      page: null,
    });

  const imported = params.get("imported");
  const deleted = params.get("deleted");

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <div className="checks" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <h1 style={{ margin: 0 }}>{t("assets:portfolio.title")}</h1>
        <div className="checks">
          <Link to="/firm/assets/new-patent" className="button button-primary">
            {t("assets:portfolio.addPatent")}
          </Link>
          <Link to="/firm/assets/new-trademark" className="button button-primary">
            {t("assets:portfolio.addTrademark")}
          </Link>
          <Link to="/firm/assets/import" className="button">
            {t("assets:portfolio.import")}
          </Link>
        </div>
      </div>
      {imported ? (
        <div className="notice" role="status">
          {t("assets:portfolio.imported", { count: Number(imported) })}
        </div>
      ) : null}
      {deleted ? (
        <div className="notice" role="status">
          {t("assets:portfolio.deleted", { number: deleted })}
        </div>
      ) : null}

      {total === 0 && !filtered ? (
        <div className="empty" data-testid="assets-empty">
          <h2 style={{ marginTop: 0 }}>{t("assets:portfolio.emptyTitle")}</h2>
          <p>{t("assets:portfolio.emptyText")}</p>
          <p className="checks" style={{ justifyContent: "center" }}>
            <Link to="/firm/assets/new-patent" className="button button-primary">
              {t("assets:portfolio.addPatent")}
            </Link>
            <Link to="/firm/assets/new-trademark" className="button button-primary">
              {t("assets:portfolio.addTrademark")}
            </Link>
            <Link to="/firm/assets/import" className="button">
              {t("assets:portfolio.import")}
            </Link>
          </p>
        </div>
      ) : (
        <>
          <p className="muted" data-testid="assets-summary">
            {t("assets:portfolio.summary", {
              count: total,
              indicative: formatMoney(data.indicativeTotalFen, lang),
              formal: formatMoney(data.formalTotalFen, lang),
            })}
          </p>
          <Form method="get" className="checks" style={{ alignItems: "flex-end" }}>
            <input type="hidden" name="sort" value={query.sort} />
            <input type="hidden" name="dir" value={query.dir} />
            <div className="field">
              <label htmlFor="asset-q">{t("assets:portfolio.search")}</label>
              <input
                id="asset-q"
                name="q"
                type="search"
                defaultValue={query.q ?? ""}
                placeholder={t("assets:portfolio.searchPlaceholder")}
              />
            </div>
            <div className="field">
              <label htmlFor="asset-type">{t("assets:portfolio.type")}</label>
              <select id="asset-type" name="type" defaultValue={query.type ?? ""}>
                <option value="">{t("assets:portfolio.all")}</option>
                {IP_TYPES.map((ty) => (
                  <option key={ty} value={ty}>
                    {ipTypeLabel(t, ty)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="asset-status">{t("assets:portfolio.status")}</label>
              <select id="asset-status" name="status" defaultValue={query.status ?? ""}>
                <option value="">{t("assets:portfolio.all")}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`assets:statuses.${s}`)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button">
              {t("assets:portfolio.filter")}
            </button>
            {filtered ? <Link to="/firm/assets">{t("assets:portfolio.clear")}</Link> : null}
          </Form>

          {rows.length === 0 ? (
            <div className="empty">
              {t("assets:portfolio.noMatch")}{" "}
              <Link to="/firm/assets">{t("assets:portfolio.clear")}</Link>
            </div>
          ) : (
            <div style={{ overflowX: "auto" }}>
              <table className="data" data-testid="assets-table">
                <thead>
                  <tr>
                    {COLUMNS.map((c) => {
                      const label = t(`assets:portfolio.columns.${c.key}`);
                      const active = c.sort && query.sort === c.sort;
                      return (
                        <th
                          key={c.key}
                          className={c.numeric ? "num" : undefined}
                          aria-sort={
                            active ? (query.dir === "asc" ? "ascending" : "descending") : undefined
                          }
                        >
                          {c.sort ? (
                            <Link
                              to={sortHref(c.sort)}
                              title={t("assets:portfolio.sortBy", { column: label })}
                            >
                              {label}
                              {active ? (query.dir === "asc" ? " ▲" : " ▼") : ""}
                            </Link>
                          ) : (
                            label
                          )}
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id} data-testid="asset-row">
                      <td>
                        <Link to={`/firm/assets/${r.id}`}>
                          <code>{displayAssetNumber(r.asset_kind, r.number, r.status)}</code>
                        </Link>
                      </td>
                      <td>{r.title}</td>
                      <td>{ipTypeLabel(t, r.ip_type)}</td>
                      <td>
                        <AssetStatusBadge status={r.status} />
                      </td>
                      <td>
                        <ExpiryCell expiry={r.expiry_date} today={today} />
                      </td>
                      <td className="num">
                        {r.indicative_value_fen === null ? (
                          <Link to={`/firm/assets/${r.id}/valuation`}>
                            {t("assets:portfolio.valueNow")}
                          </Link>
                        ) : (
                          <>
                            {formatMoney(r.indicative_value_fen, lang)}
                            {r.indicative_low_fen !== null && r.indicative_high_fen !== null ? (
                              <div className="muted" style={{ fontSize: "0.8rem" }}>
                                {t("assets:portfolio.range", {
                                  low: formatMoney(r.indicative_low_fen, lang),
                                  high: formatMoney(r.indicative_high_fen, lang),
                                })}
                                <br />
                                {r.indicative_date}
                              </div>
                            ) : null}
                          </>
                        )}
                      </td>
                      <td className="num">
                        {r.formal_value_fen === null ? "—" : formatMoney(r.formal_value_fen, lang)}
                      </td>
                      <td>
                        <AppraisalValidityText validUntil={r.formal_valid_until} today={today} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted" data-testid="pager">
            {page > 1 ? (
              <Link to={href({ page: String(page - 1) })}>{t("pagination.prev")}</Link>
            ) : null}{" "}
            {t("pagination.page", { page, pages, total })}{" "}
            {page < pages ? (
              <Link to={href({ page: String(page + 1) })}>{t("pagination.next")}</Link>
            ) : null}
          </p>
        </>
      )}
    </div>
  );
}
