import { EventEmitter } from "node:events";

/**
 * "The running total changed": fired after a disbursement or a reversal COMMITS (never inside the
 * transaction, so a listener never sees a total that could still roll back). In-process only;
 * the SSE stream also polls, so commits made by other processes (a script, another server) show
 * up within the poll interval.
 *
 * Kept on globalThis so the server build and code loaded beside it (tests, scripts) share one
 * emitter, like the database handle.
 */
const holder = globalThis as typeof globalThis & { __zrProgressEvents?: EventEmitter };

function emitter(): EventEmitter {
  if (!holder.__zrProgressEvents) {
    holder.__zrProgressEvents = new EventEmitter();
    // One listener per open stream hub, not per client; still, never warn on many tabs.
    holder.__zrProgressEvents.setMaxListeners(0);
  }
  return holder.__zrProgressEvents;
}

export function emitProgressChanged(): void {
  emitter().emit("changed");
}

/** Calls `listener` after each committed change; returns the unsubscribe function. */
export function onProgressChanged(listener: () => void): () => void {
  const e = emitter();
  e.on("changed", listener);
  return () => e.off("changed", listener);
}
