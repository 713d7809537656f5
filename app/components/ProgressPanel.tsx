import { Link, useRevalidator, useRouteLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatBp, formatMoney } from "../domain/money";
import type { ProgressSummary } from "../domain/progress";
import { ProgressCharts } from "./ProgressCharts";

/** The running total as the loaders return it (getProgressSummary in app/models/progress.server). */
export type ProgressPanelData = ProgressSummary;

type LiveState = "connecting" | "live" | "polling";

/** Roles that may open the ledger rows behind a figure (scoped to what each may see). */
const ROLES_WITH_ROWS = new Set(["firm", "bank_officer", "alliance", "admin"]);
const FALLBACK_REFRESH_MS = 60_000;

/**
 * Keeps the figure live: an EventSource on /events/progress replaces it whenever a newer total
 * is pushed. If the stream fails (no EventSource, a proxy that drops it), the page falls back to
 * revalidating its loaders every 60 s until the stream is back. Loader data and pushed data are
 * compared by `version` (the number of ledger entries), so an older one never wins.
 */
export function useLiveProgress(initial: ProgressSummary): {
  data: ProgressSummary;
  state: LiveState;
} {
  const [pushed, setPushed] = useState<ProgressSummary | null>(null);
  const [state, setState] = useState<LiveState>("connecting");
  const revalidator = useRevalidator();
  const revalidateRef = useRef(revalidator.revalidate);
  revalidateRef.current = revalidator.revalidate;

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    const startPolling = () => {
      setState("polling");
      timer ??= setInterval(() => revalidateRef.current(), FALLBACK_REFRESH_MS);
    };
    const stopPolling = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
    if (typeof EventSource === "undefined") {
      startPolling();
      return stopPolling;
    }
    const source = new EventSource("/events/progress");
    source.addEventListener("progress", (e) => {
      try {
        setPushed(JSON.parse((e as MessageEvent<string>).data) as ProgressSummary);
        stopPolling();
        setState("live");
      } catch {
        // a malformed message is skipped; the next one replaces it
      }
    });
    // The browser reconnects by itself (retry: 5000); meanwhile the page refreshes by polling.
    source.onerror = () => startPolling();
    return () => {
      source.close();
      stopPolling();
    };
  }, []);

  const data = pushed && pushed.version >= initial.version ? pushed : initial;
  return { data, state };
}

export function ProgressPanel({ data: initial }: { data: ProgressPanelData }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const { data, state } = useLiveProgress(initial);
  const root = useRouteLoaderData("root") as { user?: { role?: string } | null } | undefined;
  const linkRows = ROLES_WITH_ROWS.has(root?.user?.role ?? "");
  const p = data.projection;

  return (
    <section
      className="card"
      data-testid="progress-panel"
      aria-label={t("applications:progress.title")}
    >
      <div style={{ display: "flex", justifyContent: "space-between", gap: "1rem" }}>
        <h2 style={{ margin: 0 }}>{t("applications:progress.title")}</h2>
        <span className="muted" data-testid="live-state" data-state={state}>
          ● {t(`applications:progress.${state}`)}
        </span>
      </div>
      <p className="muted">{t("applications:progress.phase", { name: data.phaseName })}</p>
      {data.passedPhase ? (
        <p className="notice" data-testid="deadline-passed">
          {t(
            data.passedPhase.reached
              ? "applications:progress.deadlinePassedReached"
              : "applications:progress.deadlinePassed",
            {
              name: data.passedPhase.name,
              deadline: data.passedPhase.deadline,
              percent: formatBp(data.passedPhase.progressBp),
              target: money(data.passedPhase.targetFen),
            },
          )}{" "}
          {data.deadlinePassed ? t("applications:progress.noNextPhase") : null}
        </p>
      ) : null}
      <div className="grid grid-4">
        <div className="stat">
          <div className="label">{t("applications:progress.financed")}</div>
          <div className="value" data-testid="financed-total" data-fen={data.financedFen}>
            {linkRows ? (
              <Link to="/ledger">{money(data.financedFen)}</Link>
            ) : (
              money(data.financedFen)
            )}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("applications:progress.target")}</div>
          <div className="value">{money(data.targetFen)}</div>
          <div className="sub">
            {t("applications:progress.deadline")} {data.deadline}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("applications:progress.percent")}</div>
          <div className="value" data-testid="progress-pct">
            {formatBp(data.progressBp)}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("applications:progress.firms")}</div>
          <div className="value" data-testid="firms-financed">
            {t("applications:progress.firmsValue", { count: data.firmsFinanced })}
          </div>
        </div>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={t("applications:progress.percent")}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(100, data.progressBp / 100)}
        style={{ margin: "1rem 0" }}
      >
        <span style={{ width: `${Math.min(100, data.progressBp / 100)}%` }} />
      </div>
      <div className="grid grid-3">
        <div className="stat">
          <div className="label">{t("applications:progress.needed")}</div>
          <div className="value" data-testid="needed-per-month">
            {data.neededPerMonthFen !== null
              ? money(data.neededPerMonthFen)
              : data.remainingFen === 0
                ? t("applications:progress.reachedNeeded")
                : t("applications:progress.passedNeeded")}
          </div>
          {data.neededPerMonthFen !== null ? (
            <div className="sub">
              {t("applications:progress.neededMethod", {
                remaining: money(data.remainingFen),
                months: data.monthsLeft,
              })}
            </div>
          ) : null}
        </div>
        <div className="stat" style={{ gridColumn: "span 2" }}>
          <div className="label">{t("applications:progress.projected")}</div>
          <div className="value" data-testid="projection" data-kind={p.kind}>
            {p.kind === "projected"
              ? t("applications:progress.projectedValue", { month: p.month })
              : p.kind === "reached"
                ? p.month
                  ? t("applications:progress.reached", { month: p.month })
                  : t("applications:progress.reachedNoMonth")
                : t("applications:progress.noPace")}
          </div>
          <div className="sub" data-testid="projection-method">
            {p.kind === "projected"
              ? t("applications:progress.projectedMethod", {
                  from: data.paceFromMonth,
                  to: data.paceToMonth,
                  pace: money(data.paceFen),
                  remaining: money(data.remainingFen),
                  months: p.monthsNeeded,
                })
              : p.kind === "no_pace"
                ? t("applications:progress.noPaceMethod", {
                    from: data.paceFromMonth,
                    to: data.paceToMonth,
                  })
                : null}
          </div>
        </div>
      </div>
      {data.nextPhase ? (
        <p className="muted">
          {t("applications:progress.nextPhase", {
            name: data.nextPhase.name,
            target: money(data.nextPhase.targetFen),
            deadline: data.nextPhase.deadline,
          })}
        </p>
      ) : null}
      <ProgressCharts data={data} linkRows={linkRows} />
    </section>
  );
}
