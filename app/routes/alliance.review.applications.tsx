import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { describeDuration } from "../domain/analytics";
import { industryName } from "../domain/industry";
import { ipTypeLabel } from "../domain/ip";
import { formatBp, formatMoney } from "../domain/money";
import { regionName } from "../domain/regions";
import { getDrillDown } from "../models/alliance.server";
import { UserFacingError } from "../models/errors";
import allianceStyles from "../styles/alliance.css";
import { parseReviewQuery, reviewSearch, type ReviewFilters } from "../utils/alliance-filters";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { translateMessage } from "../utils/messages";
import { getLocale } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "review.view");
  const q = parseReviewQuery(new URL(request.url).searchParams, todayInChina());
  if (!q.stage) throw new Response("Not Found", { status: 404 });
  try {
    const drill = await withDb(
      getDrillDown,
      { role: user.role, orgId: user.org_id },
      q.filters,
      q.stage,
      q.page,
      getLocale(request),
    );
    return { drill, filters: q.filters, stage: q.stage };
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    throw e;
  }
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: allianceStyles }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "alliance:titles.drill");

export default function DrillDownPage() {
  const { drill, filters, stage } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const f = filters as ReviewFilters;
  const money = (fen: number) => formatMoney(fen, lang);
  const pageLink = (page: number) => `?${reviewSearch(f, { stage, page })}`;
  const csvHref = `/alliance/review/applications.csv?${reviewSearch(f, { stage })}`;
  const isDuration = drill.kind === "applications" && drill.rows.some((r) => r.durationMs !== null);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p className="no-print">
        <Link to={`/alliance/review?${reviewSearch(f)}`}>← {t("alliance:drill.back")}</Link>
      </p>
      <div className="section-head">
        <h1>{t("alliance:drill.title", { stage: t(`alliance:stages.${stage}`) })}</h1>
        <a href={csvHref} download data-testid="drill-csv">
          {t("alliance:review.downloadCsv")}
        </a>
      </div>
      <p className="muted">{t("alliance:review.period", { from: f.from, to: f.to })}</p>
      <p data-testid="drill-summary" data-total={drill.total} data-fen={drill.totalAmountFen}>
        {t("alliance:drill.summary", { count: drill.total, amount: money(drill.totalAmountFen) })}
      </p>
      {drill.ownBankOnly ? <p className="notice">{t("alliance:drill.ownBankOnly")}</p> : null}
      {drill.total === 0 ? (
        <div className="empty">{t("alliance:drill.empty")}</div>
      ) : drill.kind === "requests" ? (
        <div className="table-scroll">
          <table className="data" data-testid="drill-table">
            <thead>
              <tr>
                <th>{t("alliance:drill.id")}</th>
                <th>{t("alliance:drill.firm")}</th>
                <th>{t("alliance:drill.region")}</th>
                <th>{t("alliance:drill.industry")}</th>
                <th className="num">{t("alliance:drill.amount")}</th>
                <th>{t("alliance:drill.createdDate")}</th>
                <th>{t("alliance:drill.applied")}</th>
              </tr>
            </thead>
            <tbody>
              {drill.rows.map((r) => (
                <tr key={r.id}>
                  <td className="num">{r.id}</td>
                  <td
                    className={r.named ? undefined : "pseudonym"}
                    title={r.named ? undefined : t("alliance:drill.pseudonymHint")}
                    data-testid="drill-firm"
                    data-named={r.named ? "1" : "0"}
                  >
                    {r.firm}
                  </td>
                  <td>{regionName(r.regionCode, lang)}</td>
                  <td>{r.industrySection ? industryName(r.industrySection, lang) : "—"}</td>
                  <td className="num">{money(r.amountFen)}</td>
                  <td className="date">{r.createdDate}</td>
                  <td>{r.applied ? t("alliance:drill.yes") : t("alliance:drill.no")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="drill-table">
            <thead>
              <tr>
                <th>{t("alliance:drill.id")}</th>
                <th>{t("alliance:drill.firm")}</th>
                <th>{t("alliance:drill.region")}</th>
                <th>{t("alliance:drill.bank")}</th>
                <th>{t("alliance:drill.ipType")}</th>
                <th>{t("alliance:drill.state")}</th>
                <th className="num">{t("alliance:drill.amount")}</th>
                <th className="num">{t("alliance:drill.rate")}</th>
                <th>{t("alliance:drill.submittedDate")}</th>
                <th>{t("alliance:drill.approvedDate")}</th>
                <th>{t("alliance:drill.disbursedDate")}</th>
                <th>{t("alliance:drill.closedDate")}</th>
                {isDuration ? <th className="num">{t("alliance:drill.duration")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {drill.rows.map((r) => (
                <tr key={r.id} data-bank-name={r.bankName}>
                  <td className="num">{r.id}</td>
                  <td
                    className={r.named ? undefined : "pseudonym"}
                    title={r.named ? undefined : t("alliance:drill.pseudonymHint")}
                    data-testid="drill-firm"
                    data-named={r.named ? "1" : "0"}
                  >
                    {r.firm}
                  </td>
                  <td>{regionName(r.regionCode, lang)}</td>
                  <td>{r.bankName}</td>
                  <td>{r.primaryIpType ? ipTypeLabel(t, r.primaryIpType) : "—"}</td>
                  <td>{t(`applications:states.${r.state}`)}</td>
                  <td className="num" data-fen={r.amountFen}>
                    {money(r.amountFen)}
                  </td>
                  <td className="num">
                    {r.approvedRateBp === null ? "—" : formatBp(r.approvedRateBp)}
                  </td>
                  <td className="date">{r.submittedDate ?? "—"}</td>
                  <td className="date">{r.approvedDate ?? "—"}</td>
                  <td className="date">{r.disbursedDate ?? "—"}</td>
                  <td className="date">{r.closedDate ?? "—"}</td>
                  {isDuration ? (
                    <td className="num">
                      {translateMessage(t, describeDuration(r.durationMs), lang)}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="pagination muted" data-testid="pagination">
        {drill.page > 1 ? <Link to={pageLink(drill.page - 1)}>{t("pagination.prev")}</Link> : null}
        <span>
          {t("pagination.page", { page: drill.page, pages: drill.pages, total: drill.total })}
        </span>
        {drill.page < drill.pages ? (
          <Link to={pageLink(drill.page + 1)}>{t("pagination.next")}</Link>
        ) : null}
      </p>
    </div>
  );
}
