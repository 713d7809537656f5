import { lazy, Suspense, useEffect, useState } from "react";

/**
 * The public report's bar charts. A fixed width (680 px ≈ the 180 mm text width of an A4 page)
 * instead of a ResponsiveContainer, so the printed page looks like the screen; drawn after
 * hydration like the other charts in the app (recharts' generated ids differ between server and
 * browser), with a box of the same size before, so nothing jumps. The tables next to each chart
 * carry the same figures for screen readers, printing without scripts, and the CSV.
 */

export const CHART_WIDTH = 680;

// Recharts loads after mount, not with the page (issue 15: the public pages' initial JS).
const LazyHorizontal = lazy(() =>
  import("./report-drawings").then((m) => ({ default: m.HorizontalBarChart })),
);
const LazyColumn = lazy(() =>
  import("./report-drawings").then((m) => ({ default: m.ColumnBarChart })),
);

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
  return (
    <div
      className="chart-box"
      style={{ width: CHART_WIDTH, height }}
      data-testid={testId}
      // Wider than a phone: it scrolls inside itself, so keyboard users must be able to reach it.
      tabIndex={0}
      role="group"
      aria-label={unit}
    >
      {mounted ? (
        <Suspense fallback={null}>
          <LazyHorizontal data={data} unit={unit} color={color} height={height} />
        </Suspense>
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
  return (
    <div
      className="chart-box"
      style={{ width: CHART_WIDTH, height }}
      data-testid={testId}
      // Wider than a phone: it scrolls inside itself, so keyboard users must be able to reach it.
      tabIndex={0}
      role="group"
      aria-label={unit}
    >
      {mounted ? (
        <Suspense fallback={null}>
          <LazyColumn data={data} unit={unit} color={color} height={height} />
        </Suspense>
      ) : null}
    </div>
  );
}
