import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatBp, formatMoney } from "../domain/money";
import { regionName } from "../domain/regions";
import {
  portfolioLoansHref,
  type PortfolioFigures,
  type PortfolioMeasure,
} from "../domain/servicing/portfolio";

/**
 * The loan book beside the disbursement total (home page, /report): balance outstanding, repaid,
 * and the overdue and non-performing shares of the balance. Every figure links to the loans it
 * was summed from (/report/loans).
 */

type Filter = { region?: string; bank?: number };

function FigureLink({
  measure,
  filter,
  fen,
  children,
}: {
  measure: PortfolioMeasure;
  filter?: Filter;
  fen: number;
  children: React.ReactNode;
}) {
  return (
    <Link
      to={portfolioLoansHref(measure, filter)}
      data-measure={measure}
      data-fen={fen}
      data-testid="portfolio-figure"
    >
      {children}
    </Link>
  );
}

export function PortfolioSummary({ total }: { total: PortfolioFigures }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const share = (bp: number | null) => (bp === null ? t("servicing:report.none") : formatBp(bp));
  const r = (k: string, o?: Record<string, unknown>) => t(`servicing:report.${k}`, o);
  return (
    <section className="stack" data-testid="portfolio-summary">
      <h2>{r("title")}</h2>
      <p className="muted">{r("intro")}</p>
      <div className="grid grid-4">
        <div className="card">
          <div className="muted">{r("outstanding")}</div>
          <strong>
            <FigureLink measure="outstanding" fen={total.outstandingFen}>
              {money(total.outstandingFen)}
            </FigureLink>
          </strong>
        </div>
        <div className="card">
          <div className="muted">{r("repaid")}</div>
          <strong>
            <FigureLink measure="repaid" fen={total.repaidFen}>
              {money(total.repaidFen)}
            </FigureLink>
          </strong>
          <div className="muted">
            {r("repaidDetail", {
              principal: money(total.principalRepaidFen),
              interest: money(total.interestRepaidFen),
            })}
          </div>
        </div>
        <div className="card">
          <div className="muted">{r("overdueShare")}</div>
          <strong>
            <FigureLink measure="overdue" fen={total.overdueFen}>
              {share(total.overdueShareBp)}
            </FigureLink>
          </strong>
          <div className="muted">
            {r("overdue")} {money(total.overdueFen)}
          </div>
        </div>
        <div className="card">
          <div className="muted">{r("nplShare")}</div>
          <strong>
            <FigureLink measure="non_performing" fen={total.nonPerformingFen}>
              {share(total.nonPerformingShareBp)}
            </FigureLink>
          </strong>
          <div className="muted">
            {r("npl")} {money(total.nonPerformingFen)}
          </div>
        </div>
      </div>
    </section>
  );
}

export interface PortfolioTableRow extends PortfolioFigures {
  key: string;
  name?: string;
}

/** Figures per 盟市 or per bank; each cell opens its loans. */
export function PortfolioTable({
  rows,
  by,
}: {
  rows: readonly PortfolioTableRow[];
  by: "region" | "bank";
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const share = (bp: number | null) => (bp === null ? t("servicing:report.none") : formatBp(bp));
  const r = (k: string) => t(`servicing:report.${k}`);
  if (rows.length === 0) return <div className="empty">{r("empty")}</div>;
  return (
    <div className="table-scroll">
      <table className="data" data-testid={`portfolio-${by}`}>
        <thead>
          <tr>
            <th>{r(by)}</th>
            <th className="num">{r("outstanding")}</th>
            <th className="num">{r("repaid")}</th>
            <th className="num">{r("overdueShare")}</th>
            <th className="num">{r("nplShare")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => {
            const filter: Filter = by === "region" ? { region: x.key } : { bank: Number(x.key) };
            return (
              <tr key={x.key} data-key={x.key}>
                <td>{by === "region" ? regionName(x.key, lang) : (x.name ?? x.key)}</td>
                <td className="num">
                  <FigureLink measure="outstanding" filter={filter} fen={x.outstandingFen}>
                    {money(x.outstandingFen)}
                  </FigureLink>
                </td>
                <td className="num">
                  <FigureLink measure="repaid" filter={filter} fen={x.repaidFen}>
                    {money(x.repaidFen)}
                  </FigureLink>
                </td>
                <td className="num">
                  <FigureLink measure="overdue" filter={filter} fen={x.overdueFen}>
                    {share(x.overdueShareBp)}
                  </FigureLink>
                </td>
                <td className="num">
                  <FigureLink measure="non_performing" filter={filter} fen={x.nonPerformingFen}>
                    {share(x.nonPerformingShareBp)}
                  </FigureLink>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
