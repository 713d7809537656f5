import type { LoaderFunctionArgs } from "@remix-run/node";
import { toCsv } from "../domain/csv";
import { getImport } from "../models/asset-import.server";
import { idParam, notFoundResponse, requireFirmActor } from "../utils/asset-routes.server";
import { importProblemMessage } from "../utils/asset-schemas";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { encodeUtf8WithBom } from "../utils/text-encoding.server";

/** Every problem of a staged import as a CSV (the preview page shows only the first ones). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { actor } = await requireFirmActor(request, "asset.import");
  const id = idParam(params.importId);
  const view = await withDb(getImport, actor.orgId, id);
  if (!view) notFoundResponse();
  const { t, locale } = getServerT(request);
  const rows = [
    [t("assets:import.line"), t("assets:import.field"), t("assets:import.problem")],
    ...view.payload.errors.map((e) => [
      String(e.line),
      t(`assets:import.columns.${e.field}`),
      importProblemMessage(t, locale, e.problem),
    ]),
  ];
  return new Response(encodeUtf8WithBom(toCsv(rows)), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="import-${id}-problems.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
