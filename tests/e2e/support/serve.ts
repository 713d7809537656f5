/**
 * The app under e2e test, run as a child process by tests/e2e/support/server.ts:
 *   node --import tsx tests/e2e/support/serve.ts
 * Env: DATABASE_URL (a temp SQLite file), HOST, PORT. It migrates the database,
 * seeds it with db/seed.ts seedDemo(db) when that module exists, serves build/ through the same
 * express app as production, and reports {type:"ready", port, seeded} over IPC.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createDb, setDbHandle } from "../../../app/utils/db.server";
import { migrateToLatest } from "../../../db/migrate";
import { createApp, loadBuild } from "../../../scripts/server";

type SeedModule = { seedDemo?: (db: unknown) => Promise<unknown> };

async function main() {
  const handle = createDb(process.env.DATABASE_URL);
  setDbHandle(handle);
  await migrateToLatest(handle.db);

  let seeded = false;
  const seedFile = path.resolve("db/seed.ts");
  if (existsSync(seedFile)) {
    const mod = (await import(pathToFileURL(seedFile).href)) as SeedModule;
    if (typeof mod.seedDemo !== "function") {
      throw new Error("db/seed.ts exists but does not export seedDemo(db)");
    }
    await mod.seedDemo(handle.db);
    seeded = true;
  }

  const app = createApp(await loadBuild(path.resolve("build")));
  const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: "ready", port, seeded });
  });
  server.on("error", (e: NodeJS.ErrnoException) => {
    process.send?.({ type: "error", message: `${e.code ?? ""} ${e.message}` });
    process.exit(1);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    server.closeAllConnections();
    server.close(() => {
      void handle.db.destroy().finally(() => process.exit(0));
    });
  };
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
}

main().catch((e: unknown) => {
  console.error("[e2e-server] failed to start:", e);
  process.send?.({
    type: "error",
    message: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  process.exit(1);
});
