import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { PortfolioSummary, PortfolioTable } from "../components/portfolio";
import { ProgressPanel } from "../components/ProgressPanel";
import { ColumnBars, HorizontalBars } from "../components/ReportCharts";
import { formatInstant } from "../domain/dates";
import { industryName } from "../domain/industry";
import { ipTypeLabel } from "../domain/ip";
import { chartMoneyUnit, formatBp, formatMoney } from "../domain/money";
import { regionName } from "../domain/regions";
import { getReport } from "../models/report.server";
import { getPortfolio } from "../models/servicing/portfolio.server";
import { riskFiguresForPage } from "../models/risk-sharing/figures.server";
import { getCurrentRiskFigures } from "../models/risk-sharing/figures-cache.server";
import { RiskFigures } from "../components/risk-figures";
import allianceStyles from "../styles/alliance.css";
import { withDb } from "../models/with-db.server";
import { authorizeVisitor } from "../utils/permissions.server";
import { translateMessage } from "../utils/messages";
import { pageDescription, pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "report.view");
  const [report, portfolio, risk] = await Promise.all([
    withDb(getReport),
    withDb(getPortfolio),
    withDb(getCurrentRiskFigures),
  ]);
  return { report, portfolio, risk: riskFiguresForPage(risk) };
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: allianceStyles }];

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, "alliance:titles.report"),
  ...pageDescription(matches, "alliance:titles.reportDescription"),
];

export default function Report() {
  const { report, portfolio, risk } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const rate = (bp: number | null) => (bp === null ? "—" : formatBp(bp));
  // One unit per chart, from its largest amount (docs/domain.md#money).
  const chartUnit = (fens: number[]) =>
    chartMoneyUnit(Math.max(0, ...fens.map((f) => Math.abs(f))), lang);
  const regionUnit = chartUnit(report.byRegion.map((x) => x.amountFen));
  const yearUnit = chartUnit(report.byYear.map((x) => x.amountFen));
  const chartValue = (fen: number, u: { divisor: number }) =>
    Math.round((fen / u.divisor) * 100) / 100;
  const r = (k: string, o?: Record<string, unknown>) => t(`alliance:report.${k}`, o);
  const tot = report.totals;
  const hasLoans = tot.loans > 0 || tot.amountFen !== 0;

  return (
    <article className="report" data-testid="report">
      <header className="report-header">
        <div>
          <h1>{r("title")}</h1>
          <p className="muted" style={{ margin: 0 }}>
            {r("subtitle")}
          </p>
          <p className="muted" data-testid="report-as-of" data-as-of={report.asOf}>
            {r("asOf", { time: formatInstant(report.asOf) })}
          </p>
        </div>
        <div className="report-actions">
          <button type="button" className="button" onClick={() => window.print()}>
            {r("print")}
          </button>
          <a className="button" href="/report.csv" download data-testid="report-csv">
            {r("downloadCsv")}
          </a>
          <a className="button" href="/report.json" download data-testid="report-json">
            {r("downloadJson")}
          </a>
        </div>
      </header>

      <section className="card report-publisher" data-testid="report-publisher">
        <h2>{r("publisherTitle")}</h2>
        <dl>
          <dt>{r("publisher")}</dt>
          <dd>{r("publisherText")}</dd>
          <dt>{r("dataAsOf")}</dt>
          <dd>{formatInstant(report.asOf)}</dd>
          <dt>{r("sources")}</dt>
          <dd>
            {r("sourcesText")}
            <div className="muted">
              <code>
                ledger_entries · disbursement_totals · disbursement_rollups · applications ·
                financed_firms · organisations
              </code>
            </div>
          </dd>
          <dt>{r("definitions")}</dt>
          <dd>{r("definitionsText")}</dd>
        </dl>
      </section>

      <section className="report-section report-first">
        <h2>{r("commentaryTitle")}</h2>
        <div className="card report-commentary" data-testid="commentary">
          {report.commentary.map((p, i) => (
            <p key={i}>{translateMessage(t, p, lang, "auto")}</p>
          ))}
        </div>
        <h2 style={{ marginTop: "1.25rem" }}>{r("keyFigures")}</h2>
        <div className="grid grid-4 card" data-testid="key-figures">
          <div className="stat">
            <div className="label">{r("loans")}</div>
            <div className="value" data-testid="report-loans">
              {tot.loans}
            </div>
          </div>
          <div className="stat">
            <div className="label">{r("firms")}</div>
            <div className="value">{r("firmsOf", { count: tot.firms })}</div>
          </div>
          <div className="stat">
            <div className="label">{r("averageLoan")}</div>
            <div className="value">
              {tot.averageLoanFen === null ? "—" : money(tot.averageLoanFen)}
            </div>
          </div>
          <div className="stat">
            <div className="label">{r("averageRate")}</div>
            <div className="value">{rate(tot.averageRateBp)}</div>
            <div className="sub">{r("averageRateHint")}</div>
          </div>
          <div className="stat">
            <div className="label">{r("averagePledgeRate")}</div>
            <div className="value">{rate(tot.averagePledgeRateBp)}</div>
            <div className="sub">{r("averagePledgeRateHint")}</div>
          </div>
          <div className="stat">
            <div className="label">{r("specialisedShare")}</div>
            <div className="value" data-testid="share-specialised">
              {rate(tot.specialisedShareBp)}
            </div>
            <div className="sub">{r("firmsOf", { count: tot.specialisedFirms })}</div>
          </div>
          <div className="stat">
            <div className="label">{r("highTechShare")}</div>
            <div className="value" data-testid="share-high-tech">
              {rate(tot.highTechShareBp)}
            </div>
            <div className="sub">{r("firmsOf", { count: tot.highTechFirms })}</div>
          </div>
        </div>
      </section>

      <section className="report-section">
        <h2>{r("progressTitle")}</h2>
        <ProgressPanel data={report.progress} />
      </section>

      <section className="report-section card" data-testid="report-portfolio">
        <PortfolioSummary total={portfolio.total} />
        <h3 style={{ marginTop: "1.25rem" }}>{t("servicing:report.byRegion")}</h3>
        <PortfolioTable rows={portfolio.byRegion} by="region" />
        <h3 style={{ marginTop: "1.25rem" }}>{t("servicing:report.byBank")}</h3>
        <PortfolioTable rows={portfolio.byBank} by="bank" />
      </section>

      <RiskFigures data={risk} drillable />

      <section className="report-section card">
        <h2>{r("regionsTitle")}</h2>
        {!hasLoans ? <div className="empty">{r("empty")}</div> : null}
        <figure style={{ margin: "0 0 1rem" }}>
          <figcaption className="muted">
            {r("chartRegions")} {t("applications:charts.unit", { unit: regionUnit.label })}
          </figcaption>
          <HorizontalBars
            testId="chart-regions"
            unit={regionUnit.label}
            data={report.byRegion.map((x) => ({
              key: x.key,
              label: regionName(x.key, lang),
              value: chartValue(x.amountFen, regionUnit),
            }))}
          />
        </figure>
        <table className="data key-second" data-testid="report-regions">
          <thead>
            <tr>
              <th className="num">{r("rank")}</th>
              <th>{r("region")}</th>
              <th className="num">{r("amount")}</th>
              <th className="num">{r("count")}</th>
              <th className="num">{r("share")}</th>
            </tr>
          </thead>
          <tbody>
            {report.byRegion.map((x) => (
              <tr key={x.key} data-region={x.key}>
                <td className="num">{x.rank}</td>
                <td>{regionName(x.key, lang)}</td>
                <td className="num" data-fen={x.amountFen}>
                  {money(x.amountFen)}
                </td>
                <td className="num">{x.count}</td>
                <td className="num">{rate(x.shareBp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="report-section card">
        <h2>{r("banksTitle")}</h2>
        {report.byBank.length === 0 ? (
          <div className="empty">{r("empty")}</div>
        ) : (
          <table className="data" data-testid="report-banks">
            <thead>
              <tr>
                <th>{r("bank")}</th>
                <th className="num">{r("amount")}</th>
                <th className="num">{r("count")}</th>
              </tr>
            </thead>
            <tbody>
              {report.byBank.map((x) => (
                <tr key={x.key}>
                  <td>{x.name}</td>
                  <td className="num" data-fen={x.amountFen}>
                    {money(x.amountFen)}
                  </td>
                  <td className="num">{x.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2 style={{ marginTop: "1.25rem" }}>{r("ipTypesTitle")}</h2>
        <table className="data" data-testid="report-ip-types">
          <thead>
            <tr>
              <th>{r("ipType")}</th>
              <th className="num">{r("amount")}</th>
              <th className="num">{r("count")}</th>
            </tr>
          </thead>
          <tbody>
            {report.byIpType.map((x) => (
              <tr key={x.key}>
                <td>{ipTypeLabel(t, x.key)}</td>
                <td className="num" data-fen={x.amountFen}>
                  {money(x.amountFen)}
                </td>
                <td className="num">{x.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="report-section card">
        <h2>
          {r("yearsTitle")}{" "}
          <small className="muted">{t("applications:charts.unit", { unit: yearUnit.label })}</small>
        </h2>
        {report.byYear.length === 0 ? (
          <div className="empty">{r("empty")}</div>
        ) : (
          <>
            <ColumnBars
              testId="chart-years"
              unit={yearUnit.label}
              data={report.byYear.map((x) => ({
                key: x.key,
                label: x.key,
                value: chartValue(x.amountFen, yearUnit),
              }))}
            />
            <table className="data" data-testid="report-years">
              <thead>
                <tr>
                  <th>{r("year")}</th>
                  <th className="num">{r("amount")}</th>
                  <th className="num">{r("count")}</th>
                </tr>
              </thead>
              <tbody>
                {report.byYear.map((x) => (
                  <tr key={x.key}>
                    <td>{x.key}</td>
                    <td className="num" data-fen={x.amountFen}>
                      {money(x.amountFen)}
                    </td>
                    <td className="num">{x.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <h2 style={{ marginTop: "1.25rem" }}>{r("industriesTitle")}</h2>
        {report.byIndustry.length === 0 ? (
          <div className="empty">{r("empty")}</div>
        ) : (
          <table className="data" data-testid="report-industries">
            <thead>
              <tr>
                <th>{r("industry")}</th>
                <th className="num">{r("amount")}</th>
                <th className="num">{r("count")}</th>
              </tr>
            </thead>
            <tbody>
              {report.byIndustry.map((x) => (
                <tr key={x.key || "none"}>
                  <td>
                    {x.key ? `${x.key} · ${industryName(x.key, lang)}` : r("unknownIndustry")}
                  </td>
                  <td className="num" data-fen={x.amountFen}>
                    {money(x.amountFen)}
                  </td>
                  <td className="num">{x.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2 style={{ marginTop: "1.25rem" }}>{r("methodTitle")}</h2>
        <p className="muted">{r("method")}</p>
      </section>
    </article>
  );
}
