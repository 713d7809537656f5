/**
 * `npm run jobs:daily [YYYY-MM-DD]` — runs the daily servicing checks by hand (the server runs them
 * itself every day at 06:00 Beijing time). Claims the day in job_runs, so running it twice, or
 * while the server runs it, does the work once. `--force` re-runs a day already done (reminders
 * still go out once: each has a unique dedupe key).
 */
import { runDailyJobs } from "../app/models/servicing/jobs.server";
import { getDbHandle } from "../app/utils/db.server";
import { todayInChina } from "../app/utils/time";

const day = process.argv.slice(2).find((a) => /^\d{4}-\d{2}-\d{2}$/.test(a)) ?? todayInChina();
const { db } = getDbHandle();
try {
  const result = await runDailyJobs(db, day, { force: process.argv.includes("--force") });
  console.log(JSON.stringify({ day, ...result }));
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
