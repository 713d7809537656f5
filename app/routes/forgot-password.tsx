import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { requestPasswordReset } from "../models/password-reset.server";
import { withDb } from "../models/with-db.server";
import { getEnv } from "../utils/env.server";
import { getServerT } from "../utils/i18n.server";
import { kickMailer } from "../utils/mailer.server";
import { pageTitle } from "../utils/meta";

function forgotSchema(t: TFunction) {
  return z.object({
    email: z
      .string({ required_error: t("auth:errors.required") })
      .trim()
      .max(254)
      .email(t("auth:errors.emailInvalid")),
  });
}

export function loader() {
  return null;
}

/** The same answer whether or not the address has an account (no enumeration). */
export async function action({ request }: ActionFunctionArgs) {
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: forgotSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply(), sent: false }, { status: 400 });
  }
  const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
  await withDb(requestPasswordReset, submission.value.email, origin);
  kickMailer();
  return Response.json({ result: submission.reply({ resetForm: true }), sent: true });
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.forgot");

export default function ForgotPassword() {
  const { t } = useTranslation();
  const data = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: data?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: forgotSchema(t) }),
    shouldRevalidate: "onBlur",
  });
  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "2rem auto" }}>
      <h1>{t("auth:forgot.title")}</h1>
      {data?.sent ? (
        <p role="status" data-testid="reset-sent">
          {t("auth:forgot.sent")}
        </p>
      ) : (
        <p className="muted">{t("auth:forgot.intro")}</p>
      )}
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field id={fields.email.id} label={t("auth:forgot.email")} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="username" />
        </Field>
        <button type="submit" className="button button-primary">
          {t("auth:forgot.submit")}
        </button>
      </Form>
    </div>
  );
}
