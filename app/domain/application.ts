import { z } from "zod";
import { IP_TYPES, isIsoDate, type IpType } from "./ip";
import {
  collateralCoverage,
  pledgeSetCapacity,
  type AssetCapacity,
  type PledgedAsset,
  type SetCapacity,
} from "./coverage";

/**
 * The deal workflow (docs/domain.md#workflow): which state an application may move to, who
 * may move it, and the checks an approval and a disbursement must pass. Pure: the model loads the
 * rows, calls these functions, and writes the result in one transaction.
 *
 *   draft → submitted → under_review → approved → pledge_registered → disbursed → repaid
 *                                  ↘ rejected ↙            ↙                   ↘ defaulted
 *   submitted / under_review → withdrawn (by the firm)
 *
 * Rejection is allowed from under_review and also from approved / pledge_registered (the bank
 * calls the loan off before any money moves); it releases the pledge locks and returns the
 * reserved quota. Nothing leaves disbursed except repaid or defaulted: money that moved is
 * corrected by a ledger reversal, never by a state change.
 */

export const APPLICATION_STATES = [
  "draft",
  "submitted",
  "under_review",
  "approved",
  "rejected",
  "pledge_registered",
  "disbursed",
  "repaid",
  "defaulted",
  "withdrawn",
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export function isApplicationState(v: unknown): v is ApplicationState {
  return typeof v === "string" && (APPLICATION_STATES as readonly string[]).includes(v);
}

/** The side that acts: the applying firm or an officer of the bank that owns the product. */
export type ApplicationActor = "firm" | "bank";

export const WORKFLOW_ACTIONS = [
  "submit",
  "withdraw",
  "start_review",
  "approve",
  "reject",
  "register_pledge",
  "disburse",
  "repay",
  "default",
] as const;
export type ApplicationAction = (typeof WORKFLOW_ACTIONS)[number];

export interface TransitionRule {
  from: readonly ApplicationState[];
  to: ApplicationState;
  actor: ApplicationActor;
}

export const TRANSITIONS: Readonly<Record<ApplicationAction, TransitionRule>> = {
  submit: { from: ["draft"], to: "submitted", actor: "firm" },
  withdraw: { from: ["submitted", "under_review"], to: "withdrawn", actor: "firm" },
  start_review: { from: ["submitted"], to: "under_review", actor: "bank" },
  approve: { from: ["under_review"], to: "approved", actor: "bank" },
  reject: {
    from: ["under_review", "approved", "pledge_registered"],
    to: "rejected",
    actor: "bank",
  },
  register_pledge: { from: ["approved"], to: "pledge_registered", actor: "bank" },
  disburse: { from: ["pledge_registered"], to: "disbursed", actor: "bank" },
  repay: { from: ["disbursed"], to: "repaid", actor: "bank" },
  default: { from: ["disbursed"], to: "defaulted", actor: "bank" },
};

/**
 * States in which the pledged assets are always locked. A defaulted loan's locks stand too, until
 * its disposal is sold or the bank releases the pledge (docs/domain.md#pledge-locks).
 */
export const LOCKED_STATES: readonly ApplicationState[] = [
  "approved",
  "pledge_registered",
  "disbursed",
];

/** States whose disbursement counts toward the target (the ledger entry stays after closing). */
export const DISBURSED_STATES: readonly ApplicationState[] = ["disbursed", "repaid", "defaulted"];

/** The bank's "to do" list: every state a bank officer still has to act on. */
export const BANK_OPEN_STATES: readonly ApplicationState[] = [
  "submitted",
  "under_review",
  "approved",
  "pledge_registered",
  "disbursed",
];

/** Final states: nothing more happens to the application. */
export const FINAL_STATES: readonly ApplicationState[] = [
  "rejected",
  "withdrawn",
  "repaid",
  "defaulted",
];

export type TransitionCheck =
  { ok: true; to: ApplicationState } | { ok: false; reason: "wrong_actor" | "wrong_state" };

/** Whether `actor` may apply `action` to an application in state `from`. */
export function checkTransition(
  action: ApplicationAction,
  from: ApplicationState,
  actor: ApplicationActor,
): TransitionCheck {
  const rule = TRANSITIONS[action];
  if (rule.actor !== actor) return { ok: false, reason: "wrong_actor" };
  if (!rule.from.includes(from)) return { ok: false, reason: "wrong_state" };
  return { ok: true, to: rule.to };
}

/** The actions `actor` can take on an application in `state`, in workflow order. */
export function availableActions(
  state: ApplicationState,
  actor: ApplicationActor,
): ApplicationAction[] {
  return WORKFLOW_ACTIONS.filter((a) => checkTransition(a, state, actor).ok);
}

/** A firm edits its application only while it is a draft. */
export function isEditable(state: ApplicationState): boolean {
  return state === "draft";
}

/** The bank never sees a firm's drafts; they become visible on submission. */
export function isVisibleToBank(state: ApplicationState): boolean {
  return state !== "draft";
}

/** Both sides may write in the thread while the deal is live or closed, never on a draft. */
export function canComment(state: ApplicationState): boolean {
  return state !== "draft";
}

// ---------------------------------------------------------------------------------------------
// The product snapshot
// ---------------------------------------------------------------------------------------------

/**
 * The product's terms when the firm applied. Field names are those of LoanProductTerms
 * (app/domain/product.ts), so a full terms object is a valid snapshot; only these fields are
 * read by the workflow.
 */
export interface ProductSnapshot {
  id: number;
  bankOrgId: number;
  name: string;
  minAmountFen: number;
  maxAmountFen: number;
  minTermMonths: number;
  maxTermMonths: number;
  minRateBp: number;
  maxRateBp: number;
  pledgeRateBp: Record<IpType, number>;
  acceptedIpTypes: IpType[];
  interestSubsidyBp: number;
}

const int = z.number().int().safe();
const ipType = z.enum(IP_TYPES);
const snapshotSchema = z
  .object({
    id: int,
    bankOrgId: int,
    name: z.string(),
    minAmountFen: int,
    maxAmountFen: int,
    minTermMonths: int,
    maxTermMonths: int,
    minRateBp: int,
    maxRateBp: int,
    pledgeRateBp: z.object({
      invention: int,
      utility_model: int,
      design: int,
      trademark: int,
    }),
    acceptedIpTypes: z.array(ipType),
    interestSubsidyBp: int.default(0),
  })
  .passthrough();

/**
 * Parses product_snapshot_json: either the terms themselves or the products model's snapshot
 * `{ productId, version, name, terms: LoanProductTerms, … }` (app/models/product.server.ts). A
 * malformed snapshot is a data bug, so it throws.
 */
export function parseProductSnapshot(json: string): ProductSnapshot {
  const raw = JSON.parse(json) as unknown;
  const terms =
    raw && typeof raw === "object" && "terms" in raw && raw.terms && typeof raw.terms === "object"
      ? raw.terms
      : raw;
  return snapshotSchema.parse(terms) as ProductSnapshot;
}

// ---------------------------------------------------------------------------------------------
// Capacity of a pledged set and the primary IP type
// ---------------------------------------------------------------------------------------------

export {
  collateralCoverage,
  pledgeSetCapacity,
  type AssetCapacity,
  type CollateralCoverage,
  type CoverageProblem,
  type PledgedAsset,
  type SetCapacity,
} from "./coverage";

/**
 * The IP type a deal is counted under in the running totals (盟市 × bank × IP type × month): the
 * type contributing the most capacity to the pledged set. Ties go to the first type in the fixed
 * order invention → utility model → design → trademark (IP_TYPES), so the bucket of a deal never
 * depends on the order its assets were listed. A deal whose capacity is all zero counts under the
 * first type present. One bucket per deal keeps every total a plain sum of ledger entries.
 */
export function primaryIpType(perAsset: readonly Pick<AssetCapacity, "ipType" | "capacityFen">[]) {
  if (perAsset.length === 0) throw new RangeError("a deal pledges at least one asset");
  const byType = new Map<IpType, number>();
  for (const a of perAsset) byType.set(a.ipType, (byType.get(a.ipType) ?? 0) + a.capacityFen);
  let best: IpType | null = null;
  for (const t of IP_TYPES) {
    const cap = byType.get(t);
    if (cap === undefined) continue;
    if (best === null || cap > (byType.get(best) ?? 0)) best = t;
  }
  return best as IpType;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** Something an approval, a draft or a disbursement fails on, with the numbers to explain it. */
export type ApplicationProblem =
  | { code: "no_assets" }
  | { code: "amount_not_positive" }
  | { code: "amount_out_of_range"; amountFen: number; minAmountFen: number; maxAmountFen: number }
  | { code: "amount_above_requested"; amountFen: number; requestedFen: number }
  | { code: "amount_above_capacity"; amountFen: number; capacityFen: number }
  | { code: "term_out_of_range"; termMonths: number; minTermMonths: number; maxTermMonths: number }
  | { code: "rate_out_of_range"; rateBp: number; minRateBp: number; maxRateBp: number }
  | { code: "asset_type_not_accepted"; assetId: number; title: string; ipType: IpType }
  | { code: "asset_not_pledgeable"; assetId: number; title: string; status: string }
  | { code: "asset_expired"; assetId: number; title: string; expiryDate: string }
  | { code: "asset_no_formal_value"; assetId: number; title: string }
  | { code: "asset_appraisal_expired"; assetId: number; title: string; validUntil: string }
  | { code: "asset_appraisal_after_day"; assetId: number; title: string; signedDate: string }
  | { code: "bad_date"; field: string }
  | { code: "amount_above_approved"; amountFen: number; approvedFen: number }
  | { code: "value_date_before_registration"; valueDate: string; registeredDate: string };

/** Which form field a problem belongs next to. */
export function problemField(p: ApplicationProblem): string {
  switch (p.code) {
    case "amount_not_positive":
    case "amount_out_of_range":
    case "amount_above_requested":
    case "amount_above_capacity":
    case "amount_above_approved":
      return "amount";
    case "term_out_of_range":
      return "termMonths";
    case "rate_out_of_range":
      return "rateBp";
    case "bad_date":
      return p.field;
    case "value_date_before_registration":
      return "valueDate";
    default:
      return "assetIds";
  }
}

function termProblems(snapshot: ProductSnapshot, termMonths: number): ApplicationProblem[] {
  const { minTermMonths, maxTermMonths } = snapshot;
  if (
    !Number.isSafeInteger(termMonths) ||
    termMonths < minTermMonths ||
    termMonths > maxTermMonths
  ) {
    return [{ code: "term_out_of_range", termMonths, minTermMonths, maxTermMonths }];
  }
  return [];
}

function rateProblems(snapshot: ProductSnapshot, rateBp: number): ApplicationProblem[] {
  const { minRateBp, maxRateBp } = snapshot;
  if (!Number.isSafeInteger(rateBp) || rateBp < minRateBp || rateBp > maxRateBp) {
    return [{ code: "rate_out_of_range", rateBp, minRateBp, maxRateBp }];
  }
  return [];
}

function typeProblems(
  snapshot: ProductSnapshot,
  assets: readonly PledgedAsset[],
): ApplicationProblem[] {
  const accepted = new Set(snapshot.acceptedIpTypes);
  return assets
    .filter((a) => !accepted.has(a.ipType))
    .map((a) => ({
      code: "asset_type_not_accepted" as const,
      assetId: a.assetId,
      title: a.title,
      ipType: a.ipType,
    }));
}

/**
 * What a firm's draft (or its submission) must satisfy: an amount within the product's range,
 * term and rate within the snapshot's ranges, at least one asset, every asset of an accepted type.
 * Appraisal validity and capacity are the bank's approval checks (the firm may still be waiting
 * for a valuer), so they are not refused here; the form shows the capacity so far.
 */
export function checkDraft(input: {
  snapshot: ProductSnapshot;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  assets: readonly PledgedAsset[];
}): ApplicationProblem[] {
  const { snapshot, amountFen, assets } = input;
  const problems: ApplicationProblem[] = [];
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    problems.push({ code: "amount_not_positive" });
  } else if (amountFen < snapshot.minAmountFen || amountFen > snapshot.maxAmountFen) {
    problems.push({
      code: "amount_out_of_range",
      amountFen,
      minAmountFen: snapshot.minAmountFen,
      maxAmountFen: snapshot.maxAmountFen,
    });
  }
  problems.push(...termProblems(snapshot, input.termMonths));
  problems.push(...rateProblems(snapshot, input.rateBp));
  if (assets.length === 0) problems.push({ code: "no_assets" });
  problems.push(...typeProblems(snapshot, assets));
  return problems;
}

export interface ApprovalInput {
  snapshot: ProductSnapshot;
  /** The amount the firm applied for; an approval never grants more. */
  requestedFen: number;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  assets: readonly PledgedAsset[];
  /** The approval day 'YYYY-MM-DD' (China business day). */
  day: string;
}

export interface ApprovalResult {
  problems: ApplicationProblem[];
  capacity: SetCapacity;
  /** Null when there are no assets. */
  primaryIpType: IpType | null;
}

/**
 * The approval checks: every pledged asset of an accepted type, granted (patents) or registered
 * (trademarks) and in force on the approval day (an expiry date on the day itself is too late,
 * as in matching), with a formal appraisal valid on
 * the approval day (signed on or before it, valid until on or after it — docs/domain.md#approval:
 * valid 12 months from signing); amount > 0, ≤ the amount applied for and ≤ the capacity of the
 * pledged set under the snapshot's pledge rates (only validly appraised assets lend); rate and
 * term within the snapshot's ranges.
 */
export function checkApproval(input: ApprovalInput): ApprovalResult {
  const { snapshot, assets, day, amountFen } = input;
  if (!isIsoDate(day)) throw new RangeError(`approval day must be 'YYYY-MM-DD', got ${day}`);
  const problems: ApplicationProblem[] = [];
  if (assets.length === 0) problems.push({ code: "no_assets" });
  problems.push(...typeProblems(snapshot, assets));
  // The same function the matching engine calls to call a product ready (docs/domain.md#approval).
  const coverage = collateralCoverage(assets, snapshot.pledgeRateBp, amountFen, day);
  problems.push(...coverage.problems);
  const capacity = coverage.capacity;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    problems.push({ code: "amount_not_positive" });
  } else {
    if (amountFen > input.requestedFen) {
      problems.push({
        code: "amount_above_requested",
        amountFen,
        requestedFen: input.requestedFen,
      });
    }
    if (amountFen > capacity.capacityFen) {
      problems.push({
        code: "amount_above_capacity",
        amountFen,
        capacityFen: capacity.capacityFen,
      });
    }
  }
  problems.push(...termProblems(snapshot, input.termMonths));
  problems.push(...rateProblems(snapshot, input.rateBp));
  // The bucket is decided by every pledged asset's capacity at its current value, valid or not,
  // but an approval with problems is refused anyway, so in practice only valid assets count.
  const all = pledgeSetCapacity(assets, snapshot);
  return {
    problems,
    capacity,
    primaryIpType: assets.length ? primaryIpType(all.perAsset) : null,
  };
}

/** Disbursement: a positive amount ≤ the approved amount, valued on or after the registration. */
export function checkDisbursement(input: {
  approvedFen: number;
  amountFen: number;
  valueDate: string;
  registeredDate: string | null;
}): ApplicationProblem[] {
  const problems: ApplicationProblem[] = [];
  const { amountFen, approvedFen, valueDate } = input;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    problems.push({ code: "amount_not_positive" });
  } else if (amountFen > approvedFen) {
    problems.push({ code: "amount_above_approved", amountFen, approvedFen });
  }
  if (!isIsoDate(valueDate)) problems.push({ code: "bad_date", field: "valueDate" });
  else if (input.registeredDate && valueDate < input.registeredDate) {
    // 先登记、后放款: the pledge must be registered at CNIPA before the money goes out.
    problems.push({
      code: "value_date_before_registration",
      valueDate,
      registeredDate: input.registeredDate,
    });
  }
  return problems;
}

/** 'YYYY-MM' of a 'YYYY-MM-DD' value date: the month bucket of the running totals. */
export function monthOf(date: string): string {
  if (!isIsoDate(date)) throw new RangeError(`not a date: ${date}`);
  return date.slice(0, 7);
}
