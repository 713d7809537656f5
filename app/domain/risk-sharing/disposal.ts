import { message, type Message } from "../message";

/**
 * Disposal of a defaulted loan's pledged IP (处置, docs/domain.md#disposal): what a listing and
 * a recorded sale must satisfy. The split of the proceeds is distributeRecovery (./recovery.ts).
 */

export const DISPOSAL_KINDS = ["transfer", "licence"] as const;

export interface ListingTerms {
  askingFen: number;
  /** The formal appraisal of the pledged IP, when there is one to show buyers. */
  appraisalFen: number | null;
}

/** Refusals of a listing's asking terms (each names the field it is about). */
export function listingProblems(l: ListingTerms): Message[] {
  const out: Message[] = [];
  if (!Number.isSafeInteger(l.askingFen) || l.askingFen <= 0) {
    out.push(message("risk:validation.askingNotPositive", { askingFen: l.askingFen }));
  }
  if (l.appraisalFen !== null && (!Number.isSafeInteger(l.appraisalFen) || l.appraisalFen <= 0)) {
    out.push(message("risk:validation.appraisalNotPositive", { appraisalFen: l.appraisalFen }));
  }
  return out;
}

export interface SaleRecord {
  proceedsFen: number;
  /** The day the transfer or licence contract was signed (YYYY-MM-DD, China time). */
  soldDate: string;
  /** The day the IP was listed: a sale cannot come before it. */
  listedDate: string;
  today: string;
}

/** Refusals of a recorded sale or licence. */
export function saleProblems(s: SaleRecord): Message[] {
  const out: Message[] = [];
  if (!Number.isSafeInteger(s.proceedsFen) || s.proceedsFen <= 0) {
    out.push(message("risk:validation.proceedsNotPositive", { proceedsFen: s.proceedsFen }));
  }
  if (s.soldDate > s.today) {
    out.push(message("risk:validation.soldInFuture", { date: s.soldDate, today: s.today }));
  } else if (s.soldDate < s.listedDate) {
    out.push(
      message("risk:validation.soldBeforeListed", { date: s.soldDate, listed: s.listedDate }),
    );
  }
  return out;
}

const FIELD_OF: Readonly<Record<string, string>> = {
  "risk:validation.askingNotPositive": "asking",
  "risk:validation.appraisalNotPositive": "appraisal",
  "risk:validation.proceedsNotPositive": "proceeds",
  "risk:validation.soldInFuture": "soldDate",
  "risk:validation.soldBeforeListed": "soldDate",
};

/** The form field a refusal of a listing or a sale belongs to ("" = the top of the form). */
export function disposalFieldOf(m: Message): string {
  return FIELD_OF[m.key] ?? "";
}
