import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { commitImport, getImport } from "../models/asset-import.server";
import { UserFacingError } from "../models/errors";
import { idParam, notFoundResponse, requireFirmActor } from "../utils/asset-routes.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";

/**
 * Confirms a staged import and streams its progress as server-sent events, one per batch of 500:
 *   data: {"type":"progress","done":1500,"total":10000}
 *   data: {"type":"done","count":10000,"redirectTo":"/firm/assets?imported=10000"}
 *   data: {"type":"error","message":"…"}
 * The preview page reads it with fetch(); without JavaScript the preview's own form action does
 * the same import without the progress. text/event-stream also keeps compression from buffering.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const { actor } = await requireFirmActor(request, "asset.import");
  const id = idParam(params.importId);
  if (!(await withDb(getImport, actor.orgId, id))) notFoundResponse();
  const { t } = getServerT(request);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: Record<string, unknown>) =>
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`));
      try {
        const count = await withDb(commitImport, actor, id, {
          onProgress: (p) => send({ type: "progress", done: p.done, total: p.total }),
        });
        send({ type: "done", count, redirectTo: `/firm/assets?imported=${count}` });
      } catch (e) {
        if (e instanceof UserFacingError) {
          send({ type: "error", message: t(e.key, e.params) });
        } else {
          console.error(e);
          send({ type: "error", message: t("common:errors.errorText") });
        }
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    },
  });
}

/** Only POST starts an import. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireFirmActor(request, "asset.import");
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
}
