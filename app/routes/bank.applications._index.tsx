import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Pager, StateBadge } from "../components/applications";
import { formatInstant } from "../domain/dates";
import { formatMoney } from "../domain/money";
import { APPLICATION_STATES, BANK_OPEN_STATES } from "../domain/application";
import { listBankApplications, pledgeOverviewOfApplications } from "../models/application.server";
import { todayInChina } from "../utils/time";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

const TABS = ["open", ...APPLICATION_STATES.filter((s) => s !== "draft"), "all"] as const;
type Tab = (typeof TABS)[number];

const Query = z.object({
  state: z.enum(TABS).catch("open"),
  page: z.coerce.number().int().min(1).catch(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "application.viewIncoming");
  const q = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const data = await withDb(listBankApplications, user.org_id, q);
  // Each row's pledged assets by appraisal status and their coverage today: which are approvable.
  const pledge = await withDb(
    pledgeOverviewOfApplications,
    user.org_id,
    data.rows.map((r) => r.id),
    todayInChina(),
  );
  return { ...data, state: q.state, pledge };
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "applications:titles.bankApplications");

export default function BankApplications() {
  const { rows, total, page, pages, counts, state, pledge } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const countOf = (tab: Tab) =>
    tab === "all"
      ? Object.values(counts).reduce((s, n) => s + (n ?? 0), 0)
      : tab === "open"
        ? BANK_OPEN_STATES.reduce((s, st) => s + (counts[st] ?? 0), 0)
        : (counts[tab] ?? 0);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("applications:list.bankTitle")}</h1>
      <nav className="checks" aria-label={t("applications:common.state")} data-testid="state-tabs">
        {TABS.map((tab) => (
          <Link
            key={tab}
            to={`?state=${tab}`}
            className={tab === state ? "badge badge-ok" : "badge"}
            aria-current={tab === state ? "page" : undefined}
          >
            {tab === "open"
              ? t("applications:list.open")
              : tab === "all"
                ? t("applications:common.all")
                : t(`applications:states.${tab}`)}{" "}
            ({countOf(tab)})
          </Link>
        ))}
      </nav>
      {rows.length === 0 ? (
        <div className="empty" data-testid="applications-empty">
          <p>{t("applications:list.bankEmpty")}</p>
          <Link to="/bank/pipeline" className="button" data-testid="empty-next">
            {t("applications:list.bankEmptyNext")}
          </Link>
        </div>
      ) : (
        <table className="data" data-testid="applications">
          <thead>
            <tr>
              <th>{t("applications:list.number")}</th>
              <th>{t("applications:common.firm")}</th>
              <th>{t("applications:common.product")}</th>
              <th className="num">{t("applications:common.requested")}</th>
              <th className="num">{t("applications:common.approved")}</th>
              <th>{t("applications:common.state")}</th>
              <th>{t("applications:list.pledge")}</th>
              <th>{t("applications:common.updated")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/bank/applications/${r.id}`}>#{r.id}</Link>
                </td>
                <td>{r.firmName}</td>
                <td>{r.productName}</td>
                <td className="num">{money(r.amountFen)}</td>
                <td className="num">
                  {r.approvedAmountFen !== null ? money(r.approvedAmountFen) : "—"}
                </td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td data-testid="pledge-overview">
                  {pledge[r.id] ? (
                    <>
                      {pledge[r.id].appraisal.length === 0
                        ? t("applications:list.noAssets")
                        : pledge[r.id].appraisal
                            .map((c) => t(`applications:list.appraisalStatus.${c.status}`, c))
                            .join(" · ")}
                      <br />
                      <span
                        className={pledge[r.id].supported ? "badge badge-ok" : "badge"}
                        data-testid="pledge-coverage"
                      >
                        {t(
                          pledge[r.id].supported
                            ? "applications:list.covered"
                            : "applications:list.notCovered",
                          {
                            capacity: money(pledge[r.id].capacityFen),
                            amount: money(pledge[r.id].amountFen),
                          },
                        )}
                      </span>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td>{formatInstant(r.updatedAt, "day")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pages={pages} total={total} href={(p) => `?state=${state}&page=${p}`} />
    </div>
  );
}
