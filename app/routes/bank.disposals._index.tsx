import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { chinaDateOf } from "../domain/dates";
import { formatMoneyExact } from "../domain/money";
import { listBankDisposals } from "../models/risk-sharing/disposals.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/** The bank's own disposals: state, asset, asking terms and how many registered interest. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "disposal.manage");
  return { disposals: await withDb(listBankDisposals, user.org_id) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:bankDisposals.title");

export default function BankDisposals() {
  const { disposals } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoneyExact(fen, i18n.language);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:bankDisposals.title")}</h1>
      <p className="muted">{t("risk:bankDisposals.intro")}</p>
      {disposals.length === 0 ? (
        <p className="empty" data-testid="disposals-empty">
          {t("risk:bankDisposals.empty")}{" "}
          <Link to="/bank/loans">{t("risk:bankDisposals.toLoans")}</Link>
        </p>
      ) : (
        <ul className="stack" data-testid="bank-disposals">
          {disposals.map((d) => (
            <li key={d.id} className="card" data-testid={`disposal-${d.id}`}>
              <Link to={`/bank/disposals/${d.id}`}>
                <strong>{t("risk:bankDisposals.number", { id: d.id })}</strong>
              </Link>{" "}
              <span className="badge">{t(`risk:disposals.state.${d.state}`)}</span>
              <br />
              {d.title}
              <br />
              <span className="muted">
                {t(`risk:disposals.kind.${d.kind}`)} · {t("risk:disposals.asking")}{" "}
                {money(d.askingFen)} · {t("risk:bankDisposals.loan", { id: d.applicationId })} ·{" "}
                {t("risk:bankDisposals.listedOn", { date: chinaDateOf(d.listedAt) })}
              </span>
              <br />
              <span data-testid={`disposal-${d.id}-interests`}>
                {t("risk:bankDisposals.interests", { count: d.interests })}
              </span>
              {d.proceedsFen !== null
                ? ` · ${t("risk:bankDisposals.proceeds")} ${money(d.proceedsFen)}`
                : ""}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
