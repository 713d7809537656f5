import { message, type Message } from "../message";
import { WHOLE_BP } from "./shares";

/**
 * Guarantee insurance and guarantees as parties of a product (docs/domain.md#risk-pools, issue
 * 14 item 3): an insurer quotes a premium rate, a guarantor a fee rate, each in bp of the amount
 * covered for the loan's term; the bank binds one quote at approval and the premium is recorded.
 */

/** Rates above 10% of the amount covered are not a premium anyone quotes: a typo, refused. */
export const MAX_COVER_RATE_BP = 1000;

export type CoverKind = "insurance" | "guarantee";

/** An insurer quotes insurance, a guarantor a guarantee; no other member quotes. */
export function coverKindOf(allianceKind: string | null): CoverKind | null {
  if (allianceKind === "insurer") return "insurance";
  if (allianceKind === "guarantor") return "guarantee";
  return null;
}

export function quoteProblems(rateBp: number): Message[] {
  if (!Number.isSafeInteger(rateBp) || rateBp <= 0 || rateBp > MAX_COVER_RATE_BP) {
    return [message("risk:validation.quoteRateOutOfRange", { rateBp, maxBp: MAX_COVER_RATE_BP })];
  }
  return [];
}

/**
 * The premium (or guarantee fee) on the amount covered, rounded to the nearest fen, halves up.
 * 300万 covered at 1.20% → 36,000 元; 12,345.67 元 at 0.85% → 104.94 元 (10,493.8195 fen rounds
 * up to 10,494).
 */
export function premiumFen(insuredFen: number, rateBp: number): number {
  if (!Number.isSafeInteger(insuredFen) || insuredFen < 0) {
    throw new RangeError(`insured amount must be whole fen ≥ 0: ${insuredFen}`);
  }
  return Number(
    (BigInt(insuredFen) * BigInt(rateBp) * 2n + BigInt(WHOLE_BP)) / (2n * BigInt(WHOLE_BP)),
  );
}
