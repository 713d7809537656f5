import { Link, useNavigate } from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { ipTypeLabel } from "../domain/ip";
import { chartMoneyUnit, formatChartNumber, formatMoney } from "../domain/money";
import type { ProgressSummary } from "../domain/progress";
import { regionName } from "../domain/regions";

/**
 * The running total's four charts: cumulative by month against the target line, by 盟市, by bank
 * and by IP type. Recharts measures the page, so the charts draw in the browser only; the server
 * renders each figure's data table (also what screen readers and the no-JS page get). For viewers
 * allowed to see ledger rows, every bar, point and table row links to /ledger filtered to it.
 */

/** One unit per chart (docs/domain.md#money), chosen from its largest amount. */
function unitOf(fens: number[], lang: string) {
  return chartMoneyUnit(Math.max(0, ...fens.map((f) => Math.abs(f))), lang);
}
const inUnit = (fen: number, divisor: number) => Math.round((fen / divisor) * 100) / 100;
const COLOR = "#1f6f5c";
const TARGET_COLOR = "#b5462f";

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

interface Row {
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
      <summary>{t("deals:charts.data")}</summary>
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
          {t("deals:charts.unit", { unit: unit.label })}
        </span>
      </figcaption>
      <div style={{ width: "100%", height: 240 }}>{children}</div>
      <DataTable rows={rows} linkRows={linkRows} />
    </figure>
  );
}

function Bars({
  rows,
  linkRows,
  vertical = false,
  labelWidth = 84,
}: {
  rows: Row[];
  linkRows: boolean;
  vertical?: boolean;
  labelWidth?: number;
}) {
  const navigate = useNavigate();
  const { i18n } = useTranslation();
  const unit = unitOf(
    rows.map((r) => r.amountFen),
    i18n.language,
  );
  const data = rows.map((r) => ({ ...r, value: inUnit(r.amountFen, unit.divisor) }));
  const onClick = (d: unknown) => {
    const href = (d as { payload?: Row })?.payload?.href;
    if (linkRows && href) navigate(href);
  };
  const tooltip = (
    <Tooltip
      formatter={(_v, _n, item) => formatMoney((item.payload as Row).amountFen, i18n.language)}
    />
  );
  return (
    <ResponsiveContainer width="100%" height="100%">
      {vertical ? (
        <BarChart data={data} layout="vertical" margin={{ left: 24, right: 16 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={formatChartNumber} />
          <YAxis type="category" dataKey="label" width={labelWidth} interval={0} fontSize={12} />
          {tooltip}
          <Bar
            dataKey="value"
            fill={COLOR}
            onClick={onClick}
            cursor={linkRows ? "pointer" : undefined}
            isAnimationActive={false}
          />
        </BarChart>
      ) : (
        <BarChart data={data} margin={{ right: 16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" interval={0} fontSize={12} />
          <YAxis tickFormatter={formatChartNumber} />
          {tooltip}
          <Bar
            dataKey="value"
            fill={COLOR}
            onClick={onClick}
            cursor={linkRows ? "pointer" : undefined}
            isAnimationActive={false}
          />
        </BarChart>
      )}
    </ResponsiveContainer>
  );
}

export function ProgressCharts({ data, linkRows }: { data: ProgressSummary; linkRows: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const mounted = useMounted();
  const navigate = useNavigate();
  if (data.months.length === 0) {
    return <div className="empty">{t("deals:charts.empty")}</div>;
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
      {linkRows ? <p className="muted">{t("deals:charts.clickHint")}</p> : null}
      <Figure
        title={t("deals:charts.cumulative")}
        testId="chart-cumulative"
        rows={monthRows}
        unitFens={[data.targetFen, ...data.months.map((m) => m.cumulativeFen)]}
        linkRows={linkRows}
      >
        {mounted ? (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart
              data={cumulative}
              margin={{ top: 16, right: 24 }}
              onClick={(s) => {
                const month = (s as { activeLabel?: string } | null)?.activeLabel;
                if (linkRows && month) navigate(`/ledger?month=${month}`);
              }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" minTickGap={24} fontSize={12} />
              <YAxis
                tickFormatter={formatChartNumber}
                domain={[0, Math.max(targetYi, cumulative[cumulative.length - 1].cumulative)]}
              />
              <Tooltip
                formatter={(_v, _n, item) =>
                  formatMoney((item.payload as { fen: number }).fen, lang)
                }
              />
              <ReferenceLine
                y={targetYi}
                stroke={TARGET_COLOR}
                strokeDasharray="6 4"
                label={{
                  value: t("deals:charts.targetLine", {
                    target: formatMoney(data.targetFen, lang),
                  }),
                  position: "insideTopLeft",
                  fill: TARGET_COLOR,
                  fontSize: 12,
                }}
              />
              <Line
                type="monotone"
                dataKey="cumulative"
                name={t("deals:charts.cumulativeSeries")}
                stroke={COLOR}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        ) : null}
      </Figure>
      <div className="grid grid-3">
        <Figure
          title={t("deals:charts.byRegion")}
          testId="chart-region"
          rows={regionRows}
          linkRows={linkRows}
        >
          {mounted ? <Bars rows={regionRows} linkRows={linkRows} vertical /> : null}
        </Figure>
        <Figure
          title={t("deals:charts.byBank")}
          testId="chart-bank"
          rows={bankRows}
          linkRows={linkRows}
        >
          {mounted ? <Bars rows={bankRows} linkRows={linkRows} vertical labelWidth={110} /> : null}
        </Figure>
        <Figure
          title={t("deals:charts.byIpType")}
          testId="chart-ip-type"
          rows={typeRows}
          linkRows={linkRows}
        >
          {mounted ? <Bars rows={typeRows} linkRows={linkRows} vertical /> : null}
        </Figure>
      </div>
    </div>
  );
}
