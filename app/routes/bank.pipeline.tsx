import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager, withParam } from "../components/Pager";
import { ProductStateBadge } from "../components/products";
import { formatInstant } from "../domain/dates";
import { BANK_STATES } from "../domain/matching";
import { pipelineCountsForProducts } from "../models/matching.server";
import { listBankProducts, parsePage } from "../models/product.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

/** Products per page: each one's count is the engine's judgement of every open request. */
const PAGE_SIZE = 10;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "pipeline.view");
  const page = parsePage(new URL(request.url).searchParams.get("page"));
  const today = todayInChina();
  const list = await withDb(listBankProducts, user.org_id, page, PAGE_SIZE);
  // The engine's states, as on each product's own page: judged now on a small marketplace, else
  // the stored counts a background refresh keeps at most a minute old (decision 024).
  const states = await withDb(
    pipelineCountsForProducts,
    list.rows.map((p) => ({ id: p.id, version: p.version, active: p.active === 1 })),
    today,
  );
  const rows = list.rows.map((p) => {
    const s = states.get(p.id);
    const counts = s?.counts ?? null;
    return {
      id: p.id,
      name: p.name,
      active: p.active === 1,
      counts,
      matching: counts ? BANK_STATES.reduce((n, st) => n + counts[st], 0) : null,
      computedAt: s && !s.live ? s.computedAt : null,
      refreshing: s?.refreshing ?? false,
    };
  });
  const stored = rows.filter((r) => r.computedAt !== null);
  // The oldest figure on the page is the one the note names.
  const asOf = stored.length
    ? stored.reduce((a, r) => (r.computedAt! < a ? r.computedAt! : a), stored[0].computedAt!)
    : null;
  const refreshing = rows.some((r) => r.refreshing);
  return { ...list, rows, asOf, refreshing };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "products:titles.pipeline");

export default function Pipeline() {
  const { rows, page, pages, total, asOf, refreshing } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("products:pipeline.title")}</h1>
      <p className="muted">{t("products:pipeline.intro")}</p>
      {asOf !== null || refreshing ? (
        <p className="muted" data-testid="pipeline-as-of">
          {asOf !== null
            ? t("products:pipeline.asOf", { at: formatInstant(asOf, "second") })
            : t("products:pipeline.firstCount")}
          {refreshing ? (
            <>
              {" "}
              {asOf !== null ? t("products:pipeline.refreshing") : null}{" "}
              <Link to={location.pathname + location.search}>{t("products:pipeline.reload")}</Link>
            </>
          ) : null}
        </p>
      ) : null}
      {total === 0 ? (
        <div className="empty" data-testid="pipeline-empty">
          {t("products:pipeline.empty")}{" "}
          <Link to="/bank/products/new">{t("products:bank.new")}</Link>
        </div>
      ) : (
        <>
          <table className="data" data-testid="pipeline-products">
            <thead>
              <tr>
                <th>{t("products:pipeline.product")}</th>
                <th>{t("products:bank.status")}</th>
                <th className="num">{t("products:pipeline.matching")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} data-testid="pipeline-product">
                  <td>
                    <Link to={`/bank/products/${p.id}`}>{p.name}</Link>
                  </td>
                  <td>
                    <ProductStateBadge active={p.active} />
                  </td>
                  <td className="num">
                    {p.counts === null ? (
                      <span className="muted" data-testid="pipeline-counting">
                        {t("products:pipeline.counting")}
                      </span>
                    ) : (
                      <>
                        <span data-testid="pipeline-count">{p.matching}</span>
                        <br />
                        <span className="muted" data-testid="pipeline-state-counts">
                          {t("products:pipeline.countsLine", {
                            ready: p.counts.ready,
                            needs: p.counts.needs_appraisal,
                            near: p.counts.near_miss,
                          })}
                        </span>
                      </>
                    )}
                  </td>
                  <td>
                    <Link to={`/bank/products/${p.id}`}>{t("products:pipeline.open")}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            page={page}
            pages={pages}
            total={total}
            href={(n) => withParam(location.search, "page", n)}
          />
        </>
      )}
    </div>
  );
}
