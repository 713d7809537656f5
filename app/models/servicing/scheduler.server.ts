import { Cron } from "croner";
import type { Db } from "../../utils/db.server";
import { todayInChina } from "../../utils/time";
import { runDailyJobs } from "./jobs.server";

/**
 * Runs the daily servicing checks inside the app at 06:00 Beijing time (croner: maintained, no
 * dependencies, time-zone aware). `protect` skips a tick while the previous run is still going;
 * job_runs makes a second process (or `npm run jobs:daily`) on the same day a no-op.
 */
export function startServicingScheduler(db: Db, log: (s: string) => void = console.log): Cron {
  return new Cron("0 6 * * *", { timezone: "Asia/Shanghai", protect: true }, async () => {
    try {
      const r = await runDailyJobs(db, todayInChina());
      if (r.ran) log(`servicing daily: ${JSON.stringify(r)}`);
    } catch (e) {
      console.error("servicing daily job failed", e);
    }
  });
}
