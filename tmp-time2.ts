import { createDb } from "./app/utils/db.server";
import { sumDealGroups, durationStatsInSql, sumPledgedAssets, sumSupportGroups, sumRequestsByReach } from "./app/models/alliance-figures.server";
import { getReview, getReviewFromRows } from "./app/models/alliance.server";
import { todayInChina } from "./app/utils/time";
import { defaultPeriod, periodBounds } from "./app/domain/analytics";
const url = process.env.DATABASE_URL ?? `file:${process.cwd()}/data/scale.sqlite`;
const { db } = createDb(url);
const f = { ...defaultPeriod(todayInChina()), region: null, bank: null, ipType: null, industry: null, flags: [] };
const b = periodBounds(f);
const admin = { role: "admin" as const, orgId: 1 };
const cpu = async (n: string, fn: () => Promise<unknown>) => {
  const c = process.cpuUsage(); const t = performance.now(); await fn(); const d = process.cpuUsage(c);
  console.log(n.padEnd(20), "cpu", Math.round((d.user + d.system) / 1000), "wall", Math.round(performance.now() - t));
};
for (const [n, fn] of Object.entries({ sumDealGroups, durationStatsInSql, sumPledgedAssets, sumSupportGroups, sumRequestsByReach })) {
  await cpu(n, () => (fn as any)(db, admin, f, b));
}
for (let i = 0; i < 2; i++) { await cpu("getReview", () => getReview(db, admin, f)); await cpu("getReviewFromRows", () => getReviewFromRows(db, admin, f)); }
await db.destroy();
