import {
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, Link, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { IpType } from "../domain/ip";
import { ipTypeLabel } from "../domain/ip";
import { formatBp, formatMoneyExact } from "../domain/money";
import type { FeeState } from "../domain/servicing/collateral-fees";
import { LEGAL_EVENT_TYPES } from "../domain/servicing/legal-events";
import {
  WATCH_GROUPS,
  type LoanWatch,
  type PledgedAssetWatch,
  type WatchGroup,
  type WatchRow,
} from "../domain/servicing/watch";
import { collateralSchemas, type CollateralIntent } from "../utils/collateral-schemas";
import { AssetStatusBadge } from "./assets";
import { Field, FormErrors, formErrorsOf } from "./Field";
import { Money } from "./Money";
import { Pager } from "./Pager";

/**
 * Collateral monitoring pages (docs/domain.md#collateral-monitoring): the watch list of either
 * side, and one loan's pledged assets with their fees and legal-status events. Cards, not tables:
 * an officer reads the watch list on a phone.
 */

type Side = "bank" | "firm";

/** The fee state in words: when it is due, how late it is, or since when it has lapsed. */
export function feeStateText(t: TFunction, fee: FeeState, ipType: string): string {
  const kind = ipType === "trademark" ? "trademark" : "patent";
  switch (fee.state) {
    case "paid":
      return t(`collateral:fee.paid.${kind}`, { deadline: fee.deadline, days: fee.daysUntil });
    case "due_soon":
      return t(`collateral:fee.due_soon.${kind}`, { deadline: fee.deadline, days: fee.daysUntil });
    case "grace":
      return t(`collateral:fee.grace.${kind}`, {
        deadline: fee.deadline,
        graceEnd: fee.graceEnd,
        month: fee.lateMonth,
        surcharge: formatBp(fee.surchargeBp, 0, { trim: true }),
      });
    case "lapsed":
      return t(`collateral:fee.lapsed.${kind}`, { from: fee.lapsedFrom, graceEnd: fee.graceEnd });
    case "expired":
      return t("collateral:fee.expired", { expiry: fee.expiry });
  }
}

function feeTone(fee: FeeState, counts: boolean): string {
  if (!counts) return "badge-err";
  if (fee.state === "grace") return "badge-err";
  if (fee.state === "due_soon") return "badge-warn";
  return "badge-ok";
}

export function CoverageText({
  coverageBp,
  minCoverageBp,
}: {
  coverageBp: number | null;
  minCoverageBp: number;
}) {
  const { t } = useTranslation();
  const low = coverageBp !== null && coverageBp < minCoverageBp;
  return (
    <span className={low ? "badge badge-err" : "badge badge-ok"} data-testid="coverage">
      {coverageBp === null
        ? t("collateral:coverage.none")
        : t("collateral:coverage.value", {
            coverage: formatBp(coverageBp, 0, { trim: true }),
            min: formatBp(minCoverageBp, 0, { trim: true }),
          })}
    </span>
  );
}

function assetHref(side: Side, row: { applicationId: number; assetId: number }): string {
  return side === "firm"
    ? `/firm/assets/${row.assetId}`
    : `/bank/loans/${row.applicationId}/collateral#asset-${row.assetId}`;
}

function WatchCard({ side, group, row }: { side: Side; group: WatchGroup; row: WatchRow }) {
  const { t } = useTranslation();
  const a = row.asset;
  return (
    <li className="card stack watch-card" data-testid="watch-row" data-group={group}>
      <div className="row-between">
        <Link to={`/${side}/loans/${row.applicationId}`} data-testid="watch-loan">
          {t("collateral:watch.loan", { id: row.applicationId })}
        </Link>
        <CoverageText coverageBp={row.coverageBp} minCoverageBp={row.minCoverageBp} />
      </div>
      {side === "bank" ? <div className="muted">{row.firmName}</div> : null}
      {a ? (
        <div>
          <Link to={assetHref(side, a)} data-testid="watch-asset">
            {a.number} · {a.title}
          </Link>{" "}
          <AssetStatusBadge status={a.status} />
          <div className={`badge ${feeTone(a.fee, a.counts)}`} data-fee-state={a.fee.state}>
            {group === "appraisal"
              ? t("collateral:watch.appraisalUntil", { date: a.appraisalValidUntil })
              : feeStateText(t, a.fee, a.ipType)}
          </div>
        </div>
      ) : null}
      <div className="muted">
        {t("collateral:watch.outstanding")} <Money fen={row.outstandingFen} />
        {row.daysPastDue > 0 ? ` · ${t("collateral:watch.dpd", { days: row.daysPastDue })}` : ""}
      </div>
      <Link to={`/${side}/loans/${row.applicationId}/collateral`} className="no-print">
        {t("collateral:watch.open")}
      </Link>
    </li>
  );
}

export interface WatchListView {
  side: Side;
  counts: Record<WatchGroup, number>;
  group: WatchGroup;
  rows: WatchRow[];
  page: number;
  pages: number;
  total: number;
  loanCount: number;
}

/** The watch list: one tab per group with its count, the group's rows as cards, paged. */
export function WatchListPage(v: WatchListView) {
  const { t } = useTranslation();
  const allClear = WATCH_GROUPS.every((g) => v.counts[g] === 0);
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t(`collateral:titles.${v.side}Watch`)}</h1>
      <p className="muted">{t(`collateral:watch.intro.${v.side}`)}</p>
      {v.side === "bank" ? (
        <p className="no-print">
          <Link to="/collateral/legal-events">{t("collateral:import.link")}</Link>
        </p>
      ) : null}
      <nav className="checks" aria-label={t("collateral:watch.groups")} data-testid="watch-tabs">
        {WATCH_GROUPS.map((g) => (
          <Link
            key={g}
            to={`?group=${g}`}
            className={
              g === v.group ? "badge badge-ok" : v.counts[g] ? "badge badge-warn" : "badge"
            }
            aria-current={g === v.group ? "page" : undefined}
            data-group={g}
          >
            {t(`collateral:groups.${g}`)} ({v.counts[g]})
          </Link>
        ))}
      </nav>
      {allClear ? (
        <div className="empty" data-testid="watch-empty">
          <p>
            {v.loanCount === 0
              ? t(`collateral:watch.noLoans.${v.side}`)
              : t("collateral:watch.allClear", { count: v.loanCount })}
          </p>
          <Link
            to={
              v.loanCount > 0
                ? `/${v.side}/loans`
                : v.side === "firm"
                  ? "/firm/applications"
                  : "/bank/applications?state=pledge_registered"
            }
            className="button"
            data-testid="empty-next"
          >
            {v.loanCount > 0
              ? t(`collateral:watch.emptyNext.loans`)
              : t(`collateral:watch.emptyNext.${v.side}`)}
          </Link>
        </div>
      ) : (
        <section className="stack">
          <h2>{t(`collateral:groups.${v.group}`)}</h2>
          <p className="muted">{t(`collateral:groupHints.${v.group}`)}</p>
          {v.rows.length === 0 ? (
            <div className="empty" data-testid="watch-group-empty">
              {t("collateral:watch.groupEmpty")}
            </div>
          ) : (
            <ul className="watch-cards" data-testid="watch-rows">
              {v.rows.map((r) => (
                <WatchCard key={r.key} side={v.side} group={v.group} row={r} />
              ))}
            </ul>
          )}
          <Pager
            page={v.page}
            pages={v.pages}
            total={v.total}
            href={(p) => `?group=${v.group}&page=${p}`}
          />
        </section>
      )}
    </div>
  );
}

export interface FeePaymentView {
  id: number;
  assetId: number;
  feeYear: number;
  paidDate: string;
  amountFen: number;
  receiptNumber: string;
  recordedBy: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

export interface LegalEventView {
  id: number;
  assetId: number;
  eventType: string;
  eventDate: string;
  noticeDate: string | null;
  note: string | null;
  source: string;
  recordedBy: string;
}

export type CollateralActionData = {
  intent: string;
  assetId: number;
  result: SubmissionResult<string[]> | null;
};

function AssetCollateral({
  side,
  asset,
  payments,
  events,
  today,
  version,
  actionData,
}: {
  side: Side;
  asset: PledgedAssetWatch;
  payments: FeePaymentView[];
  events: LegalEventView[];
  today: string;
  version: number;
  actionData: CollateralActionData | undefined;
}) {
  const { t, i18n } = useTranslation();
  const busy = useNavigation().state !== "idle";
  const schemas = collateralSchemas(t);
  const mine = actionData?.assetId === asset.assetId ? actionData : undefined;
  const form = (
    intent: Exclude<CollateralIntent, "confirm">,
    defaultValue?: Record<string, string>,
  ) => ({
    // The id carries the number of rows, so a form starts afresh after each recording.
    id: `${intent}-${asset.assetId}-${version}`,
    lastResult: mine?.intent === intent ? mine.result : undefined,
    defaultValue,
    onValidate: ({ formData }: { formData: FormData }) =>
      parseWithZod(formData, { schema: schemas[intent] }),
    shouldValidate: "onSubmit" as const,
  });
  const [feeForm, feeFields] = useForm(
    form("fee", { feeYear: String(asset.nextFeeYear), paidDate: today }),
  );
  const [legalForm, legalFields] = useForm(form("legal", { eventDate: today }));
  const kind = asset.ipType === "trademark" ? "trademark" : "patent";
  return (
    <section
      className="card stack collateral-asset"
      id={`asset-${asset.assetId}`}
      data-testid="pledged-asset"
      data-asset-id={asset.assetId}
      data-counts={asset.counts ? "yes" : "no"}
    >
      <div className="row-between">
        <h2 style={{ margin: 0 }}>
          {side === "firm" ? (
            <Link to={`/firm/assets/${asset.assetId}`}>{asset.title}</Link>
          ) : (
            asset.title
          )}{" "}
          <AssetStatusBadge status={asset.status} />
        </h2>
        <span className={`badge ${feeTone(asset.fee, asset.counts)}`}>
          {asset.counts ? t("collateral:asset.counts") : t("collateral:asset.notCounting")}
        </span>
      </div>
      <div className="muted">
        <code>{asset.number}</code> · {ipTypeLabel(t, asset.ipType as IpType)} ·{" "}
        {t("collateral:asset.value")} <Money fen={asset.valueFen} />
      </div>
      <div data-testid="fee-state" data-fee-state={asset.fee.state}>
        {feeStateText(t, asset.fee, asset.ipType)}
      </div>
      {asset.appraisalValidUntil ? (
        <div className={asset.appraisalExpiring ? "badge badge-warn" : "muted"}>
          {t("collateral:watch.appraisalUntil", { date: asset.appraisalValidUntil })}
        </div>
      ) : null}

      <h3>{t(`collateral:payments.title.${kind}`)}</h3>
      {payments.length === 0 ? (
        <div className="empty">{t("collateral:payments.none")}</div>
      ) : (
        <ul className="stack" data-testid="fee-payments">
          {payments.map((p) => (
            <li key={p.id} data-payment-id={p.id}>
              {t(`collateral:payments.year.${kind}`, { year: p.feeYear })} · {p.paidDate} ·{" "}
              {formatMoneyExact(p.amountFen, i18n.language)} ·{" "}
              {t("collateral:payments.receipt", { number: p.receiptNumber })} ·{" "}
              {t("collateral:payments.recordedBy", { name: p.recordedBy })}{" "}
              {p.confirmedBy ? (
                <span className="badge badge-ok" data-testid="confirmed">
                  {t("collateral:payments.confirmed", { name: p.confirmedBy })}
                </span>
              ) : side === "bank" ? (
                <Form method="post" style={{ display: "inline" }}>
                  <input type="hidden" name="intent" value="confirm" />
                  <input type="hidden" name="assetId" value={asset.assetId} />
                  <input type="hidden" name="paymentId" value={p.id} />
                  <button
                    type="submit"
                    className="button"
                    disabled={busy}
                    data-testid="confirm-fee"
                  >
                    {t("collateral:payments.confirm")}
                  </button>
                </Form>
              ) : (
                <span className="badge badge-warn">{t("collateral:payments.unconfirmed")}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormErrors errors={mine?.intent === "confirm" ? formErrorsOf(mine.result) : undefined} />

      <details className="no-print" open={mine?.intent === "fee" ? true : undefined}>
        <summary>{t(`collateral:form.feeTitle.${kind}`)}</summary>
        <Form method="post" className="stack" {...getFormProps(feeForm)}>
          <FormErrors errors={feeForm.errors} />
          <input type="hidden" name="intent" value="fee" />
          <input type="hidden" name="assetId" value={asset.assetId} />
          <Field
            id={feeFields.feeYear.id}
            label={t(`collateral:form.feeYear.${kind}`)}
            hint={t(`collateral:form.feeYearHint.${kind}`)}
            errors={feeFields.feeYear.errors}
          >
            <input {...getInputProps(feeFields.feeYear, { type: "number" })} min={1} max={30} />
          </Field>
          <Field
            id={feeFields.paidDate.id}
            label={t("collateral:form.paidDate")}
            errors={feeFields.paidDate.errors}
          >
            <input {...getInputProps(feeFields.paidDate, { type: "date" })} max={today} />
          </Field>
          <Field
            id={feeFields.amount.id}
            label={t("collateral:form.amount")}
            hint={t("collateral:form.amountHint")}
            errors={feeFields.amount.errors}
          >
            <input
              {...getInputProps(feeFields.amount, { type: "text" })}
              inputMode="decimal"
              data-testid="fee-amount"
            />
          </Field>
          <Field
            id={feeFields.receiptNumber.id}
            label={t("collateral:form.receiptNumber")}
            errors={feeFields.receiptNumber.errors}
          >
            <input {...getInputProps(feeFields.receiptNumber, { type: "text" })} maxLength={64} />
          </Field>
          <button type="submit" className="button" disabled={busy} data-testid="record-fee">
            {t("collateral:form.recordFee")}
          </button>
        </Form>
      </details>

      <h3>{t("collateral:events.title")}</h3>
      {events.length === 0 ? (
        <div className="empty">{t("collateral:events.none")}</div>
      ) : (
        <ul className="stack" data-testid="legal-events">
          {events.map((e) => (
            <li key={e.id}>
              {e.eventDate} · <strong>{t(`collateral:eventTypes.${e.eventType}`)}</strong>
              {e.noticeDate
                ? ` · ${t("collateral:events.notice", { date: e.noticeDate })}`
                : ""} · {t(`collateral:sources.${e.source}`)} · {e.recordedBy}
              {e.note ? <div className="muted">{e.note}</div> : null}
            </li>
          ))}
        </ul>
      )}
      <details className="no-print" open={mine?.intent === "legal" ? true : undefined}>
        <summary>{t("collateral:form.legalTitle")}</summary>
        <Form method="post" className="stack" {...getFormProps(legalForm)}>
          <FormErrors errors={legalForm.errors} />
          <input type="hidden" name="intent" value="legal" />
          <input type="hidden" name="assetId" value={asset.assetId} />
          <Field
            id={legalFields.eventType.id}
            label={t("collateral:form.eventType")}
            hint={t("collateral:form.eventTypeHint")}
            errors={legalFields.eventType.errors}
          >
            <select {...getSelectProps(legalFields.eventType)} data-testid="event-type">
              <option value="">{t("collateral:form.choose")}</option>
              {LEGAL_EVENT_TYPES.map((e) => (
                <option key={e} value={e}>
                  {t(`collateral:eventTypes.${e}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={legalFields.eventDate.id}
            label={t("collateral:form.eventDate")}
            errors={legalFields.eventDate.errors}
          >
            <input {...getInputProps(legalFields.eventDate, { type: "date" })} max={today} />
          </Field>
          <Field
            id={legalFields.noticeDate.id}
            label={t("collateral:form.noticeDate")}
            errors={legalFields.noticeDate.errors}
          >
            <input {...getInputProps(legalFields.noticeDate, { type: "date" })} max={today} />
          </Field>
          <Field
            id={legalFields.note.id}
            label={t("collateral:form.note")}
            errors={legalFields.note.errors}
          >
            <textarea {...getTextareaProps(legalFields.note)} rows={2} maxLength={1000} />
          </Field>
          <button type="submit" className="button" disabled={busy} data-testid="record-event">
            {t("collateral:form.recordEvent")}
          </button>
        </Form>
      </details>
    </section>
  );
}

/** One loan's pledged assets: coverage now, each asset's fees and legal events, and the forms. */
export function LoanCollateralPage({
  side,
  today,
  watch,
  payments,
  events,
  actionData,
}: {
  side: Side;
  today: string;
  watch: LoanWatch;
  payments: FeePaymentView[];
  events: LegalEventView[];
  actionData: CollateralActionData | undefined;
}) {
  const { t } = useTranslation();
  const version = payments.length + events.length * 1000;
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p className="no-print">
        <Link to={`/${side}/loans/${watch.applicationId}`}>
          ← {t("collateral:page.backToLoan", { id: watch.applicationId })}
        </Link>{" "}
        · <Link to={`/${side}/watch`}>{t(`collateral:titles.${side}Watch`)}</Link>
      </p>
      <h1>{t("collateral:titles.loanCollateral", { id: watch.applicationId })}</h1>
      <section className="card stack" data-testid="collateral-summary">
        <div>
          {t("collateral:page.coverage")}{" "}
          <CoverageText coverageBp={watch.coverageBp} minCoverageBp={watch.minCoverageBp} />
        </div>
        <div className="muted">
          {t("collateral:watch.outstanding")} <Money fen={watch.outstandingFen} />
          {side === "bank" ? ` · ${watch.firmName}` : ""}
        </div>
        {watch.flags.length ? (
          <div className="checks" data-testid="flags">
            {watch.flags.map((f) => (
              <span key={f} className="badge badge-warn" data-flag={f}>
                {t(`collateral:groups.${f}`)}
              </span>
            ))}
          </div>
        ) : (
          <div className="muted">{t("collateral:page.noFlags")}</div>
        )}
      </section>
      {watch.assets.map((a) => (
        <AssetCollateral
          key={a.assetId}
          side={side}
          asset={a}
          payments={payments.filter((p) => p.assetId === a.assetId)}
          events={events.filter((e) => e.assetId === a.assetId)}
          today={today}
          version={version}
          actionData={actionData}
        />
      ))}
    </div>
  );
}
