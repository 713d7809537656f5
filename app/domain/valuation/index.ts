export {
  CORPORATE_TAX_RATE_BP,
  HIGH_TECH_TAX_RATE_BP,
  VALUATION_INPUT_NAMES,
  VALUATION_LIMITS,
} from "./inputs";
export type { RevenueForecast, ValuationInputName } from "./inputs";
export { reliefFromRoyalty, roundFen } from "./dcf";
export type { DcfInputs, DcfResult, DcfYear, HorizonLimit } from "./dcf";
export {
  EVD_WEIGHTS,
  LVD_WEIGHTS,
  PVD_MULTIPLIER_BAND,
  PVD_WEIGHTS,
  TVD_WEIGHTS,
  patentValueDegree,
  pvdMultiplier,
} from "./value-degree";
export type {
  PatentValueDegree,
  PatentValueIndicators,
  PvdIndicator,
  Rating,
  StabilityEvidence,
} from "./value-degree";
export {
  ROYALTY_FACTOR_BY_PATENT_KIND,
  TRADEMARK_ATTRIBUTION_SHARE_BP,
  TRADEMARK_ECONOMIC_LIFE_YEARS,
  VALUATION_DEFAULTS_BY_INDUSTRY,
  WELL_KNOWN_ROYALTY_FACTOR_BP,
} from "./industry-defaults";
export type { IndustryValuationDefaults } from "./industry-defaults";
export { defaultValuationInputs } from "./resolve";
export type {
  PatentValuationAsset,
  ResolvedAssumptions,
  TrademarkValuationAsset,
  ValuationAsset,
  ValuationAssumptions,
  ValuationFirm,
} from "./resolve";
export { SENSITIVITY_SHIFT_BP, VALUATION_SPREAD, indicativeValuation } from "./indicative";
export type {
  IndicativeValuation,
  RevenueInput,
  SensitivityRow,
  ValuationInputsEcho,
  ValuationReason,
  ValuationRequest,
} from "./indicative";
export {
  APPRAISAL_VALIDITY_MONTHS,
  appraisalFeeFen,
  appraisalValidUntil,
  isAppraisalValidOn,
  isWithinValidity,
} from "./formal";
export {
  PATENT_ROYALTY_RANGE_BP,
  TRADEMARK_ROYALTY_RANGE_BP,
  royaltyRateRange,
  valuationWarnings,
} from "./honesty";
export type { RoyaltyRange, RoyaltyRangeSource, ValuationWarning } from "./honesty";
