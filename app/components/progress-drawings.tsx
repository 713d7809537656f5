import { useNavigate } from "@remix-run/react";
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
import { formatChartNumber, formatMoney } from "../domain/money";
import { inUnit, unitOf, type Row } from "./ProgressCharts";

/**
 * The recharts drawings of the running total's charts, loaded by ProgressCharts after mount
 * (React.lazy), so recharts is not part of the page's initial script.
 */

const COLOR = "#1f6f5c";
const TARGET_COLOR = "#b5462f";

export function Bars({
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
  // One unit per chart (docs/domain.md#money), chosen from its largest amount.
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

export function CumulativeLine({
  cumulative,
  targetYi,
  targetLabel,
  seriesName,
  linkRows,
}: {
  cumulative: { month: string; cumulative: number; fen: number }[];
  targetYi: number;
  targetLabel: string;
  seriesName: string;
  linkRows: boolean;
}) {
  const navigate = useNavigate();
  const { i18n } = useTranslation();
  const lang = i18n.language;
  return (
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
          formatter={(_v, _n, item) => formatMoney((item.payload as { fen: number }).fen, lang)}
        />
        <ReferenceLine
          y={targetYi}
          stroke={TARGET_COLOR}
          strokeDasharray="6 4"
          label={{
            value: targetLabel,
            position: "insideTopLeft",
            fill: TARGET_COLOR,
            fontSize: 12,
          }}
        />
        <Line
          type="monotone"
          dataKey="cumulative"
          name={seriesName}
          stroke={COLOR}
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
