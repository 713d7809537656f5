import { message, type Message } from "../message";

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

/**
 * Nearest-rank percentile of values sorted ascending: the value at rank ⌈p/100 × n⌉ (1-based),
 * the smallest for p = 0. Null for no values.
 */
export function percentileNearestRank(sorted: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0–100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  // (p × n) ÷ 100 rather than p/100 × n: 0.9 × 10 is 9.000000000000002 in floating point.
  const rank = Math.max(1, Math.ceil((p * n) / 100));
  return sorted[Math.min(n, rank) - 1];
}

export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** A duration for people (alliance:durations): minutes under an hour, hours under two days, else days. */
export function describeDuration(ms: number | null): Message {
  if (ms === null) return message("alliance:durations.none");
  const minutes = ms / 60_000;
  if (minutes < 60) return message("alliance:durations.minutes", { value: Math.round(minutes) });
  const hours = minutes / 60;
  if (hours < 48) return message("alliance:durations.hours", { value: hours.toFixed(1) });
  return message("alliance:durations.days", { value: (hours / 24).toFixed(1) });
}

export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianMs: percentileNearestRank(sorted, 50),
    p90Ms: percentileNearestRank(sorted, 90),
  };
}

/** a ÷ b in bp (10000 = 100%), rounded half up; null when b is 0. */
export function ratioBp(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  const n = BigInt(Math.round(numerator)) * 10_000n;
  const d = BigInt(Math.round(denominator));
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (ad * 2n);
  return Number(neg ? -q : q);
}

/** Σ(weight × value) ÷ Σ weight, rounded half up to an integer; null when Σ weight is 0. */
export function weightedAverage(
  items: readonly { weight: number; value: number }[],
): number | null {
  let num = 0n;
  let den = 0n;
  for (const it of items) {
    if (it.weight <= 0) continue;
    num += BigInt(Math.round(it.weight)) * BigInt(Math.round(it.value));
    den += BigInt(Math.round(it.weight));
  }
  if (den === 0n) return null;
  return Number((num * 2n + den) / (den * 2n));
}
