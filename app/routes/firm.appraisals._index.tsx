import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { OrderStatusBadge, Pager } from "../components/appraisal";
import { formatInstant } from "../domain/dates";
import { formatMoney } from "../domain/money";
import { listFirmOrders, PAGE_SIZE } from "../models/appraisal.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

const Query = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.viewOwn");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total } = await withDb(listFirmOrders, user.org_id, page);
  return { rows, total, page, pageSize: PAGE_SIZE };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.formal");

export default function FirmAppraisals() {
  const { rows, total, page, pageSize } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const location = useLocation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <h1>{t("appraisal:firm.listTitle")}</h1>
        <Link to="/firm/appraisals/new" className="button button-primary" data-testid="new-order">
          {t("appraisal:firm.newOrder")}
        </Link>
      </div>
      <p className="muted">{t("appraisal:firm.listIntro")}</p>
      {rows.length === 0 ? (
        <div className="empty" data-testid="orders-empty">
          <p>{t("appraisal:firm.listEmpty")}</p>
          <Link to="/firm/appraisals/new" className="button" data-testid="empty-next">
            {t("appraisal:firm.newOrder")}
          </Link>
        </div>
      ) : (
        <table className="data" data-testid="orders-table">
          <thead>
            <tr>
              <th>{t("appraisal:order.number")}</th>
              <th>{t("appraisal:order.createdAt")}</th>
              <th>{t("appraisal:order.valuer")}</th>
              <th className="num">{t("appraisal:order.assetCount")}</th>
              <th className="num">{t("appraisal:order.fee")}</th>
              <th>{t("appraisal:order.status")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/firm/appraisals/${r.id}`}>{r.orderNumber}</Link>
                </td>
                <td>{formatInstant(r.created_at, "day")}</td>
                <td>{r.valuerName}</td>
                <td className="num">{r.assetCount}</td>
                <td className="num">{formatMoney(r.fee_fen, i18n.language)}</td>
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
