import { getInputProps, getSelectProps, type FieldMetadata } from "@conform-to/react";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import {
  appraisalValidity,
  LISTABLE_TRADEMARK_STATUSES,
  normaliseDateInput,
  remainingYears,
} from "../domain/asset";
import { formatInstant } from "../domain/dates";
import { ipTypeLabel } from "../domain/ip";
import { parsePatentNumber, PATENT_STATUSES, statutoryExpiry } from "../domain/patent";
import { formatMoney } from "../domain/money";
import { TRADEMARK_KINDS, trademarkExpiry } from "../domain/trademark";
import { Field } from "./Field";

/** Years to one decimal in the person's locale ("3.2"). */
export function formatYears(years: number, locale: string): string {
  return years.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

const STATUS_TONE: Record<string, string> = {
  granted: "badge-ok",
  registered: "badge-ok",
  pending: "badge-warn",
  lapsed: "badge-err",
  invalidated: "badge-err",
  expired: "badge-err",
  cancelled: "badge-err",
};

export function AssetStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge ${STATUS_TONE[status] ?? ""}`} data-status={status}>
      {t(`assets:statuses.${status}`)}
    </span>
  );
}

/** Expiry date with the years left, and a warning when it ends within a year or has ended. */
export function ExpiryCell({ expiry, today }: { expiry: string; today: string }) {
  const { t, i18n } = useTranslation();
  const years = remainingYears(expiry, today);
  return (
    <span>
      {expiry}
      <br />
      {years <= 0 ? (
        <span className="badge badge-err">{t("assets:portfolio.ended")}</span>
      ) : (
        <span className={years < 1 ? "badge badge-warn" : "muted"} data-testid="remaining">
          {t("assets:portfolio.remaining", { years: formatYears(years, i18n.language) })}
        </span>
      )}
    </span>
  );
}

export function AppraisalValidityText({
  validUntil,
  today,
}: {
  validUntil: string | null;
  today: string;
}) {
  const { t } = useTranslation();
  const v = appraisalValidity(validUntil, today);
  const tone = v === "valid" ? "badge-ok" : v === "expired" ? "badge-err" : "";
  return (
    <span className={`badge ${tone}`} data-validity={v}>
      {t(`assets:validity.${v}`, { date: validUntil ?? "" })}
    </span>
  );
}

type Fields<K extends string> = Record<K, FieldMetadata<string | boolean | number | undefined>>;

/** The live "protected until … / n years left" line under a form. */
function ExpiryPreview({ expiry, today }: { expiry: string | null; today: string }) {
  const { t, i18n } = useTranslation();
  if (!expiry) return null;
  const years = remainingYears(expiry, today);
  return (
    <div className="notice" data-testid="expiry-preview">
      {years > 0
        ? t("assets:form.expiryPreview", {
            date: expiry,
            years: formatYears(years, i18n.language),
          })
        : t("assets:form.expiryPreviewEnded", { date: expiry })}
    </div>
  );
}

export type PatentFieldName =
  | "number"
  | "title"
  | "status"
  | "filingDate"
  | "grantDate"
  | "ipcClass"
  | "claimsCount"
  | "coOwned";

/**
 * The patent fields. What the number means (type, PCT) and the statutory expiry are shown as
 * the person types, computed with the same domain functions the server uses.
 */
export function PatentFields({
  fields,
  today,
  numberLocked = false,
}: {
  fields: Fields<PatentFieldName>;
  today: string;
  numberLocked?: boolean;
}) {
  const { t } = useTranslation();
  const parsed = parsePatentNumber(String(fields.number.value ?? ""));
  const filing = normaliseDateInput(String(fields.filingDate.value ?? ""));
  const expiry = parsed.ok && filing ? statutoryExpiry(parsed.kind, filing) : null;
  return (
    <>
      <Field
        id={fields.number.id}
        label={t("assets:form.number")}
        hint={
          numberLocked
            ? t("assets:form.numberLocked")
            : parsed.ok
              ? t("assets:form.detected", {
                  type: ipTypeLabel(t, parsed.kind),
                  pct: parsed.isPct ? t("assets:form.pct") : "",
                })
              : t("assets:form.numberHint")
        }
        errors={fields.number.errors as string[] | undefined}
      >
        <input
          {...getInputProps(fields.number, { type: "text" })}
          readOnly={numberLocked}
          spellCheck={false}
          autoComplete="off"
          style={{ fontFamily: "monospace" }}
        />
      </Field>
      <Field
        id={fields.title.id}
        label={t("assets:form.title")}
        errors={fields.title.errors as string[] | undefined}
      >
        <input {...getInputProps(fields.title, { type: "text" })} maxLength={300} />
      </Field>
      <Field
        id={fields.status.id}
        label={t("assets:form.status")}
        errors={fields.status.errors as string[] | undefined}
      >
        <select {...getSelectProps(fields.status)}>
          <option value="">{t("assets:form.choose")}</option>
          {PATENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`assets:statuses.${s}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id={fields.filingDate.id}
        label={t("assets:form.filingDate")}
        hint={t("assets:form.filingDateHint")}
        errors={fields.filingDate.errors as string[] | undefined}
      >
        <input {...getInputProps(fields.filingDate, { type: "date" })} max={today} />
      </Field>
      <Field
        id={fields.grantDate.id}
        label={t("assets:form.grantDate")}
        hint={t("assets:form.grantDateHint")}
        errors={fields.grantDate.errors as string[] | undefined}
      >
        <input {...getInputProps(fields.grantDate, { type: "date" })} max={today} />
      </Field>
      <Field
        id={fields.ipcClass.id}
        label={t("assets:form.ipcClass")}
        hint={t("assets:form.ipcHint")}
        errors={fields.ipcClass.errors as string[] | undefined}
      >
        <input {...getInputProps(fields.ipcClass, { type: "text" })} maxLength={32} />
      </Field>
      <Field
        id={fields.claimsCount.id}
        label={t("assets:form.claimsCount")}
        hint={t("assets:form.claimsHint")}
        errors={fields.claimsCount.errors as string[] | undefined}
      >
        <input
          {...getInputProps(fields.claimsCount, { type: "text" })}
          inputMode="numeric"
          maxLength={4}
        />
      </Field>
      <div className="checks">
        <label>
          <input {...getInputProps(fields.coOwned, { type: "checkbox" })} />
          {t("assets:form.coOwned")}
        </label>
      </div>
      <ExpiryPreview expiry={expiry} today={today} />
    </>
  );
}

export type TrademarkFieldName =
  | "number"
  | "title"
  | "status"
  | "niceClass"
  | "trademarkKind"
  | "geoIndication"
  | "wellKnown"
  | "registrationDate"
  | "renewals";

export function TrademarkFields({
  fields,
  today,
  numberLocked = false,
}: {
  fields: Fields<TrademarkFieldName>;
  today: string;
  numberLocked?: boolean;
}) {
  const { t } = useTranslation();
  const reg = normaliseDateInput(String(fields.registrationDate.value ?? ""));
  const renewalsText = String(fields.renewals.value ?? "0").trim() || "0";
  const renewals = /^\d{1,2}$/.test(renewalsText) ? Number(renewalsText) : null;
  const expiry = reg && renewals !== null ? trademarkExpiry(reg, renewals) : null;
  return (
    <>
      <Field
        id={fields.number.id}
        label={t("assets:form.tmNumber")}
        hint={numberLocked ? t("assets:form.numberLocked") : t("assets:form.tmNumberHint")}
        errors={fields.number.errors as string[] | undefined}
      >
        <input
          {...getInputProps(fields.number, { type: "text" })}
          readOnly={numberLocked}
          inputMode="numeric"
          autoComplete="off"
          style={{ fontFamily: "monospace" }}
        />
      </Field>
      <Field
        id={fields.title.id}
        label={t("assets:form.tmTitle")}
        errors={fields.title.errors as string[] | undefined}
      >
        <input {...getInputProps(fields.title, { type: "text" })} maxLength={300} />
      </Field>
      <Field
        id={fields.status.id}
        label={t("assets:form.status")}
        errors={fields.status.errors as string[] | undefined}
      >
        <select {...getSelectProps(fields.status)}>
          <option value="">{t("assets:form.choose")}</option>
          {LISTABLE_TRADEMARK_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`assets:statuses.${s}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id={fields.niceClass.id}
        label={t("assets:form.niceClass")}
        hint={t("assets:form.niceClassHint")}
        errors={fields.niceClass.errors as string[] | undefined}
      >
        <input
          {...getInputProps(fields.niceClass, { type: "text" })}
          inputMode="numeric"
          maxLength={2}
        />
      </Field>
      <Field
        id={fields.trademarkKind.id}
        label={t("assets:form.trademarkKind")}
        errors={fields.trademarkKind.errors as string[] | undefined}
      >
        <select {...getSelectProps(fields.trademarkKind)}>
          {TRADEMARK_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`assets:trademarkKinds.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <div className="field">
        <div className="checks">
          <label>
            <input {...getInputProps(fields.geoIndication, { type: "checkbox" })} />
            {t("assets:form.geoIndication")}
          </label>
          <label>
            <input {...getInputProps(fields.wellKnown, { type: "checkbox" })} />
            {t("assets:form.wellKnown")}
          </label>
        </div>
        {fields.geoIndication.errors?.length ? (
          <div className="error" role="alert" id={`${fields.geoIndication.id}-error`}>
            {fields.geoIndication.errors[0]}
          </div>
        ) : null}
      </div>
      <Field
        id={fields.registrationDate.id}
        label={t("assets:form.registrationDate")}
        errors={fields.registrationDate.errors as string[] | undefined}
      >
        <input {...getInputProps(fields.registrationDate, { type: "date" })} max={today} />
      </Field>
      <Field
        id={fields.renewals.id}
        label={t("assets:form.renewals")}
        hint={t("assets:form.renewalsHint")}
        errors={fields.renewals.errors as string[] | undefined}
      >
        <input
          {...getInputProps(fields.renewals, { type: "text" })}
          inputMode="numeric"
          maxLength={2}
        />
      </Field>
      <ExpiryPreview expiry={expiry} today={today} />
    </>
  );
}

export interface EstimateRow {
  id: number;
  created_at: string;
  valuation_date: string;
  low_fen: number;
  central_fen: number;
  high_fen: number;
  pvd: number | null;
  createdByName: string | null;
}

/** Every stored indicative estimate of an asset, newest first, each openable. */
export function EstimateHistory({
  assetId,
  estimates,
  currentId,
}: {
  assetId: number;
  estimates: EstimateRow[];
  currentId?: number | null;
}) {
  const { t, i18n } = useTranslation();
  return (
    <table className="data" data-testid="estimate-history">
      <thead>
        <tr>
          <th>#</th>
          <th>{t("assets:history.date")}</th>
          <th>{t("assets:history.at")}</th>
          <th className="num">{t("assets:history.low")}</th>
          <th className="num">{t("assets:history.central")}</th>
          <th className="num">{t("assets:history.high")}</th>
          <th className="num">{t("assets:history.pvd")}</th>
          <th>{t("assets:history.by")}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {estimates.map((e) => (
          <tr key={e.id} aria-current={e.id === currentId ? "true" : undefined}>
            <td className="num">{e.id}</td>
            <td>{e.valuation_date}</td>
            <td>{formatInstant(e.created_at, "second")}</td>
            <td className="num">{formatMoney(e.low_fen, i18n.language)}</td>
            <td className="num">
              <strong>{formatMoney(e.central_fen, i18n.language)}</strong>
            </td>
            <td className="num">{formatMoney(e.high_fen, i18n.language)}</td>
            <td className="num">{e.pvd ?? "—"}</td>
            <td>{e.createdByName ?? "—"}</td>
            <td>
              {e.id === currentId ? null : (
                <Link to={`/firm/assets/${assetId}/valuation?estimate=${e.id}`}>
                  {t("assets:history.view")}
                </Link>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
