export { loadRequestsForEngine } from "./matching/load.server";
export type { LoadedRequest } from "./matching/load.server";
export { MATCH_PAGE_SIZE, NEAR_MISS_PAGE_SIZE } from "./matching/firm.server";
export type { MatchPageOptions, ProductWithBank, RequestMatchResult } from "./matching/firm.server";
export { countActiveProducts, findMatchesForRequest } from "./matching/product-table.server";
export {
  BANK_STATES,
  countRequestsForProduct,
  countRequestsForProducts,
  countRequestStatesForProducts,
  findRequestStatesForProduct,
  findRequestsForProduct,
} from "./matching/bank.server";
export type {
  BankState,
  PipelineRow,
  ProductPipeline,
  ProductStatePipeline,
  RequestFilters,
  StatePipelineRow,
} from "./matching/bank.server";
export {
  PIPELINE_LEASE_MS,
  PIPELINE_LIVE_PAIR_LIMIT,
  PIPELINE_MAX_AGE_MS,
  pipelineCountsForProducts,
  pipelineRefreshesSettled,
  refreshPipelineCounts,
  setPipelineRefresher,
  workerPipelineRefresher,
} from "./matching/pipeline-counts.server";
export type { PipelineCount, StateCounts } from "./matching/pipeline-counts.server";
