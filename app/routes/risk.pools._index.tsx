import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { PoolFigures } from "../components/risk";
import { listPoolSummaries } from "../models/risk-sharing/pools.server";
import { isGovernmentOrAdmin } from "../models/risk-sharing/common.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskPool.view");
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  return {
    pools: await withDb(listPoolSummaries),
    mayCreate: await withDb(isGovernmentOrAdmin, actor),
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:pools.title");

export default function RiskPools() {
  const { pools, mayCreate } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:pools.title")}</h1>
      <p className="muted">{t("risk:pools.intro")}</p>
      <p style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem", alignItems: "center" }}>
        <Link to="/risk/claims">{t("risk:claims.title")}</Link>
        {mayCreate ? (
          <Link to="/risk/pools/new" className="button button-primary" data-testid="new-pool">
            {t("risk:form.newTitle")}
          </Link>
        ) : null}
      </p>
      {pools.length === 0 ? <p className="empty">{t("risk:pools.empty")}</p> : null}
      {pools.map((p) => (
        <section key={p.id} className="card" data-testid={`pool-${p.id}`}>
          <h2>
            <Link to={`/risk/pools/${p.id}`}>{p.name}</Link>{" "}
            <small className="muted">{t(`risk:pools.kind.${p.kind}`)}</small>
          </h2>
          <PoolFigures pool={p} />
        </section>
      ))}
    </div>
  );
}
