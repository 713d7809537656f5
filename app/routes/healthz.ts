import { pingDatabase } from "../models/health.server";

/**
 * Public liveness: only up or down. What failed (the driver's message names hosts and ports) goes
 * to the server log, never to the caller.
 */
export async function loader() {
  const health = await pingDatabase();
  if (!health.ok) console.error(`[healthz] database ${health.db} down: ${health.error}`);
  return Response.json(
    { ok: health.ok, status: health.ok ? "up" : "down" },
    { status: health.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
