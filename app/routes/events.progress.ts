import type { LoaderFunctionArgs } from "@remix-run/node";
import { subscribeToProgress, type ProgressSummary } from "../models/progress.server";
import { withDb } from "../models/with-db.server";
import { authorizeVisitor } from "../utils/permissions.server";

/** A comment line every 20 s keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 20_000;

/**
 * Server-Sent Events: the running total, pushed when a disbursement or a reversal commits in this
 * process and at every poll of the totals (so other processes' commits show up too). Public, like
 * the home page: aggregates only. Each message is `event: progress` with the summary as JSON.
 * scripts/server.ts leaves text/event-stream uncompressed, so nothing buffers the events.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "progress.view");
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (chunk: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          cleanup();
        }
      };
      send("retry: 5000\n\n");
      const unsubscribe = withDb(subscribeToProgress, (s: ProgressSummary) =>
        send(`event: progress\nid: ${s.version}\ndata: ${JSON.stringify(s)}\n\n`),
      );
      const heartbeat = setInterval(() => send(`: ping ${Date.now()}\n\n`), HEARTBEAT_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener("abort", () => cleanup(), { once: true });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
