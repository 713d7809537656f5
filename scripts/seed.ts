import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { DEMO_PASSWORD, isDatabaseEmpty, seedDemo } from "../db/seed";
import { getDbHandle } from "../app/utils/db.server";
import { printLogins } from "./logins";

await ensureDatabaseExists(process.env.DATABASE_URL);
const { db, target } = getDbHandle();
try {
  await migrateToLatest(db);
  if (!(await isDatabaseEmpty(db))) {
    console.error(`${target} already has users; the demo seed only runs on an empty database.`);
    process.exitCode = 1;
  } else {
    const logins = await seedDemo(db, { log: (s) => console.log(s) });
    printLogins(logins, DEMO_PASSWORD);
  }
} finally {
  await db.destroy();
}
