import type { LoaderFunctionArgs } from "@remix-run/node";
import { getReport } from "../models/report.server";
import { getCurrentRiskFigures } from "../models/risk-sharing/figures-cache.server";
import { reportJson } from "../utils/alliance-csv.server";
import { withDb } from "../models/with-db.server";
import { authorizeVisitor } from "../utils/permissions.server";

/** /report.json: the public report's figures (aggregates only); money in fen, rates in bp. */
export async function loader({ request }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "report.view");
  const [report, risk] = await Promise.all([withDb(getReport), withDb(getCurrentRiskFigures)]);
  return new Response(JSON.stringify(reportJson(report, risk), null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `inline; filename="ip-finance-report-${report.asOfDate}.json"`,
      "cache-control": "no-store",
    },
  });
}
