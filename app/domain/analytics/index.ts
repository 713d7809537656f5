export { dateInPeriod, defaultPeriod, instantInPeriod, periodBounds } from "./periods";
export type { Period, PeriodBounds } from "./periods";
export { NO_SUPPORT } from "./rows";
export type { ApplicationRow, ProductSupport, RequestRow } from "./rows";
export {
  DRILL_STAGES,
  DURATION_KEYS,
  DURATION_SPANS,
  FUNNEL_STAGES,
  REQUEST_STAGES,
  SUPPORT_KINDS,
  applicationDurationMs,
  applicationInStage,
  applicationStageAmountFen,
  isDrillStage,
  isRequestStage,
  requestInStage,
} from "./stages";
export type {
  ApplicationFunnelStage,
  DrillStage,
  DurationKey,
  FunnelStage,
  RequestStage,
  SupportKind,
} from "./stages";
export {
  describeDuration,
  durationStats,
  percentileNearestRank,
  ratioBp,
  weightedAverage,
} from "./statistics";
export type { DurationStats } from "./statistics";
export {
  computeDurations,
  computeFunnel,
  computeIpTypeFigures,
  computeSupport,
  figuresBy,
  groupFigures,
  snapshotSupport,
} from "./figures";
export type {
  CountAmount,
  DurationFigure,
  FunnelStep,
  GroupFigures,
  IpTypeFigures,
  PledgedAssetRow,
  SupportFigure,
  SupportFigures,
} from "./figures";
export { firmDisplayName, firmPseudonym } from "./pseudonyms";
export type { PseudonymCoder } from "./pseudonyms";
export { rankRegions, reportCommentary } from "./commentary";
export type { CommentaryInput, RegionAmount } from "./commentary";
export { COHORT_STAGES, computeCohortFunnel } from "./cohort";
export type { CohortApplication, CohortRequest, CohortStage, CohortStep } from "./cohort";
export {
  GROUP_SUM_STAGES,
  addGroupSums,
  averageFromSums,
  cohortFromReach,
  emptyGroupSums,
  figuresFromSums,
  ipTypeFiguresFromSums,
  supportFromGroups,
  type GroupSumStage,
  type GroupSums,
  type IpTypeAssetSums,
  type IpTypeDealSums,
  type SupportGroup,
} from "./sums";
