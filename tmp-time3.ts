import { createDb } from "./app/utils/db.server";
import { countRequestStatesForProducts, findRequestStatesForProduct } from "./app/models/matching.server";
import { listBankProducts } from "./app/models/product.server";
import { todayInChina } from "./app/utils/time";
import { sql } from "kysely";
const url = process.env.DATABASE_URL ?? `file:${process.cwd()}/data/scale.sqlite`;
const { db } = createDb(url);
const today = todayInChina();
const bank = await db.selectFrom("loan_products").select(["bank_org_id", sql<number>`COUNT(*)`.as("n")]).groupBy("bank_org_id").orderBy(sql`COUNT(*)`, "desc").executeTakeFirstOrThrow();
const list = await listBankProducts(db, bank.bank_org_id, 1, 10);
const ids = list.rows.filter((p) => p.active === 1).map((p) => p.id);
const cpu = async (n: string, fn: () => Promise<unknown>) => {
  const c = process.cpuUsage(); const t = performance.now(); const r = await fn(); const d = process.cpuUsage(c);
  console.log(n.padEnd(12), "cpu", Math.round((d.user + d.system) / 1000), "wall", Math.round(performance.now() - t)); return r;
};
for (let i = 0; i < 2; i++) {
  const a = (await cpu("batched", () => countRequestStatesForProducts(db, ids, today))) as Map<number, unknown>;
  const old = new Map();
  await cpu("per-product", async () => { for (const id of ids) old.set(id, (await findRequestStatesForProduct(db, id, { pageSize: 1 }, today))!.counts); });
  console.log("equal", JSON.stringify([...a]) === JSON.stringify([...old]), JSON.stringify([...a].slice(0, 2)));
}
await db.destroy();
