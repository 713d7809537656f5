import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DashboardCards } from "../components/DashboardCards";
import { DashboardFrame } from "../components/DashboardFrame";
import { LoanPathChecklist } from "../components/LoanPathChecklist";
import { getDashboardCards } from "../models/dashboard.server";
import { getLoanPath } from "../models/loan-path.server";
import { getProgressSummary } from "../models/progress.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { todayInChina } from "../utils/time";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "dashboard.firm");
  const [progress, cards, path] = await Promise.all([
    withDb(getProgressSummary),
    withDb(getDashboardCards, user.role, user.org_id),
    withDb(getLoanPath, user.org_id, todayInChina()),
  ]);
  return {
    user: { displayName: user.display_name, orgName: user.orgName },
    progress,
    cards,
    path,
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "common:titles.dashboard");

export default function Dashboard() {
  const { user, progress, cards, path } = useLoaderData<typeof loader>();
  return (
    <DashboardFrame titleKey="dashboard.firmTitle" user={user} progress={progress}>
      <LoanPathChecklist path={path} />
      <DashboardCards cards={cards} />
    </DashboardFrame>
  );
}
