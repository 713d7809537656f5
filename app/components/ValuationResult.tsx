import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { industryName } from "../domain/industry";
import { FEN_PER_WAN, formatBp, formatMoney } from "../domain/money";
import type {
  IndicativeValuation,
  RoyaltyRange,
  ValuationInputName,
  ValuationReason,
  ValuationWarning,
} from "../domain/valuation";
import { formatYears } from "./assets";
import { SensitivityChart } from "./SensitivityChart";

/** An input of the valuation in its own unit (fen of revenue, bp of a rate, years of life). */
export function inputValueText(input: ValuationInputName, value: number, locale: string): string {
  switch (input) {
    case "revenue":
      return formatMoney(Math.round(value), locale);
    case "economic_life":
      return formatYears(value, locale);
    default:
      return formatBp(value, 2, { trim: true });
  }
}

export function reasonText(t: TFunction, locale: string, r: ValuationReason): string {
  const key = `assets:valuation.reasons.${r.code}`;
  const label = (input: ValuationInputName) => t(`assets:valuation.inputs.${input}`);
  switch (r.code) {
    case "expired":
      return t(key, { expiry: r.expiry });
    case "default_used":
      return t(key, {
        input: label(r.input),
        industry: industryName(r.industry, locale),
        value: inputValueText(r.input, r.value, locale),
      });
    case "high_tech_tax":
      return t(key, { tax: formatBp(r.taxRateBp, 2, { trim: true }) });
    case "life_capped_by_legal_term":
      return t(key, {
        life: formatYears(r.economicLifeYears, locale),
        legal: formatYears(r.legalRemainingYears, locale),
      });
    case "life_capped_by_forecast":
      return t(key, { years: r.forecastYears });
    case "partial_final_year":
      return t(key, { year: r.year, percent: `${(r.fraction * 100).toFixed(1)}%` });
    case "renewal_assumed":
      return t(key, { life: formatYears(r.economicLifeYears, locale) });
    case "well_known_uplift":
      return t(key, {
        base: formatBp(r.baseRoyaltyRateBp, 2, { trim: true }),
        rate: formatBp(r.royaltyRateBp, 2, { trim: true }),
      });
    case "pvd":
      return t(key, {
        lvd: r.lvd,
        tvd: r.tvd,
        evd: r.evd,
        pvd: r.pvd,
        multiplier: r.multiplier.toFixed(3),
      });
    case "pvd_strength":
    case "pvd_weakness":
      return t(key, {
        indicator: t(`assets:valuation.indicators.${r.indicator}`),
        score: Math.round(r.score),
      });
    case "spread":
      return t(key, {
        royalty: formatBp(r.royaltyShiftBp, 2, { trim: true }),
        discount: r.discountShiftBp / 100,
      });
    case "most_sensitive":
      return t(key, { input: label(r.input), swing: formatMoney(r.swingFen, locale) });
    default:
      return t(key);
  }
}

/** Low / central / high, the explanation, the sensitivity table and chart, the DCF schedule. */
export interface ValuationHonesty {
  range: RoyaltyRange;
  firmAnnualRevenueFen: number | null;
  warnings: ValuationWarning[];
}

function warningText(t: TFunction, locale: string, w: ValuationWarning): string {
  const key = `assets:valuation.honesty.warnings.${w.code}`;
  switch (w.code) {
    case "revenue_exceeds_firm":
      return t(key, {
        revenue: formatMoney(w.revenueFen, locale),
        firm: formatMoney(w.firmRevenueFen, locale),
      });
    case "royalty_outside_range":
      return t(key, {
        rate: formatBp(w.royaltyRateBp, 2, { trim: true }),
        low: formatBp(w.lowBp, 2, { trim: true }),
        high: formatBp(w.highBp, 2, { trim: true }),
      });
    default:
      return t(key);
  }
}

/** The royalty's range and source, the warnings, and every assumption the owner made. */
export function HonestyPanel({
  result,
  honesty,
}: {
  result: IndicativeValuation;
  honesty: ValuationHonesty;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const inputs = result.inputs;
  const pct = (bp: number) => formatBp(bp, 2, { trim: true });
  const source = (input: ValuationInputName) =>
    inputs.defaulted.includes(input)
      ? t("assets:valuation.honesty.fromDefault")
      : t("assets:valuation.honesty.fromOwner");
  const year1 =
    inputs.revenue.kind === "growth"
      ? inputs.revenue.year1RevenueFen
      : (inputs.revenue.revenueFenByYear[0] ?? 0);
  const rows: [string, string, string][] = [
    [
      t("assets:valuation.inputs.revenue"),
      formatMoney(Math.round(year1), lang),
      t("assets:valuation.honesty.fromOwner"),
    ],
    [
      t("assets:valuation.inputs.firm_revenue"),
      honesty.firmAnnualRevenueFen === null
        ? t("assets:valuation.honesty.notStated")
        : formatMoney(honesty.firmAnnualRevenueFen, lang),
      t("assets:valuation.honesty.fromOwner"),
    ],
    [t("assets:valuation.inputs.growth"), pct(inputs.growthBp), source("growth")],
    [t("assets:valuation.inputs.royalty"), pct(inputs.royaltyRateBp), source("royalty")],
    [
      t("assets:valuation.inputs.discount_rate"),
      pct(inputs.discountRateBp),
      source("discount_rate"),
    ],
    [t("assets:valuation.inputs.tax"), pct(inputs.taxRateBp), source("tax")],
    [
      t("assets:valuation.inputs.attribution_share"),
      pct(inputs.attributionShareBp),
      source("attribution_share"),
    ],
    [
      t("assets:valuation.inputs.economic_life"),
      t("assets:valuation.years", { n: formatYears(inputs.economicLifeYears, lang) }),
      source("economic_life"),
    ],
  ];
  return (
    <div className="grid" style={{ gap: "0.75rem" }}>
      <p style={{ margin: 0 }} data-testid="royalty-range">
        {t("assets:valuation.honesty.royaltyUsed", {
          rate: pct(inputs.royaltyRateBp),
          low: pct(honesty.range.lowBp),
          high: pct(honesty.range.highBp),
          source: t(`assets:valuation.honesty.sources.${honesty.range.source}`),
        })}
      </p>
      {honesty.warnings.length > 0 ? (
        <ul
          className="notice"
          style={{ margin: 0, paddingLeft: "1.5rem" }}
          role="status"
          data-testid="valuation-warnings"
        >
          {honesty.warnings.map((w) => (
            <li key={w.code} data-testid={`warning-${w.code}`}>
              {warningText(t, lang, w)}
            </li>
          ))}
        </ul>
      ) : null}
      <div>
        <h3>{t("assets:valuation.honesty.assumptionsTitle")}</h3>
        <table className="data" data-testid="owner-assumptions">
          <tbody>
            {rows.map(([label, value, from]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className="num">{value}</td>
                <td className="muted">{from}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function ValuationResultView({
  result,
  id,
  valuationDate,
  honesty,
}: {
  result: IndicativeValuation;
  id: number;
  valuationDate: string;
  honesty?: ValuationHonesty | null;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const toWan = (fen: number) => Math.round((fen / FEN_PER_WAN) * 100) / 100;
  return (
    <section
      className="card grid valuation-result"
      id="result"
      data-testid="valuation-result"
      style={{ gap: "1rem" }}
    >
      <div>
        <h2 style={{ margin: 0 }}>{t("assets:valuation.resultTitle")}</h2>
        <p className="muted" style={{ margin: 0 }}>
          {t("assets:valuation.resultAsOf", { date: valuationDate, id })}
        </p>
      </div>
      <div className="grid grid-3">
        <div className="stat">
          <div className="label">{t("assets:valuation.low")}</div>
          <div className="value" data-testid="value-low">
            {money(result.lowFen)}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("assets:valuation.central")}</div>
          <div className="value" data-testid="value-central" style={{ color: "var(--brand)" }}>
            {money(result.centralFen)}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("assets:valuation.high")}</div>
          <div className="value" data-testid="value-high">
            {money(result.highFen)}
          </div>
        </div>
      </div>
      <p className="muted" style={{ margin: 0 }}>
        {t("assets:valuation.rangeNote")}
      </p>
      {honesty ? <HonestyPanel result={result} honesty={honesty} /> : null}
      {result.pvd ? (
        <p style={{ margin: 0 }}>
          {t("assets:valuation.pvdResult", {
            lvd: result.pvd.lvd,
            tvd: result.pvd.tvd,
            evd: result.pvd.evd,
            pvd: result.pvd.pvd,
            multiplier: result.pvd.multiplier.toFixed(3),
          })}
        </p>
      ) : null}

      <div>
        <h3>{t("assets:valuation.explanation")}</h3>
        <ul data-testid="valuation-explanation">
          {result.explanation.map((r, i) => (
            <li key={i}>{reasonText(t, lang, r)}</li>
          ))}
        </ul>
      </div>

      {result.sensitivity.length > 0 ? (
        <div>
          <h3>{t("assets:valuation.sensitivityTitle")}</h3>
          <table className="data" data-testid="sensitivity-table">
            <thead>
              <tr>
                <th>{t("assets:valuation.sensitivity.input")}</th>
                <th className="num">{t("assets:valuation.sensitivity.minus")}</th>
                <th className="num">{t("assets:valuation.sensitivity.plus")}</th>
                <th className="num">{t("assets:valuation.sensitivity.swing")}</th>
              </tr>
            </thead>
            <tbody>
              {result.sensitivity.map((s) => (
                <tr key={s.input}>
                  <td>{t(`assets:valuation.inputs.${s.input}`)}</td>
                  <td className="num">
                    {money(s.valueAtMinus20Fen)}
                    <div className="muted">{inputValueText(s.input, s.inputAtMinus20, lang)}</div>
                  </td>
                  <td className="num">
                    {money(s.valueAtPlus20Fen)}
                    <div className="muted">{inputValueText(s.input, s.inputAtPlus20, lang)}</div>
                  </td>
                  <td className="num">{money(s.swingFen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t("assets:valuation.chartTitle")}</h3>
          <SensitivityChart
            rows={result.sensitivity.map((s) => ({
              // The unit in brackets is in the table; the axis needs room for the name.
              label: t(`assets:valuation.inputs.${s.input}`).replace(/（[^）]*）|\([^)]*\)/g, ""),
              minus: toWan(s.valueAtMinus20Fen - result.centralFen),
              plus: toWan(s.valueAtPlus20Fen - result.centralFen),
            }))}
            minusLabel={t("assets:valuation.chartMinus")}
            plusLabel={t("assets:valuation.chartPlus")}
            unit={t("common:money.wan")}
          />
        </div>
      ) : null}

      {result.schedule.length > 0 ? (
        <details>
          <summary>{t("assets:valuation.scheduleTitle")}</summary>
          <table className="data">
            <thead>
              <tr>
                <th className="num">{t("assets:valuation.schedule.year")}</th>
                <th className="num">{t("assets:valuation.schedule.fraction")}</th>
                <th className="num">{t("assets:valuation.schedule.revenue")}</th>
                <th className="num">{t("assets:valuation.schedule.cashFlow")}</th>
                <th className="num">{t("assets:valuation.schedule.discount")}</th>
                <th className="num">{t("assets:valuation.schedule.pv")}</th>
              </tr>
            </thead>
            <tbody>
              {result.schedule.map((y) => (
                <tr key={y.year}>
                  <td className="num">{y.year}</td>
                  <td className="num">{(y.fraction * 100).toFixed(1)}%</td>
                  <td className="num">{money(Math.round(y.revenueFen))}</td>
                  <td className="num">{money(Math.round(y.cashFlowFen))}</td>
                  <td className="num">{y.discountFactor.toFixed(4)}</td>
                  <td className="num">{money(Math.round(y.presentValueFen))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}

/**
 * The firm's own figures behind the indicative values a bank sees (issue 10): labelled as the
 * owner's, not an appraiser's, with the full assumptions and warnings per asset.
 */
export function OwnerFiguresSection({
  items,
}: {
  items: {
    assetId: number;
    label: string;
    centralFen: number;
    valuationDate: string;
    result: IndicativeValuation;
    honesty: ValuationHonesty;
  }[];
}) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return null;
  return (
    <section className="card stack" data-testid="owner-figures">
      <h2>{t("assets:valuation.ownerFigures.title")}</h2>
      <p className="notice">{t("assets:valuation.ownerFigures.notAppraised")}</p>
      {items.map((it) => (
        <details key={it.assetId} data-testid="owner-figures-asset" data-asset-id={it.assetId}>
          <summary>
            {t("assets:valuation.ownerFigures.summary", {
              asset: it.label,
              central: formatMoney(it.centralFen, i18n.language),
              date: it.valuationDate,
            })}
          </summary>
          <HonestyPanel result={it.result} honesty={it.honesty} />
        </details>
      ))}
    </section>
  );
}
