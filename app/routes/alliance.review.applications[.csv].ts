import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDrillDown } from "../models/alliance.server";
import { UserFacingError } from "../models/errors";
import { csvResponse, drillDownCsv } from "../utils/alliance-csv.server";
import { parseReviewQuery } from "../utils/alliance-filters";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";

/** /alliance/review/applications.csv?stage=…&<filters>: every row behind one figure. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "review.view");
  const q = parseReviewQuery(new URL(request.url).searchParams, todayInChina());
  if (!q.stage) throw new Response("Not Found", { status: 404 });
  const { t, locale } = getServerT(request);
  try {
    const drill = await withDb(
      getDrillDown,
      { role: user.role, orgId: user.org_id },
      q.filters,
      q.stage,
      null,
      locale,
    );
    return csvResponse(
      drillDownCsv(drill, t, locale),
      `alliance-${q.stage}-${q.filters.from}-${q.filters.to}.csv`,
      `${t(`alliance:stages.${q.stage}`)}-${q.filters.from}-${q.filters.to}.csv`,
    );
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    throw e;
  }
}
