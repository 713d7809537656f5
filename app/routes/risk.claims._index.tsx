import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatMoneyExact } from "../domain/money";
import { listClaims } from "../models/risk-sharing/claims.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/** Claims: a bank sees its own, a pool manager its pools', the admin all (listClaims scopes). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "riskClaim.view");
  const claims = await withDb(listClaims, { userId: user.id, orgId: user.org_id, role: user.role });
  return {
    claims: claims.map((c) => ({
      ...c,
      claimed_fen: Number(c.claimed_fen),
      loss_fen: Number(c.loss_fen),
      approved_fen: c.approved_fen === null ? null : Number(c.approved_fen),
    })),
    viewer: user.role,
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:claims.title");

export default function Claims() {
  const { claims, viewer } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:claims.title")}</h1>
      <p className="muted">
        {viewer === "bank_officer" ? t("risk:claims.introBank") : t("risk:claims.introManager")}
      </p>
      {claims.length === 0 ? (
        <p className="empty">
          {viewer === "bank_officer" ? (
            <>
              {t("risk:claims.emptyBank")} <Link to="/bank/loans">{t("risk:claims.toLoans")}</Link>
            </>
          ) : (
            t("risk:claims.empty")
          )}
        </p>
      ) : null}
      <ul className="stack" data-testid="claims">
        {claims.map((c) => (
          <li key={c.id} className="card" data-testid={`claim-${c.id}`}>
            <Link to={`/risk/claims/${c.id}`}>
              <strong>{t("risk:claims.number", { id: c.id })}</strong>
            </Link>{" "}
            · {c.poolName} · {t("risk:pool.loan")} #{c.application_id}
            <br />
            {t("risk:claims.claimed")} {formatMoneyExact(c.claimed_fen, lang)} ·{" "}
            <span className="badge">{t(`risk:claims.state.${c.state}`)}</span>
            {c.approved_fen !== null
              ? ` · ${t("risk:claims.approved")} ${formatMoneyExact(c.approved_fen, lang)}`
              : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}
