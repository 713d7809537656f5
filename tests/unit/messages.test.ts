import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  describeDuration,
  firmPseudonym,
  reportCommentary,
  type CommentaryInput,
} from "../../app/domain/analytics";
import { explainFailure, explainPass, type Failure, type Reason } from "../../app/domain/matching";
import type { Message } from "../../app/domain/message";
import { patentNumberProblemMessage, type PatentNumberProblem } from "../../app/domain/patent";
import { productErrorMessage, type ProductErrorCode } from "../../app/domain/product";
import {
  trademarkNumberProblemMessage,
  type TrademarkNumberProblem,
} from "../../app/domain/trademark";
import { messageParams, translateMessage } from "../../app/utils/messages";
import { getFixedT, LOCALES, resources, type Locale } from "../../app/utils/i18n";

/**
 * The catalogue of domain messages: every sentence the domain can return (app/domain/message.ts)
 * has its words in both languages, the two languages name the same values, and the domain gives
 * every value a sentence names. The samples cover every code and every variant of each producer;
 * the last test proves it by finding no key in the domain's sections that no sample reaches.
 */

const WAN = 1_000_000;
const ref = { assetId: 1, assetTitle: "一种节能装置" };

const failures: Failure[] = [
  { code: "product_paused" },
  { code: "region", firmRegion: null, allowed: ["150200", "150100"] },
  { code: "industry", firmIndustry: "F", allowed: ["C", "I"] },
  { code: "firm_flags", missing: ["high_tech", "specialised", "tech_sme"] },
  { code: "amount_below_min", amountFen: 5 * WAN, minAmountFen: 10 * WAN },
  { code: "amount_above_max", amountFen: 600 * WAN, maxAmountFen: 500 * WAN },
  { code: "term_below_min", termMonths: 3, minTermMonths: 6 },
  { code: "term_above_max", termMonths: 48, maxTermMonths: 36 },
  { code: "rate_above_firm_max", minRateBp: 435, firmMaxRateBp: 400 },
  { code: "quota_short", amountFen: 80 * WAN, quotaRemainingFen: 50 * WAN },
  {
    code: "ip_type_not_accepted",
    offeredTypes: ["design"],
    acceptedTypes: ["invention", "utility_model", "design", "trademark"],
    neededCollateralValueFen: 160 * WAN,
  },
  {
    code: "ip_type_not_accepted",
    offeredTypes: ["design"],
    acceptedTypes: ["trademark"],
    neededCollateralValueFen: null,
  },
  { ...ref, code: "asset_type_not_accepted", ipType: "design" },
  { ...ref, code: "asset_status", ipType: "invention", status: "pending" },
  { ...ref, code: "asset_status", ipType: "trademark", status: "pending" },
  { ...ref, code: "asset_status", ipType: "invention", status: "lapsed" },
  { ...ref, code: "asset_status", ipType: "trademark", status: "expired" },
  { ...ref, code: "asset_status", ipType: "invention", status: "registered" },
  { ...ref, code: "asset_expired" },
  { ...ref, code: "asset_pledged" },
  { ...ref, code: "remaining_protection", remainingYears: 4.96, requiredYears: 5 },
  { ...ref, code: "trademark_age", ageYears: null, requiredYears: 3 },
  { ...ref, code: "trademark_age", ageYears: 1.5, requiredYears: 3 },
  { ...ref, code: "formal_appraisal_needed", formalExpiredOn: null },
  { ...ref, code: "formal_appraisal_needed", formalExpiredOn: "2025-01-31" },
  { ...ref, code: "no_valuation", formalExpiredOn: null },
  { ...ref, code: "no_valuation", formalExpiredOn: "2025-01-31" },
  {
    code: "capacity_short",
    capacityFen: 100 * WAN,
    amountFen: 120 * WAN,
    shortfallCapacityFen: 20 * WAN,
    neededCollateralValueFen: null,
    bestPledgeRateBp: 0,
  },
  {
    code: "capacity_short",
    capacityFen: 100 * WAN,
    amountFen: 120 * WAN,
    shortfallCapacityFen: 20 * WAN,
    neededCollateralValueFen: 80 * WAN,
    bestPledgeRateBp: 2500,
  },
];

const passes: Reason[] = [
  { code: "product_active" },
  { code: "region", firmRegion: "150200", allowed: "all" },
  { code: "region", firmRegion: "150200", allowed: ["150200"] },
  { code: "industry", firmIndustry: "C", allowed: "all" },
  { code: "industry", firmIndustry: "C", allowed: ["C"] },
  { code: "firm_flags", required: [] },
  { code: "firm_flags", required: ["specialised"] },
  { code: "amount", amountFen: 80 * WAN, minAmountFen: 10 * WAN, maxAmountFen: 500 * WAN },
  { code: "term", termMonths: 12, minTermMonths: 6, maxTermMonths: 36 },
  { code: "rate", minRateBp: 385, effectiveRateBp: 385, firmMaxRateBp: 450 },
  { code: "rate", minRateBp: 385, effectiveRateBp: 270, firmMaxRateBp: 450 },
  { code: "quota", amountFen: 80 * WAN, quotaRemainingFen: 5000 * WAN },
  { code: "ip_types", ipTypes: ["invention", "trademark"] },
  { code: "assets_eligible", eligibleCount: 2, offeredCount: 3, indicativeCount: 0 },
  { code: "assets_eligible", eligibleCount: 2, offeredCount: 3, indicativeCount: 1 },
  { code: "capacity", capacityFen: 100 * WAN, amountFen: 80 * WAN },
];

const productErrors: [ProductErrorCode, Record<string, string | number>][] = [
  ["required", {}],
  ["too_long", { max: 100 }],
  ["not_integer", {}],
  ["not_positive", {}],
  ["out_of_range", { min: 0, max: 3_000, unit: "bp" }],
  ["out_of_range", { min: 0, max: 9_000_000, unit: "fen" }],
  ["out_of_range", { min: 1, max: 360, unit: "months" }],
  ["out_of_range", { min: 0, max: 20, unit: "years" }],
  ["out_of_range", { min: 0, max: 9 }],
  ["amount_min_gt_max", { minAmountFen: 600 * WAN, maxAmountFen: 500 * WAN }],
  ["term_min_gt_max", { minTermMonths: 30, maxTermMonths: 12 }],
  ["rate_min_gt_max", { minRateBp: 600, maxRateBp: 500 }],
  ["ip_types_required", {}],
  ["pledge_rate_zero_for_accepted_type", { ipType: "invention" }],
  ["unknown_value", { value: "software" }],
  ["duplicate_value", { value: "C" }],
  ["regions_required", {}],
  ["industries_required", {}],
  ["quota_remaining_gt_total", { quotaRemainingFen: 101, quotaTotalFen: 100 }],
  ["risk_share_total_gt_100", { totalBp: 10_001 }],
  ["repayment_methods_required", {}],
];

const patentProblems: PatentNumberProblem[] = [
  { kind: "empty" },
  { kind: "format", position: 5, char: "A" },
  { kind: "length", length: 12, missingCheckDigit: true, checkDigitApart: false },
  { kind: "length", length: 11, missingCheckDigit: false, checkDigitApart: false },
  { kind: "length", length: 11, missingCheckDigit: false, checkDigitApart: true },
  { kind: "type_digit", digit: "4", position: 5 },
  { kind: "year", year: 2002, earliest: 2003, latest: null },
  { kind: "year", year: 2030, earliest: 2003, latest: 2025 },
  { kind: "check_digit", expected: "X", actual: "3" },
];

const trademarkProblems: TrademarkNumberProblem[] = [
  { kind: "empty" },
  { kind: "format", position: 3, char: "A" },
  { kind: "length", length: 11, max: 10 },
];

const commentaryBase: CommentaryInput = {
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
  regions: [{ code: "150100", amountFen: 200_000_000_000, count: 10 }],
  firmsFinanced: 20,
  specialisedFirms: 5,
  highTechFirms: 12,
};
const everyRegion = [
  "150100",
  "150200",
  "150300",
  "150400",
  "150500",
  "150600",
  "150700",
  "150800",
  "150900",
  "152200",
  "152500",
  "152900",
].map((code, i) => ({ code, amountFen: (20 - i) * WAN, count: 1 }));

const commentaries: CommentaryInput[] = [
  commentaryBase,
  { ...commentaryBase, regions: everyRegion, projectedMonth: "2025-10", monthsLeft: 1 },
  { ...commentaryBase, regions: everyRegion.slice(0, 4), projectedMonth: null },
  { ...commentaryBase, regions: [], paceFen: 0, firmsFinanced: 0, specialisedFirms: 0 },
  { ...commentaryBase, remainingFen: 0, reachedMonth: "2025-05" },
  { ...commentaryBase, remainingFen: 0, reachedMonth: null, firmsFinanced: 1 },
  { ...commentaryBase, deadlinePassed: true },
];

const samples: Message[] = [
  ...failures.map(explainFailure),
  ...passes.map(explainPass),
  ...productErrors.map(([code, params]) => productErrorMessage(code, params)),
  ...patentProblems.map(patentNumberProblemMessage),
  ...trademarkProblems.map(trademarkNumberProblemMessage),
  ...[null, 5 * 60_000, 36 * 3_600_000, 3 * 86_400_000].map(describeDuration),
  firmPseudonym(42, () => "3F2A"),
  ...commentaries.flatMap(reportCommentary),
];

/** The sections of the locale files whose sentences come from the domain. */
const DOMAIN_SECTIONS = [
  "matching:failures",
  "matching:passes",
  "products:validation",
  "assets:numberProblems",
  "alliance:commentary",
  "alliance:durations",
  "alliance:pseudonym",
];

const PLURAL = /_(zero|one|two|few|many|other)$/;

function lookup(locale: Locale, key: string): unknown {
  const [ns, path] = key.split(":");
  let node: unknown = (resources[locale] as Record<string, unknown>)[ns];
  for (const part of path.split(".").filter(Boolean)) {
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** The template strings of a key in one language: the key itself or its plural forms. */
function templates(locale: Locale, key: string): string[] {
  const [ns, path] = key.split(":");
  const parts = path.split(".");
  const last = parts.pop() ?? "";
  const scope = lookup(locale, parts.length ? `${ns}:${parts.join(".")}` : `${ns}:`);
  if (!scope || typeof scope !== "object") return [];
  return Object.entries(scope)
    .filter(([k, v]) => typeof v === "string" && k.replace(PLURAL, "") === last)
    .map(([, v]) => v as string);
}

/** The values a template names, nested translations included ({{min}} in $t(…, {"count": {{min}} })). */
function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/\{\{\s*(\w+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]));
}

function leaves(node: unknown, prefix: string): string[] {
  if (typeof node === "string") return [prefix.replace(PLURAL, "")];
  if (!node || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([k, v]) => leaves(v, `${prefix}.${k}`));
}

describe("domain messages", () => {
  it("have words in both languages for every key the domain returns", () => {
    const missing = samples.flatMap((m) =>
      LOCALES.filter((l) => templates(l, m.key).length === 0).map((l) => `${l} ${m.key}`),
    );
    expect(missing).toEqual([]);
  });

  it("name the same values in Chinese and English, and the domain gives every one of them", () => {
    for (const m of samples) {
      const given = new Set([...Object.keys(messageParams(m.params, "zh-CN")), "count"]);
      const named = LOCALES.map(
        (l) => new Set(templates(l, m.key).flatMap((s) => [...placeholders(s)])),
      );
      expect([...named[1]].sort(), m.key).toEqual([...named[0]].sort());
      for (const p of named[0]) expect(given.has(p), `${m.key} needs {{${p}}}`).toBe(true);
      if (named[0].has("count")) expect(typeof m.params.count, m.key).toBe("number");
    }
  });

  it("read as whole sentences once translated", () => {
    for (const m of samples) {
      for (const l of LOCALES) {
        const text = translateMessage(getFixedT(l), m, l, "auto");
        expect(text, `${l} ${m.key}`).not.toBe(m.key);
        expect(text, `${l} ${m.key}`).not.toMatch(/\{\{|\$t\(|undefined|NaN|null|\[object/);
        if (l === "en") expect(text, m.key).not.toMatch(/[，、（）：；]|万元|亿元/);
      }
    }
  });

  it("leave no sentence in the domain's sections that the domain cannot return", () => {
    const reached = new Set(samples.map((m) => m.key));
    for (const section of DOMAIN_SECTIONS) {
      for (const l of LOCALES) {
        const node = lookup(l, section);
        const keys = typeof node === "string" ? [section] : leaves(node, section);
        expect(
          keys.filter((k) => !reached.has(k)),
          `${l} ${section}`,
        ).toEqual([]);
      }
    }
  });

  it("use only keys that exist, wherever the domain names one literally", () => {
    const dir = join(__dirname, "../../app/domain");
    const literal =
      /["`]((?:common|auth|assets|appraisal|products|deals|alliance|matching):[\w.]+)["`]/g;
    const prefix =
      /`((?:common|auth|assets|appraisal|products|deals|alliance|matching):[\w.]+)\.\$\{/g;
    const problems: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const src = readFileSync(join(dir, file), "utf8");
      for (const [, key] of src.matchAll(literal)) {
        for (const l of LOCALES) {
          if (templates(l, key).length === 0) problems.push(`${file}: ${l} ${key}`);
        }
      }
      for (const [, key] of src.matchAll(prefix)) {
        for (const l of LOCALES) {
          const node = lookup(l, key);
          if (!node || typeof node !== "object") problems.push(`${file}: ${l} ${key}.*`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
