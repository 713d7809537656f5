import { EventEmitter } from "node:events";
import { Redis } from "ioredis";
import { redactUrl } from "./redis.server";

/**
 * Events that every server process must hear: "the running total changed" (the live progress
 * stream) and "forget the rendered public pages". Without REDIS_URL the bus is this process's own
 * emitter, as before; with it, a publish goes through Redis pub/sub and reaches every process and
 * every machine subscribed to the same Redis, this one included (it hears its own message back
 * once). If Redis is unreachable a publish is still heard here, and the other processes catch up
 * at their next poll of the totals (docs/decisions/017-several-processes.md).
 */
export interface EventBus {
  readonly kind: "local" | "redis";
  publish(channel: string, message?: string): void;
  /** Calls `listener` for each message on `channel`; returns the unsubscribe function. */
  subscribe(channel: string, listener: (message: string) => void): () => void;
  /** Resolves once Redis has acknowledged the subscription to `channel` (at once when local). */
  subscribed(channel: string): Promise<void>;
  close(): Promise<void>;
}

/** Channels of this app in a Redis that others may share. */
const PREFIX = "zr:";

export function createEventBus(redisUrl?: string): EventBus {
  const local = new EventEmitter();
  // One listener per open stream hub or app, not per client; never warn on many.
  local.setMaxListeners(0);
  const localSubscribe = (channel: string, listener: (message: string) => void) => {
    local.on(channel, listener);
    return () => {
      local.off(channel, listener);
    };
  };
  if (!redisUrl) {
    return {
      kind: "local",
      publish: (channel, message = "") => void local.emit(channel, message),
      subscribe: localSubscribe,
      subscribed: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }

  const options = { maxRetriesPerRequest: 2, connectionName: `zhirong-${process.pid}` };
  const pub = new Redis(redisUrl, options);
  const sub = new Redis(redisUrl, options);
  let warned = false;
  const warn = (e: unknown) => {
    if (warned) return;
    warned = true;
    console.error(`event bus: Redis at ${redactUrl(redisUrl)} unavailable: ${String(e)}`);
  };
  pub.on("error", warn);
  sub.on("error", warn);
  pub.on("ready", () => (warned = false));
  sub.on("message", (channel: string, message: string) => {
    if (channel.startsWith(PREFIX)) local.emit(channel.slice(PREFIX.length), message);
  });
  // Channels stay subscribed once asked for (there are two); ioredis re-subscribes on reconnect.
  const channels = new Map<string, Promise<void>>();
  const ensure = (channel: string) => {
    let p = channels.get(channel);
    if (!p) {
      p = sub.subscribe(PREFIX + channel).then(
        () => undefined,
        (e: unknown) => {
          channels.delete(channel);
          warn(e);
        },
      );
      channels.set(channel, p);
    }
    return p;
  };
  return {
    kind: "redis",
    publish(channel, message = "") {
      pub.publish(PREFIX + channel, message).catch((e: unknown) => {
        warn(e);
        local.emit(channel, message);
      });
    },
    subscribe(channel, listener) {
      void ensure(channel);
      return localSubscribe(channel, listener);
    },
    subscribed: (channel) => ensure(channel),
    async close() {
      local.removeAllListeners();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

/**
 * This process's bus (REDIS_URL read at first use). Kept on globalThis so the server build and
 * code loaded beside it (tests, scripts) share one bus, like the database handle.
 */
const holder = globalThis as typeof globalThis & { __zrEventBus?: EventBus };

export function getEventBus(): EventBus {
  holder.__zrEventBus ??= createEventBus(process.env.REDIS_URL || undefined);
  return holder.__zrEventBus;
}

/** Replaces this process's bus (tests); closes the old one. */
export async function setEventBus(bus: EventBus | undefined): Promise<void> {
  const old = holder.__zrEventBus;
  holder.__zrEventBus = bus;
  if (old && old !== bus) await old.close();
}
