import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ProgressPanel, type ProgressPanelData } from "./ProgressPanel";

/** The common top of every role's landing page: who you are, and the running total. */
export function DashboardFrame({
  titleKey,
  user,
  progress,
  children,
}: {
  titleKey: string;
  user: { displayName: string; orgName: string };
  progress: ProgressPanelData;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <div>
        <h1 data-testid="dashboard-title">{t(titleKey)}</h1>
        <p className="muted">
          {t("dashboard.welcome", { name: user.displayName })} ·{" "}
          {t("dashboard.org", { org: user.orgName })}
        </p>
      </div>
      {children}
      <ProgressPanel data={progress} />
    </div>
  );
}
