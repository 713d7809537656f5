import type { LoaderFunctionArgs } from "@remix-run/node";
import { getReport } from "../models/report.server";
import { getCurrentRiskFigures } from "../models/risk-sharing/figures-cache.server";
import { csvResponse, reportCsv } from "../utils/alliance-csv.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { authorizeVisitor } from "../utils/permissions.server";

/** /report.csv: the public report's figures (aggregates only), UTF-8 with BOM. */
export async function loader({ request }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "report.view");
  const [report, risk] = await Promise.all([withDb(getReport), withDb(getCurrentRiskFigures)]);
  const { t, locale } = getServerT(request);
  return csvResponse(
    reportCsv(report, risk, t, locale),
    `ip-finance-report-${report.asOfDate}.csv`,
    `${t("alliance:report.title")}-${report.asOfDate}.csv`,
  );
}
