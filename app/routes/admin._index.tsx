import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DashboardCards } from "../components/DashboardCards";
import { DashboardFrame } from "../components/DashboardFrame";
import { getDashboardCards } from "../models/dashboard.server";
import { getProgressSummary } from "../models/progress.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "dashboard.admin");
  const [progress, cards] = await Promise.all([
    withDb(getProgressSummary),
    withDb(getDashboardCards, user.role, user.org_id),
  ]);
  return { user: { displayName: user.display_name, orgName: user.orgName }, progress, cards };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "common:titles.dashboard");

export default function Dashboard() {
  const { user, progress, cards } = useLoaderData<typeof loader>();
  return (
    <DashboardFrame titleKey="dashboard.adminTitle" user={user} progress={progress}>
      <DashboardCards cards={cards} />
    </DashboardFrame>
  );
}
