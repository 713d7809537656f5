import { describe, expect, it } from "vitest";
import {
  addMonths,
  computeProgress,
  cumulativeByMonth,
  DEFAULT_PHASES,
  lastDayOfMonth,
  monthsInclusive,
  validateTargetPhases,
  type TargetPhase,
} from "../../app/domain/progress";

const YI = 10_000_000_000; // 1亿元 in fen

describe("the running total toward the target", () => {
  it("shows 40% of 100亿元 and the amount needed per month, counting the current month", () => {
    const p = computeProgress({
      phases: DEFAULT_PHASES,
      financedFen: 40 * YI,
      firmsFinanced: 120,
      monthly: [],
      today: "2025-03-15",
    });
    expect(p.targetFen).toBe(100 * YI);
    expect(p.progressBp).toBe(4000);
    expect(p.remainingFen).toBe(60 * YI);
    expect(p.monthsLeft).toBe(10); // March … December 2025
    expect(p.neededPerMonthFen).toBe(6 * YI);
    expect(p.firmsFinanced).toBe(120);
    expect(p.deadlinePassed).toBe(false);
  });

  it("rounds the amount needed per month up to the fen", () => {
    const p = computeProgress({
      phases: [{ name: "x", targetFen: 100, deadline: "2025-03-31" }],
      financedFen: 0,
      firmsFinanced: 0,
      monthly: [],
      today: "2025-01-01",
    });
    expect(p.neededPerMonthFen).toBe(34); // 100 ÷ 3 months
  });

  it("projects the date at the trailing six-month pace from the next month on", () => {
    // Six full months before 2025-07: January … June, 2亿元 each → pace 2亿元 a month.
    const monthly = ["01", "02", "03", "04", "05", "06"].map((m) => ({
      month: `2025-${m}`,
      amountFen: 2 * YI,
    }));
    // The current month's entries are in the total but not in the pace.
    monthly.push({ month: "2025-07", amountFen: 50 * YI });
    const p = computeProgress({
      phases: DEFAULT_PHASES,
      financedFen: 90 * YI,
      firmsFinanced: 1,
      monthly,
      today: "2025-07-10",
    });
    expect(p.paceFromMonth).toBe("2025-01");
    expect(p.paceToMonth).toBe("2025-06");
    expect(p.paceFen).toBe(2 * YI);
    expect(p.projection).toEqual({
      kind: "projected",
      month: "2025-12",
      date: "2025-12-31",
      monthsNeeded: 5,
    });
  });

  it("says it cannot project without disbursements in the last six full months", () => {
    const p = computeProgress({
      phases: DEFAULT_PHASES,
      financedFen: 10 * YI,
      firmsFinanced: 3,
      monthly: [{ month: "2024-01", amountFen: 10 * YI }],
      today: "2025-07-10",
    });
    expect(p.paceFen).toBe(0);
    expect(p.projection).toEqual({ kind: "no_pace" });
  });

  it("projects nothing when the pace would need more than a century", () => {
    const p = computeProgress({
      phases: DEFAULT_PHASES,
      financedFen: 76_000_000,
      firmsFinanced: 2,
      monthly: [{ month: "2026-06", amountFen: 57_000_000 }],
      today: "2026-12-06",
    });
    expect(p.paceFen).toBe(9_500_000);
    expect(p.projection).toEqual({ kind: "no_pace" });
  });

  it("reports the month the target was reached", () => {
    const p = computeProgress({
      phases: [{ name: "t", targetFen: 300, deadline: "2025-12-31" }],
      financedFen: 350,
      firmsFinanced: 2,
      monthly: [
        { month: "2025-02", amountFen: 200 },
        { month: "2025-01", amountFen: 100 },
        { month: "2025-03", amountFen: 50 },
      ],
      today: "2025-06-01",
    });
    expect(p.progressBp).toBe(11666);
    expect(p.remainingFen).toBe(0);
    expect(p.neededPerMonthFen).toBeNull();
    expect(p.projection).toEqual({ kind: "reached", month: "2025-02" });
  });

  it("after the only deadline, says so and keeps projecting the unreached target", () => {
    const p = computeProgress({
      phases: DEFAULT_PHASES,
      financedFen: 20 * YI,
      firmsFinanced: 50,
      monthly: [{ month: "2026-06", amountFen: 6 * YI }],
      today: "2026-11-27",
    });
    expect(p.deadlinePassed).toBe(true);
    expect(p.monthsLeft).toBe(0);
    expect(p.neededPerMonthFen).toBeNull();
    expect(p.passedPhase).toMatchObject({ name: "2025", progressBp: 2000, reached: false });
    expect(p.nextPhase).toBeNull();
    expect(p.paceFen).toBe(YI); // 6亿元 over May … October 2026
    expect(p.projection).toMatchObject({ kind: "projected", monthsNeeded: 80 });
  });

  it("moves on to the next phase after the first deadline, showing how the first one ended", () => {
    const phases: TargetPhase[] = [
      { name: "二期", targetFen: 300 * YI, deadline: "2035-12-31" },
      { name: "2025", targetFen: 100 * YI, deadline: "2025-12-31" },
    ];
    const p = computeProgress({
      phases,
      financedFen: 120 * YI,
      firmsFinanced: 9,
      monthly: [],
      today: "2026-01-05",
    });
    expect(p.phaseName).toBe("二期");
    expect(p.deadlinePassed).toBe(false);
    expect(p.passedPhase).toMatchObject({ name: "2025", reached: true, progressBp: 12000 });
    expect(p.monthsLeft).toBe(120);
    expect(p.progressBp).toBe(4000);
  });

  it("names the next phase while the current one is running", () => {
    const p = computeProgress({
      phases: [
        { name: "2025", targetFen: 100 * YI, deadline: "2025-12-31" },
        { name: "2030", targetFen: 200 * YI, deadline: "2030-12-31" },
      ],
      financedFen: 0,
      firmsFinanced: 0,
      monthly: [],
      today: "2025-12-31",
    });
    expect(p.phaseName).toBe("2025");
    expect(p.monthsLeft).toBe(1);
    expect(p.nextPhase?.name).toBe("2030");
  });
});

describe("the cumulative series", () => {
  it("fills months without entries so the line is continuous", () => {
    expect(
      cumulativeByMonth(
        [
          { month: "2025-03", amountFen: 5 },
          { month: "2025-01", amountFen: 10 },
          { month: "2025-03", amountFen: -2 },
        ],
        "2025-04",
      ),
    ).toEqual([
      { month: "2025-01", amountFen: 10, cumulativeFen: 10 },
      { month: "2025-02", amountFen: 0, cumulativeFen: 10 },
      { month: "2025-03", amountFen: 3, cumulativeFen: 13 },
      { month: "2025-04", amountFen: 0, cumulativeFen: 13 },
    ]);
  });

  it("is empty before the first disbursement", () => {
    expect(cumulativeByMonth([], "2025-04")).toEqual([]);
  });
});

describe("month arithmetic", () => {
  it("crosses year ends and knows leap Februaries", () => {
    expect(addMonths("2025-11", 3)).toBe("2026-02");
    expect(addMonths("2025-01", -1)).toBe("2024-12");
    expect(lastDayOfMonth("2024-02")).toBe("2024-02-29");
    expect(lastDayOfMonth("2025-02")).toBe("2025-02-28");
    expect(monthsInclusive("2025-03", "2025-12")).toBe(10);
    expect(monthsInclusive("2026-01", "2025-12")).toBe(0);
  });
});

describe("the target phases an admin sets", () => {
  it("accepts the default", () => {
    expect(validateTargetPhases(DEFAULT_PHASES)).toEqual([]);
  });

  it("needs increasing deadlines and increasing cumulative targets", () => {
    expect(
      validateTargetPhases([
        { name: "2025", targetFen: 100 * YI, deadline: "2025-12-31" },
        { name: "2030", targetFen: 100 * YI, deadline: "2025-12-31" },
      ]),
    ).toEqual([
      { index: 1, field: "targetFen", code: "not_above_previous" },
      { index: 1, field: "deadline", code: "not_after_previous" },
    ]);
  });

  it("refuses an empty list, a blank name, a zero target and a date that does not exist", () => {
    expect(validateTargetPhases([])).toEqual([{ index: -1, field: "phases", code: "none" }]);
    expect(validateTargetPhases([{ name: " ", targetFen: 0, deadline: "2025-02-29" }])).toEqual([
      { index: 0, field: "name", code: "required" },
      { index: 0, field: "targetFen", code: "not_positive" },
      { index: 0, field: "deadline", code: "bad_date" },
    ]);
  });
});
