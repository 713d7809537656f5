import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DashboardFrame } from "../components/DashboardFrame";
import { getProgressSummary } from "../models/progress.server";
import { requireRole } from "../utils/auth.server";
import { getDb } from "../utils/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "alliance", "admin");
  return {
    user: { displayName: user.display_name, orgName: user.orgName },
    progress: await getProgressSummary(getDb()),
  };
}

export const meta: MetaFunction = () => [{ title: "工作台 · 知融" }];

export default function Dashboard() {
  const { user, progress } = useLoaderData<typeof loader>();
  return <DashboardFrame titleKey="dashboard.allianceTitle" user={user} progress={progress} />;
}
