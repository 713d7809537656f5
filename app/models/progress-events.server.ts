import { getEventBus } from "../utils/event-bus.server";

/**
 * "The running total changed": fired after a disbursement or a reversal COMMITS (never inside the
 * transaction, so a listener never sees a total that could still roll back). It goes through the
 * event bus (app/utils/event-bus.server.ts): this process only, or with REDIS_URL every process
 * and machine. The SSE stream also polls, so commits made where no bus reaches (a script without
 * REDIS_URL) show up within the poll interval.
 */
const CHANNEL = "progress";

export function emitProgressChanged(): void {
  getEventBus().publish(CHANNEL);
}

/** Calls `listener` after each committed change; returns the unsubscribe function. */
export function onProgressChanged(listener: () => void): () => void {
  return getEventBus().subscribe(CHANNEL, () => listener());
}
