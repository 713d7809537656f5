import { FIRM_FLAGS, type FirmFlag } from "../industry";
import { message, type Message } from "../message";
import { isRegionCode } from "../regions";
import { WHOLE_BP } from "./shares";

/**
 * Interest subsidy programmes (贴息, docs/domain.md#interest-subsidy): a share of the interest
 * a firm actually paid, at a rate basis capped at a multiple of the LPR in force on the payment
 * date, capped per firm per calendar year and by the programme's budget.
 */
export interface SubsidyRules {
  /** Share of the eligible interest refunded, bp of 100%. */
  shareBp: number;
  /** Rate basis cap as a multiple of the LPR in bp (15000 = 1.5× LPR); null: no cap. */
  lprMultipleCapBp: number | null;
  perFirmYearCapFen: number;
  budgetFen: number;
  /** Interest paid on days in [windowStart, windowEnd] may be claimed. */
  windowStart: string;
  windowEnd: string;
  /** Empty: every 盟市 / every product. */
  regionCodes: readonly string[];
  productIds: readonly number[];
  requiredFlags: readonly FirmFlag[];
  firstPledgeOnly: boolean;
}

export interface LprSetting {
  effectiveDate: string;
  rateBp: number;
}

/** The 1-year LPR in force on a date: the latest setting effective on or before it. */
export function lprOn(settings: readonly LprSetting[], date: string): number | null {
  let best: LprSetting | null = null;
  for (const s of settings) {
    if (s.effectiveDate <= date && (!best || s.effectiveDate > best.effectiveDate)) best = s;
  }
  return best ? best.rateBp : null;
}

export function subsidyRulesProblems(rules: SubsidyRules): Message[] {
  const problems: Message[] = [];
  if (!Number.isSafeInteger(rules.shareBp) || rules.shareBp <= 0 || rules.shareBp > WHOLE_BP) {
    problems.push(message("risk:validation.subsidyShareOutOfRange", { shareBp: rules.shareBp }));
  }
  if (
    rules.lprMultipleCapBp !== null &&
    (!Number.isSafeInteger(rules.lprMultipleCapBp) || rules.lprMultipleCapBp <= 0)
  ) {
    problems.push(
      message("risk:validation.lprMultipleNotPositive", {
        multiple: rules.lprMultipleCapBp / WHOLE_BP,
      }),
    );
  }
  if (!Number.isSafeInteger(rules.perFirmYearCapFen) || rules.perFirmYearCapFen <= 0) {
    problems.push(message("risk:validation.capNotPositive", { capFen: rules.perFirmYearCapFen }));
  }
  if (!Number.isSafeInteger(rules.budgetFen) || rules.budgetFen <= 0) {
    problems.push(message("risk:validation.budgetNotPositive", { budgetFen: rules.budgetFen }));
  }
  if (rules.windowEnd < rules.windowStart) {
    problems.push(
      message("risk:validation.windowReversed", {
        start: rules.windowStart,
        end: rules.windowEnd,
      }),
    );
  }
  const badRegions = rules.regionCodes.filter((c) => !isRegionCode(c));
  if (badRegions.length > 0) {
    problems.push(message("risk:validation.unknownRegions", { regions: badRegions }));
  }
  const badFlags = rules.requiredFlags.filter((f) => !FIRM_FLAGS.includes(f));
  if (badFlags.length > 0) problems.push(message("risk:validation.unknownFlags"));
  return problems;
}

export interface SubsidyFirm {
  regionCode: string | null;
  flags: readonly FirmFlag[];
  /** No earlier pledge loan of the firm was disbursed before this one. */
  firstPledge: boolean;
}

/** Why a firm's loan is not eligible (empty: eligible). */
export function eligibilityProblems(
  rules: SubsidyRules,
  firm: SubsidyFirm,
  loan: { productId: number },
): Message[] {
  const problems: Message[] = [];
  if (
    rules.regionCodes.length > 0 &&
    (!firm.regionCode || !rules.regionCodes.includes(firm.regionCode))
  ) {
    problems.push(message("risk:eligibility.region", { regions: rules.regionCodes }));
  }
  if (rules.productIds.length > 0 && !rules.productIds.includes(loan.productId)) {
    problems.push(message("risk:eligibility.product"));
  }
  const missing = rules.requiredFlags.filter((f) => !firm.flags.includes(f));
  if (missing.length > 0) problems.push(message("risk:eligibility.flags", { flags: missing }));
  if (rules.firstPledgeOnly && !firm.firstPledge) {
    problems.push(message("risk:eligibility.firstPledge"));
  }
  return problems;
}

export interface InterestPayment {
  /** The repayment ledger entry (or its id as text) the interest was paid by. */
  entryKey: string;
  paidDate: string;
  interestFen: number;
}

export interface SubsidyInput {
  rules: SubsidyRules;
  /** The loan's annual rate in bp. */
  rateBp: number;
  lpr: readonly LprSetting[];
  /** Interest payments of the loan from the repayment ledger. */
  payments: readonly InterestPayment[];
  /** Entry keys whose interest some programme (this or another) already subsidised. */
  alreadySubsidised: ReadonlySet<string>;
  /** Approved or pending subsidy of this programme for the firm in the claim's year. */
  firmYearUsedFen: number;
  budgetRemainingFen: number;
}

export interface SubsidyLine {
  entryKey: string;
  paidDate: string;
  interestFen: number;
  lprBp: number | null;
  basisRateBp: number;
  subsidyFen: number;
}

export interface SubsidyComputation {
  lines: SubsidyLine[];
  /** Interest the claim consumes: it can never be subsidised again, by any programme. */
  interestFen: number;
  /** Before the firm-year cap and the budget. */
  computedFen: number;
  amountFen: number;
  limitedBy: "none" | "firm_cap" | "budget";
}

/**
 * The subsidy on the interest actually paid (docs/domain.md#interest-subsidy). Per interest
 * payment in the window and not yet subsidised: basis rate = min(loan rate, LPR on the payment
 * date × multiple); subsidy = interest × basis ÷ rate × share, floored to the fen. Then the firm's
 * remaining cap for the year and the budget's remainder limit the total. Worked example (Beijing
 * style, 50% share, basis capped at 1.5× LPR 3.00% = 4.50%): a loan at 6.00% paying 30,000 元 of
 * interest → basis 30,000 × 450/600 = 22,500 元 → subsidy 11,250 元. Qingdao style (100% of
 * interest at 0.6× LPR): the same payment → basis rate 1.80%, subsidy 9,000 元.
 */
export function computeSubsidy(input: SubsidyInput): SubsidyComputation {
  const { rules } = input;
  const lines: SubsidyLine[] = [];
  for (const p of input.payments) {
    if (p.interestFen <= 0) continue;
    if (p.paidDate < rules.windowStart || p.paidDate > rules.windowEnd) continue;
    if (input.alreadySubsidised.has(p.entryKey)) continue;
    const lprBp = lprOn(input.lpr, p.paidDate);
    let basisRateBp = input.rateBp;
    if (rules.lprMultipleCapBp !== null) {
      // No LPR on file for the date means no basis can be shown: nothing is paid on it.
      const cap = lprBp === null ? 0 : Math.floor((lprBp * rules.lprMultipleCapBp) / WHOLE_BP);
      basisRateBp = Math.min(basisRateBp, cap);
    }
    const subsidyFen =
      input.rateBp <= 0
        ? 0
        : Number(
            (BigInt(p.interestFen) * BigInt(basisRateBp) * BigInt(rules.shareBp)) /
              (BigInt(input.rateBp) * BigInt(WHOLE_BP)),
          );
    lines.push({ ...p, lprBp, basisRateBp, subsidyFen });
  }
  const interestFen = lines.reduce((s, l) => s + l.interestFen, 0);
  const computedFen = lines.reduce((s, l) => s + l.subsidyFen, 0);
  const firmRoom = Math.max(0, rules.perFirmYearCapFen - input.firmYearUsedFen);
  const budgetRoom = Math.max(0, input.budgetRemainingFen);
  let amountFen = computedFen;
  let limitedBy: SubsidyComputation["limitedBy"] = "none";
  if (amountFen > firmRoom) {
    amountFen = firmRoom;
    limitedBy = "firm_cap";
  }
  if (amountFen > budgetRoom) {
    amountFen = budgetRoom;
    limitedBy = "budget";
  }
  return { lines, interestFen, computedFen, amountFen, limitedBy };
}

/** Refusals of a subsidy claim or payout about to be written. */
export function subsidyClaimProblems(input: {
  amountFen: number;
  interestFen: number;
  budgetRemainingFen: number;
  claimDate: string;
  rules: Pick<SubsidyRules, "windowStart" | "windowEnd">;
}): Message[] {
  const problems: Message[] = [];
  if (input.claimDate < input.rules.windowStart || input.claimDate > input.rules.windowEnd) {
    problems.push(
      message("risk:validation.outsideWindow", {
        start: input.rules.windowStart,
        end: input.rules.windowEnd,
      }),
    );
  }
  if (input.budgetRemainingFen <= 0) {
    problems.push(message("risk:validation.budgetExhausted"));
  } else if (input.interestFen <= 0 || input.amountFen <= 0) {
    problems.push(message("risk:validation.nothingToSubsidise"));
  }
  if (input.amountFen > input.interestFen) {
    problems.push(
      message("risk:validation.subsidyAboveInterest", {
        amountFen: input.amountFen,
        interestFen: input.interestFen,
      }),
    );
  }
  if (input.amountFen > input.budgetRemainingFen && input.budgetRemainingFen > 0) {
    problems.push(
      message("risk:validation.subsidyAboveBudget", {
        amountFen: input.amountFen,
        budgetRemainingFen: input.budgetRemainingFen,
      }),
    );
  }
  return problems;
}
