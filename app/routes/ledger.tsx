import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager } from "../components/applications";
import { LedgerTable } from "../components/LedgerTable";
import { IP_TYPES, ipTypeLabel } from "../domain/ip";
import { formatMoney, formatMoneyExact } from "../domain/money";
import { LEDGER_PAGE_SIZE, listLedgerEntries, type LedgerScope } from "../models/ledger.server";
import { listOrganisations } from "../models/organisation.server";
import { can, scopeOf } from "../domain/permissions";
import type { SessionUser } from "../utils/session.server";
import { authorize, forbidden } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { LedgerQuery, ledgerPageHref } from "../utils/ledger-query";
import { pageTitle } from "../utils/meta";
import { RegionOptions } from "../components/RegionOptions";

/**
 * The rows behind every figure of the running total. Bank officers see their bank's entries,
 * firms their own, alliance members and admins all of them; the count and sum are exact over
 * every matching entry the viewer may see.
 */
function ledgerScope(user: SessionUser): LedgerScope {
  switch (scopeOf(user, "ledger.view")) {
    case "any":
      return { kind: "all" };
    case "bankOrgId":
      return { kind: "bank", bankOrgId: user.org_id };
    case "firmOrgId":
      return { kind: "firm", firmOrgId: user.org_id };
    default:
      return forbidden();
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "ledger.view");
  const q = LedgerQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const scope = ledgerScope(user);
  const [list, banks] = await Promise.all([
    withDb(
      listLedgerEntries,
      scope,
      { region: q.region, month: q.month, bankOrgId: q.bank, ipType: q.ipType },
      q.page,
      LEDGER_PAGE_SIZE,
      // Keyset paging (prev/next links carry the cursor); page 1 needs none.
      q.page > 1 ? { after: q.after, before: q.before } : {},
    ),
    scope.kind === "all" ? withDb(listOrganisations, ["bank"]) : Promise.resolve([]),
  ]);
  // Each row links to the deal's page the viewer may open, if any.
  const appBase = can(user, "application.viewOwn")
    ? "/firm/applications"
    : can(user, "application.viewIncoming")
      ? "/bank/applications"
      : null;
  return { ...list, q, scope: scope.kind, appBase, banks };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "applications:titles.ledger");

export default function Ledger() {
  const { rows, total, sumFen, page, pages, q, scope, appBase, banks } =
    useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const appHref = (id: number) => (appBase ? `${appBase}/${id}` : null);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("applications:ledger.title")}</h1>
      <p className="muted">
        {scope === "bank"
          ? t("applications:ledger.scopeBank")
          : scope === "firm"
            ? t("applications:ledger.scopeFirm")
            : t("applications:ledger.scopeAll")}
      </p>
      <Form
        method="get"
        className="card"
        style={{ display: "flex", gap: "0.75rem", flexWrap: "wrap", alignItems: "end" }}
      >
        <div className="field">
          <label htmlFor="f-region">{t("applications:common.region")}</label>
          <select id="f-region" name="region" defaultValue={q.region ?? ""}>
            <RegionOptions anyLabel={t("applications:ledger.anyRegion")} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-month">{t("applications:ledger.month")}</label>
          <input id="f-month" name="month" type="month" defaultValue={q.month ?? ""} />
        </div>
        {scope === "all" ? (
          <div className="field">
            <label htmlFor="f-bank">{t("applications:common.bank")}</label>
            <select id="f-bank" name="bank" defaultValue={q.bank ? String(q.bank) : ""}>
              <option value="">{t("applications:ledger.anyBank")}</option>
              {banks.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="f-type">{t("applications:common.ipType")}</label>
          <select id="f-type" name="ipType" defaultValue={q.ipType ?? ""}>
            <option value="">{t("applications:ledger.anyType")}</option>
            {IP_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {ipTypeLabel(t, ty)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          {t("applications:ledger.apply")}
        </button>
        <Link to="/ledger">{t("applications:ledger.clear")}</Link>
      </Form>
      <p data-testid="ledger-total" data-count={total} data-sum-fen={sumFen}>
        {t("applications:ledger.total", { count: total, sum: formatMoney(sumFen, lang) })}{" "}
        <span className="muted">（{formatMoneyExact(sumFen, lang)}）</span>
      </p>
      {rows.length === 0 ? (
        <div className="empty">{t("applications:ledger.empty")}</div>
      ) : (
        <LedgerTable rows={rows} applicationHref={appHref} />
      )}
      <Pager
        page={page}
        pages={pages}
        total={total}
        href={(p) => ledgerPageHref(q, page, rows, p)}
      />
    </div>
  );
}
