import { describe, expect, it } from "vitest";
import {
  checkOverride,
  classificationFloor,
  classify,
} from "../../app/domain/servicing/classification";
import {
  countsAsCollateral,
  feeYearOn,
  lateMonth,
  patentFeeDeadline,
  patentFeeState,
  patentSurchargeBp,
  restorationDeadline,
  surchargeFen,
  trademarkRenewalState,
} from "../../app/domain/servicing/collateral-fees";
import {
  loanPosition,
  planRepayment,
  type LoanTerms,
  type PostedRepayment,
} from "../../app/domain/servicing/position";
import { buildSchedule, type RepaymentMethod } from "../../app/domain/servicing/schedule";

function terms(method: RepaymentMethod, principalFen = 100_000_000): LoanTerms {
  const input = {
    method,
    principalFen,
    annualRateBp: 420,
    termMonths: 12,
    startDate: "2026-01-31",
  };
  return { ...input, schedule: buildSchedule(input) };
}

/** Posts like the model does: plan, then append what the plan said. */
function post(t: LoanTerms, list: PostedRepayment[], amountFen: number, date: string) {
  const plan = planRepayment(t, list, amountFen, date, "2030-01-01");
  if (!plan.ok) throw new Error(plan.refusal);
  list.push({
    valueDate: date,
    principalFen: plan.principalFen,
    interestFen: plan.interestFen,
    kind: plan.kind,
  });
  return plan;
}

describe("repayments against the schedule", () => {
  it("a scheduled instalment pays its interest and principal", () => {
    const t = terms("equal_instalment");
    const list: PostedRepayment[] = [];
    const plan = post(t, list, 8_524_131, "2026-02-28");
    expect(plan).toMatchObject({
      kind: "scheduled",
      principalFen: 8_174_131,
      interestFen: 350_000,
    });
    const pos = loanPosition(t, list, "2026-03-01");
    expect(pos.outstandingPrincipalFen).toBe(91_825_869);
    expect(pos.daysPastDue).toBe(0);
  });

  it("a partial payment pays interest first and leaves the rest overdue", () => {
    const t = terms("equal_instalment");
    const list: PostedRepayment[] = [];
    expect(post(t, list, 400_000, "2026-02-28")).toMatchObject({
      kind: "partial",
      interestFen: 350_000,
      principalFen: 50_000,
    });
    const pos = loanPosition(t, list, "2026-03-10");
    expect(pos.daysPastDue).toBe(10);
    expect(pos.overduePrincipalFen).toBe(8_124_131);
    expect(pos.overdueInterestFen).toBe(0);
  });

  it("an early repayment shortens the term and lowers later interest", () => {
    const t = terms("equal_principal");
    const list: PostedRepayment[] = [];
    post(t, list, 8_683_333, "2026-02-28");
    const early = post(t, list, 8_654_166 + 10_000_000, "2026-03-31");
    expect(early).toMatchObject({ kind: "early", interestFen: 320_833, principalFen: 18_333_333 });
    const pos = loanPosition(t, list, "2026-04-01");
    expect(pos.outstandingPrincipalFen).toBe(100_000_000 - 8_333_333 - 18_333_333);
    // Period 3 opens on 2026-03-31 with 10,000,000 less: (83,333,334 − 10,000,000) × 0.35 %.
    expect(pos.instalments[2].interestDueFen).toBe(256_667);
    // The 10,000,000 came off the last instalments: the 12th is gone, the 11th reduced.
    expect(pos.instalments[11].principalDueFen).toBe(0);
    expect(pos.instalments[10].principalDueFen).toBe(8_333_333 - (10_000_000 - 8_333_337));
  });

  it("settling early charges the days since the period began at the daily rate", () => {
    const t = terms("equal_instalment");
    const list: PostedRepayment[] = [];
    post(t, list, 8_524_131, "2026-02-28");
    const pos = loanPosition(t, list, "2026-03-10");
    // 91,825,869 × 4.20 % × 10 / 360 = 107,130.18 → 107,130
    expect(pos.accruedInterestFen).toBe(107_130);
    expect(pos.settlementFen).toBe(91_825_869 + 107_130);
    const plan = post(t, list, pos.settlementFen, "2026-03-10");
    expect(plan).toMatchObject({
      kind: "settlement",
      principalFen: 91_825_869,
      interestFen: 107_130,
    });
    const after = loanPosition(t, list, "2027-06-01");
    expect(after).toMatchObject({
      closed: true,
      settled: true,
      outstandingPrincipalFen: 0,
      daysPastDue: 0,
    });
  });

  it("refuses more than settles the loan, a date before disbursement or in the future, a closed loan", () => {
    const t = terms("bullet");
    const list: PostedRepayment[] = [];
    const settle = loanPosition(t, list, "2026-06-30").settlementFen;
    expect(planRepayment(t, list, settle + 1, "2026-06-30", "2026-07-01")).toMatchObject({
      ok: false,
      refusal: "moreThanOwed",
    });
    expect(planRepayment(t, list, 100, "2026-01-30", "2026-07-01")).toMatchObject({
      ok: false,
      refusal: "beforeDisbursement",
    });
    expect(planRepayment(t, list, 100, "2026-07-02", "2026-07-01")).toMatchObject({
      ok: false,
      refusal: "inFuture",
    });
    expect(planRepayment(t, list, 0, "2026-07-01", "2026-07-01")).toMatchObject({
      ok: false,
      refusal: "notPositive",
    });
    post(t, list, settle, "2026-06-30");
    expect(planRepayment(t, list, 100, "2026-07-01", "2026-07-01")).toMatchObject({
      ok: false,
      refusal: "closed",
    });
  });

  it("refuses an amount between the principal left and the settlement", () => {
    const t = terms("bullet");
    const pos = loanPosition(t, [], "2026-06-30");
    expect(planRepayment(t, [], pos.settlementFen - 1, "2026-06-30", "2026-07-01")).toMatchObject({
      ok: false,
      refusal: "settleExactly",
    });
  });

  it("a bullet loan paid on the day is scheduled and closes it", () => {
    const t = terms("bullet");
    const list: PostedRepayment[] = [];
    expect(post(t, list, 104_258_333, "2027-01-31")).toMatchObject({
      kind: "scheduled",
      interestFen: 4_258_333,
    });
    expect(loanPosition(t, list, "2027-02-01").closed).toBe(true);
  });

  it("counts days past due from the oldest unpaid instalment, the due day itself not overdue", () => {
    const t = terms("interest_only");
    expect(loanPosition(t, [], "2026-02-28").daysPastDue).toBe(0);
    expect(loanPosition(t, [], "2026-03-01").daysPastDue).toBe(1);
    expect(loanPosition(t, [], "2026-05-29").daysPastDue).toBe(90);
    const list: PostedRepayment[] = [];
    post(t, list, 350_000, "2026-03-05");
    // The February interest is paid; the March instalment (due 03-31) is now the oldest unpaid.
    expect(loanPosition(t, list, "2026-04-02").daysPastDue).toBe(2);
  });
});

describe("risk classification floors (令 2023 年第 1 号)", () => {
  it.each([
    [0, "normal"],
    [1, "special_mention"],
    [90, "special_mention"],
    [91, "substandard"],
    [270, "substandard"],
    [271, "doubtful"],
    [360, "doubtful"],
    [361, "loss"],
  ] as const)("%i days past due → at least %s", (days, cls) => {
    expect(classificationFloor(days)).toBe(cls);
  });

  it("the bank may classify more severely, never less", () => {
    expect(classify(10, "substandard")).toEqual({
      riskClass: "substandard",
      floor: "special_mention",
      overridden: true,
    });
    expect(classify(200, "special_mention")).toEqual({
      riskClass: "substandard",
      floor: "substandard",
      overridden: false,
    });
    expect(checkOverride(10, "special_mention", "cash flow weak")?.key).toBe(
      "servicing:refusals.overrideNotStricter",
    );
    expect(checkOverride(10, "doubtful", "")?.key).toBe("servicing:refusals.reasonRequired");
    expect(checkOverride(10, "doubtful", "borrower insolvent")).toBeNull();
  });
});

describe("patent annual fees", () => {
  const filing = "2020-03-15";
  it("year k's fee is due by the day before anniversary k−1", () => {
    expect(patentFeeDeadline(filing, 7)).toBe("2026-03-14");
    expect(feeYearOn(filing, "2026-03-14")).toBe(6);
    expect(feeYearOn(filing, "2026-03-15")).toBe(7);
  });

  it("surcharge by month late: 0, 5, 10, 15, 20, 25 %, then too late", () => {
    const d = "2026-03-14";
    expect(patentSurchargeBp(d, "2026-03-14")).toBe(0);
    expect(patentSurchargeBp(d, "2026-04-14")).toBe(0);
    expect(patentSurchargeBp(d, "2026-04-15")).toBe(500);
    expect(patentSurchargeBp(d, "2026-06-14")).toBe(1000);
    expect(patentSurchargeBp(d, "2026-08-15")).toBe(2500);
    expect(patentSurchargeBp(d, "2026-09-14")).toBe(2500);
    expect(patentSurchargeBp(d, "2026-09-15")).toBeNull();
    expect(lateMonth(d, "2026-09-15")).toBeNull();
    expect(surchargeFen(120_000, 500)).toBe(6_000);
  });

  it("walks paid → due soon → grace → lapsed on the exact days", () => {
    const base = { filingDate: filing, expiry: "2040-03-15", paidThroughYear: 6 };
    expect(patentFeeState({ ...base, today: "2026-02-11" }).state).toBe("paid");
    expect(patentFeeState({ ...base, today: "2026-02-12" })).toEqual({
      state: "due_soon",
      deadline: "2026-03-14",
      daysUntil: 30,
    });
    expect(patentFeeState({ ...base, today: "2026-03-15" })).toMatchObject({
      state: "grace",
      lateMonth: 1,
      surchargeBp: 0,
    });
    expect(patentFeeState({ ...base, today: "2026-09-14" })).toMatchObject({
      state: "grace",
      lateMonth: 6,
      surchargeBp: 2500,
    });
    expect(patentFeeState({ ...base, today: "2026-09-15" })).toEqual({
      state: "lapsed",
      deadline: "2026-03-14",
      graceEnd: "2026-09-14",
      lapsedFrom: "2026-03-15",
    });
    expect(patentFeeState({ ...base, paidThroughYear: 7, today: "2026-09-15" }).state).toBe("paid");
  });

  it("no fee falls due past the statutory term", () => {
    const s = patentFeeState({
      filingDate: "2016-05-01",
      expiry: "2026-05-01",
      paidThroughYear: 10,
      today: "2026-04-01",
    });
    expect(s.state).toBe("paid");
    expect(
      patentFeeState({
        filingDate: "2016-05-01",
        expiry: "2026-05-01",
        paidThroughYear: 10,
        today: "2026-05-01",
      }).state,
    ).toBe("expired");
  });

  it("restoration may be asked within two months of the lapse notice", () => {
    expect(restorationDeadline("2026-10-10")).toBe("2026-12-10");
  });
});

describe("trademark renewal", () => {
  it("window 12 months before expiry, 6 months' grace, then cancelled", () => {
    const expiry = "2027-06-01";
    expect(trademarkRenewalState(expiry, "2027-04-01")).toMatchObject({
      state: "paid",
      windowOpens: "2026-06-01",
    });
    expect(trademarkRenewalState(expiry, "2027-05-01")).toMatchObject({
      state: "due_soon",
      daysUntil: 30,
    });
    expect(trademarkRenewalState(expiry, "2027-06-01")).toMatchObject({
      state: "grace",
      lateMonth: 1,
    });
    expect(trademarkRenewalState(expiry, "2027-11-30")).toMatchObject({
      state: "grace",
      lateMonth: 6,
    });
    expect(trademarkRenewalState(expiry, "2027-12-01")).toMatchObject({
      state: "lapsed",
      lapsedFrom: "2027-06-01",
    });
  });

  it("a lapsed or invalidated asset stops counting as collateral at once", () => {
    const ok = trademarkRenewalState("2030-01-01", "2027-01-01");
    expect(countsAsCollateral(ok, "registered")).toBe(true);
    expect(countsAsCollateral(ok, "invalidated")).toBe(false);
    expect(
      countsAsCollateral(trademarkRenewalState("2027-06-01", "2027-12-01"), "registered"),
    ).toBe(false);
  });
});
