import type { LoaderFunctionArgs } from "@remix-run/node";
import { importTemplateRows } from "../domain/asset-import";
import { toCsv } from "../domain/csv";
import { requireFirmActor } from "../utils/asset-routes.server";
import { getServerT } from "../utils/i18n.server";
import { encodeUtf8WithBom } from "../utils/text-encoding.server";

/**
 * The import template: Chinese headers and two '#' example lines, UTF-8 with a BOM so Excel on a
 * Chinese Windows opens it without garbling (and saves it back as GBK or UTF-8, both accepted).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireFirmActor(request, "asset.import");
  const { t } = getServerT(request);
  const body = encodeUtf8WithBom(toCsv(importTemplateRows()));
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="ip-import-template.csv"; filename*=UTF-8''${encodeURIComponent(t("assets:import.templateFile"))}`,
      "Cache-Control": "no-store",
    },
  });
}
