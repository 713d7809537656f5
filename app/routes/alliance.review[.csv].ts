import type { LoaderFunctionArgs } from "@remix-run/node";
import { getReview } from "../models/alliance.server";
import { UserFacingError } from "../models/errors";
import { csvResponse, isReviewTable, reviewTableCsv } from "../utils/alliance-csv.server";
import { parseReviewQuery } from "../utils/alliance-filters";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";

/** /alliance/review.csv?table=funnel|durations|banks|ipTypes|regions|support&<filters> */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "review.view");
  const params = new URL(request.url).searchParams;
  const table = params.get("table");
  if (!isReviewTable(table)) throw new Response("Not Found", { status: 404 });
  const q = parseReviewQuery(params, todayInChina());
  const { t, locale } = getServerT(request);
  try {
    const review = await withDb(getReview, { role: user.role, orgId: user.org_id }, q.filters);
    return csvResponse(
      reviewTableCsv(review, table, t, locale),
      `alliance-${table}-${q.filters.from}-${q.filters.to}.csv`,
      `${t("alliance:review.title")}-${table}-${q.filters.from}-${q.filters.to}.csv`,
    );
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    throw e;
  }
}
