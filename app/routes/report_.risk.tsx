import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { RiskClassBadge } from "../components/loan";
import { Pager, withParam } from "../components/Pager";
import { formatBp, formatMoney } from "../domain/money";
import { isRegionCode, regionName } from "../domain/regions";
import { effectiveRate, RISK_MEASURES } from "../domain/risk-sharing/figures";
import { ratioBp } from "../domain/analytics/statistics";
import type { RiskClassCode } from "../../db/schema";
import { listRiskRows } from "../models/risk-sharing/figures.server";
import { withDb } from "../models/with-db.server";
import allianceStyles from "../styles/alliance.css";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/**
 * The loans and entries behind one risk-sharing figure (components/risk-figures.tsx links here),
 * firms named: for the alliance and admins, like /report/loans.
 */

const id = z.coerce.number().int().positive().optional().catch(undefined);
const Query = z.object({
  measure: z.enum(RISK_MEASURES).catch("claims_paid"),
  pool: id,
  programme: id,
  product: id,
  region: z
    .string()
    .refine((v) => isRegionCode(v))
    .optional()
    .catch(undefined),
  shared: z
    .enum(["1", "0"])
    .transform((v) => v === "1")
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "report.loans");
  const { measure, page, ...filter } = Query.parse(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  const data = await withDb(listRiskRows, measure, filter, page);
  return { ...data, measure, filter };
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: allianceStyles }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:figures.drill.title");

const FEN_PER_YUAN = 100;

export default function RiskRows() {
  const d = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const { search } = useLocation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const pct = (bp: number | null) => (bp === null ? t("risk:figures.none") : formatBp(bp));
  const r = (k: string, o?: Record<string, unknown>) => t(`risk:figures.drill.${k}`, o);
  const f = d.filter;
  const scope = [
    f.pool !== undefined ? r("filterPool", { id: f.pool }) : null,
    f.programme !== undefined ? r("filterProgramme", { id: f.programme }) : null,
    f.region ? r("filterRegion", { name: regionName(f.region, lang) }) : null,
    f.product !== undefined ? r("filterProduct", { id: f.product }) : null,
    f.shared === true ? r("filterShared") : f.shared === false ? r("filterUnshared") : null,
  ].filter(Boolean);
  const rate = d.measure === "effective_rate";
  const npl = d.measure === "npl";
  const yuanDays = (fenDays: number) =>
    (fenDays / FEN_PER_YUAN).toLocaleString(lang === "en" ? "en-US" : "zh-CN");
  const s = d.sums;
  const summary = rate
    ? (() => {
        const e = effectiveRate({
          interestFen: s.amountFen,
          subsidyFen: s.x1Fen,
          principalDays: s.x2,
        });
        return r("rateFromSums", {
          net: pct(e.netBp),
          gross: pct(e.grossBp),
          interest: money(s.amountFen),
          subsidy: money(s.x1Fen),
          days: yuanDays(s.x2),
        });
      })()
    : npl
      ? r("nplFromSums", {
          ratio: pct(ratioBp(s.x1Fen, s.amountFen)),
          npl: money(s.x1Fen),
          outstanding: money(s.amountFen),
        })
      : money(s.amountFen);
  const kindLabel = (kind: string | null) => {
    if (kind === null) return "";
    if (d.measure === "pool_balance") return t(`risk:entry.${kind}`);
    if (d.measure === "claims_paid" || d.measure === "recovered") return t(`risk:parties.${kind}`);
    if (d.measure === "pool_exposure") return t(`risk:reservation.${kind}`);
    if (d.measure === "effective_rate") return t(`servicing:status.${kind}`);
    return kind;
  };
  return (
    <div className="stack" data-testid="risk-rows">
      <p>
        <Link to="/report">← {r("back")}</Link>
      </p>
      <h1>
        {r("title")} · {r(`measure.${d.measure}`)}
      </h1>
      <p className="muted">{scope.length ? scope.join(" · ") : r("all")}</p>
      <p>
        <strong
          data-testid="risk-rows-figure"
          data-fen={s.amountFen}
          data-x1={s.x1Fen}
          data-x2={s.x2}
        >
          {r("figure")}: {summary}
        </strong>
      </p>
      {d.total === 0 ? (
        <div className="empty">{r("empty")}</div>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="risk-rows-table">
            <thead>
              <tr>
                <th>{r("loan")}</th>
                <th>{r("firm")}</th>
                <th>{r("what")}</th>
                <th>{r("kind")}</th>
                <th>{r("date")}</th>
                <th className="num">
                  {rate ? r("interest") : npl ? r("outstanding") : r("amount")}
                </th>
                {rate || npl ? (
                  <th className="num">{rate ? r("subsidy") : r("nonPerforming")}</th>
                ) : null}
                {rate ? <th className="num">{r("principalDays")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {d.rows.map((x) => (
                <tr key={`${x.refId}-${x.kind ?? ""}`} data-testid="risk-row">
                  <td>
                    {x.applicationId === null ? "—" : `#${x.applicationId}`}
                    <div className="muted">
                      {r("ref")} {x.refId}
                    </div>
                  </td>
                  <td>
                    {x.firmName ?? "—"}
                    <div className="muted">
                      {x.bankName ?? ""}
                      {x.regionCode ? ` · ${regionName(x.regionCode, lang)}` : ""}
                    </div>
                  </td>
                  <td>{x.label}</td>
                  <td>
                    {npl && x.kind ? (
                      <RiskClassBadge riskClass={x.kind as RiskClassCode} />
                    ) : (
                      kindLabel(x.kind)
                    )}
                  </td>
                  <td>{x.valueDate ?? ""}</td>
                  <td className="num" data-fen={x.amountFen}>
                    {money(x.amountFen)}
                  </td>
                  {rate || npl ? (
                    <td className="num" data-fen={x.x1Fen}>
                      {money(x.x1Fen)}
                    </td>
                  ) : null}
                  {rate ? (
                    <td className="num" data-x2={x.x2}>
                      {yuanDays(x.x2)}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr data-testid="risk-rows-sum">
                <th colSpan={5}>{r("sum", { count: d.total })}</th>
                <td className="num" data-fen={s.amountFen}>
                  {money(s.amountFen)}
                </td>
                {rate || npl ? (
                  <td className="num" data-fen={s.x1Fen}>
                    {money(s.x1Fen)}
                  </td>
                ) : null}
                {rate ? <td className="num">{yuanDays(s.x2)}</td> : null}
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <Pager
        page={d.page}
        pages={d.pages}
        total={d.total}
        href={(p) => `/report/risk${withParam(search, "page", p)}`}
      />
    </div>
  );
}
