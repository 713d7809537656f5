import type { LoaderFunctionArgs } from "@remix-run/node";
import { toCsv } from "../domain/csv";
import { legalEventTemplateRows } from "../domain/servicing/legal-events";
import { getServerT } from "../utils/i18n.server";
import { authorize } from "../utils/permissions.server";
import { encodeUtf8WithBom } from "../utils/text-encoding.server";

/** The legal-status import template: Chinese headers and two '#' examples, UTF-8 with a BOM. */
export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "collateral.importLegalEvents");
  const { t } = getServerT(request);
  const body = encodeUtf8WithBom(toCsv(legalEventTemplateRows()));
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="legal-events-template.csv"; filename*=UTF-8''${encodeURIComponent(t("collateral:import.templateFile"))}`,
      "Cache-Control": "no-store",
    },
  });
}
