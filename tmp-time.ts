import { createDb } from "./app/utils/db.server";
import { getReview, getReviewFromRows } from "./app/models/alliance.server";
import { todayInChina } from "./app/utils/time";
import { defaultPeriod } from "./app/domain/analytics";
const url = process.env.DATABASE_URL ?? `file:${process.cwd()}/data/scale.sqlite`;
const { db } = createDb(url);
const f = { ...defaultPeriod(todayInChina()), region: null, bank: null, ipType: null, industry: null, flags: [] };
const admin = { role: "admin" as const, orgId: 1 };
const time = async (name: string, fn: () => Promise<unknown>) => {
  const ts: number[] = [];
  for (let i = 0; i < 4; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); }
  console.log(name, ts.map((x) => Math.round(x)).join(" "));
};
for (let k = 0; k < 2; k++) {
  await time("sql ", () => getReview(db, admin, f));
  await time("rows", () => getReviewFromRows(db, admin, f));
}
const a = await getReview(db, admin, f); const b = await getReviewFromRows(db, admin, f);
console.log("equal", JSON.stringify(a) === JSON.stringify(b), a.funnel.map((s) => s.count).join(","));
await db.destroy();
