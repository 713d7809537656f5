import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatBp, formatMoney } from "../domain/money";
import { isGovernmentOrAdmin } from "../models/risk-sharing/common.server";
import { listProgrammes } from "../models/risk-sharing/subsidies.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/** A government member's subsidy programmes (the admin: all), each with its budget's figures. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "subsidyProgramme.list");
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  const [programmes, maySetUp] = await Promise.all([
    withDb(listProgrammes, actor),
    withDb(isGovernmentOrAdmin, actor),
  ]);
  return {
    maySetUp,
    programmes: programmes.map((p) => ({
      id: p.id,
      name: p.name,
      shareBp: p.share_bp,
      windowStart: p.window_start,
      windowEnd: p.window_end,
      budgetFen: Number(p.budget_fen),
      paidFen: Number(p.paid_fen),
      remainingFen: p.remainingFen,
    })),
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:programmes.title");

export default function SubsidyProgrammes() {
  const { programmes, maySetUp } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:programmes.title")}</h1>
      <p className="muted">{t("risk:programmes.intro")}</p>
      {maySetUp ? (
        <p style={{ display: "flex", gap: "1rem", flexWrap: "wrap" }}>
          <Link to="/subsidies/new" className="button button-primary" data-testid="new-programme">
            {t("risk:programmes.new")}
          </Link>
          <Link to="/subsidies/lpr">{t("risk:lpr.title")}</Link>
        </p>
      ) : (
        <p className="muted">{t("risk:programmes.governmentOnly")}</p>
      )}
      {programmes.length === 0 ? <p className="empty">{t("risk:programmes.empty")}</p> : null}
      {programmes.map((p) => (
        <section key={p.id} className="card" data-testid={`programme-${p.id}`}>
          <h2>
            <Link to={`/subsidies/${p.id}`}>{p.name}</Link>
          </h2>
          <p className="muted">
            {t("risk:programmes.shareOfInterest", {
              share: formatBp(p.shareBp, 2, { trim: true }),
            })}{" "}
            · {t("risk:programmes.window", { start: p.windowStart, end: p.windowEnd })}
          </p>
          <p>
            {t("risk:programmes.budget")} {money(p.budgetFen)} · {t("risk:programmes.paid")}{" "}
            {money(p.paidFen)} · {t("risk:programmes.remaining")}{" "}
            <strong data-testid={`programme-${p.id}-remaining`}>{money(p.remainingFen)}</strong>
          </p>
        </section>
      ))}
    </div>
  );
}
