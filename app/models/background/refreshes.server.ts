import type { Db } from "../../utils/db.server";

/**
 * What the stored figures of one kind (the pipeline's counts, the review's figures) share about
 * their refreshes: where a database's refreshes run (a refresher the served app installs; none:
 * this thread) and which refreshes this process started and has not seen settle (tests wait on
 * them). On globalThis so the server script, the server build and the tests share them, as they
 * share the database handle itself (app/utils/db.server.ts).
 */
export interface RefreshRegistry<R> {
  /** Refreshes of `db`'s figures go to `refresher` (undefined: back to this thread). */
  set(db: Db, refresher: R | undefined): void;
  get(db: Db): R | undefined;
  /** Counts `p` as running until it settles; returns it. */
  track(p: Promise<void>): Promise<void>;
  /** Resolves once every tracked refresh, including ones started meanwhile, has settled. */
  settled(): Promise<void>;
}

const hook = globalThis as typeof globalThis & {
  __zrRefreshRegistries?: Map<string, { byDb: WeakMap<Db, unknown>; running: Set<Promise<void>> }>;
};

export function refreshRegistry<R>(name: string): RefreshRegistry<R> {
  const registries = (hook.__zrRefreshRegistries ??= new Map());
  let shared = registries.get(name);
  if (!shared) registries.set(name, (shared = { byDb: new WeakMap(), running: new Set() }));
  const { byDb, running } = shared;
  return {
    set: (db, refresher) => {
      if (refresher) byDb.set(db, refresher);
      else byDb.delete(db);
    },
    get: (db) => byDb.get(db) as R | undefined,
    track: (p) => {
      running.add(p);
      void p.finally(() => running.delete(p)).catch(() => undefined);
      return p;
    },
    settled: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
