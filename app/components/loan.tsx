import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { RiskClassCode } from "../../db/schema";
import { formatBp, formatMoney, formatMoneyExact } from "../domain/money";
import type { InstalmentPosition, LoanPosition } from "../domain/servicing/position";
import { Pager } from "./Pager";
import { Money } from "./Money";

/**
 * The loan pages' shared pieces (docs/domain.md#servicing): the list both sides see, the position
 * in figures, the schedule and the repayment entries. The schedule and entries show every fen: a
 * repayment schedule is a contract, not a chart.
 */

export function RiskClassBadge({ riskClass }: { riskClass: RiskClassCode }) {
  const { t } = useTranslation();
  const tone =
    riskClass === "normal"
      ? "badge-ok"
      : riskClass === "special_mention"
        ? "badge-warn"
        : "badge-err";
  return (
    <span className={`badge ${tone}`} data-testid="risk-class">
      {t(`servicing:classes.${riskClass}`)}
    </span>
  );
}

export interface LoanListRowView {
  applicationId: number;
  firmName: string;
  bankName: string;
  productName: string;
  principalFen: number;
  outstandingFen: number;
  maturityDate: string;
  status: string;
  daysPastDue: number;
  riskClass: RiskClassCode;
}

export function LoanList({
  side,
  rows,
  tabs,
  counts,
  tab,
  page,
  pages,
  total,
}: {
  side: "bank" | "firm";
  rows: LoanListRowView[];
  tabs: readonly string[];
  counts: Record<string, number>;
  tab: string;
  page: number;
  pages: number;
  total: number;
}) {
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t(`servicing:list.${side}Title`)}</h1>
      <nav className="checks" aria-label={t("servicing:list.tabs")} data-testid="loan-tabs">
        {tabs.map((k) => (
          <Link
            key={k}
            to={`?tab=${k}`}
            className={k === tab ? "badge badge-ok" : "badge"}
            aria-current={k === tab ? "page" : undefined}
          >
            {t(`servicing:list.tab.${k}`)} ({counts[k] ?? 0})
          </Link>
        ))}
      </nav>
      {rows.length === 0 ? (
        <div className="empty" data-testid="loans-empty">
          <p>{t(`servicing:list.${side}Empty`)}</p>
          <Link
            to={
              side === "firm" ? "/firm/applications" : "/bank/applications?state=pledge_registered"
            }
            className="button"
            data-testid="empty-next"
          >
            {t(`servicing:list.${side}EmptyNext`)}
          </Link>
        </div>
      ) : (
        <table className="data" data-testid="loans">
          <thead>
            <tr>
              <th>{t("servicing:page.loan")}</th>
              <th>{side === "bank" ? t("servicing:list.firm") : t("servicing:list.bank")}</th>
              <th className="num">{t("servicing:list.principal")}</th>
              <th className="num">{t("servicing:page.outstanding")}</th>
              <th className="num">{t("servicing:page.daysPastDue")}</th>
              <th>{t("servicing:page.riskClass")}</th>
              <th>{t("servicing:list.maturity")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.applicationId}>
                <td>
                  <Link to={`/${side}/loans/${r.applicationId}`}>#{r.applicationId}</Link>
                  <div className="muted">{r.productName}</div>
                </td>
                <td>{side === "bank" ? r.firmName : r.bankName}</td>
                <td className="num">
                  <Money fen={r.principalFen} />
                </td>
                <td className="num">
                  <Money fen={r.outstandingFen} />
                </td>
                <td className="num">{r.daysPastDue}</td>
                <td>
                  <RiskClassBadge riskClass={r.riskClass} />{" "}
                  {r.status !== "open" ? (
                    <span className="badge">{t(`servicing:status.${r.status}`)}</span>
                  ) : null}
                </td>
                <td>{r.maturityDate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pages={pages} total={total} href={(p) => `?tab=${tab}&page=${p}`} />
    </div>
  );
}

function Stat({ label, children, sub }: { label: string; children: ReactNode; sub?: ReactNode }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">{children}</div>
      {sub ? <div className="sub">{sub}</div> : null}
    </div>
  );
}

export interface LoanSummaryView {
  account: {
    principal_fen: number;
    rate_bp: number;
    term_months: number;
    method: string;
    start_date: string;
    maturity_date: string;
    status: string;
  };
  position: LoanPosition;
  classification: { riskClass: RiskClassCode; floor: RiskClassCode; overridden: boolean };
}

/** The loan in figures: the contract, what is left, what is late, and what settles it today. */
export function LoanSummary({ loan }: { loan: LoanSummaryView }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { account: a, position: p, classification: c } = loan;
  return (
    <section className="card grid grid-4" data-testid="loan-summary">
      <Stat
        label={t("servicing:list.principal")}
        sub={`${t(`servicing:methods.${a.method}`)} · ${formatBp(a.rate_bp)} · ${t("servicing:page.termMonths", { count: a.term_months })}`}
      >
        <Money fen={Number(a.principal_fen)} />
      </Stat>
      <Stat
        label={t("servicing:page.outstanding")}
        sub={t("servicing:page.repaidSoFar", {
          principal: formatMoney(p.principalRepaidFen, lang),
          interest: formatMoney(p.interestRepaidFen, lang),
        })}
      >
        <span data-testid="outstanding" data-fen={p.outstandingPrincipalFen}>
          <Money fen={p.outstandingPrincipalFen} />
        </span>
      </Stat>
      <Stat
        label={t("servicing:page.daysPastDue")}
        sub={
          p.daysPastDue > 0
            ? t("servicing:page.overdueSince", {
                date: p.oldestOverdueDate,
                amount: formatMoneyExact(p.overduePrincipalFen + p.overdueInterestFen, lang),
              })
            : t("servicing:page.notOverdue")
        }
      >
        <span data-testid="days-past-due">{p.daysPastDue}</span>{" "}
        <RiskClassBadge riskClass={c.riskClass} />
      </Stat>
      <Stat
        label={p.nextDue ? t("servicing:page.nextDue") : t("servicing:page.maturity")}
        sub={
          a.status === "open"
            ? `${t("servicing:page.settlement")}: ${formatMoneyExact(p.settlementFen, lang)}`
            : t(`servicing:status.${a.status}`)
        }
      >
        {p.nextDue ? (
          <>
            {p.nextDue.dueDate} · <Money fen={p.nextDue.amountFen} />
          </>
        ) : (
          a.maturity_date
        )}
      </Stat>
    </section>
  );
}

function instalmentState(
  i: InstalmentPosition,
  asOf: string,
): "paid" | "overdue" | "due" | "upcoming" {
  if (i.paid) return "paid";
  if (i.dueDate < asOf) return "overdue";
  if (i.dueDate === asOf) return "due";
  return "upcoming";
}

/** The repayment schedule with what has been paid on each instalment. */
export function ScheduleTable({ position }: { position: LoanPosition }) {
  const { t, i18n } = useTranslation();
  const exact = (fen: number) => formatMoneyExact(fen, i18n.language);
  const rows = position.instalments;
  const sum = (f: (i: InstalmentPosition) => number) => rows.reduce((s, i) => s + f(i), 0);
  return (
    <table className="data" data-testid="schedule">
      <thead>
        <tr>
          <th>{t("servicing:page.seq")}</th>
          <th>{t("servicing:page.dueDate")}</th>
          <th className="num">{t("servicing:page.principal")}</th>
          <th className="num">{t("servicing:page.interest")}</th>
          <th className="num">{t("servicing:page.total")}</th>
          <th className="num">{t("servicing:page.paid")}</th>
          <th>{t("servicing:page.status")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => {
          const state = instalmentState(i, position.asOf);
          return (
            <tr key={i.seq} data-state={state}>
              <td>{i.seq}</td>
              <td>{i.dueDate}</td>
              <td className="num">{exact(i.principalDueFen)}</td>
              <td className="num">{exact(i.interestDueFen)}</td>
              <td className="num">{exact(i.principalDueFen + i.interestDueFen)}</td>
              <td className="num">{exact(i.principalPaidFen + i.interestPaidFen)}</td>
              <td>
                <span
                  className={`badge ${state === "paid" ? "badge-ok" : state === "overdue" ? "badge-err" : state === "due" ? "badge-warn" : ""}`}
                >
                  {t(`servicing:instalment.${state}`)}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <th colSpan={2}>{t("servicing:page.total")}</th>
          <th className="num">{exact(sum((i) => i.principalDueFen))}</th>
          <th className="num">{exact(sum((i) => i.interestDueFen))}</th>
          <th className="num">{exact(sum((i) => i.principalDueFen + i.interestDueFen))}</th>
          <th className="num">{exact(sum((i) => i.principalPaidFen + i.interestPaidFen))}</th>
          <th />
        </tr>
      </tfoot>
    </table>
  );
}

export interface EntryView {
  id: number;
  entry_type: "repayment" | "reversal";
  kind: string;
  value_date: string;
  principal_fen: number;
  interest_fen: number;
  reverses_entry_id: number | null;
  reason: string | null;
  created_by: number;
  created_at: string;
}

/** The repayment ledger of one loan, oldest first; reversals reference what they undo. */
export function EntriesTable({
  entries,
  posters,
  action,
}: {
  entries: EntryView[];
  posters: Record<number, string>;
  /** Rendered in the last column of an entry (the bank's reversal form). */
  action?: (entry: EntryView) => ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const exact = (fen: number) => formatMoneyExact(fen, i18n.language);
  if (entries.length === 0) {
    return <div className="empty">{t("servicing:page.noEntries")}</div>;
  }
  const reversed = new Set(entries.map((e) => e.reverses_entry_id));
  return (
    <table className="data" data-testid="entries">
      <thead>
        <tr>
          <th>{t("servicing:page.valueDate")}</th>
          <th>{t("servicing:page.kind")}</th>
          <th className="num">{t("servicing:page.principal")}</th>
          <th className="num">{t("servicing:page.interest")}</th>
          <th>{t("servicing:page.postedBy")}</th>
          {action ? <th className="no-print" /> : null}
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id} data-entry-id={e.id}>
            <td>{e.value_date}</td>
            <td>
              {e.entry_type === "reversal"
                ? t("servicing:page.reversalOf", { id: e.reverses_entry_id })
                : t(`servicing:kinds.${e.kind}`)}
              {reversed.has(e.id) ? (
                <span className="badge badge-warn">{t("servicing:page.reversed")}</span>
              ) : null}
              {e.reason ? <div className="muted">{e.reason}</div> : null}
            </td>
            <td className="num">{exact(Number(e.principal_fen))}</td>
            <td className="num">{exact(Number(e.interest_fen))}</td>
            <td>{posters[e.created_by] ?? "—"}</td>
            {action ? <td className="no-print">{action(e)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The top of a loan page, either side's: back to the list, the loan's class and state, the parties. */
export function LoanHeading({
  side,
  loan,
}: {
  side: "bank" | "firm";
  loan: {
    account: { application_id: number; status: string };
    classification: { riskClass: RiskClassCode };
    firmName: string;
    bankName: string;
    productName: string;
  };
}) {
  const { t } = useTranslation();
  const a = loan.account;
  return (
    <>
      <p className="no-print">
        <Link to={`/${side}/loans`}>← {t(`servicing:list.${side}Title`)}</Link> ·{" "}
        <Link to={`/${side}/applications/${a.application_id}`}>
          {t("servicing:page.application")}
        </Link>
        ·{" "}
        <Link to={`/${side}/loans/${a.application_id}/collateral`} data-testid="collateral-link">
          {t("collateral:page.link")}
        </Link>
      </p>
      <h1>
        {t("servicing:titles.loan", { id: a.application_id })}{" "}
        <RiskClassBadge riskClass={loan.classification.riskClass} />{" "}
        <span className="badge" data-testid="loan-status">
          {t(`servicing:status.${a.status}`)}
        </span>
      </h1>
      <p className="muted">
        {side === "bank"
          ? `${loan.firmName} · ${loan.productName} · ${loan.bankName}`
          : `${loan.bankName} · ${loan.productName}`}
      </p>
    </>
  );
}

/** The schedule under its heading, with the print button. */
export function ScheduleSection({ position }: { position: LoanPosition }) {
  const { t } = useTranslation();
  return (
    <section className="stack">
      <div className="row-between">
        <h2>{t("servicing:page.schedule")}</h2>
        <button type="button" className="button no-print" onClick={() => window.print()}>
          {t("servicing:page.print")}
        </button>
      </div>
      <ScheduleTable position={position} />
    </section>
  );
}

export interface CollateralView {
  coverageBp: number | null;
  minCoverageBp: number;
  assets: {
    assetId: number;
    number: string;
    title: string;
    ipType: string;
    valueFen: number;
    counts: boolean;
    fee:
      | { state: "paid" | "due_soon"; deadline: string }
      | { state: "grace"; deadline: string; graceEnd: string }
      | { state: "lapsed"; deadline: string; lapsedFrom: string }
      | { state: "expired"; expiry: string };
  }[];
}

/**
 * An open loan's pledged assets (docs/domain.md#collateral-monitoring): each one's fee or renewal
 * state and whether it still counts, and the coverage they give the outstanding principal.
 */
export function CollateralSection({ collateral }: { collateral: CollateralView }) {
  const { t } = useTranslation();
  const short = collateral.coverageBp !== null && collateral.coverageBp < collateral.minCoverageBp;
  return (
    <section className="stack" data-testid="collateral">
      <h2>{t("servicing:page.collateral")}</h2>
      {collateral.coverageBp !== null ? (
        <p
          className={short ? "notice" : "muted"}
          data-testid="coverage"
          data-bp={collateral.coverageBp}
        >
          {t("servicing:page.coverageOf", {
            coverage: formatBp(collateral.coverageBp, 0),
            min: formatBp(collateral.minCoverageBp, 0),
          })}
        </p>
      ) : null}
      <table className="data">
        <thead>
          <tr>
            <th>{t("servicing:page.asset")}</th>
            <th className="num">{t("servicing:page.value")}</th>
            <th>{t("servicing:page.fees")}</th>
          </tr>
        </thead>
        <tbody>
          {collateral.assets.map((a) => {
            const f = a.fee;
            const tone =
              f.state === "paid" ? "badge-ok" : f.state === "due_soon" ? "badge-warn" : "badge-err";
            const when =
              "lapsedFrom" in f
                ? t("servicing:page.lapsedFrom", { date: f.lapsedFrom })
                : "graceEnd" in f
                  ? t("servicing:page.graceUntil", { date: f.graceEnd })
                  : "expiry" in f
                    ? f.expiry
                    : t("servicing:page.feeBy", { date: f.deadline });
            return (
              <tr key={a.assetId} data-testid="pledged-asset" data-fee-state={f.state}>
                <td>
                  {a.number}
                  <div className="muted">{a.title}</div>
                </td>
                <td className="num">
                  <Money fen={a.valueFen} />
                </td>
                <td>
                  <span className={`badge ${tone}`}>{t(`servicing:feeStates.${f.state}`)}</span>{" "}
                  {when}
                  <div className="muted">
                    {a.counts ? t("servicing:page.counted") : t("servicing:page.notCounted")}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
