import { getFormProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ApplicationState } from "../../db/schema";
import { formatInstant } from "../domain/dates";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { formatBp, formatMoney } from "../domain/money";
import { regionName } from "../domain/regions";
import { commentSchema } from "../utils/application-schemas";
import { Field, FormErrors } from "./Field";

/** Shared pieces of the deal pages (firm and bank views of an application, lists). */

const BADGE_BY_STATE: Record<ApplicationState, string> = {
  draft: "badge",
  submitted: "badge badge-warn",
  under_review: "badge badge-warn",
  approved: "badge badge-ok",
  pledge_registered: "badge badge-ok",
  disbursed: "badge badge-ok",
  repaid: "badge",
  defaulted: "badge badge-err",
  rejected: "badge badge-err",
  withdrawn: "badge",
};

export function StateBadge({ state }: { state: ApplicationState }) {
  const { t } = useTranslation();
  return (
    <span className={BADGE_BY_STATE[state]} data-testid="application-state" data-state={state}>
      {t(`applications:states.${state}`)}
    </span>
  );
}

export { Pager } from "./Pager";

/** The confirm step of a destructive action: a box that must be ticked (checked on the server). */
export function ConfirmBox({
  id,
  label,
  errors,
}: {
  id: string;
  label: string;
  errors?: string[];
}) {
  return (
    <div className="field">
      <label className="checks" htmlFor={id}>
        <input type="checkbox" id={id} name="confirm" data-testid={`${id}`} />
        {label}
      </label>
      {errors?.length ? (
        <div className="error" role="alert">
          {errors[0]}
        </div>
      ) : null}
    </div>
  );
}

export interface DetailAppView {
  id: number;
  state: ApplicationState;
  firmName: string;
  bankName: string;
  regionCode: string;
  amountFen: number;
  termMonths: number;
  rateBp: number;
  approvedAmountFen: number | null;
  approvedRateBp: number | null;
  approvedTermMonths: number | null;
  primaryIpType: IpType | null;
  pledgeRegNumber: string | null;
  pledgeRegDate: string | null;
  disbursedAmountFen: number | null;
  disbursedDate: string | null;
  closedDate: string | null;
  rejectReason: string | null;
}

export interface DetailView {
  app: DetailAppView;
  snapshot: {
    name: string;
    minAmountFen: number;
    maxAmountFen: number;
    minTermMonths: number;
    maxTermMonths: number;
    minRateBp: number;
    maxRateBp: number;
    pledgeRateBp: Record<IpType, number>;
    acceptedIpTypes: IpType[];
  };
  assets: {
    assetId: number;
    title: string;
    number: string;
    ipType: IpType;
    valueFen: number;
    pledgeRateBp: number;
    capacityFen: number;
    currentFormalValueFen: number | null;
    formalValidUntil: string | null;
    lockedBy: number | null;
  }[];
  capacityFen: number;
  comments: {
    id: number;
    kind: "comment" | "document_request";
    body: string;
    authorName: string;
    authorSide: "firm" | "bank" | "other";
    at: string;
  }[];
  timeline: {
    id: number;
    action: string;
    fromState: string | null;
    toState: string | null;
    reason: string | null;
    actorName: string | null;
    actorOrg: string | null;
    at: string;
  }[];
}

/**
 * Terms, collateral, history: what both sides see. `side` "firm" adds the link that orders the
 * missing appraisals; an asset without a valid formal value says so instead of lending 0.00.
 */
export function ApplicationFacts({
  view,
  side,
  today,
}: {
  view: DetailView;
  side: "firm" | "bank";
  /** China business day: an appraisal valid until before it has expired (已过期). */
  today: string;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  const { app, snapshot } = view;
  const lacksFormal = (a: DetailView["assets"][number]) =>
    a.formalValidUntil === null || a.formalValidUntil < today;
  const needAppraisal = view.assets.filter(lacksFormal);
  const beforeApproval = app.state === "draft" || app.state === "submitted";
  return (
    <>
      <section className="card grid grid-4" data-testid="application-terms">
        <div className="stat">
          <div className="label">{t("applications:common.requested")}</div>
          <div className="value">{money(app.amountFen)}</div>
          <div className="sub">
            {t("applications:common.termMonths", { count: app.termMonths })} ·{" "}
            {formatBp(app.rateBp)}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("applications:common.approved")}</div>
          <div className="value" data-testid="approved-amount">
            {app.approvedAmountFen !== null ? money(app.approvedAmountFen) : "—"}
          </div>
          <div className="sub">
            {app.approvedTermMonths !== null
              ? `${t("applications:common.termMonths", { count: app.approvedTermMonths })} · ${formatBp(app.approvedRateBp ?? 0)}`
              : ""}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("applications:common.disbursed")}</div>
          <div className="value" data-testid="disbursed-amount">
            {app.disbursedAmountFen !== null ? money(app.disbursedAmountFen) : "—"}
          </div>
          <div className="sub">{app.disbursedDate ?? ""}</div>
        </div>
        <div className="stat">
          <div className="label">{t("applications:common.region")}</div>
          <div className="value" style={{ fontSize: "1rem" }}>
            {regionName(app.regionCode, lang)}
          </div>
          <div className="sub">
            {app.primaryIpType
              ? `${t("applications:common.primaryIpType")}：${ipTypeLabel(t, app.primaryIpType)}`
              : ""}
          </div>
        </div>
      </section>
      {app.pledgeRegNumber ? (
        <p className="notice">
          {t("applications:detail.pledgeReg", {
            number: app.pledgeRegNumber,
            date: app.pledgeRegDate,
          })}
        </p>
      ) : null}
      {app.closedDate ? (
        <p className="muted">{t("applications:detail.closed", { date: app.closedDate })}</p>
      ) : null}
      {app.rejectReason ? (
        <p className="form-error">
          {t("applications:detail.rejectReason", { reason: app.rejectReason })}
        </p>
      ) : null}

      <section className="card">
        <h2>{t("applications:detail.assets")}</h2>
        {needAppraisal.length > 0 && beforeApproval ? (
          <p className="notice" data-testid="needs-appraisal">
            {t(
              side === "firm"
                ? "applications:detail.needsAppraisalFirm"
                : "applications:detail.needsAppraisalBank",
              {
                count: needAppraisal.length,
              },
            )}{" "}
            {side === "firm" ? (
              <Link
                to={`/firm/appraisals/new?${needAppraisal.map((a) => `asset=${a.assetId}`).join("&")}`}
                data-testid="order-missing-appraisals"
              >
                {t("applications:detail.orderAppraisal")}
              </Link>
            ) : null}
          </p>
        ) : null}
        <table className="data" data-testid="application-assets">
          <thead>
            <tr>
              <th>{t("applications:common.ipType")}</th>
              <th>#</th>
              <th className="num">{t("applications:apply.value")}</th>
              <th className="num">{t("applications:apply.pledgeRate")}</th>
              <th className="num">{t("applications:apply.capacity")}</th>
              <th>{t("applications:apply.validUntil")}</th>
              <th>{t("applications:common.state")}</th>
            </tr>
          </thead>
          <tbody>
            {view.assets.map((a) => (
              <tr key={a.assetId} data-asset-id={a.assetId}>
                <td>{ipTypeLabel(t, a.ipType)}</td>
                <td>
                  {a.number} {a.title}
                </td>
                <td className="num">
                  {a.formalValidUntil === null
                    ? t("applications:detail.awaitingAppraisal")
                    : money(a.valueFen)}
                </td>
                <td className="num">{formatBp(a.pledgeRateBp, 0)}</td>
                <td className="num">{a.formalValidUntil === null ? "—" : money(a.capacityFen)}</td>
                <td>{a.formalValidUntil ?? t("applications:apply.notValid")}</td>
                <td data-testid="lock-state" data-locked={a.lockedBy === app.id ? "1" : "0"}>
                  {a.lockedBy === app.id
                    ? t("applications:detail.lockedHere")
                    : a.lockedBy
                      ? t("applications:apply.lockedBy", { id: a.lockedBy })
                      : t("applications:detail.notLocked")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          {t("applications:detail.capacityTotal", { capacity: money(view.capacityFen) })}
        </p>
        <details>
          <summary>{t("applications:detail.snapshot")}</summary>
          <p className="muted">
            {snapshot.name} ·{" "}
            {t("applications:apply.productTerms", {
              minAmount: money(snapshot.minAmountFen),
              maxAmount: money(snapshot.maxAmountFen),
              minTerm: snapshot.minTermMonths,
              maxTerm: snapshot.maxTermMonths,
              minRate: formatBp(snapshot.minRateBp),
              maxRate: formatBp(snapshot.maxRateBp),
            })}
          </p>
          <p className="muted">
            {snapshot.acceptedIpTypes
              .map((ty) => `${ipTypeLabel(t, ty)} ${formatBp(snapshot.pledgeRateBp[ty], 0)}`)
              .join(" · ")}
          </p>
        </details>
      </section>

      <section className="card">
        <h2>{t("applications:detail.timeline")}</h2>
        {view.timeline.length === 0 ? (
          <p className="muted">{t("applications:detail.timelineEmpty")}</p>
        ) : (
          <ol data-testid="timeline">
            {view.timeline.map((e) => (
              <li key={e.id}>
                <strong>
                  {t(`applications:timeline.${e.action.replace("application.", "")}`)}
                </strong>{" "}
                <span className="muted">
                  {formatInstant(e.at)}
                  {e.actorName
                    ? ` · ${t("applications:detail.by", { name: e.actorName, org: e.actorOrg ?? "" })}`
                    : ""}
                  {e.fromState && e.toState && e.fromState !== e.toState
                    ? ` · ${t(`applications:states.${e.fromState}`)} → ${t(`applications:states.${e.toState}`)}`
                    : ""}
                </span>
                {e.reason ? <div className="muted">“{e.reason}”</div> : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

/** The thread both sides see, with the form to write in it. */
export function Thread({
  view,
  canWrite,
  canRequestDocuments,
  lastResult,
  children,
}: {
  view: DetailView;
  canWrite: boolean;
  canRequestDocuments: boolean;
  lastResult?: SubmissionResult<string[]> | null;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm({
    id: "comment",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: commentSchema(t) }),
    shouldValidate: "onSubmit",
  });
  return (
    <section className="card" data-testid="thread">
      <h2>{t("applications:detail.thread")}</h2>
      {view.comments.length === 0 ? (
        <p className="muted">{t("applications:detail.threadEmpty")}</p>
      ) : (
        <ul style={{ listStyle: "none", padding: 0 }}>
          {view.comments.map((c) => (
            <li key={c.id} style={{ marginBottom: "0.75rem" }} data-kind={c.kind}>
              <div className="muted">
                {c.authorSide === "firm"
                  ? t("applications:detail.fromFirm")
                  : t("applications:detail.fromBank")}{" "}
                · {c.authorName} · {formatInstant(c.at)}
                {c.kind === "document_request" ? (
                  <span className="badge badge-warn" style={{ marginLeft: "0.5rem" }}>
                    {t("applications:detail.documentRequest")}
                  </span>
                ) : null}
              </div>
              <div style={{ whiteSpace: "pre-wrap" }}>{c.body}</div>
            </li>
          ))}
        </ul>
      )}
      {canWrite ? (
        <Form method="post" className="stack" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <input type="hidden" name="intent" value="comment" />
          <Field
            id={fields.body.id}
            label={t("applications:detail.comment")}
            errors={fields.body.errors}
          >
            <textarea
              {...getTextareaProps(fields.body)}
              rows={3}
              placeholder={t("applications:detail.commentPlaceholder")}
            />
          </Field>
          {canRequestDocuments ? (
            <label className="checks">
              <input type="checkbox" name="documentRequest" />
              {t("applications:detail.asDocumentRequest")}
            </label>
          ) : null}
          <button type="submit" className="button" data-testid="send-comment">
            {t("applications:detail.send")}
          </button>
        </Form>
      ) : null}
      {children}
    </section>
  );
}

export interface PickableAsset {
  id: number;
  title: string;
  number: string;
  ipType: IpType;
  formalValueFen: number | null;
  formalValidUntil: string | null;
  validToday: boolean;
  capacityFen: number;
  lockedBy: number | null;
}

/**
 * Checkboxes named assetIds over the firm's assets, with what each would lend: the assets usable
 * today (a valid formal appraisal, not pledged elsewhere) first, largest capacity first; the rest
 * (awaiting appraisal, or locked by another loan) folded away below.
 */
export function AssetPicker({
  assets,
  checked,
  errors,
  ownApplicationId,
}: {
  assets: PickableAsset[];
  checked: number[];
  errors?: string[];
  ownApplicationId?: number;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoney(fen, lang);
  if (assets.length === 0)
    return <div className="empty">{t("applications:apply.assetsEmpty")}</div>;
  const lockedElsewhere = (a: PickableAsset) =>
    a.lockedBy !== null && a.lockedBy !== ownApplicationId;
  const usable = assets
    .filter((a) => (a.validToday && !lockedElsewhere(a)) || checked.includes(a.id))
    .sort((a, b) => b.capacityFen - a.capacityFen || a.id - b.id);
  const others = assets.filter((a) => !usable.includes(a));
  const table = (list: PickableAsset[], testId: string) => (
    <table className="data" data-testid={testId}>
      <thead>
        <tr>
          <th />
          <th>{t("applications:common.ipType")}</th>
          <th>#</th>
          <th className="num">{t("applications:apply.value")}</th>
          <th>{t("applications:apply.validUntil")}</th>
          <th className="num">{t("applications:apply.capacity")}</th>
        </tr>
      </thead>
      <tbody>
        {list.map((a) => (
          <tr key={a.id}>
            <td>
              <input
                type="checkbox"
                name="assetIds"
                value={a.id}
                id={`asset-${a.id}`}
                defaultChecked={checked.includes(a.id)}
                disabled={lockedElsewhere(a)}
                aria-label={a.title}
              />
            </td>
            <td>{ipTypeLabel(t, a.ipType)}</td>
            <td>
              <label htmlFor={`asset-${a.id}`}>
                {a.number} {a.title}
              </label>
              {lockedElsewhere(a) ? (
                <div className="muted">{t("applications:apply.lockedBy", { id: a.lockedBy })}</div>
              ) : null}
            </td>
            <td className="num">{a.formalValueFen !== null ? money(a.formalValueFen) : "—"}</td>
            <td>{a.validToday ? a.formalValidUntil : t("applications:apply.notValid")}</td>
            <td className="num">{money(a.capacityFen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <fieldset className="field" style={{ border: 0, padding: 0, minInlineSize: 0 }}>
      <legend>{t("applications:apply.assets")}</legend>
      {usable.length ? table(usable, "asset-picker") : null}
      {others.length ? (
        <details>
          <summary>{t("applications:apply.otherAssets", { count: others.length })}</summary>
          {table(others, "asset-picker-others")}
        </details>
      ) : null}
      {errors?.length ? (
        <div className="error" role="alert">
          {errors.join(" ")}
        </div>
      ) : null}
    </fieldset>
  );
}
