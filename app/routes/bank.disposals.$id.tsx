import {
  getFormProps,
  getInputProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import { ConfirmBox } from "../components/applications";
import { Field, FormErrors } from "../components/Field";
import { RecoverySplit } from "../components/risk";
import { formatInstant } from "../domain/dates";
import { formatMoneyExact, parseYuanToFen } from "../domain/money";
import { disposalFieldOf } from "../domain/risk-sharing/disposal";
import { distributeRecovery } from "../domain/risk-sharing/recovery";
import type { SplitFen } from "../domain/risk-sharing/shares";
import { UserFacingError } from "../models/errors";
import { RiskRefusal } from "../models/risk-sharing/common.server";
import {
  getBankDisposal,
  recordProceeds,
  withdrawDisposal,
} from "../models/risk-sharing/disposals.server";
import { withDb } from "../models/with-db.server";
import { notFound, parseId, refusal } from "../utils/application-routes.server";
import { getServerT } from "../utils/i18n.server";
import { translateMessage } from "../utils/messages";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";
import { proceedsSchema, withdrawDisposalSchema } from "../utils/risk-schemas";
import type { SessionUser } from "../utils/session.server";
import { todayInChina } from "../utils/time";

const actorOf = (u: SessionUser) => ({ userId: u.id, orgId: u.org_id, role: u.role });

/** The bank's own disposal; another bank's is 404 (getBankDisposal scopes it). */
async function disposalOr404(user: SessionUser, id: number) {
  try {
    return await withDb(getBankDisposal, actorOf(user), id);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "disposal.manage");
  const d = await disposalOr404(user, parseId(params.id));
  // One key per rendering: a double click or a retried post records the proceeds once.
  return { ...d, today: todayInChina(), key: crypto.randomUUID() };
}

/**
 * Recording the proceeds moves money (the pool and the sharers are refunded), so it is its own
 * permission, which a role the admin requires two-factor for may use only once enrolled.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  if (formData.get("intent") === "withdraw") return withdraw(request, parseId(params.id), formData);
  const user = await authorize(request, "disposal.recordProceeds");
  const id = parseId(params.id);
  const { t, locale } = getServerT(request);
  // Another bank's disposal is 404 before anything is parsed.
  const { disposal } = await disposalOr404(user, id);
  const schema = proceedsSchema(t, locale, {
    listedDate: disposal.listedDate,
    today: todayInChina(),
  });
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  try {
    await withDb(recordProceeds, actorOf(user), {
      disposalId: id,
      proceedsFen: v.proceeds,
      buyerName: v.buyerName,
      soldDate: v.soldDate,
      idempotencyKey: `${user.org_id}:${id}:${v.key}`,
    });
    return redirect(`/bank/disposals/${id}`);
  } catch (e) {
    if (e instanceof RiskRefusal) {
      const formErrors: string[] = [];
      const fieldErrors: Record<string, string[]> = {};
      for (const m of e.messages) {
        const field = disposalFieldOf(m);
        const text = translateMessage(t, m, locale);
        if (field) (fieldErrors[field] ??= []).push(text);
        else formErrors.push(text);
      }
      return Response.json(
        { result: submission.reply({ formErrors, fieldErrors }) },
        { status: 400 },
      );
    }
    return refusal(e, submission, t, locale, {}, {});
  }
}

/** 撤回挂牌: moves no money, so the disposal's own permission (not recordProceeds') suffices. */
async function withdraw(request: Request, id: number, formData: FormData) {
  const user = await authorize(request, "disposal.manage");
  const { t, locale } = getServerT(request);
  await disposalOr404(user, id);
  const submission = parseWithZod(formData, { schema: withdrawDisposalSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ intent: "withdraw", result: submission.reply() }, { status: 400 });
  }
  try {
    await withDb(withdrawDisposal, actorOf(user), {
      disposalId: id,
      reason: submission.value.reason,
    });
    return redirect(`/bank/disposals/${id}`);
  } catch (e) {
    return refusal(e, submission, t, locale, { intent: "withdraw" }, {});
  }
}

export const meta: MetaFunction = ({ params, matches }) =>
  pageTitle(matches, "risk:bankDisposals.number", { id: params.id ?? "" });

export default function BankDisposal() {
  const {
    disposal: d,
    interests,
    basis,
    claimPending,
    parts,
    soldShares,
    today,
    key,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ intent?: string; result: SubmissionResult<string[]> }>();
  const withdrawing = actionData?.intent === "withdraw";
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const money = (fen: number) => formatMoneyExact(fen, lang);
  const schema = proceedsSchema(t, lang, { listedDate: d.listedDate, today });
  const [form, fields] = useForm<
    { key: string; buyerName: string; soldDate: string; proceeds: string; confirm: string },
    z.output<typeof schema>
  >({
    id: `proceeds-${d.id}`,
    lastResult: withdrawing ? undefined : actionData?.result,
    defaultValue: { soldDate: today },
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
  });
  const withdrawSchema = withdrawDisposalSchema(t);
  const [withdrawForm, withdrawFields] = useForm<
    { intent: string; reason: string; confirm: string },
    z.output<typeof withdrawSchema>
  >({
    id: `withdraw-${d.id}`,
    lastResult: withdrawing ? actionData?.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: withdrawSchema }),
    shouldValidate: "onSubmit",
  });
  // The live preview: the same split recordProceeds will write, from the typed amount.
  const typed = parseYuanToFen(String(fields.proceeds.value ?? ""));
  const preview: SplitFen | null =
    typed !== null && typed > 0
      ? basis
        ? distributeRecovery(typed, basis.shares, basis.unrecoveredFen)
        : { pool: 0, insurer: 0, guarantor: 0, bank: typed }
      : null;
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/bank/disposals">← {t("risk:bankDisposals.title")}</Link>
      </p>
      <h1>
        {t("risk:bankDisposals.number", { id: d.id })}{" "}
        <span className="badge" data-testid="disposal-state">
          {t(`risk:disposals.state.${d.state}`)}
        </span>
      </h1>
      <section className="card stack" data-testid="disposal-listing">
        <h2>{d.title}</h2>
        <p className="muted">
          {t(`risk:disposals.kind.${d.kind}`)} ·{" "}
          <Link to={`/bank/loans/${d.applicationId}`}>
            {t("risk:bankDisposals.loan", { id: d.applicationId })}
          </Link>{" "}
          · {t("risk:bankDisposals.listedOn", { date: d.listedDate })}
          {/* A withdrawn listing has no public page any more. */}
          {d.state === "withdrawn" ? null : (
            <>
              {" "}
              · <Link to={`/disposals/${d.id}`}>{t("risk:bankDisposals.publicPage")}</Link>
            </>
          )}
        </p>
        <p style={{ whiteSpace: "pre-wrap" }}>{d.assetSummary}</p>
        <dl className="grid grid-2">
          {d.appraisalFen !== null ? (
            <div>
              <dt className="muted">{t("risk:disposals.appraisal")}</dt>
              <dd>{money(d.appraisalFen)}</dd>
            </div>
          ) : null}
          <div>
            <dt className="muted">{t("risk:disposals.asking")}</dt>
            <dd data-testid="disposal-asking">{money(d.askingFen)}</dd>
          </div>
          <div>
            <dt className="muted">{t("risk:disposals.terms")}</dt>
            <dd>{d.terms}</dd>
          </div>
        </dl>
      </section>

      <section className="card stack" data-testid="disposal-interests">
        <h2>
          {t("risk:bankDisposals.interestsTitle")} ({interests.length})
        </h2>
        {interests.length === 0 ? (
          <p className="empty">{t("risk:bankDisposals.noInterests")}</p>
        ) : (
          <ul className="stack">
            {interests.map((i) => (
              <li key={i.id} data-testid={`interest-${i.id}`}>
                <strong>{i.name}</strong> · {i.contact}
                <br />
                <span style={{ whiteSpace: "pre-wrap" }}>{i.message}</span>
                <br />
                <span className="muted">
                  {t("risk:bankDisposals.registeredAt")} {formatInstant(i.created_at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {d.state === "sold" && d.proceedsFen !== null ? (
        <section className="card stack" data-testid="disposal-sale">
          <h2>{t("risk:bankDisposals.sale")}</h2>
          <dl className="grid grid-2">
            <div>
              <dt className="muted">{t("risk:bankDisposals.buyer")}</dt>
              <dd data-testid="sale-buyer">{d.buyerName ?? "—"}</dd>
            </div>
            <div>
              <dt className="muted">{t("risk:bankDisposals.soldDate")}</dt>
              <dd data-testid="sale-date">{d.soldDate ?? "—"}</dd>
            </div>
            <div>
              <dt className="muted">{t("risk:bankDisposals.proceeds")}</dt>
              <dd data-testid="sale-proceeds">{money(d.proceedsFen)}</dd>
            </div>
          </dl>
          {parts ? (
            <>
              <h3>{t("risk:bankDisposals.split")}</h3>
              <RecoverySplit parts={parts} shares={soldShares} testId="sale-split" />
            </>
          ) : null}
        </section>
      ) : null}

      {d.state === "listed" ? (
        <section className="card stack" data-testid="record-proceeds">
          <h2>{t("risk:bankDisposals.record")}</h2>
          <p className="muted">{t("risk:bankDisposals.recordIntro")}</p>
          {claimPending ? (
            <p className="notice" role="status" data-testid="claim-pending">
              {t("risk:errors.claimPending")}
            </p>
          ) : null}
          <Form method="post" className="stack" {...getFormProps(form)}>
            <FormErrors errors={form.errors} />
            <input type="hidden" name="key" value={key} />
            <Field
              id={fields.buyerName.id}
              label={t("risk:bankDisposals.buyer")}
              errors={fields.buyerName.errors}
            >
              <input
                {...getInputProps(fields.buyerName, { type: "text" })}
                data-testid="buyer-name"
              />
            </Field>
            <Field
              id={fields.soldDate.id}
              label={t("risk:bankDisposals.soldDate")}
              errors={fields.soldDate.errors}
            >
              <input
                {...getInputProps(fields.soldDate, { type: "date" })}
                min={d.listedDate}
                max={today}
                data-testid="sold-date"
              />
            </Field>
            <Field
              id={fields.proceeds.id}
              label={t("risk:bankDisposals.proceedsLabel")}
              hint={t("risk:bankDisposals.proceedsHint")}
              errors={fields.proceeds.errors}
            >
              <input
                {...getInputProps(fields.proceeds, { type: "text" })}
                inputMode="decimal"
                data-testid="proceeds"
              />
            </Field>
            <div data-testid="proceeds-preview" aria-live="polite">
              <h3>{t("risk:bankDisposals.preview")}</h3>
              <p className="muted">
                {basis
                  ? t("risk:bankDisposals.basis", { pool: basis.poolName })
                  : t("risk:bankDisposals.allToBank")}
              </p>
              {preview ? (
                <RecoverySplit
                  parts={preview}
                  shares={basis?.shares ?? null}
                  unrecoveredFen={basis?.unrecoveredFen ?? null}
                  testId="preview-split"
                />
              ) : (
                <p className="muted">{t("risk:bankDisposals.previewEmpty")}</p>
              )}
            </div>
            <ConfirmBox
              id="proceeds-confirm"
              label={t("risk:bankDisposals.confirm")}
              errors={fields.confirm.errors}
            />
            <button type="submit" className="button button-primary" disabled={busy || claimPending}>
              {t("risk:bankDisposals.submit")}
            </button>
          </Form>
        </section>
      ) : null}

      {d.state === "listed" ? (
        <section className="card stack" data-testid="withdraw-disposal">
          <h2>{t("risk:bankDisposals.withdrawTitle")}</h2>
          <p className="muted">{t("risk:bankDisposals.withdrawIntro")}</p>
          <Form method="post" className="stack" {...getFormProps(withdrawForm)}>
            <FormErrors errors={withdrawForm.errors} />
            <input type="hidden" name="intent" value="withdraw" />
            <Field
              id={withdrawFields.reason.id}
              label={t("risk:bankDisposals.withdrawReason")}
              errors={withdrawFields.reason.errors}
            >
              <textarea
                {...getTextareaProps(withdrawFields.reason)}
                rows={2}
                data-testid="withdraw-reason"
              />
            </Field>
            <ConfirmBox
              id="withdraw-confirm"
              label={t("risk:bankDisposals.withdrawConfirm")}
              errors={withdrawFields.confirm.errors}
            />
            <button type="submit" className="button button-danger" disabled={busy}>
              {t("risk:bankDisposals.withdrawSubmit")}
            </button>
          </Form>
        </section>
      ) : null}

      {d.state === "withdrawn" ? (
        <p className="notice" role="status" data-testid="disposal-withdrawn">
          {t("risk:bankDisposals.withdrawnNote")}{" "}
          <Link to={`/bank/loans/${d.applicationId}`}>
            {t("risk:bankDisposals.loan", { id: d.applicationId })}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
