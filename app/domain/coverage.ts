import { isInForceOn, type IpType } from "./ip";
import { BP_PER_WHOLE } from "./product";
import { isWithinValidity } from "./valuation/formal";

/**
 * "Does this collateral support this amount on day D?" — one pure answer shared by the matching
 * engine (a product is 可直接申请 only when it says yes today) and the bank's approval check
 * (checkApproval), so the two can never disagree (docs/domain.md#approval, #matching).
 */

/** Floor of a × b ÷ d for non-negative integers, exact even when a × b exceeds 2⁵³. */
function mulDivFloor(a: number, b: number, d: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(d));
}

/**
 * Capacity of one asset: floor(valueFen × pledgeRateBp / 10000). Rounded down per asset so the
 * sum never promises a fen the bank's own per-asset calculation would not lend.
 */
export function assetCapacityFen(valueFen: number, pledgeRateBp: number): number {
  return mulDivFloor(valueFen, pledgeRateBp, BP_PER_WHOLE);
}

export interface PledgedAsset {
  assetId: number;
  title: string;
  ipType: IpType;
  /** The current formal (signed) value; null when the asset has never been appraised. */
  formalValueFen: number | null;
  /** Last day the formal appraisal is valid (inclusive). */
  formalValidUntil: string | null;
  /** The day the appraisal was signed, when known: a pledge cannot rely on a later appraisal. */
  formalSignedDate?: string | null;
  /** ip_assets.status: a patent must be granted, a trademark registered. Unchecked when absent. */
  status?: string;
  /**
   * The stored expiry: the first day the right is no longer in force, so it cannot be pledged
   * on or after it (isInForceOn). Unchecked when absent.
   */
  expiryDate?: string;
}

export interface AssetCapacity {
  assetId: number;
  ipType: IpType;
  valueFen: number;
  pledgeRateBp: number;
  capacityFen: number;
}

export interface SetCapacity {
  perAsset: AssetCapacity[];
  capacityFen: number;
  capacityByType: Record<IpType, number>;
  pledgedValueFen: number;
}

/**
 * Capacity of a pledged set under the snapshot's pledge rates: Σ floor(value × rate / 10000),
 * rounded per asset exactly as the matching engine does (assetCapacityFen). An asset without a
 * formal value lends nothing.
 */
export function pledgeSetCapacity(
  assets: readonly PledgedAsset[],
  snapshot: { pledgeRateBp: Record<IpType, number> },
): SetCapacity {
  const capacityByType: Record<IpType, number> = {
    invention: 0,
    utility_model: 0,
    design: 0,
    trademark: 0,
  };
  const perAsset: AssetCapacity[] = [];
  let capacityFen = 0;
  let pledgedValueFen = 0;
  for (const a of assets) {
    const valueFen = a.formalValueFen ?? 0;
    const pledgeRateBp = snapshot.pledgeRateBp[a.ipType];
    const cap = assetCapacityFen(valueFen, pledgeRateBp);
    perAsset.push({
      assetId: a.assetId,
      ipType: a.ipType,
      valueFen,
      pledgeRateBp,
      capacityFen: cap,
    });
    capacityByType[a.ipType] += cap;
    capacityFen += cap;
    pledgedValueFen += valueFen;
  }
  return { perAsset, capacityFen, capacityByType, pledgedValueFen };
}

/** Why one asset cannot lend on the day, with the numbers a sentence needs. */
export type CoverageProblem =
  | { code: "asset_not_pledgeable"; assetId: number; title: string; status: string }
  | { code: "asset_expired"; assetId: number; title: string; expiryDate: string }
  | { code: "asset_no_formal_value"; assetId: number; title: string }
  | { code: "asset_appraisal_expired"; assetId: number; title: string; validUntil: string }
  | { code: "asset_appraisal_after_day"; assetId: number; title: string; signedDate: string };

export interface CollateralCoverage {
  /** True when every asset lends on `day` and their capacity covers `amountFen`. */
  supported: boolean;
  problems: CoverageProblem[];
  /** Capacity of the assets that lend on `day` (formal value signed on or before it, still valid). */
  capacity: SetCapacity;
}

/**
 * Every asset must be granted (patents) or registered (trademarks), in force on `day` (its expiry
 * date later than `day`: the matching engine's rule, docs/domain.md#pledgeable), and
 * carry a formal appraisal signed on or before `day` and valid on it (validUntil inclusive);
 * capacity is Σ floor(formal value × the type's pledge rate) over those that qualify. Indicative
 * values never lend here.
 */
export function collateralCoverage(
  assets: readonly PledgedAsset[],
  pledgeRateBp: Record<IpType, number>,
  amountFen: number,
  day: string,
): CollateralCoverage {
  const problems: CoverageProblem[] = [];
  const usable: PledgedAsset[] = [];
  for (const a of assets) {
    const ref = { assetId: a.assetId, title: a.title };
    if (
      a.status !== undefined &&
      a.status !== (a.ipType === "trademark" ? "registered" : "granted")
    ) {
      problems.push({ code: "asset_not_pledgeable", ...ref, status: a.status });
      continue;
    }
    if (a.expiryDate !== undefined && !isInForceOn(a.expiryDate, day)) {
      problems.push({ code: "asset_expired", ...ref, expiryDate: a.expiryDate });
      continue;
    }
    if (a.formalValueFen === null || a.formalValidUntil === null) {
      problems.push({ code: "asset_no_formal_value", ...ref });
    } else if (!isWithinValidity(a.formalValidUntil, day)) {
      problems.push({ code: "asset_appraisal_expired", ...ref, validUntil: a.formalValidUntil });
    } else if (a.formalSignedDate && a.formalSignedDate > day) {
      problems.push({ code: "asset_appraisal_after_day", ...ref, signedDate: a.formalSignedDate });
    } else {
      usable.push(a);
    }
  }
  const capacity = pledgeSetCapacity(usable, { pledgeRateBp });
  const supported =
    assets.length > 0 &&
    problems.length === 0 &&
    Number.isSafeInteger(amountFen) &&
    amountFen > 0 &&
    amountFen <= capacity.capacityFen;
  return { supported, problems, capacity };
}
