import { getFormProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { MAX_ASSETS_PER_ORDER, orderFee } from "../domain/appraisal";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { formatBp, formatMoney, formatYuanExact, formatMoneyExact } from "../domain/money";
import type { OrderPreview } from "../models/appraisal.server";
import {
  createAppraisalOrder,
  getAppraisalFeeSettings,
  listOrderableAssets,
  listValuerOrganisations,
  previewAppraisalOrder,
} from "../models/appraisal.server";
import { UserFacingError } from "../models/errors";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { isStripeEnabled } from "../utils/stripe.server";
import { pageTitle } from "../utils/meta";
import { Money } from "../components/Money";

function orderSchema(t: TFunction) {
  const noAssets = t("appraisal:errors.noAssets");
  const chooseValuer = t("appraisal:errors.chooseValuer");
  return z.object({
    intent: z.enum(["review", "confirm"]),
    assetIds: z
      .array(z.coerce.number().int().positive(), { required_error: noAssets })
      .min(1, noAssets)
      .max(
        MAX_ASSETS_PER_ORDER,
        t("appraisal:errors.tooManyAssets", { max: MAX_ASSETS_PER_ORDER }),
      ),
    valuerOrgId: z.coerce
      .number({ required_error: chooseValuer, invalid_type_error: chooseValuer })
      .int()
      .positive(chooseValuer),
  });
}

/** What the action answers: the form's state and, after "review", the priced order. */
type ActionResult = SubmissionResult<string[]> & { preview?: OrderPreview };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.create");
  const url = new URL(request.url);
  const [assets, valuers, settings] = await Promise.all([
    withDb(listOrderableAssets, user.org_id),
    withDb(listValuerOrganisations),
    withDb(getAppraisalFeeSettings),
  ]);
  return {
    assets: assets.map((a) => ({
      id: a.id,
      number: a.number,
      title: a.title,
      ipType: a.ip_type as IpType,
      centralFen: a.indicativeCentralFen,
      formalValidUntil: a.formal_valid_until,
      openOrder: a.openOrder,
    })),
    valuers,
    settings,
    online: isStripeEnabled(),
    preselect: url.searchParams
      .getAll("asset")
      .map(Number)
      .filter((n) => Number.isSafeInteger(n)),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "appraisalOrder.create");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: orderSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const { intent, ...input } = submission.value;
  try {
    if (intent === "review") {
      const preview = await withDb(previewAppraisalOrder, user.org_id, input);
      return Response.json({ ...submission.reply(), preview });
    }
    const { orderId } = await withDb(createAppraisalOrder, user, input);
    return redirect(`/firm/appraisals/${orderId}?created=1`);
  } catch (e) {
    if (e instanceof UserFacingError) {
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

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.new");

export default function NewAppraisalOrder() {
  const { assets, valuers, settings, online, preselect } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionResult | undefined;
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const orderable = new Set(
    assets.filter((a) => a.centralFen !== null && !a.openOrder).map((a) => a.id),
  );
  const [selected, setSelected] = useState<number[]>(preselect.filter((id) => orderable.has(id)));
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: orderSchema(t) }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const preview = actionData?.preview ?? null;
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const chosen = assets.filter((a) => selected.includes(a.id));
  const liveFee = orderFee(
    chosen.map((a) => a.centralFen ?? 0),
    settings,
  );
  const toggle = (id: number, on: boolean) =>
    setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  if (assets.length === 0) {
    return (
      <div className="grid" style={{ gap: "1rem" }}>
        <h1>{t("appraisal:new.title")}</h1>
        <div className="empty" data-testid="no-assets">
          <p>{t("appraisal:new.noAssets")}</p>
          <Link to="/firm/assets">{t("appraisal:new.goToAssets")}</Link>
        </div>
      </div>
    );
  }

  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("appraisal:new.title")}</h1>
      <p className="muted">
        {t("appraisal:new.intro", {
          min: formatYuanExact(settings.minFeeFen),
          rate: formatBp(settings.rateBp),
        })}
      </p>
      <Form
        method="post"
        className="stack card"
        style={{ maxWidth: "none" }}
        {...getFormProps(form)}
      >
        <FormErrors errors={form.errors} />
        <Field
          id={fields.assetIds.id}
          label={t("appraisal:new.assets", { max: MAX_ASSETS_PER_ORDER })}
          errors={fields.assetIds.errors}
        >
          <table className="data" data-testid="orderable-assets">
            <thead>
              <tr>
                <th />
                <th>{t("appraisal:asset.number")}</th>
                <th>{t("appraisal:asset.title")}</th>
                <th>{t("appraisal:asset.type")}</th>
                <th className="num">{t("appraisal:asset.indicativeCentral")}</th>
                <th>{t("appraisal:asset.formalValidUntil")}</th>
              </tr>
            </thead>
            <tbody>
              {assets.map((a) => {
                const disabled = !orderable.has(a.id);
                return (
                  <tr key={a.id} data-asset={a.number}>
                    <td>
                      <input
                        type="checkbox"
                        name={fields.assetIds.name}
                        value={a.id}
                        aria-label={a.title}
                        disabled={disabled}
                        checked={selected.includes(a.id)}
                        onChange={(e) => toggle(a.id, e.target.checked)}
                      />
                    </td>
                    <td>{a.number}</td>
                    <td>
                      {a.title}
                      {a.centralFen === null ? (
                        <div className="hint">
                          {t("appraisal:new.needsEstimate")}{" "}
                          <Link to={`/firm/assets/${a.id}/valuation`}>
                            {t("appraisal:new.valueNow")}
                          </Link>
                        </div>
                      ) : null}
                      {a.openOrder ? (
                        <div className="hint">
                          {t("appraisal:new.inOpenOrder")}{" "}
                          <Link to={`/firm/appraisals/${a.openOrder.orderId}`}>
                            {a.openOrder.orderNumber}
                          </Link>
                        </div>
                      ) : null}
                    </td>
                    <td>{ipTypeLabel(t, a.ipType)}</td>
                    <td className="num">{a.centralFen === null ? "—" : money(a.centralFen)}</td>
                    <td>{a.formalValidUntil ?? "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Field>
        {valuers.length === 0 ? (
          <div className="notice" role="alert">
            {t("appraisal:new.noValuers")}
          </div>
        ) : (
          <Field
            id={fields.valuerOrgId.id}
            label={t("appraisal:new.valuer")}
            hint={t("appraisal:new.valuerHint")}
            errors={fields.valuerOrgId.errors}
          >
            <select {...getSelectProps(fields.valuerOrgId)} data-testid="valuer-select">
              <option value="">{t("appraisal:new.chooseValuer")}</option>
              {valuers.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <p data-testid="live-fee">
          {t("appraisal:new.liveFee", { n: chosen.length, fee: money(liveFee.totalFen) })}
        </p>
        <div>
          <button
            type="submit"
            name="intent"
            value="review"
            className="button"
            disabled={busy || valuers.length === 0}
            data-testid="review-order"
          >
            {t("appraisal:new.review")}
          </button>
        </div>
      </Form>

      {preview ? (
        <section className="card" data-testid="order-review">
          <h2>{t("appraisal:new.reviewTitle")}</h2>
          <p>
            {t("appraisal:order.valuer")}：<strong>{preview.valuer.name}</strong>
          </p>
          <table className="data">
            <thead>
              <tr>
                <th>{t("appraisal:asset.number")}</th>
                <th>{t("appraisal:asset.title")}</th>
                <th className="num">{t("appraisal:asset.indicativeCentral")}</th>
                <th className="num">{t("appraisal:new.itemFee")}</th>
              </tr>
            </thead>
            <tbody>
              {preview.items.map((i) => (
                <tr key={i.assetId}>
                  <td>{i.number}</td>
                  <td>{i.title}</td>
                  <td className="num">{money(i.centralFen)}</td>
                  <td className="num">
                    <Money fen={i.feeFen} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={3}>{t("appraisal:order.fee")}</th>
                <th className="num" data-testid="review-fee">
                  <Money fen={preview.feeFen} />
                </th>
              </tr>
            </tfoot>
          </table>
          <p className="muted">
            {online ? t("appraisal:new.payOnline") : t("appraisal:new.payOffline")}
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="confirm" />
            <input type="hidden" name="valuerOrgId" value={preview.valuer.id} />
            {preview.items.map((i) => (
              <input key={i.assetId} type="hidden" name="assetIds" value={i.assetId} />
            ))}
            <button
              type="submit"
              className="button button-primary"
              disabled={busy}
              data-testid="confirm-order"
            >
              {t("appraisal:new.confirm", { fee: formatMoneyExact(preview.feeFen, i18n.language) })}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
