import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { LoanPath } from "../domain/loan-path";

/**
 * The firm's path to a loan (app/domain/loan-path.ts): every step done or not, each linking to
 * where it is done, and the next one as the single button.
 */
export function LoanPathChecklist({ path }: { path: LoanPath }) {
  const { t } = useTranslation();
  return (
    <section className="card loan-path" aria-labelledby="loan-path-title" data-testid="loan-path">
      <h2 id="loan-path-title">{t("dashboard.path.title")}</h2>
      <p className="muted">
        {t("dashboard.path.progress", { done: path.doneCount, total: path.items.length })}
      </p>
      <ol className="loan-path-steps">
        {path.items.map((item) => {
          const isNext = path.next?.step === item.step;
          return (
            <li
              key={item.step}
              className={`loan-path-step${item.done ? " is-done" : ""}${isNext ? " is-next" : ""}`}
              data-testid={`path-${item.step}`}
              data-done={item.done ? "1" : "0"}
            >
              <span className="loan-path-mark" aria-hidden="true">
                {item.done ? "✓" : isNext ? "→" : "○"}
              </span>
              <Link to={item.href}>{t(`dashboard.path.steps.${item.step}`)}</Link>
              <span className="visually-hidden">
                {item.done ? t("dashboard.path.done") : t("dashboard.path.notDone")}
              </span>
            </li>
          );
        })}
      </ol>
      {path.next ? (
        <p>
          <Link to={path.next.href} className="button button-primary" data-testid="loan-path-next">
            {t(`dashboard.path.actions.${path.next.step}`)}
          </Link>
        </p>
      ) : (
        <p data-testid="loan-path-complete">{t("dashboard.path.complete")}</p>
      )}
    </section>
  );
}
