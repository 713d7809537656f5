import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { describeDuration, type DrillStage } from "../domain/analytics";
import { FIRM_FLAGS, INDUSTRY_SECTIONS, industryName } from "../domain/industry";
import { IP_TYPES, ipTypeLabel } from "../domain/ip";
import { formatBp, formatMoney } from "../domain/money";
import { regionName } from "../domain/regions";
import { formatInstant } from "../domain/dates";
import { reviewForViewer } from "../models/review-snapshots.server";
import {
  riskFiguresForBankOfficer,
  riskFiguresForPage,
} from "../models/risk-sharing/figures.server";
import { getCurrentRiskFigures } from "../models/risk-sharing/figures-cache.server";
import { RiskFigures } from "../components/risk-figures";
import { can } from "../domain/permissions";
import { UserFacingError } from "../models/errors";
import allianceStyles from "../styles/alliance.css";
import {
  OTHER_BANKS,
  parseReviewQuery,
  reviewSearch,
  type ReviewFilters,
} from "../utils/alliance-filters";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { translateMessage } from "../utils/messages";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";
import { RegionOptions } from "../components/RegionOptions";
import { CohortFunnel } from "../components/CohortFunnel";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "review.view");
  const q = parseReviewQuery(new URL(request.url).searchParams, todayInChina());
  try {
    const [view, risk] = await Promise.all([
      withDb(reviewForViewer, { role: user.role, orgId: user.org_id }, q.filters),
      withDb(getCurrentRiskFigures),
    ]);
    // The figures are the public report's; their loan-level rows only for who may see those.
    return {
      review: view.review,
      // Stored figures say when they were computed (decision 025); live ones need not.
      asOf: view.live ? null : view.computedAt,
      refreshing: view.refreshing,
      errors: q.errors,
      // A bank officer sees other banks' products only combined, like the review's other tables.
      risk: riskFiguresForPage(
        user.role === "bank_officer" && user.org_id !== null
          ? riskFiguresForBankOfficer(risk, user.org_id)
          : risk,
      ),
      riskDrillable: can(user, "report.loans"),
    };
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) {
      throw new Response("Not Found", { status: 404 });
    }
    throw e;
  }
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: allianceStyles }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "alliance:titles.review");

const FLAG_LABEL: Record<(typeof FIRM_FLAGS)[number], string> = {
  high_tech: "alliance:profile.flagHighTech",
  specialised: "alliance:profile.flagSpecialised",
  tech_sme: "alliance:profile.flagTechSme",
};

type Extra = Parameters<typeof reviewSearch>[1];

export default function AllianceReview() {
  const { review, asOf, refreshing, errors, risk, riskDrillable } = useLoaderData<typeof loader>();
  const location = useLocation();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const f = review.filters as ReviewFilters;
  const officer = review.ownBank !== null;
  // A bank officer drills down only into their own bank's figures.
  const drillable = !officer || f.bank === review.ownBank?.id;
  const money = (fen: number) => formatMoney(fen, lang);
  const rate = (bp: number | null) => (bp === null ? t("alliance:review.none") : formatBp(bp));
  const drill = (stage: DrillStage, extra: Extra = {}) =>
    `/alliance/review/applications?${reviewSearch(f, { ...extra, stage })}`;
  const csv = (table: string) => `/alliance/review.csv?${reviewSearch(f)}&table=${table}`;
  /** A figure, linked to the applications behind it where this viewer may open them. */
  const fig = (stage: DrillStage, children: ReactNode, extra?: Extra, testId?: string) =>
    drillable ? (
      <Link to={drill(stage, extra)} data-testid={testId}>
        {children}
      </Link>
    ) : (
      <span data-testid={testId}>{children}</span>
    );
  const maxCount = Math.max(1, ...review.funnel.map((s) => s.count));
  const bankLabel = (key: number | "others", name: string) =>
    key === OTHER_BANKS ? t("alliance:review.otherBanks") : name;
  const nothing =
    review.funnel.every((s) => s.count === 0) && review.durations.every((d) => d.count === 0);

  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <div>
        <h1>{t("alliance:review.title")}</h1>
        <p className="muted">{t("alliance:review.intro")}</p>
        {asOf !== null ? (
          <p className="muted" data-testid="review-as-of">
            {t("alliance:review.asOf", { at: formatInstant(asOf, "second") })}
            {refreshing ? (
              <>
                {" "}
                {t("alliance:review.refreshing")}{" "}
                <Link to={location.pathname + location.search}>{t("alliance:review.reload")}</Link>
              </>
            ) : null}
          </p>
        ) : null}
        {officer ? (
          <p className="notice" data-testid="officer-note">
            {t("alliance:review.officerNote")}
          </p>
        ) : null}
      </div>

      <Form method="get" className="card filters" aria-label={t("alliance:review.filters")}>
        <div className="field">
          <label htmlFor="f-from">{t("alliance:review.from")}</label>
          <input
            id="f-from"
            name="from"
            type="date"
            defaultValue={f.from}
            aria-invalid={errors.from ? true : undefined}
          />
          {errors.from ? <div className="error">{t(errors.from)}</div> : null}
        </div>
        <div className="field">
          <label htmlFor="f-to">{t("alliance:review.to")}</label>
          <input
            id="f-to"
            name="to"
            type="date"
            defaultValue={f.to}
            aria-invalid={errors.to ? true : undefined}
          />
          {errors.to ? <div className="error">{t(errors.to)}</div> : null}
        </div>
        <div className="field">
          <label htmlFor="f-region">{t("alliance:review.region")}</label>
          <select id="f-region" name="region" defaultValue={f.region ?? ""}>
            <RegionOptions anyLabel={t("alliance:review.all")} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-bank">{t("alliance:review.bank")}</label>
          <select id="f-bank" name="bank" defaultValue={f.bank === null ? "" : String(f.bank)}>
            <option value="">{t("alliance:review.all")}</option>
            {officer ? (
              <>
                <option value={review.ownBank!.id}>
                  {t("alliance:review.ownBank", { name: review.ownBank!.name })}
                </option>
                <option value={OTHER_BANKS}>{t("alliance:review.otherBanks")}</option>
              </>
            ) : (
              review.banks.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))
            )}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-ip">{t("alliance:review.ipType")}</label>
          <select id="f-ip" name="ipType" defaultValue={f.ipType ?? ""}>
            <option value="">{t("alliance:review.all")}</option>
            {IP_TYPES.map((ip) => (
              <option key={ip} value={ip}>
                {ipTypeLabel(t, ip)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-industry">{t("alliance:review.industry")}</label>
          <select id="f-industry" name="industry" defaultValue={f.industry ?? ""}>
            <option value="">{t("alliance:review.all")}</option>
            {INDUSTRY_SECTIONS.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} · {industryName(s.code, lang)}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field flags">
          <legend>{t("alliance:review.flags")}</legend>
          <div className="checks">
            {FIRM_FLAGS.map((flag) => (
              <label key={flag}>
                <input
                  type="checkbox"
                  name="flag"
                  value={flag}
                  defaultChecked={f.flags.includes(flag)}
                />
                {t(FLAG_LABEL[flag])}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button-primary" data-testid="apply-filters">
            {t("alliance:review.apply")}
          </button>
          <Link to="/alliance/review">{t("alliance:review.reset")}</Link>
        </div>
      </Form>

      <p className="muted" data-testid="review-period">
        {t("alliance:review.period", { from: f.from, to: f.to })}
      </p>
      {nothing ? <div className="empty">{t("alliance:review.empty")}</div> : null}
      {officer && !drillable ? <p className="muted">{t("alliance:review.drillOwnOnly")}</p> : null}

      <section className="card" data-testid="funnel">
        <SectionHead
          title={t("alliance:review.funnelTitle")}
          csvHref={csv("funnel")}
          testId="csv-funnel"
        />
        <p className="muted" data-testid="funnel-explain">
          {t("alliance:review.funnelExplain")}
        </p>
        <div className="table-scroll">
          <table className="data">
            <thead>
              <tr>
                <th>{t("alliance:review.stage")}</th>
                <th className="num">{t("alliance:review.count")}</th>
                <th className="num">{t("alliance:review.amount")}</th>
                <th aria-hidden="true" />
              </tr>
            </thead>
            <tbody>
              {review.funnel.map((s) => (
                <tr key={s.stage} data-stage={s.stage}>
                  <td>{t(`alliance:stages.${s.stage}`)}</td>
                  {s.applicable ? (
                    <>
                      <td className="num">
                        {fig(s.stage, s.count, undefined, `funnel-count-${s.stage}`)}
                      </td>
                      <td
                        className="num"
                        data-fen={s.amountFen}
                        data-testid={`funnel-amount-${s.stage}`}
                      >
                        {money(s.amountFen)}
                      </td>
                    </>
                  ) : (
                    <td className="num muted" colSpan={2}>
                      {t("alliance:review.notApplicable")}
                    </td>
                  )}
                  <td style={{ width: "30%" }}>
                    <div className="funnel-bar">
                      <span style={{ width: `${(100 * s.count) / maxCount}%` }} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {f.bank !== null ? <p className="muted">{t("alliance:review.requestsNoBank")}</p> : null}
      </section>

      <CohortFunnel steps={review.cohort} bankFiltered={f.bank !== null} />

      <section className="card">
        <h2 style={{ marginTop: 0 }}>{t("alliance:review.ratesTitle")}</h2>
        <div className="grid grid-4">
          <div className="stat">
            <div className="label">{t("alliance:review.approvalRate")}</div>
            <div className="value" data-testid="approval-rate">
              {fig("decided", rate(review.totals.approvalRateBp))}
            </div>
            <div className="sub">{t("alliance:review.approvalRateHint")}</div>
          </div>
          <div className="stat">
            <div className="label">{t("alliance:review.avgApprovedRate")}</div>
            <div className="value">{fig("approved", rate(review.totals.avgApprovedRateBp))}</div>
            <div className="sub">{t("alliance:review.avgApprovedRateHint")}</div>
          </div>
          <div className="stat">
            <div className="label">{t("alliance:review.defaultRate")}</div>
            <div className="value" data-testid="default-rate">
              {fig("defaulted", rate(review.totals.defaultRateBp))}
            </div>
            <div className="sub">{t("alliance:review.defaultRateHint")}</div>
          </div>
          <div className="stat">
            <div className="label">{t("alliance:review.defaultRateByAmount")}</div>
            <div className="value">
              {fig("defaulted", rate(review.totals.defaultRateByAmountBp))}
            </div>
            <div className="sub">{t("alliance:review.defaultRateHint")}</div>
          </div>
        </div>
      </section>

      <section className="card">
        <SectionHead title={t("alliance:review.durationsTitle")} csvHref={csv("durations")} />
        <p className="muted">{t("alliance:review.durationsHint")}</p>
        <table className="data" data-testid="durations">
          <thead>
            <tr>
              <th>{t("alliance:review.span")}</th>
              <th className="num">{t("alliance:review.measured")}</th>
              <th className="num">{t("alliance:review.median")}</th>
              <th className="num">{t("alliance:review.p90")}</th>
            </tr>
          </thead>
          <tbody>
            {review.durations.map((d) => (
              <tr key={d.key}>
                <td>{t(`alliance:stages.${d.key}`)}</td>
                <td className="num">{fig(d.key, d.count)}</td>
                <td className="num">{translateMessage(t, describeDuration(d.medianMs), lang)}</td>
                <td className="num">{translateMessage(t, describeDuration(d.p90Ms), lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card">
        <SectionHead
          title={t("alliance:review.banksTitle")}
          csvHref={csv("banks")}
          testId="csv-banks"
        />
        <div className="table-scroll">
          <table className="data" data-testid="banks">
            <thead>
              <tr>
                <th>{t("alliance:review.bank")}</th>
                <th className="num">{t("alliance:review.submitted")}</th>
                <th className="num">{t("alliance:review.decided")}</th>
                <th className="num">{t("alliance:review.approved")}</th>
                <th className="num">{t("alliance:review.approvalRate")}</th>
                <th className="num">{t("alliance:review.avgApprovedRate")}</th>
                <th className="num">{t("alliance:review.disbursed")}</th>
                <th className="num">{t("alliance:review.disbursedAmount")}</th>
              </tr>
            </thead>
            <tbody>
              {review.byBank.map((b) => {
                // Officers drill only into their own bank's row.
                const canDrill = !officer || b.key === review.ownBank?.id;
                const extra = { bank: b.key };
                const cell = (stage: DrillStage, value: ReactNode) =>
                  canDrill ? (
                    <Link
                      to={`/alliance/review/applications?${reviewSearch(f, { ...extra, stage })}`}
                    >
                      {value}
                    </Link>
                  ) : (
                    value
                  );
                return (
                  <tr key={String(b.key)} data-bank={String(b.key)}>
                    <td>{bankLabel(b.key, b.name)}</td>
                    <td className="num">{cell("submitted", b.submitted.count)}</td>
                    <td className="num">{cell("decided", b.decided.count)}</td>
                    <td className="num">{cell("approved", b.approved.count)}</td>
                    <td className="num">{rate(b.approvalRateBp)}</td>
                    <td className="num">{rate(b.avgApprovedRateBp)}</td>
                    <td className="num" data-testid={`bank-disbursed-${String(b.key)}`}>
                      {cell("disbursed", b.disbursed.count)}
                    </td>
                    <td className="num" data-fen={b.disbursed.amountFen}>
                      {money(b.disbursed.amountFen)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card">
        <SectionHead title={t("alliance:review.ipTypesTitle")} csvHref={csv("ipTypes")} />
        <p className="muted">{t("alliance:review.ipTypesHint")}</p>
        <div className="table-scroll">
          <table className="data" data-testid="ip-types">
            <thead>
              <tr>
                <th>{t("alliance:review.ipType")}</th>
                <th className="num">{t("alliance:review.approved")}</th>
                <th className="num">{t("alliance:review.approvedAmount")}</th>
                <th className="num">{t("alliance:review.pledgedAssets")}</th>
                <th className="num">{t("alliance:review.pledgedValue")}</th>
                <th className="num">{t("alliance:review.pledgeRateCap")}</th>
                <th className="num">{t("alliance:review.effectivePledgeRate")}</th>
                <th className="num">{t("alliance:review.disbursed")}</th>
                <th className="num">{t("alliance:review.disbursedAmount")}</th>
              </tr>
            </thead>
            <tbody>
              {review.byIpType.map((x) => (
                <tr key={x.ipType}>
                  <td>{ipTypeLabel(t, x.ipType)}</td>
                  <td className="num">{fig("approved", x.approved.count, { ipType: x.ipType })}</td>
                  <td className="num">{money(x.approved.amountFen)}</td>
                  <td className="num">{x.pledgedAssets}</td>
                  <td className="num">{money(x.pledgedValueFen)}</td>
                  <td className="num">{rate(x.avgPledgeRateCapBp)}</td>
                  <td className="num">{rate(x.effectivePledgeRateBp)}</td>
                  <td className="num">
                    {fig("disbursed", x.disbursed.count, { ipType: x.ipType })}
                  </td>
                  <td className="num">{money(x.disbursed.amountFen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card">
        <SectionHead title={t("alliance:review.regionsTitle")} csvHref={csv("regions")} />
        <div className="table-scroll">
          <table className="data" data-testid="regions">
            <thead>
              <tr>
                <th>{t("alliance:review.region")}</th>
                <th className="num">{t("alliance:review.submitted")}</th>
                <th className="num">{t("alliance:review.approved")}</th>
                <th className="num">{t("alliance:review.approvalRate")}</th>
                <th className="num">{t("alliance:review.disbursed")}</th>
                <th className="num">{t("alliance:review.disbursedAmount")}</th>
                <th className="num">{t("alliance:review.defaultRate")}</th>
              </tr>
            </thead>
            <tbody>
              {review.byRegion.map((r) => (
                <tr key={r.code}>
                  <td>{regionName(r.code, lang)}</td>
                  <td className="num">{fig("submitted", r.submitted.count, { region: r.code })}</td>
                  <td className="num">{fig("approved", r.approved.count, { region: r.code })}</td>
                  <td className="num">{rate(r.approvalRateBp)}</td>
                  <td className="num">{fig("disbursed", r.disbursed.count, { region: r.code })}</td>
                  <td className="num">{money(r.disbursed.amountFen)}</td>
                  <td className="num">{rate(r.defaultRateBp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card">
        <SectionHead title={t("alliance:review.supportTitle")} csvHref={csv("support")} />
        <p className="muted">{t("alliance:review.supportHint")}</p>
        <table className="data" data-testid="support">
          <thead>
            <tr>
              <th>{t("alliance:review.supportKind")}</th>
              <th className="num">{t("alliance:review.count")}</th>
              <th className="num">{t("alliance:review.amount")}</th>
              <th className="num">{t("alliance:review.share")}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{t("alliance:stages.disbursed")}</td>
              <td className="num">{fig("disbursed", review.support.disbursed.count)}</td>
              <td className="num">{money(review.support.disbursed.amountFen)}</td>
              <td className="num">{review.support.disbursed.count ? "100.00%" : "—"}</td>
            </tr>
            {review.support.kinds.map((k) => (
              <tr key={k.kind}>
                <td>{t(`alliance:stages.${k.kind}`)}</td>
                <td className="num">{fig(k.kind, k.count)}</td>
                <td className="num">{money(k.amountFen)}</td>
                <td className="num">{rate(k.shareOfDisbursedBp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          {t("alliance:review.avgSubsidy")}: {rate(review.support.avgInterestSubsidyBp)} ·{" "}
          {t("alliance:review.avgRiskShared")}: {rate(review.support.avgRiskSharedBp)}
        </p>
      </section>

      <RiskFigures data={risk} drillable={riskDrillable} />
    </div>
  );
}

/** A table's heading with its CSV download link. */
function SectionHead({
  title,
  csvHref,
  testId,
}: {
  title: string;
  csvHref: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="section-head">
      <h2>{title}</h2>
      <a href={csvHref} download data-testid={testId}>
        {t("alliance:review.downloadCsv")}
      </a>
    </div>
  );
}
