import { message, type Message } from "../message";
import { REGIONS } from "../regions";
import { ratioBp } from "./statistics";

// ---------------------------------------------------------------------------------------------
// The report's commentary
// ---------------------------------------------------------------------------------------------

export interface RegionAmount {
  code: string;
  amountFen: number;
  count: number;
}

export interface CommentaryInput {
  asOfDate: string;
  financedFen: number;
  targetFen: number;
  deadline: string;
  deadlinePassed: boolean;
  progressBp: number;
  remainingFen: number;
  monthsLeft: number;
  neededPerMonthFen: number | null;
  /** Trailing six-month average per month (app/domain/progress.ts). */
  paceFen: number;
  /** Projected month to reach the target at that pace, if any. */
  projectedMonth: string | null;
  reachedMonth: string | null;
  regions: readonly RegionAmount[];
  firmsFinanced: number;
  specialisedFirms: number;
  highTechFirms: number;
}

/** 盟市 by amount, largest first (ties: by code, so the text never flickers). */
export function rankRegions(regions: readonly RegionAmount[]): RegionAmount[] {
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const all = REGIONS.map((r) => byCode.get(r.code) ?? { code: r.code, amountFen: 0, count: 0 });
  return all.sort((a, b) => b.amountFen - a.amountFen || (a.code < b.code ? -1 : 1));
}

/**
 * A short commentary on the report's figures, one message per paragraph (alliance:commentary):
 * the total against the target, the leading and lagging 盟市, the pace needed per month, and the
 * share of 专精特新 and 高新 firms among the firms financed. A pure function of the aggregates: the
 * same figures always give the same words.
 */
export function reportCommentary(c: CommentaryInput): Message[] {
  const key = (k: string) => `alliance:commentary.${k}`;
  const out: Message[] = [
    message(key("total"), {
      asOfDate: c.asOfDate,
      financedFen: c.financedFen,
      targetFen: c.targetFen,
      progressBp: c.progressBp,
      count: c.firmsFinanced,
    }),
  ];

  const ranked = rankRegions(c.regions);
  const withLoans = ranked.filter((r) => r.amountFen > 0);
  const total = withLoans.reduce((s, r) => s + r.amountFen, 0);
  const codes = (rs: readonly RegionAmount[]) => rs.map((r) => r.code);
  if (withLoans.length === 0) {
    out.push(message(key("noRegions")));
  } else {
    const leaders = withLoans.slice(0, Math.min(3, withLoans.length));
    out.push(
      message(key("leaders"), {
        regions: codes(leaders),
        count: leaders.length,
        leadShareBp: ratioBp(
          leaders.reduce((s, r) => s + r.amountFen, 0),
          total,
        ),
        region: leaders[0].code,
        leaderAmountFen: leaders[0].amountFen,
      }),
    );
    const none = ranked.filter((r) => r.amountFen <= 0);
    if (none.length > 0) {
      out.push(message(key("withoutLoans"), { regions: codes(none), count: none.length }));
    } else {
      // Every 盟市 has loans (all twelve, three of them leading): name the two smallest.
      const [second, last] = withLoans.slice(-2);
      if (withLoans.length >= leaders.length + 2) {
        out.push(
          message(key("laggards"), {
            region: last.code,
            amountFen: last.amountFen,
            otherRegion: second.code,
            otherAmountFen: second.amountFen,
          }),
        );
      }
    }
  }

  if (c.remainingFen <= 0) {
    out.push(
      c.reachedMonth
        ? message(key("reached.inMonth"), { targetFen: c.targetFen, month: c.reachedMonth })
        : message(key("reached.plain"), { targetFen: c.targetFen }),
    );
  } else if (c.deadlinePassed) {
    out.push(
      message(key("deadlinePassed"), { deadline: c.deadline, remainingFen: c.remainingFen }),
    );
  } else {
    const pace =
      c.paceFen <= 0
        ? "stalled"
        : c.projectedMonth === null
          ? "steady"
          : c.projectedMonth <= c.deadline.slice(0, 7)
            ? "onTrack"
            : "late";
    out.push(
      message(key(`pace.${pace}`), {
        deadline: c.deadline,
        count: c.monthsLeft,
        remainingFen: c.remainingFen,
        needFen: c.neededPerMonthFen ?? c.remainingFen,
        paceFen: c.paceFen,
        projectedMonth: c.projectedMonth ?? "",
      }),
    );
  }

  if (c.firmsFinanced > 0) {
    out.push(
      message(key("firmMix"), {
        specialisedFirms: c.specialisedFirms,
        specialisedShareBp: ratioBp(c.specialisedFirms, c.firmsFinanced),
        highTechFirms: c.highTechFirms,
        highTechShareBp: ratioBp(c.highTechFirms, c.firmsFinanced),
      }),
    );
  }
  return out;
}
