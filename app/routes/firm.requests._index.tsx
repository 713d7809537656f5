import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager, withParam } from "../components/Pager";
import { formatBp, formatMoney } from "../domain/money";
import { parsePage } from "../models/product.server";
import { listFirmRequests } from "../models/request.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "request.view");
  const page = parsePage(new URL(request.url).searchParams.get("page"));
  return withDb(listFirmRequests, user.org_id, page);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "products:titles.requests");

export default function Requests() {
  const { rows, page, pages, total } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const location = useLocation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <div className="checks" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <h1>{t("products:requests.listTitle")}</h1>
        <Link to="/firm/requests/new" className="button button-primary" data-testid="new-request">
          {t("products:requests.new")}
        </Link>
      </div>
      {total === 0 ? (
        <div className="empty" data-testid="requests-empty">
          <p>{t("products:requests.empty")}</p>
          <Link to="/firm/requests/new" className="button button-primary" data-testid="empty-next">
            {t("products:requests.new")}
          </Link>
        </div>
      ) : (
        <>
          <table className="data" data-testid="requests-table">
            <thead>
              <tr>
                <th>#</th>
                <th className="num">{t("products:requests.amount")}</th>
                <th className="num">{t("products:requests.term")}</th>
                <th className="num">{t("products:requests.maxRate")}</th>
                <th>{t("products:requests.purpose")}</th>
                <th className="num">{t("products:requests.assets")}</th>
                <th>{t("products:requests.status")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="request-row">
                  <td>{r.id}</td>
                  <td className="num">{formatMoney(Number(r.amount_fen), i18n.language)}</td>
                  <td className="num">{r.term_months}</td>
                  <td className="num">{formatBp(r.max_rate_bp)}</td>
                  <td>{r.purpose}</td>
                  <td className="num">
                    {t("products:requests.assetCount", { count: r.asset_count })}
                  </td>
                  <td>
                    <span className={`badge ${r.status === "open" ? "badge-ok" : ""}`}>
                      {t(`products:state.${r.status}`)}
                    </span>
                  </td>
                  <td>
                    <Link to={`/firm/requests/${r.id}`}>{t("products:requests.view")}</Link>
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
