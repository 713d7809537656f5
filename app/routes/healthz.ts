import { pingDatabase } from "../models/health.server";

export async function loader() {
  const health = await pingDatabase();
  return Response.json(health, {
    status: health.ok ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
