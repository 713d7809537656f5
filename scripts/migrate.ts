import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { getDbHandle } from "../app/utils/db.server";

await ensureDatabaseExists(process.env.DATABASE_URL);
const { db, target } = getDbHandle();
try {
  const result = await migrateToLatest(db);
  const applied =
    result.results?.filter((r) => r.status === "Success").map((r) => r.migrationName) ?? [];
  console.log(
    applied.length ? `migrated ${target}: ${applied.join(", ")}` : `${target} is up to date`,
  );
} finally {
  await db.destroy();
}
