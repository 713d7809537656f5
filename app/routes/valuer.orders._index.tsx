import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, NavLink, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { OrderStatusBadge, Pager } from "../components/appraisal";
import { formatInstant } from "../domain/dates";
import { regionName } from "../domain/regions";
import { formatMoney } from "../domain/money";
import { listValuerOrders, PAGE_SIZE } from "../models/appraisal.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

const Query = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  tab: z.enum(["queue", "signed"]).catch("queue"),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.viewAssigned");
  const { page, tab } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total } = await withDb(listValuerOrders, user.org_id, tab, page);
  return { rows, total, page, tab, pageSize: PAGE_SIZE };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.orders");

export default function ValuerOrders() {
  const { rows, total, page, tab, pageSize } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const location = useLocation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("appraisal:valuer.title")}</h1>
      <nav className="checks" aria-label={t("appraisal:valuer.title")}>
        <NavLink to="?tab=queue" className={() => (tab === "queue" ? "active" : "")}>
          {t("appraisal:valuer.tabQueue")}
        </NavLink>
        <NavLink to="?tab=signed" className={() => (tab === "signed" ? "active" : "")}>
          {t("appraisal:valuer.tabSigned")}
        </NavLink>
      </nav>
      {rows.length === 0 ? (
        <div className="empty" data-testid="queue-empty">
          {tab === "queue" ? t("appraisal:valuer.queueEmpty") : t("appraisal:valuer.signedEmpty")}
        </div>
      ) : (
        <table className="data" data-testid="valuer-orders">
          <thead>
            <tr>
              <th>{t("appraisal:order.number")}</th>
              <th>{t("appraisal:valuer.firm")}</th>
              <th>{t("appraisal:valuer.region")}</th>
              <th className="num">{t("appraisal:order.assetCount")}</th>
              <th className="num">{t("appraisal:order.fee")}</th>
              <th>{t("appraisal:valuer.paidAt")}</th>
              <th>{t("appraisal:order.status")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/valuer/orders/${r.id}`}>{r.orderNumber}</Link>
                </td>
                <td>{r.firmName}</td>
                <td>{r.region_code ? regionName(r.region_code, i18n.language) : "—"}</td>
                <td className="num">{r.assetCount}</td>
                <td className="num">{formatMoney(r.fee_fen, i18n.language)}</td>
                <td>{r.paid_at ? formatInstant(r.paid_at, "day") : "—"}</td>
                <td>
                  <OrderStatusBadge status={r.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pageSize={pageSize} total={total} search={location.search} />
    </div>
  );
}
