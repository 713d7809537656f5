import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager, withParam } from "../components/Pager";
import { ProductStateBadge } from "../components/products";
import { BANK_STATES } from "../domain/matching";
import { countRequestStatesForProducts } from "../models/matching.server";
import { listBankProducts, parsePage } from "../models/product.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

/** Products per page: each one's count is an exact match over every open request. */
const PAGE_SIZE = 10;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "pipeline.view");
  const page = parsePage(new URL(request.url).searchParams.get("page"));
  const today = todayInChina();
  const list = await withDb(listBankProducts, user.org_id, page, PAGE_SIZE);
  // The engine's states, as on each product's own page, counted for the whole page in one pass
  // (a paused product serves none).
  const states = await withDb(
    countRequestStatesForProducts,
    list.rows.filter((p) => p.active === 1).map((p) => p.id),
    today,
  );
  const rows = list.rows.map((p) => {
    const counts = states.get(p.id) ?? { ready: 0, needs_appraisal: 0, near_miss: 0 };
    return {
      id: p.id,
      name: p.name,
      active: p.active === 1,
      counts,
      matching: BANK_STATES.reduce((n, s) => n + counts[s], 0),
    };
  });
  return { ...list, rows };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "products:titles.pipeline");

export default function Pipeline() {
  const { rows, page, pages, total } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("products:pipeline.title")}</h1>
      <p className="muted">{t("products:pipeline.intro")}</p>
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
                  <td>{p.name}</td>
                  <td>
                    <ProductStateBadge active={p.active} />
                  </td>
                  <td className="num">
                    <span data-testid="pipeline-count">{p.matching}</span>
                    <br />
                    <span className="muted" data-testid="pipeline-state-counts">
                      {t("products:pipeline.countsLine", {
                        ready: p.counts.ready,
                        needs: p.counts.needs_appraisal,
                        near: p.counts.near_miss,
                      })}
                    </span>
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
