import type { FeeState } from "./collateral-fees";

/**
 * The watch list (docs/domain.md#collateral-monitoring): the loans and pledged assets that need
 * someone's attention, in groups a bank officer works through one at a time. Pure: the model
 * loads the loans' states, this sorts them into groups and pages.
 */

export interface PledgedAssetWatch {
  applicationId: number;
  assetId: number;
  number: string;
  title: string;
  ipType: string;
  status: string;
  valueFen: number;
  fee: FeeState;
  /** The fee year (patents) or renewal number (trademarks) a payment would record next. */
  nextFeeYear: number;
  counts: boolean;
  appraisalValidUntil: string | null;
  appraisalExpiring: boolean;
}

export type WatchFlag = "coverage" | "fee_due" | "grace" | "lapsed" | "appraisal" | "overdue";

export interface LoanWatch {
  applicationId: number;
  firmName: string;
  status: string;
  outstandingFen: number;
  /** Value of the assets that still count, in bp of the outstanding principal; null when none is owed. */
  coverageBp: number | null;
  minCoverageBp: number;
  daysPastDue: number;
  riskClass: string;
  assets: PledgedAssetWatch[];
  flags: WatchFlag[];
}

/** The groups in the order they are worked: what cuts the security first. */
export const WATCH_GROUPS = [
  "coverage",
  "lapsed",
  "grace",
  "fee_due",
  "appraisal",
  "overdue",
] as const satisfies readonly WatchFlag[];
export type WatchGroup = (typeof WATCH_GROUPS)[number];

export const WATCH_PAGE_SIZE = 20;

/** One line of a group: a loan (coverage, overdue) or one pledged asset of a loan. */
export interface WatchRow {
  key: string;
  applicationId: number;
  firmName: string;
  outstandingFen: number;
  coverageBp: number | null;
  minCoverageBp: number;
  daysPastDue: number;
  riskClass: string;
  asset: PledgedAssetWatch | null;
}

const ASSET_GROUPS: Record<
  Exclude<WatchGroup, "coverage" | "overdue">,
  (a: PledgedAssetWatch) => boolean
> = {
  lapsed: (a) => !a.counts,
  grace: (a) => a.counts && a.fee.state === "grace",
  fee_due: (a) => a.counts && a.fee.state === "due_soon",
  appraisal: (a) => a.counts && a.appraisalExpiring,
};

/** The date an asset row is sorted by: the soonest deadline first. */
function urgency(a: PledgedAssetWatch, group: WatchGroup): string {
  if (group === "appraisal") return a.appraisalValidUntil ?? "";
  const f = a.fee;
  if (f.state === "grace") return f.graceEnd;
  if (f.state === "expired") return f.expiry;
  return f.deadline;
}

/** Every row of one group, most urgent first. */
export function watchRows(loans: readonly LoanWatch[], group: WatchGroup): WatchRow[] {
  const base = (l: LoanWatch) => ({
    applicationId: l.applicationId,
    firmName: l.firmName,
    outstandingFen: l.outstandingFen,
    coverageBp: l.coverageBp,
    minCoverageBp: l.minCoverageBp,
    daysPastDue: l.daysPastDue,
    riskClass: l.riskClass,
  });
  if (group === "coverage" || group === "overdue") {
    const mine = loans.filter((l) => l.flags.includes(group));
    const sorted =
      group === "coverage"
        ? [...mine].sort(
            (a, b) =>
              (a.coverageBp ?? 0) - (b.coverageBp ?? 0) || a.applicationId - b.applicationId,
          )
        : [...mine].sort(
            (a, b) => b.daysPastDue - a.daysPastDue || a.applicationId - b.applicationId,
          );
    return sorted.map((l) => ({ key: `${group}-${l.applicationId}`, ...base(l), asset: null }));
  }
  const rows: WatchRow[] = [];
  for (const l of loans) {
    for (const a of l.assets) {
      if (ASSET_GROUPS[group](a)) {
        rows.push({ key: `${group}-${l.applicationId}-${a.assetId}`, ...base(l), asset: a });
      }
    }
  }
  return rows.sort(
    (x, y) =>
      urgency(x.asset!, group).localeCompare(urgency(y.asset!, group)) ||
      x.applicationId - y.applicationId ||
      x.asset!.assetId - y.asset!.assetId,
  );
}

/** The count of every group. */
export function watchCounts(loans: readonly LoanWatch[]): Record<WatchGroup, number> {
  return Object.fromEntries(
    WATCH_GROUPS.map((g) => [g, watchRows(loans, g).length] as const),
  ) as Record<WatchGroup, number>;
}

/** One page of a group; a page past the end shows the last. */
export function watchPage(
  loans: readonly LoanWatch[],
  group: WatchGroup,
  page: number,
  size: number = WATCH_PAGE_SIZE,
): { rows: WatchRow[]; page: number; pages: number; total: number } {
  const all = watchRows(loans, group);
  const pages = Math.max(1, Math.ceil(all.length / size));
  const p = Math.min(Math.max(1, page), pages);
  return { rows: all.slice((p - 1) * size, p * size), page: p, pages, total: all.length };
}

/** The group to open first: the first with anything in it (coverage when all are empty). */
export function firstBusyGroup(counts: Record<WatchGroup, number>): WatchGroup {
  return WATCH_GROUPS.find((g) => counts[g] > 0) ?? "coverage";
}
