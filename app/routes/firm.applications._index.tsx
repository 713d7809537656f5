import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Pager, StateBadge } from "../components/applications";
import { formatInstant } from "../domain/dates";
import { formatMoney } from "../domain/money";
import { listFirmApplications } from "../models/application.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

const Query = z.object({ page: z.coerce.number().int().min(1).catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "application.viewOwn");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return withDb(listFirmApplications, user.org_id, page);
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "applications:titles.firmApplications");

export default function FirmApplications() {
  const { rows, total, page, pages } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("applications:list.firmTitle")}</h1>
      {rows.length === 0 ? (
        <div className="empty" data-testid="applications-empty">
          <p>{t("applications:list.firmEmpty")}</p>
          <Link to="/products" className="button" data-testid="empty-next">
            {t("applications:list.browseProducts")}
          </Link>
        </div>
      ) : (
        <table className="data" data-testid="applications">
          <thead>
            <tr>
              <th>{t("applications:list.number")}</th>
              <th>{t("applications:common.product")}</th>
              <th>{t("applications:common.bank")}</th>
              <th className="num">{t("applications:common.requested")}</th>
              <th className="num">{t("applications:common.disbursed")}</th>
              <th>{t("applications:common.state")}</th>
              <th>{t("applications:common.updated")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/firm/applications/${r.id}`}>#{r.id}</Link>
                </td>
                <td>{r.productName}</td>
                <td>{r.bankName}</td>
                <td className="num">{money(r.amountFen)}</td>
                <td className="num">
                  {r.disbursedAmountFen !== null ? money(r.disbursedAmountFen) : "—"}
                </td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td>{formatInstant(r.updatedAt, "day")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pages={pages} total={total} href={(p) => `?page=${p}`} />
    </div>
  );
}
