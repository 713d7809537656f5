/**
 * The built app (build/index.js from `remix build`) served in this test process on a free port,
 * through the same express app as production (scripts/server.ts createApp). It uses whatever
 * database handle is installed, so create the test database first:
 *
 *   const t = useTestDb();
 *   const app = useAppServer();
 *   it("answers", async () => { const res = await app.fetch("/healthz"); … });
 *
 * `fetch` does not follow redirects (redirect: "manual"), so tests can assert them.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createApp, loadBuild } from "../../scripts/server";

export interface AppServer {
  baseURL: string;
  url(pathname: string): string;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export const BUILD_DIR = path.resolve("build");

export async function startAppServer(): Promise<AppServer> {
  if (!existsSync(path.join(BUILD_DIR, "index.js"))) {
    throw new Error(
      "build/index.js not found: run `npm run build` first (npm test builds before the integration stage)",
    );
  }
  const build = await loadBuild(BUILD_DIR);
  // The tests play the proxy: they send X-Forwarded-For from loopback to vary the client address.
  const app = createApp(build, { trustProxy: "loopback" });
  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const baseURL = `http://127.0.0.1:${port}`;
  const url = (p: string) => new URL(p, baseURL).toString();
  return {
    baseURL,
    url,
    fetch: (p, init) => fetch(url(p), { redirect: "manual", ...init }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** beforeAll/afterAll hooks around startAppServer(); fields are readable inside tests. */
export function useAppServer(): AppServer {
  let current: AppServer | undefined;
  beforeAll(async () => {
    current = await startAppServer();
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  const get = () => {
    if (!current)
      throw new Error("useAppServer(): the server runs only inside tests after beforeAll");
    return current;
  };
  return {
    get baseURL() {
      return get().baseURL;
    },
    url: (p) => get().url(p),
    fetch: (p, init) => get().fetch(p, init),
    close: () => get().close(),
  };
}
