import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatMoney } from "../domain/money";

export interface DashboardCardView {
  key: string;
  value: number;
  href: string;
  tone?: "todo" | "money";
}

/** The role's own figures: what is waiting, what it holds; each links to the rows it counts. */
export function DashboardCards({ cards }: { cards: DashboardCardView[] }) {
  const { t, i18n } = useTranslation();
  if (cards.length === 0) return null;
  return (
    <section
      className="grid grid-4"
      aria-label={t("dashboard.yourWork")}
      data-testid="dashboard-cards"
    >
      {cards.map((c) => (
        <Link
          key={c.key}
          to={c.href}
          className={`card stat dash-card${c.tone === "todo" && c.value > 0 ? " dash-card-todo" : ""}`}
          data-testid={`card-${c.key}`}
        >
          <div className="label">{t(`dashboard.cards.${c.key}`)}</div>
          <div className="value">
            {c.tone === "money" ? formatMoney(c.value, i18n.language) : c.value}
          </div>
        </Link>
      ))}
    </section>
  );
}
