import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/**
 * A Redis for tests: REDIS_TEST_URL, else the one at 127.0.0.1:6379, else a throwaway
 * redis-server on a free port (like scripts/mysql-test-server.ts does for MariaDB). Never skipped:
 * without any, the test fails and says why.
 */
export interface RedisTestServer {
  url: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on("error", () => {});
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export async function ensureRedisServer(): Promise<RedisTestServer> {
  const given = process.env.REDIS_TEST_URL || "redis://127.0.0.1:6379";
  if (await answers(given)) return { url: given, stop: () => Promise.resolve() };
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    // Like MariaDB for the MySQL stage: installed from Debian when missing (as root).
    spawnSync("bash", [path.resolve("scripts/ensure-system-deps.sh"), "redis"], {
      stdio: "inherit",
    });
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const failed = new Promise<never>((_, reject) =>
    child.on("error", (e) =>
      reject(new Error(`no Redis at ${given} and redis-server could not start: ${e.message}`)),
    ),
  );
  const url = `redis://127.0.0.1:${port}`;
  const up = (async () => {
    for (let i = 0; i < 100; i++) {
      if (await answers(url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the throwaway redis-server on port ${port} did not answer`);
  })();
  await Promise.race([up, failed]);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
