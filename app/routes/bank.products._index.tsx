import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager, withParam } from "../components/Pager";
import { ProductStateBadge } from "../components/products";
import { formatInstant } from "../domain/dates";
import { formatBp, formatMoney } from "../domain/money";
import { listBankProducts, parsePage } from "../models/product.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "product.view");
  const page = parsePage(new URL(request.url).searchParams.get("page"));
  const list = await withDb(listBankProducts, user.org_id, page);
  return {
    ...list,
    rows: list.rows.map((p) => ({
      id: p.id,
      name: p.name,
      active: p.active === 1,
      minAmountFen: Number(p.min_amount_fen),
      maxAmountFen: Number(p.max_amount_fen),
      minRateBp: p.min_rate_bp,
      maxRateBp: p.max_rate_bp,
      quotaRemainingFen: Number(p.quota_remaining_fen),
      updatedAt: p.updated_at,
    })),
  };
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "products:titles.bankProducts");

export default function BankProducts() {
  const { rows, page, pages, total } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <div className="checks" style={{ justifyContent: "space-between", alignItems: "center" }}>
        <h1>{t("products:bank.listTitle")}</h1>
        <Link to="/bank/products/new" className="button button-primary" data-testid="new-product">
          {t("products:bank.new")}
        </Link>
      </div>
      {total === 0 ? (
        <div className="empty" data-testid="products-empty">
          <p>{t("products:bank.empty")}</p>
          <Link to="/bank/products/new" className="button button-primary" data-testid="empty-next">
            {t("products:bank.new")}
          </Link>
        </div>
      ) : (
        <>
          <table className="data" data-testid="products-table">
            <thead>
              <tr>
                <th>{t("products:bank.name")}</th>
                <th>{t("products:bank.status")}</th>
                <th className="num">{t("products:bank.amount")}</th>
                <th className="num">{t("products:bank.rate")}</th>
                <th className="num">{t("products:bank.quotaRemaining")}</th>
                <th>{t("products:bank.updated")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} data-testid="product-row">
                  <td>
                    <Link to={`/bank/products/${p.id}`}>{p.name}</Link>
                  </td>
                  <td>
                    <ProductStateBadge active={p.active} />
                  </td>
                  <td className="num">
                    {money(p.minAmountFen)} – {money(p.maxAmountFen)}
                  </td>
                  <td className="num">
                    {formatBp(p.minRateBp)} – {formatBp(p.maxRateBp)}
                  </td>
                  <td className="num">{money(p.quotaRemainingFen)}</td>
                  <td>{formatInstant(p.updatedAt, "day")}</td>
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
