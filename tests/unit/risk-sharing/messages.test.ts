import { describe, expect, it } from "vitest";
import type { Message } from "../../../app/domain/message";
import { claimProblems, decideApproval } from "../../../app/domain/risk-sharing/claims";
import { decideCoverage, poolRulesProblems } from "../../../app/domain/risk-sharing/coverage";
import { listingProblems, saleProblems } from "../../../app/domain/risk-sharing/disposal";
import { quoteProblems } from "../../../app/domain/risk-sharing/cover";
import { sharesProblems } from "../../../app/domain/risk-sharing/shares";
import {
  eligibilityProblems,
  subsidyClaimProblems,
  subsidyRulesProblems,
} from "../../../app/domain/risk-sharing/subsidy";
import { translateMessage } from "../../../app/utils/messages";
import { getFixedT, LOCALES, resources } from "../../../app/utils/i18n";

const shares = { pool: 4000, insurer: 3000, guarantor: 2000, bank: 1000 };
const pool = {
  shares,
  perLoanCapFen: 100,
  leverageMultipleBp: 10_000,
  interestDaysAllowed: 0,
  productIds: [1],
  regionCodes: [],
};
const programme = {
  shareBp: 5000,
  lprMultipleCapBp: null,
  perFirmYearCapFen: 1,
  budgetFen: 1,
  windowStart: "2025-01-01",
  windowEnd: "2025-12-31",
  regionCodes: ["150200"],
  productIds: [1],
  requiredFlags: ["high_tech" as const],
  firstPledgeOnly: true,
};

/** Every sentence the risk-sharing domain can say, reached through its functions. */
const samples: Message[] = [
  ...quoteProblems(0),
  ...sharesProblems({ pool: -1, insurer: 0, guarantor: 0, bank: 0 }),
  ...sharesProblems({ pool: 1, insurer: 0, guarantor: 0, bank: 0 }),
  ...poolRulesProblems({
    ...pool,
    perLoanCapFen: -1,
    leverageMultipleBp: 0,
    interestDaysAllowed: -1,
    productIds: [],
    regionCodes: ["999999"],
  }),
  ...[
    decideCoverage(
      pool,
      { balanceFen: 0, exposureFen: 0 },
      { productId: 1, regionCode: "150200", principalFen: 10 },
    ),
  ].flatMap((d) => (!d.covered && d.reason === "leverage" ? [d.message] : [])),
  ...claimProblems({ claimedFen: 0, lossFen: 1, required: ["default_notice"], provided: [] }),
  ...claimProblems({ claimedFen: 2, lossFen: 1, required: [], provided: [] }),
  ...[
    decideApproval({ claimedFen: 1, approvedFen: 0, shares, poolBalanceFen: 1 }),
    decideApproval({ claimedFen: 1, approvedFen: 2, shares, poolBalanceFen: 1 }),
    decideApproval({ claimedFen: 10, approvedFen: 10, shares, poolBalanceFen: 1 }),
  ].flatMap((d) => (d.ok ? [] : d.problems)),
  ...subsidyRulesProblems({
    ...programme,
    shareBp: 0,
    lprMultipleCapBp: 0,
    perFirmYearCapFen: 0,
    budgetFen: 0,
    windowEnd: "2024-01-01",
    regionCodes: ["1"],
    requiredFlags: ["x" as "high_tech"],
  }),
  ...eligibilityProblems(
    programme,
    { regionCode: null, flags: [], firstPledge: false },
    { productId: 2 },
  ),
  ...subsidyClaimProblems({
    amountFen: 2,
    interestFen: 1,
    budgetRemainingFen: 0,
    claimDate: "2026-01-01",
    rules: programme,
  }),
  ...subsidyClaimProblems({
    amountFen: 0,
    interestFen: 0,
    budgetRemainingFen: 5,
    claimDate: "2025-01-01",
    rules: programme,
  }),
  ...listingProblems({ askingFen: 0, appraisalFen: -1 }),
  ...saleProblems({
    proceedsFen: 0,
    soldDate: "2027-01-01",
    listedDate: "2026-01-01",
    today: "2026-12-06",
  }),
  ...saleProblems({
    proceedsFen: 1,
    soldDate: "2025-01-01",
    listedDate: "2026-01-01",
    today: "2026-12-06",
  }),
  ...subsidyClaimProblems({
    amountFen: 9,
    interestFen: 10,
    budgetRemainingFen: 5,
    claimDate: "2025-01-01",
    rules: programme,
  }),
];

function leaves(node: unknown, prefix: string): string[] {
  if (typeof node === "string") return [prefix];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
    leaves(v, `${prefix}.${k}`),
  );
}

describe("risk-sharing messages", () => {
  it("read as whole sentences in both languages", () => {
    for (const locale of LOCALES) {
      const t = getFixedT(locale);
      for (const m of samples) {
        const text = translateMessage(t, m, locale);
        expect(text, `${locale} ${m.key}`).not.toMatch(/\{\{|\$t\(|risk:/);
      }
    }
  });

  it("reach every sentence of the validation and eligibility sections", () => {
    const said = new Set(samples.map((m) => m.key));
    const sections = ["validation", "eligibility"] as const;
    const all = sections.flatMap((s) => leaves(resources["zh-CN"].risk[s], `risk:${s}`));
    expect(all.filter((k) => !said.has(k))).toEqual([]);
  });
});
