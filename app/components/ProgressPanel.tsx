import { useTranslation } from "react-i18next";
import { formatMoney } from "../domain/money";

export interface ProgressPanelData {
  targetFen: number;
  deadline: string;
  financedFen: number;
  progressBp: number;
  firmsFinanced?: number | null;
}

export function ProgressPanel({ data }: { data: ProgressPanelData }) {
  const { t, i18n } = useTranslation();
  const pct = (data.progressBp / 100).toFixed(2);
  return (
    <section
      className="card"
      data-testid="progress-panel"
      aria-label={t("dashboard.progressTitle")}
    >
      <div className="grid grid-4">
        <div className="stat">
          <div className="label">{t("home.financed")}</div>
          <div className="value" data-testid="financed-total" data-fen={data.financedFen}>
            {formatMoney(data.financedFen, i18n.language)}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("home.target")}</div>
          <div className="value">{formatMoney(data.targetFen, i18n.language)}</div>
        </div>
        <div className="stat">
          <div className="label">{t("home.progress")}</div>
          <div className="value" data-testid="progress-pct">
            {pct}%
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("home.deadline")}</div>
          <div className="value">{data.deadline}</div>
        </div>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Number(pct)}
        style={{ marginTop: "1rem" }}
      >
        <span style={{ width: `${Math.min(100, data.progressBp / 100)}%` }} />
      </div>
    </section>
  );
}
