import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useRevalidator,
  useSearchParams,
} from "@remix-run/react";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormErrors } from "../components/Field";
import { OrderStatusBadge, ValidityBadge } from "../components/appraisal";
import { formalValidity } from "../domain/appraisal";
import { formatInstant } from "../domain/dates";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { formatMoney, formatMoneyExact } from "../domain/money";
import { getFirmOrder } from "../models/appraisal.server";
import { UserFacingError } from "../models/errors";
import { cancelAppraisalOrder, OFFLINE_PAYEE, startCheckout } from "../models/payment.server";
import { assertCan, authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getEnv } from "../utils/env.server";
import { getServerT } from "../utils/i18n.server";
import { isStripeEnabled } from "../utils/stripe.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";
import { Money } from "../components/Money";

const Params = z.object({ id: z.coerce.number().int().positive() });
const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("pay") }),
  z.object({ intent: z.literal("cancel"), version: z.coerce.number().int().positive() }),
]);

function notFound(): never {
  throw new Response("Not Found", { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.viewOwn");
  const p = Params.safeParse(params);
  if (!p.success) notFound();
  const order = await withDb(getFirmOrder, user.org_id, p.data.id);
  if (!order) notFound();
  assertCan(user, "appraisalOrder.viewOwn", { firmOrgId: order.firm_org_id });
  const today = todayInChina();
  return {
    order: {
      ...order,
      items: order.items.map((i) => ({
        ...i,
        validity: i.valid_until ? formalValidity(i.valid_until, today) : null,
      })),
      // The session id stays on the server; the page needs only whether a payment is settling.
      stripe_session_id: null,
      paymentSettling: Boolean(order.stripe_payment_intent) && order.status === "awaiting_payment",
      stripe_payment_intent: null,
    },
    online: isStripeEnabled(),
    payee: OFFLINE_PAYEE,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.viewOwn");
  const p = Params.safeParse(params);
  if (!p.success) notFound();
  // Another firm's order is "not found" before the form is read.
  const order = await withDb(getFirmOrder, user.org_id, p.data.id);
  if (!order) notFound();
  const own = { firmOrgId: order.firm_org_id };
  assertCan(user, "appraisalOrder.viewOwn", own);
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: ActionSchema });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  assertCan(user, `appraisalOrder.${submission.value.intent}`, own);
  try {
    if (submission.value.intent === "pay") {
      const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
      const { url } = await withDb(startCheckout, user, p.data.id, origin);
      return redirect(url);
    }
    await withDb(cancelAppraisalOrder, user, p.data.id, submission.value.version);
    return redirect(`/firm/appraisals/${p.data.id}`);
  } catch (e) {
    if (e instanceof UserFacingError) {
      if (e.status === 404) notFound();
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.orders");

/** After Stripe sends the firm back, poll until the webhook has marked the order paid. */
function useAwaitWebhook(active: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    let rounds = 0;
    const timer = setInterval(() => {
      rounds += 1;
      if (rounds > 60) clearInterval(timer);
      else if (revalidator.state === "idle") revalidator.revalidate();
    }, 3000);
    return () => clearInterval(timer);
  }, [active, revalidator]);
}

export default function FirmAppraisalOrder() {
  const { order, online, payee } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t, i18n } = useTranslation();
  const [search] = useSearchParams();
  const checkout = search.get("checkout");
  const awaiting = order.status === "awaiting_payment" || order.status === "payment_failed";
  const confirming = awaiting && (checkout === "success" || order.paymentSettling);
  useAwaitWebhook(confirming && order.payment_mode === "stripe");
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const errors = actionData?.error?.[""] ?? undefined;

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <p className="no-print">
        <Link to="/firm/appraisals">← {t("appraisal:firm.listTitle")}</Link>
      </p>
      <h1>
        {t("appraisal:order.title", { number: order.orderNumber })}{" "}
        <OrderStatusBadge status={order.status} />
      </h1>
      {search.get("created") ? (
        <div className="notice" role="status">
          {t("appraisal:order.created")}
        </div>
      ) : null}
      <FormErrors errors={errors ?? undefined} />

      <section className="card grid grid-3">
        <div className="stat">
          <div className="label">{t("appraisal:order.valuer")}</div>
          <div className="value" style={{ fontSize: "1rem" }}>
            {order.valuerName}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("appraisal:order.fee")}</div>
          <div className="value" data-testid="order-fee">
            <Money fen={order.fee_fen} />
          </div>
        </div>
        <div className="stat">
          <div className="label">{t("appraisal:order.createdAt")}</div>
          <div className="value" style={{ fontSize: "1rem" }}>
            {formatInstant(order.created_at, "day")}
          </div>
          {order.paid_at ? (
            <div className="sub">
              {t("appraisal:order.paidAt", { at: formatInstant(order.paid_at, "day") })}
            </div>
          ) : null}
        </div>
      </section>

      {awaiting ? (
        <section className="card" data-testid="payment">
          <h2>{t("appraisal:payment.title")}</h2>
          {confirming ? (
            <div className="notice" role="status" data-testid="payment-confirming">
              {t("appraisal:payment.confirming")}
            </div>
          ) : null}
          {checkout === "cancelled" && !confirming ? (
            <div className="notice" role="status">
              {t("appraisal:payment.cancelledAtStripe")}
            </div>
          ) : null}
          {order.status === "payment_failed" ? (
            <div className="form-error" role="alert">
              {t("appraisal:payment.failed")}
            </div>
          ) : null}
          {order.payment_mode === "stripe" && online ? (
            confirming ? null : (
              <Form method="post" reloadDocument>
                <input type="hidden" name="intent" value="pay" />
                <p className="muted">{t("appraisal:payment.methods")}</p>
                <button type="submit" className="button button-primary" data-testid="pay">
                  {order.status === "payment_failed"
                    ? t("appraisal:payment.retry", {
                        fee: formatMoneyExact(order.fee_fen, i18n.language),
                      })
                    : t("appraisal:payment.pay", {
                        fee: formatMoneyExact(order.fee_fen, i18n.language),
                      })}
                </button>
              </Form>
            )
          ) : order.payment_mode === "stripe" ? (
            <p className="muted">{t("appraisal:payment.onlineUnavailable")}</p>
          ) : (
            <div data-testid="offline-instructions">
              <p>{t("appraisal:payment.offlineIntro")}</p>
              <table className="data" style={{ maxWidth: "36rem" }}>
                <tbody>
                  <tr>
                    <th>{t("appraisal:payment.accountName")}</th>
                    <td>{payee.accountName}</td>
                  </tr>
                  <tr>
                    <th>{t("appraisal:payment.bank")}</th>
                    <td>{payee.bank}</td>
                  </tr>
                  <tr>
                    <th>{t("appraisal:payment.account")}</th>
                    <td>{payee.account}</td>
                  </tr>
                  <tr>
                    <th>{t("appraisal:payment.amount")}</th>
                    <td>
                      <Money fen={order.fee_fen} />
                    </td>
                  </tr>
                  <tr>
                    <th>{t("appraisal:payment.reference")}</th>
                    <td>
                      <strong data-testid="transfer-reference">{order.orderNumber}</strong>
                    </td>
                  </tr>
                </tbody>
              </table>
              <p className="muted">{t("appraisal:payment.offlineNote")}</p>
            </div>
          )}
          {!confirming ? (
            search.get("confirmCancel") ? (
              <Form method="post" className="notice" data-testid="cancel-confirm">
                <p>{t("appraisal:order.cancelQuestion")}</p>
                <input type="hidden" name="intent" value="cancel" />
                <input type="hidden" name="version" value={order.version} />
                <button type="submit" className="button button-danger">
                  {t("appraisal:order.cancelConfirm")}
                </button>{" "}
                <Link to=".">{t("actions.back")}</Link>
              </Form>
            ) : (
              <p>
                <Link to="?confirmCancel=1" data-testid="cancel-order">
                  {t("appraisal:order.cancel")}
                </Link>
              </p>
            )
          ) : null}
        </section>
      ) : null}

      <section>
        <h2>{t("appraisal:order.assets")}</h2>
        <table className="data" data-testid="order-items">
          <thead>
            <tr>
              <th>{t("appraisal:asset.number")}</th>
              <th>{t("appraisal:asset.title")}</th>
              <th>{t("appraisal:asset.type")}</th>
              <th className="num">{t("appraisal:asset.indicativeCentral")}</th>
              <th className="num">{t("appraisal:report.formalValue")}</th>
              <th>{t("appraisal:report.basisDate")}</th>
              <th>{t("appraisal:report.validUntil")}</th>
              <th>{t("appraisal:report.title")}</th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((i) => (
              <tr key={i.assetId}>
                <td>{i.number}</td>
                <td>{i.title}</td>
                <td>{ipTypeLabel(t, i.ip_type as IpType)}</td>
                <td className="num">{money(i.indicativeCentralFen)}</td>
                <td className="num">{i.central_fen === null ? "—" : money(i.central_fen)}</td>
                <td data-testid="basis-date">{i.basis_date ?? "—"}</td>
                <td>
                  {i.valid_until ?? "—"}{" "}
                  {i.validity ? <ValidityBadge validity={i.validity} /> : null}
                </td>
                <td>
                  {i.appraisalId ? (
                    <Link to={`/appraisals/${i.appraisalId}/report`} data-testid="report-link">
                      {i.report_number}
                    </Link>
                  ) : (
                    <span className="muted">{t("appraisal:order.reportPending")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
