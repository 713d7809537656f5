import "./production-env";
import { spawnSync } from "node:child_process";
import { ensureDatabaseExists } from "../db/ensure-database";
import { migrateToLatest } from "../db/migrate";
import { DEMO_PASSWORD, isDatabaseEmpty, seedDemo, type DemoLogin } from "../db/seed";
import { getDbHandle } from "../app/utils/db.server";
import { getEnv } from "../app/utils/env.server";
import { printLogins } from "./logins";
import { serve, shutdownOnSignals } from "./serve";

// `npm start`: build → migrate → (demo: seed an empty database) → serve → (demo: print log-ins).
// Production builds of React always; DEMO=0 makes it a deployment (docs/decisions/012-…).
const env = getEnv();
const demo = env.DEMO;
if (process.env.ZR_SKIP_BUILD !== "1") {
  console.log("building…");
  const r = spawnSync("npx", ["remix", "build"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (await ensureDatabaseExists(process.env.DATABASE_URL)) console.log("created the MySQL database");
const { db, kind, target } = getDbHandle();
const migrated = await migrateToLatest(db);
const applied = migrated.results?.filter((r) => r.status === "Success").length ?? 0;
console.log(`database: ${kind} (${target}), ${applied} migration(s) applied`);

let logins: DemoLogin[] | null = null;
if (!demo) {
  // A deployment never fills its database with demo organisations and a known password.
} else if (await isDatabaseEmpty(db)) {
  console.log("empty database: seeding the demo world…");
  logins = await seedDemo(db, { log: (s) => console.log("  " + s) });
} else {
  const known = await db
    .selectFrom("users")
    .innerJoin("organisations", "organisations.id", "users.org_id")
    .select(["users.email", "users.role", "organisations.name"])
    .where("users.email", "in", [
      "admin@zhirong.demo",
      "firm01@firms.demo",
      "officer1@nmgbank.demo",
      "officer1@baotoubank.demo",
      "officer1@nongshang.demo",
      "appraiser@valuer.demo",
      "alliance@amr.demo",
    ])
    .execute();
  if (known.length) logins = known.map((k) => ({ role: k.role, email: k.email, org: k.name }));
}

const server = await serve(env.PORT);
shutdownOnSignals(server);
console.log(
  `\n知融 is running on http://localhost:${env.PORT}  (database: ${kind}, ${demo ? "demo" : "deployment"}, NODE_ENV=${env.NODE_ENV})`,
);
if (logins) printLogins(logins, DEMO_PASSWORD);
