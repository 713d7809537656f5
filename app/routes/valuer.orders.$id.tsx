import {
  getFormProps,
  getInputProps,
  getSelectProps,
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
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { OrderStatusBadge } from "../components/appraisal";
import { APPRAISAL_METHODS, checkBasisDate, checkFormalRange } from "../domain/appraisal";
import { formatInstant } from "../domain/dates";
import { industryName } from "../domain/industry";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { formatMoney, parseYuanToFen } from "../domain/money";
import { regionName } from "../domain/regions";
import {
  getValuerLicenceNumber,
  getValuerOrder,
  signAppraisalOrder,
  startAppraisalWork,
} from "../models/appraisal.server";
import { UserFacingError } from "../models/errors";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { HonestyPanel } from "../components/ValuationResult";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { todayInChina } from "../utils/time";

const Params = z.object({ id: z.coerce.number().int().positive() });
const StartSchema = z.object({
  intent: z.literal("start"),
  version: z.coerce.number().int().positive(),
});

/**
 * Formal value per asset, in 元 as a valuer types it ("120万", "1,200,000"); one 评估基准日 and the
 * signing valuer's registration number for the whole engagement. `today` is the signing date.
 */
function signSchema(t: TFunction, today: string) {
  const required = t("appraisal:errors.required");
  const yuan = z
    .string({ required_error: required })
    .trim()
    .transform((s, ctx) => {
      const fen = parseYuanToFen(s);
      if (fen === null) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: t("appraisal:errors.yuanInvalid") });
        return z.NEVER;
      }
      return fen;
    });
  const item = z
    .object({
      assetId: z.coerce.number().int().positive(),
      low: yuan,
      central: yuan,
      high: yuan,
      method: z.enum(APPRAISAL_METHODS, {
        errorMap: () => ({ message: t("appraisal:errors.method") }),
      }),
      assumptions: z
        .string({ required_error: required })
        .trim()
        .min(10, t("appraisal:errors.textShort", { min: 10 }))
        .max(2000, t("appraisal:errors.textLong", { max: 2000 })),
      reportText: z
        .string({ required_error: required })
        .trim()
        .min(20, t("appraisal:errors.textShort", { min: 20 }))
        .max(20000, t("appraisal:errors.textLong", { max: 20000 })),
    })
    .superRefine((v, ctx) => {
      const problem = checkFormalRange(v.low, v.central, v.high);
      if (!problem) return;
      const path = {
        zero_central: "central",
        low_above_central: "low",
        central_above_high: "high",
      }[problem];
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [path],
        message: t(`appraisal:errors.range.${problem}`),
      });
    });
  return z.object({
    intent: z.literal("sign"),
    version: z.coerce.number().int().positive(),
    items: z.array(item).min(1),
    basisDate: z
      .string({ required_error: t("appraisal:errors.basisDate.invalid") })
      .trim()
      .superRefine((d, ctx) => {
        const problem = checkBasisDate(d, today, today);
        if (problem) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: t(`appraisal:errors.basisDate.${problem}`),
          });
        }
      }),
    licenceNumber: z
      .string({ required_error: t("appraisal:errors.licenceNumber") })
      .trim()
      .regex(/^[A-Za-z0-9-]{4,32}$/, t("appraisal:errors.licenceNumber")),
    confirm: z.literal("on", { errorMap: () => ({ message: t("appraisal:errors.confirmSign") }) }),
  });
}

function notFound(): never {
  throw new Response("Not Found", { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.viewAssigned");
  const p = Params.safeParse(params);
  if (!p.success) notFound();
  const order = await withDb(getValuerOrder, user.org_id, p.data.id);
  if (!order) notFound();
  assertCan(user, "appraisalOrder.viewAssigned", { valuerOrgId: order.valuer_org_id });
  return {
    order: { ...order, stripe_session_id: null, stripe_payment_intent: null },
    today: todayInChina(),
    licenceNumber: await withDb(getValuerLicenceNumber, user.id),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.viewAssigned");
  const p = Params.safeParse(params);
  if (!p.success) notFound();
  const { t } = getServerT(request);
  const formData = await request.formData();
  // Another valuer's order (or an unpaid one) is "not found", before any state check can say more.
  const order = await withDb(getValuerOrder, user.org_id, p.data.id);
  if (!order) notFound();
  const assigned = { valuerOrgId: order.valuer_org_id };
  assertCan(user, "appraisalOrder.viewAssigned", assigned);
  const submission = parseWithZod(formData, {
    schema: z.discriminatedUnion("intent", [StartSchema, signSchema(t, todayInChina())]),
  });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  assertCan(user, `appraisalOrder.${submission.value.intent}`, assigned);
  try {
    const v = submission.value;
    if (v.intent === "start") {
      await withDb(startAppraisalWork, user, p.data.id, v.version);
      return redirect(`/valuer/orders/${p.data.id}`);
    }
    await withDb(
      signAppraisalOrder,
      user,
      p.data.id,
      v.version,
      v.items.map((i) => ({
        assetId: i.assetId,
        lowFen: i.low,
        centralFen: i.central,
        highFen: i.high,
        method: i.method,
        assumptions: i.assumptions,
        reportText: i.reportText,
      })),
      { basisDate: v.basisDate, valuerLicenceNumber: v.licenceNumber },
    );
    return redirect(`/valuer/orders/${p.data.id}?signed=1`);
  } catch (e) {
    if (e instanceof UserFacingError) {
      if (e.status === 404) notFound();
      const message = t(e.key, e.params);
      return Response.json(
        submission.reply(
          e.field ? { fieldErrors: { [e.field]: [message] } } : { formErrors: [message] },
        ),
        { status: e.status },
      );
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.orders");

type LoadedOrder = ReturnType<typeof useLoaderData<typeof loader>>["order"];

function AssetFacts({ item }: { item: LoadedOrder["items"][number] }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const rows: [string, string | number | null][] = [
    [t("appraisal:asset.type"), ipTypeLabel(t, item.ip_type as IpType)],
    [t("appraisal:asset.status"), t(`appraisal:assetStatus.${item.assetStatus}`)],
    [t("appraisal:asset.filingDate"), item.filing_date],
    [t("appraisal:asset.grantDate"), item.grant_date],
    [t("appraisal:asset.registrationDate"), item.registration_date],
    [t("appraisal:asset.expiryDate"), item.expiry_date],
    [t("appraisal:asset.ipcClass"), item.ipc_class],
    [t("appraisal:asset.claims"), item.claims_count],
    [t("appraisal:asset.niceClass"), item.nice_class],
    [t("appraisal:asset.wellKnown"), item.well_known ? t("appraisal:asset.yes") : null],
    [t("appraisal:asset.coOwned"), item.co_owned ? t("appraisal:asset.yes") : null],
  ];
  return (
    <div className="grid" style={{ gap: "0.5rem" }}>
      <table className="data">
        <tbody>
          {rows
            .filter(([, v]) => v !== null && v !== "")
            .map(([k, v]) => (
              <tr key={k}>
                <th style={{ width: "12rem" }}>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <p className="muted" data-testid="firm-estimate">
        {item.estimate
          ? t("appraisal:valuer.firmEstimate", {
              low: money(item.estimate.lowFen),
              central: money(item.estimate.centralFen),
              high: money(item.estimate.highFen),
              date: item.estimate.date,
            })
          : t("appraisal:valuer.firmCentral", { central: money(item.indicativeCentralFen) })}
      </p>
      {item.assumptions ? (
        <details data-testid="firm-assumptions">
          <summary>{t("assets:valuation.honesty.assumptionsTitle")}</summary>
          <HonestyPanel result={item.assumptions.result} honesty={item.assumptions.honesty} />
        </details>
      ) : null}
    </div>
  );
}

export default function ValuerOrder() {
  const { order, today, licenceNumber } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const navigation = useNavigation();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const [form, fields] = useForm({
    lastResult: actionData,
    defaultValue: {
      items: order.items.map((i) => ({
        assetId: i.assetId,
        low: "",
        central: "",
        high: "",
        method: "income",
        assumptions: "",
        reportText: "",
      })),
      basisDate: today,
      licenceNumber: licenceNumber ?? "",
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: signSchema(t, today) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const items = fields.items.getFieldList();

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p>
        <Link to="/valuer/orders">← {t("appraisal:valuer.title")}</Link>
      </p>
      <h1>
        {t("appraisal:order.title", { number: order.orderNumber })}{" "}
        <OrderStatusBadge status={order.status} />
      </h1>
      <section className="card grid grid-3">
        <div className="stat">
          <div className="label">{t("appraisal:valuer.firm")}</div>
          <div className="value" style={{ fontSize: "1rem" }}>
            {order.firmName}
          </div>
          <div className="sub">
            {order.region_code ? regionName(order.region_code, i18n.language) : ""}{" "}
            {order.industry_section ? industryName(order.industry_section, i18n.language) : ""}
            {order.flag_high_tech ? ` · ${t("appraisal:valuer.highTech")}` : ""}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("appraisal:order.fee")}</div>
          <div className="value">{money(order.fee_fen)}</div>
        </div>
        <div className="stat">
          <div className="label">{t("appraisal:valuer.paidAt")}</div>
          <div className="value" style={{ fontSize: "1rem" }}>
            {order.paid_at ? formatInstant(order.paid_at, "day") : "—"}
          </div>
        </div>
      </section>

      {order.status === "paid" ? (
        <Form method="post" className="card">
          <FormErrors errors={form.errors} />
          <p>{t("appraisal:valuer.startIntro")}</p>
          <input type="hidden" name="intent" value="start" />
          <input type="hidden" name="version" value={order.version} />
          <button type="submit" className="button button-primary" data-testid="start-work">
            {t("appraisal:valuer.start")}
          </button>
        </Form>
      ) : null}

      {order.status === "signed" ? (
        <section className="card" data-testid="signed-reports">
          <h2>{t("appraisal:valuer.signedTitle")}</h2>
          <ul>
            {order.items.map((i) => (
              <li key={i.assetId}>
                {i.number} {i.title} —{" "}
                <Link to={`/appraisals/${i.appraisalId}/report`}>{i.report_number}</Link>（
                {money(i.low_fen ?? 0)} – {money(i.high_fen ?? 0)}）
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {order.status === "in_progress" ? (
        <Form method="post" className="stack" style={{ maxWidth: "none" }} {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <input type="hidden" name="intent" value="sign" />
          {/* Not a conform default: it must follow the loader after "start" bumps the version. */}
          <input type="hidden" name="version" value={order.version} />
          {items.map((itemField, index) => {
            const item = order.items[index];
            const f = itemField.getFieldset();
            return (
              <section key={itemField.key} className="card stack" data-asset={item.number}>
                <h2>
                  {item.number} · {item.title}
                </h2>
                <AssetFacts item={item} />
                <input {...getInputProps(f.assetId, { type: "hidden" })} />
                <div className="grid grid-3">
                  <Field id={f.low.id} label={t("appraisal:sign.low")} errors={f.low.errors}>
                    <input {...getInputProps(f.low, { type: "text" })} inputMode="decimal" />
                  </Field>
                  <Field
                    id={f.central.id}
                    label={t("appraisal:sign.central")}
                    errors={f.central.errors}
                  >
                    <input {...getInputProps(f.central, { type: "text" })} inputMode="decimal" />
                  </Field>
                  <Field id={f.high.id} label={t("appraisal:sign.high")} errors={f.high.errors}>
                    <input {...getInputProps(f.high, { type: "text" })} inputMode="decimal" />
                  </Field>
                </div>
                <p className="hint">{t("appraisal:sign.yuanHint")}</p>
                <Field id={f.method.id} label={t("appraisal:sign.method")} errors={f.method.errors}>
                  <select {...getSelectProps(f.method)}>
                    {APPRAISAL_METHODS.map((m) => (
                      <option key={m} value={m}>
                        {t(`appraisal:method.${m}`)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  id={f.assumptions.id}
                  label={t("appraisal:sign.assumptions")}
                  hint={t("appraisal:sign.assumptionsHint")}
                  errors={f.assumptions.errors}
                >
                  <textarea {...getTextareaProps(f.assumptions)} rows={3} />
                </Field>
                <Field
                  id={f.reportText.id}
                  label={t("appraisal:sign.reportText")}
                  hint={t("appraisal:sign.reportTextHint")}
                  errors={f.reportText.errors}
                >
                  <textarea {...getTextareaProps(f.reportText)} rows={8} />
                </Field>
              </section>
            );
          })}
          <div className="card stack">
            <Field
              id={fields.basisDate.id}
              label={t("appraisal:sign.basisDate")}
              hint={t("appraisal:sign.basisDateHint")}
              errors={fields.basisDate.errors}
            >
              <input {...getInputProps(fields.basisDate, { type: "date" })} max={today} />
            </Field>
            <Field
              id={fields.licenceNumber.id}
              label={t("appraisal:sign.licenceNumber")}
              hint={t("appraisal:sign.licenceNumberHint")}
              errors={fields.licenceNumber.errors}
            >
              <input
                {...getInputProps(fields.licenceNumber, { type: "text" })}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              id={fields.confirm.id}
              label={t("appraisal:sign.confirmLabel")}
              errors={fields.confirm.errors}
            >
              <label className="checks">
                <input {...getInputProps(fields.confirm, { type: "checkbox" })} />
                {t("appraisal:sign.confirm")}
              </label>
            </Field>
            <button
              type="submit"
              className="button button-primary"
              disabled={navigation.state !== "idle"}
              data-testid="sign"
            >
              {t("appraisal:sign.submit")}
            </button>
          </div>
        </Form>
      ) : null}

      {order.status !== "in_progress" ? (
        <section>
          <h2>{t("appraisal:order.assets")}</h2>
          {order.items.map((i) => (
            <div key={i.assetId} className="card" style={{ marginBottom: "0.75rem" }}>
              <h3>
                {i.number} · {i.title}
              </h3>
              <AssetFacts item={i} />
            </div>
          ))}
        </section>
      ) : null}
    </div>
  );
}
