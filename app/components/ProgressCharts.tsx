import { Link } from "@remix-run/react";
import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ipTypeLabel } from "../domain/ip";
import { chartMoneyUnit, formatMoney } from "../domain/money";
import type { ProgressSummary } from "../domain/progress";
import { regionName } from "../domain/regions";

/**
 * The running total's four charts: cumulative by month against the target line, by 盟市, by bank
 * and by IP type. Recharts measures the page, so the charts draw in the browser only; the server
 * renders each figure's data table (also what screen readers and the no-JS page get). For viewers
 * allowed to see ledger rows, every bar, point and table row links to /ledger filtered to it.
 */

/** One unit per chart (docs/domain.md#money), chosen from its largest amount. */
export function unitOf(fens: number[], lang: string) {
  return chartMoneyUnit(Math.max(0, ...fens.map((f) => Math.abs(f))), lang);
}
export const inUnit = (fen: number, divisor: number) => Math.round((fen / divisor) * 100) / 100;

// Recharts is most of a page's script and draws only after mount: it is fetched then, not
// preloaded with the page (issue 15: the home page's initial JS).
const LazyBars = lazy(() => import("./progress-drawings").then((m) => ({ default: m.Bars })));
const LazyCumulative = lazy(() =>
  import("./progress-drawings").then((m) => ({ default: m.CumulativeLine })),
);

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export interface Row {
  key: string;
  label: string;
  amountFen: number;
  entries: number;
  href: string;
}

function DataTable({ rows, linkRows }: { rows: Row[]; linkRows: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <details>
      <summary>{t("applications:charts.data")}</summary>
      <table className="data">
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{linkRows ? <Link to={r.href}>{r.label}</Link> : r.label}</td>
              <td className="num">{formatMoney(r.amountFen, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Figure({
  title,
  testId,
  children,
  rows,
  linkRows,
  unitFens,
}: {
  /** The amounts the chart draws, when they are not the rows' (the cumulative line). */
  unitFens?: number[];
  title: string;
  testId: string;
  children: ReactNode;
  rows: Row[];
  linkRows: boolean;
}) {
  const { t, i18n } = useTranslation();
  const unit = unitOf(unitFens ?? rows.map((r) => r.amountFen), i18n.language);
  return (
    <figure className="card" style={{ margin: 0 }} data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>{" "}
        <span className="muted" data-testid="chart-unit">
          {t("applications:charts.unit", { unit: unit.label })}
        </span>
      </figcaption>
      <div style={{ width: "100%", height: 240 }}>{children}</div>
      <DataTable rows={rows} linkRows={linkRows} />
    </figure>
  );
}

function LazyBarsBox(props: Parameters<typeof LazyBars>[0]) {
  return (
    <Suspense fallback={null}>
      <LazyBars {...props} />
    </Suspense>
  );
}

export function ProgressCharts({ data, linkRows }: { data: ProgressSummary; linkRows: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const mounted = useMounted();
  if (data.months.length === 0) {
    return <div className="empty">{t("applications:charts.empty")}</div>;
  }
  const monthRows: Row[] = data.months.map((m) => ({
    key: m.month,
    label: m.month,
    amountFen: m.amountFen,
    entries: 0,
    href: `/ledger?month=${m.month}`,
  }));
  const regionRows: Row[] = data.byRegion.map((r) => ({
    key: r.key,
    label: regionName(r.key, lang),
    amountFen: r.amountFen,
    entries: r.entries,
    href: `/ledger?region=${r.key}`,
  }));
  const bankRows: Row[] = data.byBank.map((b) => ({
    key: String(b.key),
    label: b.name.replace(/（演示）$/, ""),
    amountFen: b.amountFen,
    entries: b.entries,
    href: `/ledger?bank=${b.key}`,
  }));
  const typeRows: Row[] = data.byIpType.map((r) => ({
    key: r.key,
    label: ipTypeLabel(t, r.key),
    amountFen: r.amountFen,
    entries: r.entries,
    href: `/ledger?ipType=${r.key}`,
  }));
  const cumUnit = unitOf([data.targetFen, ...data.months.map((m) => m.cumulativeFen)], lang);
  const cumulative = data.months.map((m) => ({
    month: m.month,
    cumulative: inUnit(m.cumulativeFen, cumUnit.divisor),
    fen: m.cumulativeFen,
  }));
  const targetYi = inUnit(data.targetFen, cumUnit.divisor);
  return (
    <div className="grid" style={{ gap: "1rem" }} data-testid="progress-charts">
      {linkRows ? <p className="muted">{t("applications:charts.clickHint")}</p> : null}
      <Figure
        title={t("applications:charts.cumulative")}
        testId="chart-cumulative"
        rows={monthRows}
        unitFens={[data.targetFen, ...data.months.map((m) => m.cumulativeFen)]}
        linkRows={linkRows}
      >
        {mounted ? (
          <Suspense fallback={null}>
            <LazyCumulative
              cumulative={cumulative}
              targetYi={targetYi}
              targetLabel={t("applications:charts.targetLine", {
                target: formatMoney(data.targetFen, lang),
              })}
              seriesName={t("applications:charts.cumulativeSeries")}
              linkRows={linkRows}
            />
          </Suspense>
        ) : null}
      </Figure>
      <div className="grid grid-3">
        <Figure
          title={t("applications:charts.byRegion")}
          testId="chart-region"
          rows={regionRows}
          linkRows={linkRows}
        >
          {mounted ? <LazyBarsBox rows={regionRows} linkRows={linkRows} vertical /> : null}
        </Figure>
        <Figure
          title={t("applications:charts.byBank")}
          testId="chart-bank"
          rows={bankRows}
          linkRows={linkRows}
        >
          {mounted ? (
            <LazyBarsBox rows={bankRows} linkRows={linkRows} vertical labelWidth={110} />
          ) : null}
        </Figure>
        <Figure
          title={t("applications:charts.byIpType")}
          testId="chart-ip-type"
          rows={typeRows}
          linkRows={linkRows}
        >
          {mounted ? <LazyBarsBox rows={typeRows} linkRows={linkRows} vertical /> : null}
        </Figure>
      </div>
    </div>
  );
}
