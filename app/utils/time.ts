import { chinaDateOf } from "../domain/dates";

/**
 * Instants are stored as UTC text 'YYYY-MM-DD HH:MM:SS.mmm': sortable as strings, identical on
 * SQLite and MySQL, and never shifted by a server's time zone.
 */
export function toDbInstant(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

export function fromDbInstant(s: string): Date {
  return new Date(s.replace(" ", "T") + "Z");
}

// The demo seed replays four years of deals through the real model functions; it sets this clock
// so every step carries the day it happened on. Nothing else sets it, and the server only starts
// serving after seeding has finished.
const clock = globalThis as typeof globalThis & { __zrReplayClock?: Date };

/** Now, or the replayed moment while `replayAt` runs. */
export function currentTime(): Date {
  return clock.__zrReplayClock ? new Date(clock.__zrReplayClock) : new Date();
}

/** Runs `fn` with the clock set to `at` (seeding history only; never while serving requests). */
export async function replayAt<T>(at: Date, fn: () => Promise<T>): Promise<T> {
  const previous = clock.__zrReplayClock;
  clock.__zrReplayClock = at;
  try {
    return await fn();
  } finally {
    clock.__zrReplayClock = previous;
  }
}

export function nowInstant(): string {
  return toDbInstant(currentTime());
}

/** Today's calendar date in China (UTC+8), which is the business day for banks and CNIPA. */
export function todayInChina(now: Date = currentTime()): string {
  return chinaDateOf(toDbInstant(now));
}
