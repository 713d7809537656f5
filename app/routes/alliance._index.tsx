import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DashboardCards } from "../components/DashboardCards";
import { DashboardFrame } from "../components/DashboardFrame";
import { getDashboardCards } from "../models/dashboard.server";
import { getProgressSummary } from "../models/progress.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "dashboard.alliance");
  const [progress, cards] = await Promise.all([
    withDb(getProgressSummary),
    withDb(getDashboardCards, user.role, user.org_id),
  ]);
  return { user: { displayName: user.display_name, orgName: user.orgName }, progress, cards };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "common:titles.dashboard");

export default function Dashboard() {
  const { user, progress, cards } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <DashboardFrame titleKey="dashboard.allianceTitle" user={user} progress={progress}>
      <DashboardCards cards={cards} />
      <section className="card" data-testid="alliance-links">
        <p className="muted">{t("dashboard.allianceLinks")}</p>
        <p style={{ display: "flex", gap: "0.75rem", flexWrap: "wrap" }}>
          <Link to="/alliance/review" className="button button-primary">
            {t("dashboard.openReview")}
          </Link>
          <Link to="/report" className="button">
            {t("dashboard.openReport")}
          </Link>
        </p>
      </section>
    </DashboardFrame>
  );
}
