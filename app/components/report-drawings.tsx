import { Bar, BarChart, CartesianGrid, LabelList, Tooltip, XAxis, YAxis } from "recharts";
import { formatChartNumber } from "../domain/money";
import { CHART_WIDTH, type BarDatum } from "./ReportCharts";

/** The report's recharts drawings, loaded by ReportCharts after mount (React.lazy). */

interface Props {
  data: BarDatum[];
  unit: string;
  color: string;
  height: number;
}

// Plain figures in the chart's one unit, the same on the server and in every browser.
const fmt = formatChartNumber;

export function HorizontalBarChart({ data, unit, color, height }: Props) {
  return (
    <BarChart
      width={CHART_WIDTH}
      height={height}
      data={data}
      layout="vertical"
      margin={{ top: 8, right: 72, bottom: 8, left: 8 }}
    >
      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
      <XAxis type="number" tickFormatter={fmt} />
      <YAxis type="category" dataKey="label" width={120} interval={0} />
      <Tooltip formatter={(v: number) => `${fmt(v)} ${unit}`} />
      <Bar dataKey="value" fill={color} isAnimationActive={false}>
        <LabelList dataKey="value" position="right" formatter={fmt} />
      </Bar>
    </BarChart>
  );
}

export function ColumnBarChart({ data, unit, color, height }: Props) {
  return (
    <BarChart
      width={CHART_WIDTH}
      height={height}
      data={data}
      margin={{ top: 24, right: 16, bottom: 8, left: 8 }}
    >
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="label" />
      <YAxis tickFormatter={fmt} width={80} />
      <Tooltip formatter={(v: number) => `${fmt(v)} ${unit}`} />
      <Bar dataKey="value" fill={color} isAnimationActive={false}>
        <LabelList dataKey="value" position="top" formatter={fmt} />
      </Bar>
    </BarChart>
  );
}
