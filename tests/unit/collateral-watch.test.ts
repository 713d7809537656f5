import { describe, expect, it } from "vitest";
import type { FeeState } from "../../app/domain/servicing/collateral-fees";
import {
  firstBusyGroup,
  watchCounts,
  watchPage,
  watchRows,
  type LoanWatch,
  type PledgedAssetWatch,
} from "../../app/domain/servicing/watch";

function asset(id: number, fee: FeeState, o: Partial<PledgedAssetWatch> = {}): PledgedAssetWatch {
  return {
    applicationId: 0,
    assetId: id,
    number: `N${id}`,
    title: `资产${id}`,
    ipType: "invention",
    status: "granted",
    valueFen: 100_000_000,
    fee,
    nextFeeYear: 6,
    counts: fee.state !== "lapsed" && fee.state !== "expired",
    appraisalValidUntil: "2099-12-31",
    appraisalExpiring: false,
    ...o,
  };
}

function loan(id: number, assets: PledgedAssetWatch[], o: Partial<LoanWatch> = {}): LoanWatch {
  return {
    applicationId: id,
    firmName: `企业${id}`,
    status: "open",
    outstandingFen: 50_000_000,
    coverageBp: 20_000,
    minCoverageBp: 10_000,
    daysPastDue: 0,
    riskClass: "normal",
    assets: assets.map((a) => ({ ...a, applicationId: id })),
    flags: [],
    ...o,
  };
}

const paid: FeeState = { state: "paid", deadline: "2027-05-01", daysUntil: 200 };
const due = (deadline: string, daysUntil: number): FeeState => ({
  state: "due_soon",
  deadline,
  daysUntil,
});
const grace: FeeState = {
  state: "grace",
  deadline: "2026-10-01",
  graceEnd: "2027-04-01",
  lateMonth: 3,
  surchargeBp: 1000,
};
const lapsed: FeeState = {
  state: "lapsed",
  deadline: "2026-01-01",
  graceEnd: "2026-07-01",
  lapsedFrom: "2026-01-02",
};

const loans: LoanWatch[] = [
  loan(1, [asset(11, due("2026-12-20", 14)), asset(12, paid)], { flags: ["fee_due"] }),
  loan(2, [asset(21, lapsed), asset(22, due("2026-12-10", 4))], {
    coverageBp: 8_000,
    flags: ["coverage", "fee_due", "lapsed"],
  }),
  loan(
    3,
    [
      asset(31, grace),
      asset(32, paid, { appraisalExpiring: true, appraisalValidUntil: "2026-12-30" }),
    ],
    {
      daysPastDue: 40,
      coverageBp: 9_500,
      flags: ["coverage", "grace", "appraisal", "overdue"],
    },
  ),
  loan(4, [asset(41, paid, { status: "invalidated", counts: false })], {
    coverageBp: 0,
    flags: ["coverage", "lapsed"],
  }),
];

describe("the collateral watch list", () => {
  it("lists loans below their coverage lowest first", () => {
    expect(watchRows(loans, "coverage").map((r) => r.applicationId)).toEqual([4, 2, 3]);
  });

  it("lists each fee due within 30 days by its deadline, soonest first, one row per asset", () => {
    const rows = watchRows(loans, "fee_due");
    expect(rows.map((r) => [r.applicationId, r.asset?.assetId])).toEqual([
      [2, 22],
      [1, 11],
    ]);
  });

  it("puts an asset lapsed by its fee and one invalidated on record both under lapsed", () => {
    expect(watchRows(loans, "lapsed").map((r) => r.asset?.assetId)).toEqual([21, 41]);
  });

  it("lists grace, expiring appraisals and overdue loans in their own groups", () => {
    expect(watchRows(loans, "grace").map((r) => r.asset?.assetId)).toEqual([31]);
    expect(watchRows(loans, "appraisal").map((r) => r.asset?.assetId)).toEqual([32]);
    expect(watchRows(loans, "overdue").map((r) => [r.applicationId, r.asset])).toEqual([[3, null]]);
  });

  it("counts every group and opens the first group with anything in it", () => {
    const counts = watchCounts(loans);
    expect(counts).toEqual({
      coverage: 3,
      lapsed: 2,
      grace: 1,
      fee_due: 2,
      appraisal: 1,
      overdue: 1,
    });
    expect(firstBusyGroup(counts)).toBe("coverage");
    expect(firstBusyGroup(watchCounts([loan(9, [asset(91, paid)])]))).toBe("coverage");
    expect(firstBusyGroup({ ...counts, coverage: 0, lapsed: 0 })).toBe("grace");
  });

  it("pages a long group and answers a page past the end with the last page", () => {
    const many = Array.from({ length: 45 }, (_, i) =>
      loan(100 + i, [asset(1000 + i, due("2026-12-20", 10))], { flags: ["fee_due"] }),
    );
    const first = watchPage(many, "fee_due", 1, 20);
    expect(first).toMatchObject({ page: 1, pages: 3, total: 45 });
    expect(first.rows).toHaveLength(20);
    const last = watchPage(many, "fee_due", 99, 20);
    expect(last.page).toBe(3);
    expect(last.rows).toHaveLength(5);
    expect(watchPage([], "coverage", 1)).toMatchObject({ rows: [], page: 1, pages: 1, total: 0 });
  });
});
