import { ratioBp } from "./statistics";

/**
 * The cohort funnel (同期群漏斗) of the alliance review: the financing requests created in the
 * period, each followed through its own later steps whenever they happened (up to today):
 *
 * | stage     | a request of the cohort counts when …                                      |
 * |-----------|-----------------------------------------------------------------------------|
 * | requests  | it was created in the period                                               |
 * | matched   | the firm started at least one application from it (a draft counts)          |
 * | submitted | at least one of those applications was submitted                           |
 * | approved  | at least one was approved by the bank (even if the loan was later called off) |
 * | disbursed | at least one was disbursed and the disbursement not reversed               |
 *
 * A request counts once per stage (however many applications it led to), and at a stage only if
 * it also counts at every stage before it, so the counts never rise down the funnel. The amount
 * of every stage is the amount the firms asked for in those requests, so the stages compare like
 * with like. The per-date view beside it (`computeFunnel`) counts each step by its own date
 * instead, which is what the ledger and a bank's monthly statistics use.
 */
export const COHORT_STAGES = ["requests", "matched", "submitted", "approved", "disbursed"] as const;
export type CohortStage = (typeof COHORT_STAGES)[number];

export interface CohortRequest {
  id: number;
  amountFen: number;
}

/** One application started from a request, with the steps it has reached so far. */
export interface CohortApplication {
  requestId: number;
  submitted: boolean;
  approved: boolean;
  /** Disbursed, net of any reversal (Σ ledger entries > 0). */
  disbursed: boolean;
}

export interface CohortStep {
  stage: CohortStage;
  count: number;
  amountFen: number;
  /** Share of the stage before, in bp; null for the first stage or when the one before is 0. */
  ofPreviousBp: number | null;
}

/** The furthest stage an application has reached (index into COHORT_STAGES). */
function reach(a: CohortApplication): number {
  if (a.disbursed) return 4;
  if (a.approved) return 3;
  if (a.submitted) return 2;
  return 1;
}

export function computeCohortFunnel(
  requests: readonly CohortRequest[],
  applications: readonly CohortApplication[],
): CohortStep[] {
  const furthest = new Map<number, number>(requests.map((r) => [r.id, 0]));
  for (const a of applications) {
    const now = furthest.get(a.requestId);
    // An application of a request outside the cohort does not count.
    if (now === undefined) continue;
    furthest.set(a.requestId, Math.max(now, reach(a)));
  }
  const steps: CohortStep[] = COHORT_STAGES.map((stage) => ({
    stage,
    count: 0,
    amountFen: 0,
    ofPreviousBp: null,
  }));
  for (const r of requests) {
    const far = furthest.get(r.id) ?? 0;
    for (let i = 0; i <= far; i++) {
      steps[i].count += 1;
      steps[i].amountFen += r.amountFen;
    }
  }
  for (let i = 1; i < steps.length; i++) {
    steps[i].ofPreviousBp = ratioBp(steps[i].count, steps[i - 1].count);
  }
  return steps;
}
