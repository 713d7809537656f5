import type { RiskFigures } from "../models/risk-sharing/figures.server";
import type { TFunction } from "i18next";
import type { DurationFigure } from "../domain/analytics";
import { attachmentHeader, csvDocument, type CsvValue } from "../domain/csv-export";
import { formatInstant } from "../domain/dates";
import { industryName } from "../domain/industry";
import { ipTypeLabel } from "../domain/ip";
import { formatBp, formatYuanExact } from "../domain/money";
import { regionName } from "../domain/regions";
import { OTHER_BANKS, type DrillDown, type Review } from "../models/alliance.server";
import type { ReportData } from "../models/report.server";
import { translateMessage } from "./messages";
import { getFixedT } from "./i18n";

/**
 * The CSV downloads of the alliance review (each table, and the rows behind a figure) and of the
 * public report: the same figures as the pages, headers in the user's language (Chinese by
 * default), exact yuan and percentages (app/domain/csv-export.ts). Firm names follow the page:
 * the drill-down rows already carry a name only for consenting firms, a pseudonym otherwise.
 */

export const REVIEW_TABLES = [
  "funnel",
  "durations",
  "banks",
  "ipTypes",
  "regions",
  "support",
] as const;
export type ReviewTable = (typeof REVIEW_TABLES)[number];

export function isReviewTable(v: unknown): v is ReviewTable {
  return typeof v === "string" && (REVIEW_TABLES as readonly string[]).includes(v);
}

const yuan = (fen: number) => formatYuanExact(fen, { grouping: false });
const pct = (bp: number | null) => (bp === null ? "" : formatBp(bp, 2, { symbol: false }));
const days = (ms: number | null) => (ms === null ? "" : (ms / 86_400_000).toFixed(2));

export function csvResponse(body: string, asciiName: string, utf8Name: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": attachmentHeader(asciiName, utf8Name),
      "cache-control": "no-store",
    },
  });
}

export function reviewTableCsv(review: Review, table: ReviewTable, t: TFunction, lang: string) {
  const c = (k: string) => t(`alliance:csv.${k}`);
  let headers: string[];
  let rows: CsvValue[][];
  switch (table) {
    case "funnel":
      headers = [c("stage"), c("count"), c("amountYuan")];
      rows = review.funnel.map((s) =>
        s.applicable
          ? [t(`alliance:stages.${s.stage}`), s.count, yuan(s.amountFen)]
          : [t(`alliance:stages.${s.stage}`), t("alliance:review.notApplicable"), ""],
      );
      break;
    case "durations":
      headers = [c("span"), c("measured"), c("medianDays"), c("p90Days")];
      rows = review.durations.map((d: DurationFigure) => [
        t(`alliance:stages.${d.key}`),
        d.count,
        days(d.medianMs),
        days(d.p90Ms),
      ]);
      break;
    case "banks":
      headers = [
        c("bank"),
        c("submitted"),
        c("submittedYuan"),
        c("decided"),
        c("approved"),
        c("approvedYuan"),
        c("approvalRate"),
        c("avgApprovedRate"),
        c("disbursed"),
        c("disbursedYuan"),
        c("repaid"),
        c("defaulted"),
        c("defaultRate"),
      ];
      rows = review.byBank.map((b) => [
        b.key === OTHER_BANKS ? t("alliance:review.otherBanks") : b.name,
        b.submitted.count,
        yuan(b.submitted.amountFen),
        b.decided.count,
        b.approved.count,
        yuan(b.approved.amountFen),
        pct(b.approvalRateBp),
        pct(b.avgApprovedRateBp),
        b.disbursed.count,
        yuan(b.disbursed.amountFen),
        b.repaid.count,
        b.defaulted.count,
        pct(b.defaultRateBp),
      ]);
      break;
    case "ipTypes":
      headers = [
        c("ipType"),
        c("approved"),
        c("approvedYuan"),
        c("pledgedAssets"),
        c("pledgedValueYuan"),
        c("pledgeRateCap"),
        c("effectivePledgeRate"),
        c("disbursed"),
        c("disbursedYuan"),
      ];
      rows = review.byIpType.map((x) => [
        ipTypeLabel(t, x.ipType),
        x.approved.count,
        yuan(x.approved.amountFen),
        x.pledgedAssets,
        yuan(x.pledgedValueFen),
        pct(x.avgPledgeRateCapBp),
        pct(x.effectivePledgeRateBp),
        x.disbursed.count,
        yuan(x.disbursed.amountFen),
      ]);
      break;
    case "regions":
      headers = [
        c("region"),
        c("submitted"),
        c("approved"),
        c("approvalRate"),
        c("disbursed"),
        c("disbursedYuan"),
        c("defaultRate"),
      ];
      rows = review.byRegion.map((r) => [
        regionName(r.code, lang),
        r.submitted.count,
        r.approved.count,
        pct(r.approvalRateBp),
        r.disbursed.count,
        yuan(r.disbursed.amountFen),
        pct(r.defaultRateBp),
      ]);
      break;
    case "support":
      headers = [c("supportKind"), c("count"), c("amountYuan"), c("share")];
      rows = [
        [
          t("alliance:stages.disbursed"),
          review.support.disbursed.count,
          yuan(review.support.disbursed.amountFen),
          review.support.disbursed.count ? "100.00" : "",
        ],
        ...review.support.kinds.map((k) => [
          t(`alliance:stages.${k.kind}`),
          k.count,
          yuan(k.amountFen),
          pct(k.shareOfDisbursedBp),
        ]),
      ];
      break;
  }
  return csvDocument(headers, rows);
}

export function drillDownCsv(drill: DrillDown, t: TFunction, lang: string): string {
  const c = (k: string) => t(`alliance:csv.${k}`);
  if (drill.kind === "requests") {
    return csvDocument(
      [
        c("id"),
        c("firm"),
        c("region"),
        c("industry"),
        c("amountYuan"),
        c("createdDate"),
        c("applied"),
      ],
      drill.rows.map((r) => [
        r.id,
        r.firm,
        regionName(r.regionCode, lang),
        r.industrySection ? industryName(r.industrySection, lang) : "",
        yuan(r.amountFen),
        r.createdDate,
        r.applied ? t("alliance:drill.yes") : t("alliance:drill.no"),
      ]),
    );
  }
  const withDuration = drill.rows.some((r) => r.durationMs !== null);
  return csvDocument(
    [
      c("id"),
      c("firm"),
      c("region"),
      c("industry"),
      c("bank"),
      c("product"),
      c("ipType"),
      c("state"),
      c("amountYuan"),
      c("rate"),
      c("submittedDate"),
      c("approvedDate"),
      c("pledgeRegDate"),
      c("disbursedDate"),
      c("closedDate"),
      ...(withDuration ? [c("durationDays")] : []),
    ],
    drill.rows.map((r) => [
      r.id,
      r.firm,
      regionName(r.regionCode, lang),
      r.industrySection ? industryName(r.industrySection, lang) : "",
      r.bankName,
      r.productName,
      r.primaryIpType ? ipTypeLabel(t, r.primaryIpType) : "",
      t(`applications:states.${r.state}`),
      yuan(r.amountFen),
      pct(r.approvedRateBp),
      r.submittedDate,
      r.approvedDate,
      r.pledgeRegDate,
      r.disbursedDate,
      r.closedDate,
      ...(withDuration ? [days(r.durationMs)] : []),
    ]),
  );
}

/** The report's risk-sharing figures (docs/domain.md#risk-figures), in the same six columns. */
function riskCsvRows(risk: RiskFigures, t: TFunction, lang: string): CsvValue[][] {
  const f = (k: string) => t(`risk:figures.${k}`);
  const title = f("title");
  const er = risk.effectiveRate;
  return [
    [title, f("claimsPaid"), "claims_paid", yuan(risk.claims.paidFen), risk.claims.payouts, ""],
    [
      title,
      f("recovered"),
      "recovered",
      yuan(risk.recoveries.recoveredFen),
      risk.recoveries.entries,
      "",
    ],
    [
      title,
      f("subsidiesPaid"),
      "subsidies",
      yuan(risk.subsidies.paidFen),
      risk.subsidies.payouts,
      "",
    ],
    [title, f("effectiveRate"), "effective_rate", "", er.loans, pct(er.netBp)],
    ...risk.pools.map((p) => [
      f("poolsTitle"),
      p.name,
      p.id,
      yuan(p.balanceFen),
      p.coveredLoans,
      pct(p.usageBp),
    ]),
    ...risk.subsidies.byProgramme.map((x) => [
      f("byProgrammeTitle"),
      x.name,
      x.id,
      yuan(x.paidFen),
      x.payouts,
      "",
    ]),
    ...risk.subsidies.byRegion.map((x) => [
      f("byRegionTitle"),
      x.code ? regionName(x.code, lang) : f("unknownRegion"),
      x.code,
      yuan(x.paidFen),
      x.payouts,
      "",
    ]),
    ...risk.npl.flatMap((x) =>
      ([true, false] as const).map((shared) => {
        const cell = shared ? x.shared : x.unshared;
        return [
          f("nplTitle"),
          `${x.productName} · ${f(shared ? "withSharing" : "withoutSharing")}`,
          x.productId,
          yuan(cell.outstandingFen),
          cell.loans,
          pct(cell.ratioBp),
        ];
      }),
    ),
  ];
}

export function reportCsv(
  report: ReportData,
  risk: RiskFigures,
  t: TFunction,
  lang: string,
): string {
  const c = (k: string) => t(`alliance:report.csv.${k}`);
  const r = (k: string) => t(`alliance:report.${k}`);
  const p = report.progress;
  const totals = report.totals;
  const rows: CsvValue[][] = [
    [c("summary"), c("asOf"), "", formatInstant(report.asOf, "second"), "", ""],
    [c("summary"), c("target"), "", yuan(p.targetFen), "", ""],
    [c("summary"), c("deadline"), "", p.deadline, "", ""],
    [c("summary"), c("financed"), "", yuan(totals.amountFen), totals.loans, ""],
    [c("summary"), c("progress"), "", "", "", pct(p.progressBp)],
    [
      c("summary"),
      c("neededPerMonth"),
      "",
      p.neededPerMonthFen === null ? "" : yuan(p.neededPerMonthFen),
      "",
      "",
    ],
    [c("summary"), r("firms"), "", "", totals.firms, ""],
    [
      c("summary"),
      r("averageLoan"),
      "",
      totals.averageLoanFen === null ? "" : yuan(totals.averageLoanFen),
      "",
      "",
    ],
    [c("summary"), r("averageRate"), "", "", "", pct(totals.averageRateBp)],
    [c("summary"), r("averagePledgeRate"), "", "", "", pct(totals.averagePledgeRateBp)],
    [
      c("summary"),
      r("specialisedShare"),
      "",
      "",
      totals.specialisedFirms,
      pct(totals.specialisedShareBp),
    ],
    [c("summary"), r("highTechShare"), "", "", totals.highTechFirms, pct(totals.highTechShareBp)],
    ...report.byRegion.map((x) => [
      c("regions"),
      regionName(x.key, lang),
      x.key,
      yuan(x.amountFen),
      x.count,
      pct(x.shareBp),
    ]),
    ...report.byBank.map((x) => [c("banks"), x.name, x.key, yuan(x.amountFen), x.count, ""]),
    ...report.byIpType.map((x) => [
      c("ipTypes"),
      ipTypeLabel(t, x.key),
      x.key,
      yuan(x.amountFen),
      x.count,
      "",
    ]),
    ...report.byIndustry.map((x) => [
      c("industries"),
      x.key ? industryName(x.key, lang) : r("unknownIndustry"),
      x.key,
      yuan(x.amountFen),
      x.count,
      "",
    ]),
    ...report.byYear.map((x) => [c("years"), x.key, x.key, yuan(x.amountFen), x.count, ""]),
    ...riskCsvRows(risk, t, lang),
  ];
  return csvDocument(
    [c("section"), c("item"), c("code"), c("amountYuan"), c("count"), c("percent")],
    rows,
  );
}

/** The report as JSON: money in fen, rates in bp, as stored; the same figures as the page. */
export function reportJson(report: ReportData, riskSharing: RiskFigures) {
  const p = report.progress;
  // A file for both audiences: its words in both languages.
  const zh = getFixedT("zh-CN");
  const en = getFixedT("en");
  return {
    title: { zh: zh("alliance:titles.report"), en: en("alliance:titles.report") },
    units: { money: "fen (1 yuan = 100 fen)", rates: "basis points (10000 = 100%)" },
    asOf: report.asOf.replace(" ", "T") + "Z",
    asOfDate: report.asOfDate,
    asOfBeijing: formatInstant(report.asOf, "second"),
    target: {
      phase: p.phaseName,
      targetFen: p.targetFen,
      deadline: p.deadline,
      financedFen: p.financedFen,
      progressBp: p.progressBp,
      remainingFen: p.remainingFen,
      monthsLeft: p.monthsLeft,
      neededPerMonthFen: p.neededPerMonthFen,
      paceFen: p.paceFen,
      paceFromMonth: p.paceFromMonth,
      paceToMonth: p.paceToMonth,
      projection: p.projection,
    },
    totals: report.totals,
    byRegion: report.byRegion.map((x) => ({
      code: x.key,
      name: regionName(x.key, "zh-CN"),
      nameEn: regionName(x.key, "en"),
      rank: x.rank,
      amountFen: x.amountFen,
      loans: x.count,
      shareBp: x.shareBp,
    })),
    byBank: report.byBank.map((x) => ({
      id: x.key,
      name: x.name,
      amountFen: x.amountFen,
      loans: x.count,
    })),
    byIpType: report.byIpType.map((x) => ({
      ipType: x.key,
      amountFen: x.amountFen,
      loans: x.count,
    })),
    byIndustry: report.byIndustry.map((x) => ({
      section: x.key || null,
      amountFen: x.amountFen,
      loans: x.count,
    })),
    byYear: report.byYear.map((x) => ({ year: x.key, amountFen: x.amountFen, loans: x.count })),
    // docs/domain.md#risk-figures; each figure's rows are listed at /report/risk?measure=….
    riskSharing,
    commentary: {
      zh: report.commentary.map((m) => translateMessage(zh, m, "zh-CN", "auto")),
      en: report.commentary.map((m) => translateMessage(en, m, "en", "auto")),
    },
  };
}
