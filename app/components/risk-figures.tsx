import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  NPL_SHOWN,
  riskDrillHref,
  type RiskDrillFilter,
  type RiskMeasure,
} from "../domain/risk-sharing/figures";
import { formatBp, formatMoney } from "../domain/money";
import { regionName } from "../domain/regions";
import type { RiskFiguresPage as Figures } from "../models/risk-sharing/figures.server";

/**
 * Risk sharing and 贴息 in figures (docs/domain.md#risk-figures), on /report and
 * /alliance/review. Cards and narrow tables that scroll on a phone. Every figure links to the
 * rows it was summed from (/report/risk) when `drillable`; otherwise it is plain text.
 */
export function RiskFigures({ data, drillable }: { data: Figures; drillable: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const pct = (bp: number | null) => (bp === null ? t("risk:figures.none") : formatBp(bp));
  const times = (bp: number | null) =>
    bp === null ? t("risk:figures.none") : `${(bp / 10_000).toFixed(2)}×`;
  const r = (k: string, o?: Record<string, unknown>) => t(`risk:figures.${k}`, o);
  const fig = (
    measure: RiskMeasure,
    filter: RiskDrillFilter,
    children: ReactNode,
    attrs: { testId?: string; fen?: number; bp?: number | null } = {},
  ) => {
    const common = {
      "data-testid": attrs.testId,
      "data-fen": attrs.fen,
      "data-bp": attrs.bp ?? undefined,
      "data-measure": measure,
    };
    return drillable ? (
      <Link to={riskDrillHref(measure, filter)} {...common}>
        {children}
      </Link>
    ) : (
      <span {...common}>{children}</span>
    );
  };
  const c = data.claims;
  const rec = data.recoveries;
  const er = data.effectiveRate;

  return (
    <section className="report-section card stack" data-testid="risk-figures">
      <h2>{r("title")}</h2>
      <p className="muted">{r("intro")}</p>
      <div className="grid grid-4">
        <div className="stat">
          <div className="label">{r("claimsPaid")}</div>
          <div className="value">
            {fig("claims_paid", {}, money(c.paidFen), {
              testId: "risk-claims-paid",
              fen: c.paidFen,
            })}
          </div>
          <div className="sub">
            {r("claimsPaidHint", {
              pool: money(c.byParty.pool),
              insurer: money(c.byParty.insurer),
              guarantor: money(c.byParty.guarantor),
              bank: money(c.bankRetainedFen),
            })}
          </div>
        </div>
        <div className="stat">
          <div className="label">{r("recovered")}</div>
          <div className="value">
            {fig("recovered", {}, money(rec.recoveredFen), {
              testId: "risk-recovered",
              fen: rec.recoveredFen,
            })}
          </div>
          <div className="sub">
            {r("recoveredHint", {
              pool: money(rec.byParty.pool),
              insurer: money(rec.byParty.insurer),
              guarantor: money(rec.byParty.guarantor),
            })}
          </div>
        </div>
        <div className="stat">
          <div className="label">{r("subsidiesPaid")}</div>
          <div className="value">
            {fig("subsidies", {}, money(data.subsidies.paidFen), {
              testId: "risk-subsidies-paid",
              fen: data.subsidies.paidFen,
            })}
          </div>
          <div className="sub">{r("subsidiesPaidHint", { count: data.subsidies.payouts })}</div>
        </div>
        <div className="stat">
          <div className="label">{r("effectiveRate")}</div>
          <div className="value">
            {fig("effective_rate", {}, pct(er.netBp), {
              testId: "risk-effective-rate",
              bp: er.netBp,
            })}
          </div>
          <div className="sub">
            {r("effectiveRateHint", { gross: pct(er.grossBp), count: er.loans })}
          </div>
        </div>
      </div>

      <h3>{r("poolsTitle")}</h3>
      {data.pools.length === 0 ? (
        <div className="empty">{r("noPools")}</div>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="risk-pools">
            <thead>
              <tr>
                <th>{r("pool")}</th>
                <th className="num">{r("balance")}</th>
                <th className="num">{r("exposure")}</th>
                <th className="num">{r("leverage")}</th>
                <th className="num">{r("usage")}</th>
                <th className="num">{r("claimsPaid")}</th>
                <th className="num">{r("recovered")}</th>
              </tr>
            </thead>
            <tbody>
              {data.pools.map((p) => (
                <tr key={p.id} data-pool={p.id}>
                  <td>{p.name}</td>
                  <td className="num">
                    {fig("pool_balance", { pool: p.id }, money(p.balanceFen), {
                      fen: p.balanceFen,
                    })}
                  </td>
                  <td className="num">
                    {fig("pool_exposure", { pool: p.id }, money(p.exposureFen), {
                      fen: p.exposureFen,
                    })}
                  </td>
                  <td className="num">
                    {times(p.leverageBp)} / {times(p.leverageCapBp)}
                  </td>
                  <td className="num" data-bp={p.usageBp ?? undefined}>
                    {pct(p.usageBp)}
                  </td>
                  <td className="num">
                    {fig("claims_paid", { pool: p.id }, money(p.claimsPaidFen), {
                      fen: p.claimsPaidFen,
                    })}
                  </td>
                  <td className="num">
                    {fig("recovered", { pool: p.id }, money(p.recoveredFen), {
                      fen: p.recoveredFen,
                    })}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th>{r("allPools")}</th>
                <td className="num">
                  {fig("pool_balance", {}, money(data.poolTotals.balanceFen), {
                    fen: data.poolTotals.balanceFen,
                  })}
                </td>
                <td className="num">
                  {fig("pool_exposure", {}, money(data.poolTotals.exposureFen), {
                    fen: data.poolTotals.exposureFen,
                  })}
                </td>
                <td className="num">{times(data.poolTotals.leverageBp)}</td>
                <td className="num">{pct(data.poolTotals.usageBp)}</td>
                <td className="num">{money(c.byParty.pool)}</td>
                <td className="num">{money(rec.byParty.pool)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}

      <div className="grid grid-2">
        <div>
          <h3>{r("byProgrammeTitle")}</h3>
          {data.subsidies.byProgramme.length === 0 ? (
            <div className="empty">{r("noSubsidies")}</div>
          ) : (
            <table className="data" data-testid="risk-subsidies-programmes">
              <thead>
                <tr>
                  <th>{r("programme")}</th>
                  <th className="num">{r("paid")}</th>
                  <th className="num">{r("payouts")}</th>
                </tr>
              </thead>
              <tbody>
                {data.subsidies.byProgramme.map((x) => (
                  <tr key={x.id}>
                    <td>{x.name}</td>
                    <td className="num">
                      {fig("subsidies", { programme: x.id }, money(x.paidFen), { fen: x.paidFen })}
                    </td>
                    <td className="num">{x.payouts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>{r("byRegionTitle")}</h3>
          {data.subsidies.byRegion.length === 0 ? (
            <div className="empty">{r("noSubsidies")}</div>
          ) : (
            <table className="data" data-testid="risk-subsidies-regions">
              <thead>
                <tr>
                  <th>{r("region")}</th>
                  <th className="num">{r("paid")}</th>
                  <th className="num">{r("payouts")}</th>
                </tr>
              </thead>
              <tbody>
                {data.subsidies.byRegion.map((x) => (
                  <tr key={x.code || "none"}>
                    <td>{x.code ? regionName(x.code, lang) : r("unknownRegion")}</td>
                    <td className="num">
                      {x.code
                        ? fig("subsidies", { region: x.code }, money(x.paidFen), {
                            fen: x.paidFen,
                          })
                        : money(x.paidFen)}
                    </td>
                    <td className="num">{x.payouts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>

      <h3>{r("nplTitle")}</h3>
      <p className="muted">{r("nplHint")}</p>
      {data.npl.length === 0 ? (
        <div className="empty">{r("noNpl")}</div>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="risk-npl">
            <thead>
              <tr>
                <th>{r("product")}</th>
                <th className="num">{r("withSharing")}</th>
                <th className="num">{r("withoutSharing")}</th>
              </tr>
            </thead>
            <tbody>
              {data.npl.map((x) => (
                <tr key={x.others ? "others" : x.productId} data-product={x.productId}>
                  <td>
                    {x.others ? (
                      t("alliance:review.otherBanks")
                    ) : (
                      <>
                        {x.productName}
                        <div className="muted">{x.bankName}</div>
                      </>
                    )}
                  </td>
                  {([true, false] as const).map((shared) => {
                    const cell = shared ? x.shared : x.unshared;
                    return (
                      <td className="num" key={String(shared)}>
                        {cell.loans === 0
                          ? r("none")
                          : x.others
                            ? pct(cell.ratioBp)
                            : fig("npl", { product: x.productId, shared }, pct(cell.ratioBp), {
                                bp: cell.ratioBp,
                              })}
                        <div className="muted">{r("loansCount", { count: cell.loans })}</div>
                      </td>
                    );
                  })}
                </tr>
              ))}
              {data.nplRest ? (
                <tr data-testid="risk-npl-rest">
                  <td>{r("nplRest", { count: data.nplRest.products })}</td>
                  {([data.nplRest.shared, data.nplRest.unshared] as const).map((cell, i) => (
                    <td className="num" key={i}>
                      {cell.loans === 0 ? r("none") : pct(cell.ratioBp)}
                      <div className="muted">{r("loansCount", { count: cell.loans })}</div>
                    </td>
                  ))}
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
      {data.nplRest ? (
        <p className="muted">
          {r("nplRestHint", { shown: NPL_SHOWN })} <a href="/report.csv">{r("nplCsv")}</a>
        </p>
      ) : null}
    </section>
  );
}
