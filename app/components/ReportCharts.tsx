import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, LabelList, Tooltip, XAxis, YAxis } from "recharts";
import { formatChartNumber } from "../domain/money";

/**
 * The public report's bar charts. A fixed width (680 px ≈ the 180 mm text width of an A4 page)
 * instead of a ResponsiveContainer, so the printed page looks like the screen; drawn after
 * hydration like the other charts in the app (recharts' generated ids differ between server and
 * browser), with a box of the same size before, so nothing jumps. The tables next to each chart
 * carry the same figures for screen readers, printing without scripts, and the CSV.
 */

export const CHART_WIDTH = 680;

export interface BarDatum {
  key: string;
  label: string;
  value: number;
}

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export function HorizontalBars({
  data,
  unit,
  testId,
  color = "#0b5cad",
}: {
  data: BarDatum[];
  unit: string;
  testId: string;
  color?: string;
}) {
  const mounted = useMounted();
  const height = 40 + data.length * 30;
  const fmt = formatChartNumber;
  return (
    <div className="chart-box" style={{ width: CHART_WIDTH, height }} data-testid={testId}>
      {mounted ? (
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
      ) : null}
    </div>
  );
}

export function ColumnBars({
  data,
  unit,
  testId,
  color = "#1f6f5c",
}: {
  data: BarDatum[];
  unit: string;
  testId: string;
  color?: string;
}) {
  const mounted = useMounted();
  const height = 280;
  const fmt = formatChartNumber;
  return (
    <div className="chart-box" style={{ width: CHART_WIDTH, height }} data-testid={testId}>
      {mounted ? (
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
      ) : null}
    </div>
  );
}
