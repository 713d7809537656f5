import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { formatMoneyExact } from "../domain/money";
import { UserFacingError } from "../models/errors";
import { getAwaitingOfflineOrder, markOfflinePaid } from "../models/payment.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { Money } from "../components/Money";

const Params = z.object({ id: z.coerce.number().int().positive() });

function confirmSchema(t: TFunction) {
  const required = t("appraisal:errors.required");
  return z.object({
    version: z.coerce.number().int().positive(),
    reference: z
      .string({ required_error: required })
      .trim()
      .min(4, t("appraisal:errors.referenceShort"))
      .max(64, t("appraisal:errors.textLong", { max: 64 })),
    note: z
      .string()
      .trim()
      .max(200, t("appraisal:errors.textLong", { max: 200 }))
      .optional(),
    confirm: z.literal("on", { errorMap: () => ({ message: t("appraisal:errors.confirmPaid") }) }),
  });
}

function notFound(): never {
  throw new Response("Not Found", { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await authorize(request, "payment.confirmOffline");
  const p = Params.safeParse(params);
  if (!p.success) notFound();
  const order = await withDb(getAwaitingOfflineOrder, p.data.id);
  if (!order) notFound();
  return { order };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await authorize(request, "payment.confirmOffline");
  const p = Params.safeParse(params);
  if (!p.success) notFound();
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: confirmSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const order = await withDb(getAwaitingOfflineOrder, p.data.id);
  try {
    await withDb(markOfflinePaid, admin, p.data.id, submission.value.version, {
      reference: submission.value.reference,
      note: submission.value.note || null,
    });
  } catch (e) {
    if (e instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
  return redirect(`/admin/payments?confirmed=${encodeURIComponent(order?.orderNumber ?? "")}`);
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "appraisal:titles.confirmPayment");

export default function ConfirmOfflinePayment() {
  const { order } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t, i18n } = useTranslation();
  const [form, fields] = useForm({
    lastResult: actionData,
    defaultValue: { version: order.version },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: confirmSchema(t) }),
    shouldValidate: "onBlur",
    // A fixed field clears its error at once, so the form does not shift under the next click.
    shouldRevalidate: "onInput",
  });
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "40rem" }}>
      <p>
        <Link to="/admin/payments">← {t("appraisal:admin.paymentsTitle")}</Link>
      </p>
      <h1>{t("appraisal:admin.confirmTitle", { number: order.orderNumber })}</h1>
      <table className="data">
        <tbody>
          <tr>
            <th>{t("appraisal:admin.firm")}</th>
            <td>
              {order.firmName} {order.firmUscc ? `（${order.firmUscc}）` : ""}
            </td>
          </tr>
          <tr>
            <th>{t("appraisal:order.valuer")}</th>
            <td>{order.valuerName}</td>
          </tr>
          <tr>
            <th>{t("appraisal:payment.amount")}</th>
            <td data-testid="expected-amount">
              <Money fen={order.fee_fen} />
            </td>
          </tr>
          <tr>
            <th>{t("appraisal:payment.reference")}</th>
            <td>{order.orderNumber}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted">{t("appraisal:admin.confirmIntro")}</p>
      <Form method="post" className="stack card" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <input {...getInputProps(fields.version, { type: "hidden" })} />
        <Field
          id={fields.reference.id}
          label={t("appraisal:admin.bankReference")}
          hint={t("appraisal:admin.bankReferenceHint")}
          errors={fields.reference.errors}
        >
          <input {...getInputProps(fields.reference, { type: "text" })} />
        </Field>
        <Field id={fields.note.id} label={t("appraisal:admin.note")} errors={fields.note.errors}>
          <input {...getInputProps(fields.note, { type: "text" })} />
        </Field>
        <Field
          id={fields.confirm.id}
          label={t("appraisal:admin.confirmLabel")}
          errors={fields.confirm.errors}
        >
          <label className="checks">
            <input {...getInputProps(fields.confirm, { type: "checkbox" })} />
            {t("appraisal:admin.confirmCheck", {
              amount: formatMoneyExact(order.fee_fen, i18n.language),
              number: order.orderNumber,
            })}
          </label>
        </Field>
        <button type="submit" className="button button-primary" data-testid="mark-paid">
          {t("appraisal:admin.markPaid")}
        </button>
      </Form>
    </div>
  );
}
