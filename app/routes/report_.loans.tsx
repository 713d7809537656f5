import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { RiskClassBadge } from "../components/loan";
import { Pager, withParam } from "../components/Pager";
import { ipTypeLabel } from "../domain/ip";
import { formatMoney } from "../domain/money";
import { isRegionCode, regionName } from "../domain/regions";
import { PORTFOLIO_MEASURES } from "../domain/servicing/portfolio";
import { listPortfolioLoans } from "../models/servicing/portfolio.server";
import { withDb } from "../models/with-db.server";
import allianceStyles from "../styles/alliance.css";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/** The loans behind one figure of the report's balances (components/portfolio.tsx links here). */

const Query = z.object({
  measure: z.enum(PORTFOLIO_MEASURES).catch("outstanding"),
  region: z
    .string()
    .refine((v) => isRegionCode(v))
    .optional()
    .catch(undefined),
  bank: z.coerce.number().int().positive().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "report.loans");
  const q = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const filter = { measure: q.measure, region: q.region, bank: q.bank };
  const data = await withDb(listPortfolioLoans, filter, q.page);
  return { ...data, filter };
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: allianceStyles }];

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "servicing:titles.portfolioLoans");

export default function PortfolioLoans() {
  const d = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const { search } = useLocation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const r = (k: string, o?: Record<string, unknown>) => t(`servicing:report.${k}`, o);
  const bankName = d.rows[0]?.bankName;
  const scope = [
    d.filter.region ? r("filterRegion", { name: regionName(d.filter.region, lang) }) : null,
    d.filter.bank !== undefined ? r("filterBank", { name: bankName ?? `#${d.filter.bank}` }) : null,
  ].filter(Boolean);
  const figureFen =
    d.filter.measure === "repaid"
      ? d.sums.principalRepaidFen + d.sums.interestRepaidFen
      : d.sums.outstandingFen;
  return (
    <div className="stack" data-testid="portfolio-loans">
      <p>
        <Link to="/report">← {r("backToReport")}</Link>
      </p>
      <h1>
        {r("drillTitle")} · {r(`measure.${d.filter.measure}`)}
      </h1>
      <p className="muted">{scope.length ? scope.join(" · ") : r("allLoans")}</p>
      <p>
        <strong data-testid="portfolio-loans-figure" data-fen={figureFen}>
          {r(`measure.${d.filter.measure}`)}: {money(figureFen)}
        </strong>
      </p>
      {d.total === 0 ? (
        <div className="empty">{r("noLoans")}</div>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="portfolio-loans-table">
            <thead>
              <tr>
                <th>{r("loan")}</th>
                <th>{r("firm")}</th>
                <th>{r("bank")}</th>
                <th>{r("region")}</th>
                <th>{r("start")}</th>
                <th className="num">{r("principal")}</th>
                <th className="num">{t("servicing:page.outstanding")}</th>
                <th className="num">{r("repaidPrincipal")}</th>
                <th className="num">{r("repaidInterest")}</th>
                <th className="num">{t("servicing:page.daysPastDue")}</th>
                <th>{t("servicing:page.riskClass")}</th>
              </tr>
            </thead>
            <tbody>
              {d.rows.map((x) => (
                <tr key={x.applicationId} data-testid="portfolio-loan">
                  <td>#{x.applicationId}</td>
                  <td>{x.firmName}</td>
                  <td>{x.bankName}</td>
                  <td>{regionName(x.regionCode, lang)}</td>
                  <td>
                    {x.startDate}
                    <div className="muted">{ipTypeLabel(t, x.ipType)}</div>
                  </td>
                  <td className="num">{money(x.principalFen)}</td>
                  <td className="num" data-fen={x.outstandingFen}>
                    {money(x.outstandingFen)}
                  </td>
                  <td className="num">{money(x.principalRepaidFen)}</td>
                  <td className="num">{money(x.interestRepaidFen)}</td>
                  <td className="num">{x.daysPastDue}</td>
                  <td>
                    <RiskClassBadge riskClass={x.riskClass} />{" "}
                    <span className="badge">{t(`servicing:status.${x.status}`)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-testid="portfolio-loans-sum">
                <th colSpan={6}>{r("sumRow", { count: d.total })}</th>
                <td className="num" data-fen={d.sums.outstandingFen}>
                  {money(d.sums.outstandingFen)}
                </td>
                <td className="num" data-fen={d.sums.principalRepaidFen}>
                  {money(d.sums.principalRepaidFen)}
                </td>
                <td className="num" data-fen={d.sums.interestRepaidFen}>
                  {money(d.sums.interestRepaidFen)}
                </td>
                <td colSpan={2} />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <Pager
        page={d.page}
        pages={d.pages}
        total={d.total}
        href={(p) => `/report/loans${withParam(search, "page", p)}`}
      />
    </div>
  );
}
