import { useEffect, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface TornadoRow {
  label: string;
  /** Change from the central value, in 万元, when the input is 20% lower / higher. */
  minus: number;
  plus: number;
}

/**
 * A tornado chart of the sensitivity table: one bar per input, left and right of the central
 * value. Drawn after hydration (recharts measures the container in the browser); the server and
 * the first client render leave an empty box of the same size, so the layout does not jump.
 */
export function SensitivityChart({
  rows,
  minusLabel,
  plusLabel,
  unit,
}: {
  rows: TornadoRow[];
  minusLabel: string;
  plusLabel: string;
  unit: string;
}) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const height = 60 + rows.length * 38;
  return (
    <div style={{ width: "100%", height }} data-testid="sensitivity-chart">
      {mounted ? (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={rows}
            layout="vertical"
            stackOffset="sign"
            margin={{ top: 8, right: 24, bottom: 8, left: 8 }}
          >
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis
              type="number"
              tickFormatter={(v: number) =>
                v.toLocaleString(undefined, { maximumFractionDigits: 1 })
              }
            />
            <YAxis type="category" dataKey="label" width={180} tick={{ fontSize: 12 }} />
            <Tooltip
              formatter={(v: number) =>
                `${v > 0 ? "+" : ""}${v.toLocaleString(undefined, { maximumFractionDigits: 2 })} ${unit}`
              }
            />
            <Legend />
            <ReferenceLine x={0} stroke="#1b2430" />
            <Bar dataKey="minus" name={minusLabel} stackId="s" fill="#c8102e" />
            <Bar dataKey="plus" name={plusLabel} stackId="s" fill="#0b5cad" />
          </BarChart>
        </ResponsiveContainer>
      ) : null}
    </div>
  );
}
