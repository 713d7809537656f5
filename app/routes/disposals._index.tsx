import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatMoney } from "../domain/money";
import { listPublicDisposals } from "../models/risk-sharing/disposals.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorizeVisitor } from "../utils/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "disposal.view");
  return { disposals: await withDb(listPublicDisposals) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:disposals.title");

export default function Disposals() {
  const { disposals } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:disposals.title")}</h1>
      <p className="muted">{t("risk:disposals.intro")}</p>
      {disposals.length === 0 ? <p className="empty">{t("risk:disposals.empty")}</p> : null}
      {disposals.map((d) => (
        <section key={d.id} className="card">
          <h2>
            <Link to={`/disposals/${d.id}`}>{d.title}</Link>
          </h2>
          <p>
            {t(`risk:disposals.kind.${d.kind}`)} · {t(`risk:disposals.state.${d.state}`)} ·{" "}
            {t("risk:disposals.asking")} {formatMoney(Number(d.asking_fen), i18n.language)}
          </p>
        </section>
      ))}
    </div>
  );
}
