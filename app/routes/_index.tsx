import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { PortfolioSummary } from "../components/portfolio";
import { ProgressPanel } from "../components/ProgressPanel";
import { getProgressSummary } from "../models/progress.server";
import { getPortfolio } from "../models/servicing/portfolio.server";
import { withDb } from "../models/with-db.server";
import { authorizeVisitor } from "../utils/permissions.server";
import { pageDescription, pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "progress.view");
  const [progress, portfolio] = await Promise.all([
    withDb(getProgressSummary),
    withDb(getPortfolio),
  ]);
  return { progress, portfolio: portfolio.total };
}

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, "common:titles.home"),
  ...pageDescription(matches, "common:titles.homeDescription"),
];

export default function Home() {
  const { progress, portfolio } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1.5rem" }}>
      <section className="hero">
        <h1>{t("home.title")}</h1>
        <p>{t("home.mission")}</p>
        <div className="actions">
          <Link to="/register" className="button">
            {t("home.ctaRegister")}
          </Link>
          <Link to="/login" className="button button-ghost">
            {t("home.ctaLogin")}
          </Link>
        </div>
      </section>
      <ProgressPanel data={progress} />
      <PortfolioSummary total={portfolio} />
      <section className="grid grid-3">
        <div className="card">
          <h3>{t("home.forFirms")}</h3>
          <p className="muted">{t("home.forFirmsText")}</p>
        </div>
        <div className="card">
          <h3>{t("home.forBanks")}</h3>
          <p className="muted">{t("home.forBanksText")}</p>
        </div>
        <div className="card">
          <h3>{t("home.forAlliance")}</h3>
          <p className="muted">{t("home.forAllianceText")}</p>
        </div>
      </section>
    </div>
  );
}
