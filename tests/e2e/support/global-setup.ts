/** Global setup of the e2e project: Chromium present, one app server for all e2e files. */
import { rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import "../../support/vitest-context";
import { ensureChromium } from "./browser";
import { ARTIFACTS_DIR, startE2EServer } from "./server";

export default async function setup(project: TestProject) {
  ensureChromium();
  // Screenshots of an earlier run's failures would mislead: start with none.
  rmSync(path.join(ARTIFACTS_DIR, "e2e"), { recursive: true, force: true });
  const server = await startE2EServer();
  console.log(
    `[e2e] app at ${server.baseURL} (${server.seeded ? "seeded with db/seed.ts" : "no db/seed.ts yet: empty database"}); log ${server.logFile}`,
  );
  project.provide("baseURL", server.baseURL);
  project.provide("e2eDatabaseUrl", server.databaseUrl);
  project.provide("e2eSeeded", server.seeded);
  return () => server.stop();
}
