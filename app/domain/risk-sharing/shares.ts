import { message, type Message } from "../message";

/**
 * 风险分担 shares of a loss (docs/domain.md#loss-shares): the risk-compensation pool, the lending
 * bank, the insurer and the guarantor, each in bp of the loss, summing to exactly 10000 bp.
 */
export const SHARE_PARTIES = ["pool", "insurer", "guarantor", "bank"] as const;
export type ShareParty = (typeof SHARE_PARTIES)[number];

export type LossShares = Readonly<Record<ShareParty, number>>;
export type SplitFen = Record<ShareParty, number>;

export const WHOLE_BP = 10_000;

/** Refusals of a set of shares: each not a whole bp in 0…10000, or a sum other than 100%. */
export function sharesProblems(shares: LossShares): Message[] {
  const problems: Message[] = [];
  for (const party of SHARE_PARTIES) {
    const bp = shares[party];
    if (!Number.isSafeInteger(bp) || bp < 0 || bp > WHOLE_BP) {
      problems.push(message("risk:validation.shareOutOfRange", { party, shareBp: bp }));
    }
  }
  const totalBp = SHARE_PARTIES.reduce((s, p) => s + shares[p], 0);
  if (problems.length === 0 && totalBp !== WHOLE_BP) {
    problems.push(message("risk:validation.sharesNotWhole", { totalBp }));
  }
  return problems;
}

/**
 * Splits an amount of fen by the shares so the parts sum to exactly the amount
 * (docs/domain.md#loss-shares). Each part is first floored; the fen left over (at most three, one
 * per party beyond the first) go one each to the parties with the largest dropped fractions, ties
 * broken in the order pool → insurer → guarantor → bank. A party with a 0 share never receives a
 * fen. Worked example: 1,000,001 fen at 40/30/20/10% is 400,000.4 / 300,000.3 / 200,000.2 /
 * 100,000.1; the floors leave one fen, which goes to the largest fraction (the pool):
 * 400,001 / 300,000 / 200,000 / 100,000.
 */
export function splitByShares(amountFen: number, shares: LossShares): SplitFen {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0) {
    throw new RangeError(`amount to split must be whole fen ≥ 0: ${amountFen}`);
  }
  if (sharesProblems(shares).length > 0) {
    throw new RangeError(`shares must be 0…10000 bp summing to 10000: ${JSON.stringify(shares)}`);
  }
  const amount = BigInt(amountFen);
  const parts = {} as SplitFen;
  const fractions: { party: ShareParty; rest: bigint; order: number }[] = [];
  let assigned = 0n;
  SHARE_PARTIES.forEach((party, order) => {
    const scaled = amount * BigInt(shares[party]);
    const floor = scaled / BigInt(WHOLE_BP);
    parts[party] = Number(floor);
    assigned += floor;
    if (shares[party] > 0) fractions.push({ party, rest: scaled % BigInt(WHOLE_BP), order });
  });
  fractions.sort((a, b) => (a.rest === b.rest ? a.order - b.order : a.rest > b.rest ? -1 : 1));
  let left = Number(amount - assigned);
  for (const f of fractions) {
    if (left === 0) break;
    parts[f.party] += 1;
    left -= 1;
  }
  return parts;
}

export function sumParts(parts: Readonly<Record<ShareParty, number>>): number {
  return SHARE_PARTIES.reduce((s, p) => s + parts[p], 0);
}
