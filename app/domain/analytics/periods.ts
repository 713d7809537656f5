import { CHINA_OFFSET_MS } from "../dates";
import { isIsoDate } from "../ip";

/**
 * Deal-flow analytics for the alliance review (联盟成员审阅) and the public report (发展报告).
 * Pure: the models read rows, these functions classify, count and describe them. Every figure on
 * the review page and every row of its drill-down go through the same predicate (`applicationInStage`),
 * so a drill-down's exact total always equals the figure it came from.
 *
 * ## The period and the stages
 * A period is two China business days, both included. Each stage counts the applications whose
 * step falls inside the period, by the date of that step (an "activity" funnel, like a bank's
 * monthly statistics): the numbers of one period are not a cohort, so a loan approved in December
 * and disbursed in January counts as approved in one year and disbursed in the next. This is what
 * makes the disbursed figure of any period equal the ledger's entries with a value date in it.
 *
 * | stage       | counted when                                   | amount                         |
 * |-------------|------------------------------------------------|--------------------------------|
 * | requests    | financing request created in the period         | amount asked                   |
 * | matched     | … of those, the firm started ≥ 1 application    | amount asked                   |
 * |             | from it (a draft counts)                        |                                |
 * | submitted   | submitted_at in the period                     | amount applied for             |
 * | approved    | approved_at in the period (even if the bank     | approved amount                |
 * |             | later called the loan off)                      |                                |
 * | registered  | pledge_reg_date (CNIPA 质押登记 day) in period   | approved amount                |
 * | disbursed   | disbursed_date (= ledger value date) in period, | Σ ledger entries of the deal   |
 * |             | disbursement not reversed                       | (net of reversals)             |
 * | repaid      | state repaid, closed_date in the period         | Σ ledger entries of the deal   |
 * | defaulted   | state defaulted, closed_date in the period      | Σ ledger entries of the deal   |
 *
 * "Matched" is honest about what the platform keeps: matching is computed live against today's
 * products and not stored, so a request counts as matched when the firm acted on a match by
 * starting an application from it.
 *
 * ## Rates (all integer bp, rounded half up; null when the denominator is 0)
 * - approval rate = approved ÷ decided, where decided = approved + rejected at review (rejected
 *   without ever being approved), both by the day of the decision in the period;
 * - average approved rate = Σ(approved amount × approved rate) ÷ Σ approved amount (加权平均利率,
 *   weighted by amount, as the PBoC publishes loan rates);
 * - default rate = defaulted ÷ (repaid + defaulted) among loans closed in the period, by count and
 *   by amount. Outstanding loans are left out: they have not had the chance to default yet, and
 *   counting them would make a growing book look safer than it is;
 * - pledge rate by IP type: the product pledge rates (质押率上限, application_assets.pledge_rate_bp
 *   from the snapshot) of the assets pledged in the deals approved in the period, weighted by each
 *   asset's formal value; and the effective pledge rate (实际质押率) by the deal's primary IP type:
 *   Σ approved amount ÷ Σ formal value of the assets pledged.
 *
 * ## Durations
 * Time in a stage is measured from the workflow's instants (submitted_at → review_started_at →
 * approved_at → registered_at → disbursed_at → closed_at) for the deals whose later step falls in
 * the period. Median and p90 use the nearest-rank method: the p-th percentile of n sorted values is
 * the value at rank ⌈p/100 × n⌉ (1-based). It is always one of the observed values; for an even n
 * the median is the lower of the two middle values.
 *
 * Sums of money stay far below 2⁵³ fen (the 100亿元 target is 10¹² fen); amount × rate products are
 * summed as bigint.
 */

// ---------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------

export interface Period {
  /** First China business day, 'YYYY-MM-DD', included. */
  from: string;
  /** Last China business day, 'YYYY-MM-DD', included. */
  to: string;
}

export interface PeriodBounds extends Period {
  /** UTC instant 'YYYY-MM-DD HH:MM:SS.mmm' of 00:00 in China on `from` (included). */
  fromInstant: string;
  /** UTC instant of 00:00 in China on the day after `to` (excluded). */
  toInstantExclusive: string;
}

function utcMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function instant(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** The UTC instants that bound a period of China business days. */
export function periodBounds(p: Period): PeriodBounds {
  if (!isIsoDate(p.from) || !isIsoDate(p.to)) {
    throw new RangeError(`a period needs two dates 'YYYY-MM-DD', got ${p.from} … ${p.to}`);
  }
  return {
    ...p,
    fromInstant: instant(utcMidnight(p.from) - CHINA_OFFSET_MS),
    toInstantExclusive: instant(utcMidnight(p.to) + 86_400_000 - CHINA_OFFSET_MS),
  };
}

/** The default period: 1 January of this year to today. */
export function defaultPeriod(today: string): Period {
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

export function instantInPeriod(at: string | null, b: PeriodBounds): boolean {
  return at !== null && at >= b.fromInstant && at < b.toInstantExclusive;
}

export function dateInPeriod(day: string | null, b: PeriodBounds): boolean {
  return day !== null && day >= b.from && day <= b.to;
}
