import { useTranslation } from "react-i18next";
import type { CohortStep } from "../domain/analytics";
import { formatBp, formatMoney } from "../domain/money";

/**
 * The cohort funnel of the alliance review (app/domain/analytics/cohort.ts): the requests created
 * in the period followed through their own later steps, so no stage exceeds the one before.
 */
export function CohortFunnel({
  steps,
  bankFiltered,
}: {
  steps: CohortStep[];
  bankFiltered: boolean;
}) {
  const { t, i18n } = useTranslation();
  const max = Math.max(1, ...steps.map((s) => s.count));
  return (
    <section className="card" data-testid="cohort-funnel">
      <h2 style={{ marginTop: 0 }}>{t("alliance:review.cohortTitle")}</h2>
      <p className="muted" data-testid="cohort-explain">
        {t("alliance:review.cohortExplain")}
      </p>
      <div className="table-scroll">
        <table className="data">
          <thead>
            <tr>
              <th>{t("alliance:review.stage")}</th>
              <th className="num">{t("alliance:review.cohortCount")}</th>
              <th className="num">{t("alliance:review.cohortOfPrevious")}</th>
              <th className="num">{t("alliance:review.cohortAmount")}</th>
              <th aria-hidden="true" />
            </tr>
          </thead>
          <tbody>
            {steps.map((s) => (
              <tr key={s.stage} data-stage={s.stage}>
                <td>{t(`alliance:stages.${s.stage}`)}</td>
                <td className="num" data-testid={`cohort-count-${s.stage}`}>
                  {s.count}
                </td>
                <td className="num">{s.ofPreviousBp === null ? "—" : formatBp(s.ofPreviousBp)}</td>
                <td className="num" data-fen={s.amountFen}>
                  {formatMoney(s.amountFen, i18n.language)}
                </td>
                <td style={{ width: "25%" }}>
                  <div className="funnel-bar">
                    <span style={{ width: `${(100 * s.count) / max}%` }} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {bankFiltered ? <p className="muted">{t("alliance:review.cohortBankNote")}</p> : null}
    </section>
  );
}
