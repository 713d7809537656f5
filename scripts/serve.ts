import type { Server } from "node:http";
import { getDbHandle } from "../app/utils/db.server";
import { getEnv } from "../app/utils/env.server";
import { setEventBus } from "../app/utils/event-bus.server";
import { startServicingScheduler } from "../app/models/servicing/scheduler.server";
import {
  setPipelineRefresher,
  workerPipelineRefresher,
} from "../app/models/matching/pipeline-counts.server";
import { setReviewRefresher, workerReviewRefresher } from "../app/models/review-snapshots.server";
import { createApp, loadBuild } from "./server";

/** Serves the built app; resolves once listening. */
export async function serve(port = getEnv().PORT, host = "0.0.0.0"): Promise<Server> {
  const build = await loadBuild();
  const app = createApp(build);
  // The daily servicing checks run inside the app (docs/domain.md#collateral-monitoring).
  const scheduler =
    process.env.ZR_NO_SCHEDULER === "1" ? null : startServicingScheduler(getDbHandle().db);
  // The pipeline's counts and the review's figures are refreshed on a background thread, off the
  // thread answering requests (decisions 024 and 025).
  const target = [process.env.DATABASE_URL || undefined, process.env.DATA_DIR] as const;
  setPipelineRefresher(getDbHandle().db, workerPipelineRefresher(...target));
  setReviewRefresher(getDbHandle().db, workerReviewRefresher(...target));
  return new Promise((resolve) => {
    const server = app.listen(port, host, () => resolve(server));
    server.on("close", () => scheduler?.stop());
  });
}

function shutdownOnSignals(server: Server) {
  const stop = () => {
    server.close(() => {
      void Promise.allSettled([getDbHandle().db.destroy(), setEventBus(undefined)]).finally(() =>
        process.exit(0),
      );
    });
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve();
  shutdownOnSignals(server);
  console.log(`知融 listening on http://localhost:${getEnv().PORT}`);
}

export { shutdownOnSignals };
