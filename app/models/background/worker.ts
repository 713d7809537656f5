/**
 * The background thread of the served app: the pipeline's stored counts (decision 024) and the
 * alliance review's stored figures (decision 025) are recomputed here, not on the thread that
 * answers requests (better-sqlite3 is synchronous: seconds of SQL or engine work there stall every
 * page of the process). Opens its own connection to the database it is given (a DATABASE_URL and
 * DATA_DIR, as getDbHandle takes) and runs one job at a time, in the order posted.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createDb, type Db } from "../../utils/db.server";
import { refreshPipelineCounts } from "../matching/pipeline-counts.server";
import { refreshReviewSnapshot } from "../review-snapshots.server";
import type { BackgroundJob, BackgroundJobDone, BackgroundThreadData } from "./thread.server";

function run(db: Db, m: BackgroundJob): Promise<void> {
  switch (m.kind) {
    case "pipeline":
      return refreshPipelineCounts(db, m.ids, m.today);
    case "review":
      return refreshReviewSnapshot(db, m.key, m.viewer, m.filters);
  }
}

const port = parentPort;
if (port) {
  const target = workerData as BackgroundThreadData;
  const { db } = createDb(target.url, { dataDir: target.dataDir, poolSize: 2 });
  let queue: Promise<void> = Promise.resolve();
  port.on("message", (m: BackgroundJob) => {
    queue = queue.then(() =>
      run(db, m).then(
        () => port.postMessage({ job: m.job, ok: true } satisfies BackgroundJobDone),
        (e: unknown) =>
          port.postMessage({
            job: m.job,
            ok: false,
            error: e instanceof Error ? (e.stack ?? e.message) : String(e),
          } satisfies BackgroundJobDone),
      ),
    );
  });
}
