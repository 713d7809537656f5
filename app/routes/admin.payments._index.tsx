import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Pager } from "../components/appraisal";
import { formatInstant } from "../domain/dates";

import { PAGE_SIZE } from "../models/appraisal.server";
import { listAwaitingOfflineOrders } from "../models/payment.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { isStripeEnabled } from "../utils/stripe.server";
import { pageTitle } from "../utils/meta";
import { Money } from "../components/Money";

const Query = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "payment.confirmOffline");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total } = await withDb(listAwaitingOfflineOrders, page);
  return { rows, total, page, pageSize: PAGE_SIZE, online: isStripeEnabled() };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.payments");

export default function AdminPayments() {
  const { rows, total, page, pageSize, online } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const location = useLocation();
  const [search] = useSearchParams();
  const confirmed = search.get("confirmed");
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("appraisal:admin.paymentsTitle")}</h1>
      <p className="muted">
        {online ? t("appraisal:admin.modeOnline") : t("appraisal:admin.modeOffline")}
      </p>
      {confirmed ? (
        <div className="notice" role="status" data-testid="payment-confirmed">
          {t("appraisal:admin.confirmed", { number: confirmed })}
        </div>
      ) : null}
      {rows.length === 0 ? (
        <div className="empty" data-testid="payments-empty">
          {t("appraisal:admin.paymentsEmpty")}
        </div>
      ) : (
        <table className="data" data-testid="awaiting-payments">
          <thead>
            <tr>
              <th>{t("appraisal:payment.reference")}</th>
              <th>{t("appraisal:admin.firm")}</th>
              <th>{t("appraisal:order.valuer")}</th>
              <th className="num">{t("appraisal:payment.amount")}</th>
              <th>{t("appraisal:order.createdAt")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-order={r.orderNumber}>
                <td>{r.orderNumber}</td>
                <td>{r.firmName}</td>
                <td>{r.valuerName}</td>
                <td className="num">
                  <Money fen={r.fee_fen} />
                </td>
                <td>{formatInstant(r.created_at, "day")}</td>
                <td>
                  <Link to={`/admin/payments/${r.id}`} data-testid="review-payment">
                    {t("appraisal:admin.reviewPayment")}
                  </Link>
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
