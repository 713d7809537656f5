import { describe, expect, it } from "vitest";
import {
  computeDurations,
  computeFunnel,
  computeIpTypeFigures,
  computeSupport,
  applicationDurationMs,
  applicationInStage,
  applicationStageAmountFen,
  defaultPeriod,
  durationStats,
  figuresBy,
  firmDisplayName,
  firmPseudonym,
  describeDuration,
  groupFigures,
  isDrillStage,
  NO_SUPPORT,
  percentileNearestRank,
  periodBounds,
  rankRegions,
  ratioBp,
  reportCommentary,
  snapshotSupport,
  weightedAverage,
  type CommentaryInput,
  type ApplicationRow,
  type RequestRow,
} from "../../app/domain/analytics";
import type { Message } from "../../app/domain/message";
import { formatYuanExact } from "../../app/domain/money";
import { translateMessage } from "../../app/utils/messages";
import { getFixedT, type Locale } from "../../app/utils/i18n";
import { attachmentHeader, BOM, csvCell, csvDocument } from "../../app/domain/csv-export";
import { parseCsv } from "../../app/domain/csv";

/** A message as the alliance pages and the report word it (amounts scaled to 亿元 / billion). */
const say = (m: Message, locale: Locale = "zh-CN") =>
  translateMessage(getFixedT(locale), m, locale, "auto");
/** The report's commentary as one text per language. */
const words = (ms: readonly Message[], locale: Locale = "zh-CN") =>
  ms.map((m) => say(m, locale)).join(locale === "en" ? " " : "");

const Y2025 = periodBounds({ from: "2025-01-01", to: "2025-12-31" });

/** A deal that went all the way to repaid inside 2025, with overrides. */
function deal(o: Partial<ApplicationRow> = {}): ApplicationRow {
  return {
    id: 1,
    state: "repaid",
    firmOrgId: 100,
    bankOrgId: 10,
    regionCode: "150200",
    industrySection: "C",
    primaryIpType: "invention",
    amountFen: 1_000_000,
    approvedAmountFen: 900_000,
    approvedRateBp: 400,
    submittedAt: "2025-03-01 02:00:00.000",
    reviewStartedAt: "2025-03-02 02:00:00.000",
    approvedAt: "2025-03-05 02:00:00.000",
    registeredAt: "2025-03-10 02:00:00.000",
    pledgeRegDate: "2025-03-10",
    disbursedAt: "2025-03-12 02:00:00.000",
    disbursedDate: "2025-03-12",
    closedAt: "2025-09-12 02:00:00.000",
    closedDate: "2025-09-12",
    ledgerNetFen: 900_000,
    support: NO_SUPPORT,
    ...o,
  };
}

describe("periods", () => {
  it("bounds China business days by UTC instants (UTC+8)", () => {
    expect(Y2025.fromInstant).toBe("2024-12-31 16:00:00.000");
    expect(Y2025.toInstantExclusive).toBe("2025-12-31 16:00:00.000");
  });

  it("defaults to 1 January of this year up to today", () => {
    expect(defaultPeriod("2026-11-27")).toEqual({ from: "2026-01-01", to: "2026-11-27" });
  });

  it("refuses a period without real dates", () => {
    expect(() => periodBounds({ from: "2025-02-30", to: "2025-03-01" })).toThrow(RangeError);
  });

  it("counts a submission at 23:30 China time on 31 December in that year", () => {
    const late = deal({ submittedAt: "2025-12-31 15:30:00.000" });
    const early = deal({ submittedAt: "2024-12-31 16:00:00.000" });
    const tooLate = deal({ submittedAt: "2025-12-31 16:00:00.000" });
    expect(applicationInStage(late, "submitted", Y2025)).toBe(true);
    expect(applicationInStage(early, "submitted", Y2025)).toBe(true);
    expect(applicationInStage(tooLate, "submitted", Y2025)).toBe(false);
  });
});

describe("nearest-rank percentiles", () => {
  it("takes the value at rank ⌈p/100 × n⌉ (the textbook example 15 20 35 40 50)", () => {
    const v = [15, 20, 35, 40, 50];
    expect(percentileNearestRank(v, 5)).toBe(15);
    expect(percentileNearestRank(v, 30)).toBe(20);
    expect(percentileNearestRank(v, 40)).toBe(20);
    expect(percentileNearestRank(v, 50)).toBe(35);
    expect(percentileNearestRank(v, 100)).toBe(50);
    expect(percentileNearestRank(v, 0)).toBe(15);
  });

  it("is exact where floating point is not: p90 of ten values is the 9th", () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileNearestRank(v, 90)).toBe(9);
    expect(percentileNearestRank(v, 50)).toBe(5); // the lower middle value for an even n
  });

  it("has nothing to say about no values and refuses a percentile outside 0–100", () => {
    expect(percentileNearestRank([], 50)).toBeNull();
    expect(() => percentileNearestRank([1], 101)).toThrow(RangeError);
  });

  it("sorts before ranking", () => {
    expect(durationStats([9, 1, 5])).toEqual({ count: 3, medianMs: 5, p90Ms: 9 });
    expect(durationStats([])).toEqual({ count: 0, medianMs: null, p90Ms: null });
  });
});

describe("rates", () => {
  it("gives a ratio in bp rounded half up, null over nothing", () => {
    expect(ratioBp(1, 3)).toBe(3333);
    expect(ratioBp(2, 3)).toBe(6667);
    expect(ratioBp(1, 20_000)).toBe(1); // 0.5 bp rounds up
    expect(ratioBp(0, 5)).toBe(0);
    expect(ratioBp(5, 0)).toBeNull();
  });

  it("weights an average by amount and ignores zero weights", () => {
    expect(
      weightedAverage([
        { weight: 300, value: 400 },
        { weight: 100, value: 300 },
        { weight: 0, value: 9999 },
      ]),
    ).toBe(375);
    expect(weightedAverage([])).toBeNull();
  });

  it("stays exact for amounts × rates beyond 2^53", () => {
    const big = 4_000_000_000_000; // 400亿元 in fen
    expect(
      weightedAverage([
        { weight: big, value: 385 },
        { weight: big, value: 386 },
      ]),
    ).toBe(386); // 385.5 rounds half up
  });
});

describe("stages", () => {
  it("puts a deal in each stage by the date of that step, with that step's amount", () => {
    const d = deal();
    for (const s of ["submitted", "approved", "registered", "disbursed", "repaid"] as const) {
      expect(applicationInStage(d, s, Y2025), s).toBe(true);
    }
    expect(applicationInStage(d, "defaulted", Y2025)).toBe(false);
    expect(applicationStageAmountFen(d, "submitted")).toBe(1_000_000);
    expect(applicationStageAmountFen(d, "approved")).toBe(900_000);
    expect(applicationStageAmountFen(d, "disbursed")).toBe(900_000);
  });

  it("counts a loan approved in December and disbursed in January in two different years", () => {
    const d = deal({
      approvedAt: "2025-12-20 02:00:00.000",
      pledgeRegDate: "2026-01-05",
      disbursedDate: "2026-01-08",
      state: "disbursed",
      closedAt: null,
      closedDate: null,
    });
    expect(applicationInStage(d, "approved", Y2025)).toBe(true);
    expect(applicationInStage(d, "disbursed", Y2025)).toBe(false);
    const y2026 = periodBounds({ from: "2026-01-01", to: "2026-12-31" });
    expect(applicationInStage(d, "disbursed", y2026)).toBe(true);
    expect(applicationInStage(d, "approved", y2026)).toBe(false);
  });

  it("does not count a reversed disbursement as a loan", () => {
    expect(applicationInStage(deal({ ledgerNetFen: 0 }), "disbursed", Y2025)).toBe(false);
  });

  it("counts a rejection at review as a decision but not one after approval", () => {
    const atReview = deal({
      state: "rejected",
      approvedAt: null,
      approvedAmountFen: null,
      closedAt: "2025-04-01 00:00:00.000",
    });
    const afterApproval = deal({ state: "rejected", closedAt: "2025-04-01 00:00:00.000" });
    expect(applicationInStage(atReview, "rejected", Y2025)).toBe(true);
    expect(applicationInStage(atReview, "decided", Y2025)).toBe(true);
    expect(applicationStageAmountFen(atReview, "decided")).toBe(1_000_000);
    expect(applicationInStage(afterApproval, "rejected", Y2025)).toBe(false);
    expect(applicationInStage(afterApproval, "decided", Y2025)).toBe(true); // by its approval
  });

  it("knows its drill-down stages", () => {
    expect(isDrillStage("disbursed")).toBe(true);
    expect(isDrillStage("toReview")).toBe(true);
    expect(isDrillStage("subsidised")).toBe(true);
    expect(isDrillStage("draft")).toBe(false);
  });
});

describe("the funnel", () => {
  const requests: RequestRow[] = [
    {
      id: 1,
      firmOrgId: 100,
      amountFen: 5_000,
      createdAt: "2025-02-01 00:00:00.000",
      applied: true,
    },
    {
      id: 2,
      firmOrgId: 101,
      amountFen: 7_000,
      createdAt: "2025-02-01 00:00:00.000",
      applied: false,
    },
    {
      id: 3,
      firmOrgId: 102,
      amountFen: 9_000,
      createdAt: "2024-02-01 00:00:00.000",
      applied: true,
    },
  ];

  it("counts requests, matched requests and each stage with its amount", () => {
    const deals = [
      deal({ id: 1 }),
      deal({ id: 2, state: "defaulted", ledgerNetFen: 500_000, approvedAmountFen: 500_000 }),
      deal({
        id: 3,
        state: "under_review",
        approvedAt: null,
        approvedAmountFen: null,
        approvedRateBp: null,
        registeredAt: null,
        pledgeRegDate: null,
        disbursedAt: null,
        disbursedDate: null,
        closedAt: null,
        closedDate: null,
        ledgerNetFen: 0,
      }),
    ];
    const f = computeFunnel(deals, requests, Y2025);
    const by = Object.fromEntries(f.map((s) => [s.stage, [s.count, s.amountFen]]));
    expect(by).toEqual({
      requests: [2, 12_000],
      matched: [1, 5_000],
      submitted: [3, 3_000_000],
      approved: [2, 1_400_000],
      registered: [2, 1_400_000],
      disbursed: [2, 1_400_000],
      repaid: [1, 900_000],
      defaulted: [1, 500_000],
    });
  });

  it("marks the requests stage not applicable under a bank filter (a request has no bank)", () => {
    const f = computeFunnel([], requests, Y2025, { requestsApplicable: false });
    expect(f[0]).toMatchObject({ stage: "requests", applicable: false, count: 0 });
    expect(f[1]).toMatchObject({ stage: "matched", applicable: true, count: 1 });
  });
});

describe("group figures", () => {
  const rejected = deal({
    id: 9,
    state: "rejected",
    approvedAt: null,
    approvedAmountFen: null,
    approvedRateBp: null,
    registeredAt: null,
    pledgeRegDate: null,
    disbursedAt: null,
    disbursedDate: null,
    closedAt: "2025-05-01 00:00:00.000",
    closedDate: null,
    ledgerNetFen: 0,
  });

  it("computes the approval rate over decisions and the amount-weighted approved rate", () => {
    const rows = [
      deal({ id: 1, approvedAmountFen: 300, approvedRateBp: 400, ledgerNetFen: 300 }),
      deal({ id: 2, approvedAmountFen: 100, approvedRateBp: 300, ledgerNetFen: 100 }),
      rejected,
    ];
    const g = groupFigures(rows, Y2025);
    expect(g.decided.count).toBe(3);
    expect(g.approved.count).toBe(2);
    expect(g.approvalRateBp).toBe(6667);
    expect(g.avgApprovedRateBp).toBe(375);
  });

  it("computes the default rate over closed loans only, by count and by amount", () => {
    const rows = [
      deal({ id: 1, ledgerNetFen: 300 }),
      deal({ id: 2, ledgerNetFen: 300 }),
      deal({ id: 3, ledgerNetFen: 300 }),
      deal({ id: 4, state: "defaulted", ledgerNetFen: 100 }),
      deal({ id: 5, state: "disbursed", closedAt: null, closedDate: null, ledgerNetFen: 999 }),
    ];
    const g = groupFigures(rows, Y2025);
    expect(g.defaultRateBp).toBe(2500);
    expect(g.defaultRateByAmountBp).toBe(1000);
  });

  it("has no rates without decisions or closed loans", () => {
    const g = groupFigures([], Y2025);
    expect(g.approvalRateBp).toBeNull();
    expect(g.avgApprovedRateBp).toBeNull();
    expect(g.defaultRateBp).toBeNull();
  });

  it("groups by any key", () => {
    const m = figuresBy(
      [deal({ id: 1, bankOrgId: 10 }), deal({ id: 2, bankOrgId: 11 }), deal({ id: 3 })],
      (r) => r.bankOrgId,
      Y2025,
    );
    expect(m.get(10)!.submitted.count).toBe(2);
    expect(m.get(11)!.submitted.count).toBe(1);
  });
});

describe("durations", () => {
  it("measures each span for the deals whose later step is in the period", () => {
    const rows = [
      deal({ id: 1 }),
      deal({ id: 2, reviewStartedAt: "2025-03-04 02:00:00.000" }), // 3 days to review
      deal({ id: 3, reviewStartedAt: "2025-03-01 14:00:00.000" }), // 12 hours
    ];
    const d = computeDurations(rows, Y2025);
    const toReview = d.find((x) => x.key === "toReview")!;
    const day = 86_400_000;
    expect(toReview).toEqual({ key: "toReview", count: 3, medianMs: day, p90Ms: 3 * day });
    expect(applicationDurationMs(rows[0], "loanLife", Y2025)).toBe(184 * day);
    expect(applicationDurationMs(deal({ reviewStartedAt: null }), "toReview", Y2025)).toBeNull();
  });

  it("formats durations in minutes, hours or days", () => {
    expect(say(describeDuration(null))).toBe("—");
    expect(say(describeDuration(5 * 60_000))).toBe("5 分钟");
    expect(say(describeDuration(36 * 3_600_000))).toBe("36.0 小时");
    expect(say(describeDuration(3 * 86_400_000), "en")).toBe("3.0 days");
  });
});

describe("pledge rates by IP type", () => {
  it("weights the product pledge rates by value and relates approved amounts to values", () => {
    const deals = [
      deal({ id: 1, primaryIpType: "invention", approvedAmountFen: 250 }),
      deal({ id: 2, primaryIpType: "trademark", approvedAmountFen: 400 }),
    ];
    const assets = [
      { applicationId: 1, ipType: "invention" as const, valueFen: 800, pledgeRateBp: 2500 },
      { applicationId: 1, ipType: "utility_model" as const, valueFen: 200, pledgeRateBp: 1500 },
      { applicationId: 2, ipType: "trademark" as const, valueFen: 1000, pledgeRateBp: 5000 },
      { applicationId: 2, ipType: "invention" as const, valueFen: 200, pledgeRateBp: 3000 },
      { applicationId: 99, ipType: "invention" as const, valueFen: 9999, pledgeRateBp: 9000 },
    ];
    const f = Object.fromEntries(
      computeIpTypeFigures(deals, assets, Y2025).map((x) => [x.ipType, x]),
    );
    expect(f.invention.pledgedAssets).toBe(2);
    expect(f.invention.pledgedValueFen).toBe(1000);
    expect(f.invention.avgPledgeRateCapBp).toBe(2600); // (800×2500 + 200×3000) ÷ 1000
    expect(f.invention.effectivePledgeRateBp).toBe(2500); // 250 ÷ (800 + 200)
    expect(f.trademark.effectivePledgeRateBp).toBe(3333); // 400 ÷ 1200
    expect(f.design.avgPledgeRateCapBp).toBeNull();
    expect(f.invention.approved).toEqual({ count: 1, amountFen: 250 });
  });
});

describe("risk sharing and 贴息", () => {
  it("reads the products model's snapshot and a bare terms object", () => {
    const terms = {
      name: "x",
      riskShare: { governmentBp: 3000, insurerBp: 0, guarantorBp: 2000 },
      interestSubsidyBp: 5000,
    };
    const expected = {
      riskGovernmentBp: 3000,
      riskInsurerBp: 0,
      riskGuarantorBp: 2000,
      interestSubsidyBp: 5000,
    };
    expect(snapshotSupport(JSON.stringify({ productId: 1, terms }))).toEqual(expected);
    expect(snapshotSupport(JSON.stringify(terms))).toEqual(expected);
  });

  it("treats a snapshot without the terms, or unreadable, as no support", () => {
    expect(snapshotSupport(JSON.stringify({ name: "old" }))).toEqual(NO_SUPPORT);
    expect(snapshotSupport("{not json")).toEqual(NO_SUPPORT);
    expect(snapshotSupport(null)).toEqual(NO_SUPPORT);
  });

  it("counts the loans disbursed with each kind of support and their share of the amount", () => {
    const deals = [
      deal({ id: 1, ledgerNetFen: 600, support: { ...NO_SUPPORT, riskGovernmentBp: 4000 } }),
      deal({ id: 2, ledgerNetFen: 300, support: { ...NO_SUPPORT, interestSubsidyBp: 3000 } }),
      deal({ id: 3, ledgerNetFen: 100 }),
    ];
    const s = computeSupport(deals, Y2025);
    const k = Object.fromEntries(s.kinds.map((x) => [x.kind, x]));
    expect(s.disbursed).toEqual({ count: 3, amountFen: 1000 });
    expect(k.riskShared).toMatchObject({ count: 1, amountFen: 600, shareOfDisbursedBp: 6000 });
    expect(k.riskGovernment.count).toBe(1);
    expect(k.riskInsurer.count).toBe(0);
    expect(k.subsidised).toMatchObject({ count: 1, amountFen: 300, shareOfDisbursedBp: 3000 });
    expect(s.avgInterestSubsidyBp).toBe(3000);
    expect(s.avgRiskSharedBp).toBe(4000);
  });
});

describe("pseudonyms", () => {
  // The code itself is keyed hashing on the server (tests/unit/pseudonym.test.ts); the domain only
  // words it and decides when a name is shown.
  const codeOf = (id: number) => `C${id}`;

  it("words the code as 企业# / Firm #", () => {
    expect(say(firmPseudonym(42, codeOf))).toBe("企业#C42");
    expect(say(firmPseudonym(42, codeOf), "en")).toBe("Firm #C42");
  });

  it("shows a firm's name only with its consent", () => {
    expect(firmDisplayName({ id: 7, name: "甲公司", consentShowName: true }, codeOf)).toEqual({
      name: "甲公司",
      named: true,
    });
    const hidden = firmDisplayName({ id: 7, name: "甲公司", consentShowName: false }, codeOf);
    expect(hidden).toEqual({ named: false, pseudonym: firmPseudonym(7, codeOf) });
    expect(JSON.stringify(hidden)).not.toContain("甲公司");
  });
});

describe("the report's commentary", () => {
  const base: CommentaryInput = {
    asOfDate: "2025-06-15",
    financedFen: 400_000_000_000,
    targetFen: 1_000_000_000_000,
    deadline: "2025-12-31",
    deadlinePassed: false,
    progressBp: 4000,
    remainingFen: 600_000_000_000,
    monthsLeft: 7,
    neededPerMonthFen: 85_714_285_715,
    paceFen: 50_000_000_000,
    projectedMonth: "2026-06",
    reachedMonth: null,
    regions: [
      { code: "150100", amountFen: 200_000_000_000, count: 10 },
      { code: "150200", amountFen: 100_000_000_000, count: 5 },
      { code: "150600", amountFen: 60_000_000_000, count: 4 },
      { code: "150400", amountFen: 30_000_000_000, count: 2 },
      { code: "150500", amountFen: 10_000_000_000, count: 1 },
    ],
    firmsFinanced: 20,
    specialisedFirms: 5,
    highTechFirms: 12,
  };

  it("states the total, the leaders, the regions without loans, the pace and the firm mix", () => {
    const c = reportCommentary(base);
    const zh = words(c);
    expect(zh).toContain("截至2025-06-15");
    expect(zh).toContain("累计放款40 亿元，完成100 亿元目标的40.00%");
    expect(zh).toContain("40.00%");
    expect(zh).toContain("呼和浩特市、包头市、鄂尔多斯市位居前列");
    expect(zh).toContain("合计占全区放款的90.00%");
    expect(zh).toContain("乌海市");
    expect(zh).toContain("尚无放款");
    expect(zh).toContain("每月需放款约8.57 亿元");
    expect(zh).toContain("预计2026-06方能达成");
    expect(zh).toContain("专精特新企业5家，占25.00%");
    expect(zh).toContain("高新技术企业12家，占60.00%");
    const en = words(c, "en");
    expect(en).toContain("Hohhot, Baotou, Ordos lead");
    expect(en).toContain("25.00%");
  });

  it("names the laggards when every 盟市 has loans", () => {
    const regions = rankRegions(
      ["150100", "150200", "150300", "150400", "150500", "150600"].map((code, i) => ({
        code,
        amountFen: (12 - i) * 1_000_000,
        count: 1,
      })),
    ).map((r) => ({ ...r, amountFen: r.amountFen || 1_000 }));
    const c = reportCommentary({ ...base, regions });
    const zh = words(c);
    expect(zh).not.toContain("尚无放款");
    // The two smallest (both 1,000 fen, ordered by code) are named as lagging.
    expect(zh).toMatch(/阿拉善盟、锡林郭勒盟放款规模较小/);
  });

  it("says so when the target is reached or the deadline has passed", () => {
    const reached = reportCommentary({
      ...base,
      financedFen: base.targetFen,
      remainingFen: 0,
      reachedMonth: "2025-05",
    });
    expect(words(reached)).toContain("已于2025-05达成");
    const late = reportCommentary({ ...base, deadlinePassed: true, monthsLeft: 0 });
    expect(words(late)).toContain("目标期限2025-12-31已过，距目标尚差60 亿元");
    expect(words(late, "en")).toContain("has passed");
  });

  it("has something sensible to say with no loans at all", () => {
    const c = reportCommentary({
      ...base,
      financedFen: 0,
      progressBp: 0,
      remainingFen: base.targetFen,
      paceFen: 0,
      projectedMonth: null,
      regions: [],
      firmsFinanced: 0,
      specialisedFirms: 0,
      highTechFirms: 0,
    });
    expect(words(c)).toContain("各盟市尚无放款记录");
    expect(words(c)).toContain("近六个月尚无放款");
    expect(words(c)).not.toContain("专精特新");
  });

  it("ranks all twelve 盟市, largest first, ties by code", () => {
    const r = rankRegions([{ code: "152900", amountFen: 5, count: 1 }]);
    expect(r).toHaveLength(12);
    expect(r[0].code).toBe("152900");
    expect(r[1].code).toBe("150100");
  });
});

describe("CSV export", () => {
  it("starts with a BOM, quotes what needs quoting, and parses back to the same cells", () => {
    const doc = csvDocument(
      ["企业", "金额（元）", "备注"],
      [
        ["甲,乙 公司", formatYuanExact(123_456, { grouping: false }), 'say "hi"'],
        ["多行\n文本", -5, null],
      ],
    );
    expect(doc.startsWith(BOM)).toBe(true);
    expect(doc.endsWith("\r\n")).toBe(true);
    expect(parseCsv(doc).map((r) => r.cells)).toEqual([
      ["企业", "金额（元）", "备注"],
      ["甲,乙 公司", "1234.56", 'say "hi"'],
      ["多行\n文本", "-5", ""],
    ]);
  });

  it("defuses cells a spreadsheet would run as a formula, but not plain numbers", () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("-12.50")).toBe("-12.50");
    expect(csvCell(-12)).toBe("-12");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("names the download in ASCII and in UTF-8", () => {
    expect(attachmentHeader("report.csv", "发展报告.csv")).toBe(
      `attachment; filename="report.csv"; filename*=UTF-8''${encodeURIComponent("发展报告.csv")}`,
    );
  });
});
