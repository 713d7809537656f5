import { message, type Message } from "../message";
import { coveredFen } from "./coverage";
import { splitByShares, type LossShares, type SplitFen } from "./shares";

/**
 * Claims on a defaulted covered loan (docs/domain.md#claims). Interest accrues on a 360-day year,
 * the convention Chinese banks use for a daily rate (日利率 = 年利率 ÷ 360).
 */
export const DAYS_PER_YEAR = 360;

/** The documents a pool may require with a claim; each pool lists the ones it needs. */
export const CLAIM_DOCUMENTS = [
  "loan_contract",
  "pledge_registration",
  "default_notice",
  "collection_record",
  "litigation_filing",
  "appraisal_report",
] as const;
export type ClaimDocument = (typeof CLAIM_DOCUMENTS)[number];

export function isClaimDocument(v: unknown): v is ClaimDocument {
  return typeof v === "string" && (CLAIM_DOCUMENTS as readonly string[]).includes(v);
}

export interface LossInput {
  outstandingPrincipalFen: number;
  /** Interest due and unpaid on the default date, from the repayment ledger. */
  unpaidInterestFen: number;
  rateBp: number;
  perLoanCapFen: number;
  interestDaysAllowed: number;
}

export interface Loss {
  /** min(outstanding principal, per-loan cap). */
  coveredPrincipalFen: number;
  /** min(unpaid interest, covered principal × rate × days ÷ 360), floored to the fen. */
  allowedInterestFen: number;
  lossFen: number;
}

/**
 * The loss the sharers share. Worked example: 800万 outstanding, a 500万 cap, 4.35% and 90 days
 * allowed, 12万 unpaid: covered principal 500万; interest allowed = 5,000,000 × 435 × 90 ÷
 * (360 × 10000) yuan = 54,375 元 < 12万, so the loss is 5,054,375 元.
 */
export function computeLoss(input: LossInput): Loss {
  const coveredPrincipalFen = coveredFen(input.outstandingPrincipalFen, input.perLoanCapFen);
  const capFen = Number(
    (BigInt(coveredPrincipalFen) * BigInt(input.rateBp) * BigInt(input.interestDaysAllowed)) /
      BigInt(DAYS_PER_YEAR * 10_000),
  );
  const allowedInterestFen = Math.max(0, Math.min(input.unpaidInterestFen, capFen));
  return {
    coveredPrincipalFen,
    allowedInterestFen,
    lossFen: coveredPrincipalFen + allowedInterestFen,
  };
}

export function missingDocuments(
  required: readonly ClaimDocument[],
  provided: readonly string[],
): ClaimDocument[] {
  return required.filter((d) => !provided.includes(d));
}

/** Refusals of a claim as filed: above the loss, not positive, documents missing. */
export function claimProblems(input: {
  claimedFen: number;
  lossFen: number;
  required: readonly ClaimDocument[];
  provided: readonly string[];
}): Message[] {
  const problems: Message[] = [];
  if (!Number.isSafeInteger(input.claimedFen) || input.claimedFen <= 0) {
    problems.push(message("risk:validation.claimNotPositive", { claimedFen: input.claimedFen }));
  } else if (input.claimedFen > input.lossFen) {
    problems.push(
      message("risk:validation.claimAboveLoss", {
        claimedFen: input.claimedFen,
        lossFen: input.lossFen,
      }),
    );
  }
  for (const document of missingDocuments(input.required, input.provided)) {
    problems.push(message("risk:validation.documentMissing", { document }));
  }
  return problems;
}

export interface ClaimPayout {
  approvedFen: number;
  /** What each party carries of the approved loss; the bank's part is not paid to anyone. */
  parts: SplitFen;
}

/**
 * The pool manager's approval, in full or in part: the approved amount is split by the shares;
 * the pool's part must fit in the pool's balance (checked again by the conditional update that
 * pays it, which is what stops two racing approvals).
 */
export function decideApproval(input: {
  claimedFen: number;
  approvedFen: number;
  shares: LossShares;
  poolBalanceFen: number;
}): { ok: true; payout: ClaimPayout } | { ok: false; problems: Message[] } {
  const { claimedFen, approvedFen } = input;
  if (!Number.isSafeInteger(approvedFen) || approvedFen <= 0) {
    return {
      ok: false,
      problems: [message("risk:validation.approvalNotPositive", { approvedFen })],
    };
  }
  if (approvedFen > claimedFen) {
    return {
      ok: false,
      problems: [message("risk:validation.approvalAboveClaim", { approvedFen, claimedFen })],
    };
  }
  const parts = splitByShares(approvedFen, input.shares);
  if (parts.pool > input.poolBalanceFen) {
    return {
      ok: false,
      problems: [
        message("risk:validation.poolExhausted", {
          neededFen: parts.pool,
          balanceFen: Math.max(0, input.poolBalanceFen),
        }),
      ],
    };
  }
  return { ok: true, payout: { approvedFen, parts } };
}
