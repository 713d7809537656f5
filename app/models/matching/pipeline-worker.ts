/**
 * The worker thread that refreshes the pipeline's stored counts for the served app (decision
 * 024): the engine's seconds of work run here, not on the thread that answers requests. Opens its
 * own connection to the database it is given (a DATABASE_URL and DATA_DIR, as getDbHandle takes).
 */
import { parentPort, workerData } from "node:worker_threads";
import { createDb } from "../../utils/db.server";
import { refreshPipelineCounts } from "./pipeline-counts.server";

export interface RefreshJob {
  job: number;
  ids: number[];
  today: string;
}

export interface RefreshWorkerData {
  url: string | undefined;
  dataDir: string | undefined;
}

export type RefreshDone = { job: number; ok: true } | { job: number; ok: false; error: string };

const port = parentPort;
if (port) {
  const target = workerData as RefreshWorkerData;
  const { db } = createDb(target.url, { dataDir: target.dataDir, poolSize: 2 });
  port.on("message", (m: RefreshJob) => {
    refreshPipelineCounts(db, m.ids, m.today).then(
      () => port.postMessage({ job: m.job, ok: true } satisfies RefreshDone),
      (e: unknown) =>
        port.postMessage({
          job: m.job,
          ok: false,
          error: e instanceof Error ? (e.stack ?? e.message) : String(e),
        } satisfies RefreshDone),
    );
  });
}
