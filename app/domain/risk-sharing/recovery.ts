import { SHARE_PARTIES, splitByShares, type LossShares, type SplitFen } from "./shares";

/**
 * Proceeds of a disposal (处置) shared back (docs/domain.md#disposal): split by the loss shares;
 * a sharer never recovers more than it paid and has not yet recovered, and what it cannot take
 * goes to the bank, whose own loss (its share plus anything above the cap) it reduces.
 * Worked example: 300万 proceeds at 40/30/20/10% after the pool paid 100万, the insurer 75万 and
 * the guarantor 50万: the split is 120/90/60/30万; each sharer is capped at what it paid, so the
 * pool gets 100万, the insurer 75万, the guarantor 50万 and the bank 30 + 20 + 15 + 10 = 75万.
 */
export function distributeRecovery(
  proceedsFen: number,
  shares: LossShares,
  unrecoveredFen: Readonly<Omit<SplitFen, "bank">>,
): SplitFen {
  const split = splitByShares(proceedsFen, shares);
  const out: SplitFen = { pool: 0, insurer: 0, guarantor: 0, bank: split.bank };
  for (const party of SHARE_PARTIES) {
    if (party === "bank") continue;
    const take = Math.min(split[party], Math.max(0, unrecoveredFen[party]));
    out[party] = take;
    out.bank += split[party] - take;
  }
  return out;
}
