// The worker thread's entry (pipeline-counts.server.ts, workerPipelineRefresher). Node 20 does not
// apply `--import tsx` from a worker's execArgv, so the worker registers tsx itself, then loads
// the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./pipeline-worker.ts");
