// The background thread's entry (thread.server.ts). Node 20 does not apply `--import tsx` from a
// worker's execArgv, so the thread registers tsx itself, then loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
