/**
 * The matching engine: which loan products fit a firm's financing request, why, and — for a
 * near miss — exactly what is missing (docs/domain.md#matching). Pure: the
 * caller loads the request, the firm, its offered assets and the products, and passes `today`.
 *
 * Rules checked for a (request, product) pair, each one pass or one failure:
 *   product active · firm region · firm industry · required firm flags · loan amount within range ·
 *   term within range · product's minimum rate ≤ the firm's maximum · remaining quota ≥ amount ·
 *   at least one offered asset of an accepted IP type · at least one eligible asset ·
 *   collateral capacity ≥ amount.
 * An asset is eligible when its type is accepted, it is granted (patents) or registered
 * (trademarks), its remaining protection ≥ the product's minimum for its type, a trademark's age
 * ≥ the product's minimum, and it has a value usable on `today` (see `usableValue`).
 */

export type {
  AssetStatus,
  BankState,
  EligibleAsset,
  Failure,
  FailureCode,
  FinancingRequest,
  FirmProfile,
  MatchState,
  MatchStatus,
  OfferedAsset,
  PledgeIpType,
  ProductEvaluation,
  Reason,
  ScoreBreakdown,
} from "./types";
export {
  assetCapacityFen,
  compareMatches,
  compareNearMisses,
  evaluateProduct,
  matchProductToRequests,
  matchRequest,
  type MatchCandidate,
  type MatchCounts,
  type ProductMatches,
  type RequestEvaluation,
  type RequestMatches,
} from "./evaluate";
export { BANK_STATES, MATCH_STATES } from "./types";
export { failureGap, RATE_SCORE_ZERO_AT_BP, SCORE_WEIGHTS, scoreMatch } from "./score";
export {
  chooseLeastCollateral,
  LEAST_COLLATERAL_EXACT_MAX_ASSETS,
  type CollateralCandidate,
  type LeastCollateral,
} from "./least-collateral";
export { explainFailure, explainPass, formatYears } from "./explain";
export {
  bestSingleChange,
  groupByState,
  stateFailures,
  type MatchSort,
  type ProductStates,
  type SingleChange,
} from "./states";
