import { Worker } from "node:worker_threads";
import type { ReviewFilters } from "../../utils/alliance-filters";
import type { ReviewViewer } from "../alliance-figures.server";

/**
 * One background thread per database (worker.ts), shared by the pipeline's counts and the
 * review's figures: started on first use, restarted if it dies, and never keeping the process
 * alive. The thread loads the TypeScript source through tsx (a dependency: `npm start` runs on
 * it), so only code run from source (scripts/serve.ts, tests) starts it.
 */

/** A job as posted by callers. */
export type BackgroundJobInput =
  | { kind: "pipeline"; ids: number[]; today: string }
  | { kind: "review"; key: string; viewer: ReviewViewer; filters: ReviewFilters };

/** A job as the thread receives it: numbered, so its answer finds its caller. */
export type BackgroundJob = BackgroundJobInput & { job: number };

export interface BackgroundThreadData {
  url: string | undefined;
  dataDir: string | undefined;
}

export type BackgroundJobDone =
  { job: number; ok: true } | { job: number; ok: false; error: string };

export interface BackgroundThread {
  run(job: BackgroundJobInput): Promise<void>;
}

const hook = globalThis as typeof globalThis & {
  __zrBackgroundThreads?: Map<string, BackgroundThread>;
};

/** The background thread for the database at `url` (unset: the default file under `dataDir`). */
export function backgroundThread(url: string | undefined, dataDir?: string): BackgroundThread {
  const threads = (hook.__zrBackgroundThreads ??= new Map());
  const key = `${url ?? ""}\u0000${dataDir ?? ""}`;
  let thread = threads.get(key);
  if (!thread) {
    thread = startThread({ url, dataDir });
    threads.set(key, thread);
  }
  return thread;
}

function startThread(data: BackgroundThreadData): BackgroundThread {
  let worker: Worker | null = null;
  let next = 0;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const start = () => {
    const w = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: data });
    w.unref();
    w.on("message", (m: BackgroundJobDone) => {
      const p = pending.get(m.job);
      pending.delete(m.job);
      if (m.ok) p?.resolve();
      else p?.reject(new Error(m.error));
    });
    const fail = (e: Error) => {
      worker = null;
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`background thread exited (${code})`)));
    return w;
  };
  return {
    run: (input) =>
      new Promise<void>((resolve, reject) => {
        worker ??= start();
        const job = ++next;
        pending.set(job, { resolve, reject });
        worker.postMessage({ ...input, job } satisfies BackgroundJob);
      }),
  };
}
