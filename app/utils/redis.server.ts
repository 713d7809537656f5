import { Redis } from "ioredis";

/**
 * This process's Redis command connection (REDIS_URL), or null without it. For state several
 * processes must share exactly — today the log-in throttle's counters (decision 017). While Redis
 * is unreachable a command fails within a second (no retries, a command timeout) and the caller
 * falls back to the database rather than holding a log-in open.
 * Kept on globalThis so the server build and code loaded beside it (tests, scripts) share it.
 */
const holder = globalThis as typeof globalThis & { __zrRedis?: Redis | null };

/** The URL for a log line: a password in it is replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
    connectionName: `zhirong-cmd-${process.pid}`,
  });
  let warned = false;
  redis.on("error", (e: unknown) => {
    if (warned) return;
    warned = true;
    console.error(`redis: ${redactUrl(url)} unavailable: ${String(e)}`);
  });
  redis.on("ready", () => (warned = false));
  return redis;
}

export function getRedis(): Redis | null {
  if (holder.__zrRedis === undefined) {
    const url = process.env.REDIS_URL;
    holder.__zrRedis = url ? createRedis(url) : null;
  }
  return holder.__zrRedis;
}

/** Replaces this process's connection (tests: another "process", or none); closes the old one. */
export async function setRedis(redis: Redis | null | undefined): Promise<void> {
  const old = holder.__zrRedis;
  holder.__zrRedis = redis;
  if (old && old !== redis) old.disconnect();
}
