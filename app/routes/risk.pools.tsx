import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatBp, formatMoney } from "../domain/money";
import { listPoolSummaries } from "../models/risk-sharing/pools.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "riskPool.view");
  return { pools: await withDb(listPoolSummaries) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:pools.title");

/** Leverage as a multiple, e.g. 189400 bp → "18.94×". */
const times = (bp: number | null) =>
  bp === null ? "—" : `${formatBp(bp / 100, 2, { symbol: false })}×`;

export default function RiskPools() {
  const { pools } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:pools.title")}</h1>
      <p className="muted">{t("risk:pools.intro")}</p>
      {pools.length === 0 ? <p className="empty">{t("risk:pools.empty")}</p> : null}
      {pools.map((p) => (
        <section key={p.id} className="card" data-testid={`pool-${p.id}`}>
          <h2>
            {p.name} <small className="muted">{t(`risk:pools.kind.${p.kind}`)}</small>
          </h2>
          <dl
            style={{
              display: "grid",
              gridTemplateColumns: "repeat(auto-fit, minmax(9rem, 1fr))",
              gap: "0.5rem",
            }}
          >
            {(
              [
                ["contributed", money(p.contributedFen)],
                ["balance", money(p.balanceFen)],
                ["exposure", money(p.exposureFen)],
                ["limit", money(p.limitFen)],
                ["leverage", times(p.leverageBp)],
                ["leverageCap", times(p.leverageCapBp)],
                ["claimsPaid", money(p.claimsPaidFen)],
                ["recovered", money(p.recoveredFen)],
                ["headroom", money(p.headroomFen)],
                ["coveredLoans", String(p.coveredLoans)],
                ["openClaims", String(p.openClaims)],
              ] as const
            ).map(([k, v]) => (
              <div key={k}>
                <dt className="muted">{t(`risk:pools.${k}`)}</dt>
                <dd data-testid={`pool-${p.id}-${k}`}>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
