import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { changePassword } from "../models/account.server";
import { withDb } from "../models/with-db.server";
import { newPasswordField, strongPassword } from "../utils/account-schemas";
import { requireUser, verifyLogin } from "../utils/auth.server";
import { getServerT } from "../utils/i18n.server";
import { kickMailer } from "../utils/mailer.server";
import { pageTitle } from "../utils/meta";
import { checkPasswordStrength } from "../utils/password-strength.server";
import { currentSessionId } from "../utils/session.server";

function passwordSchema(t: TFunction) {
  return z.object({
    currentPassword: z.string({ required_error: t("auth:errors.required") }).max(200),
    password: newPasswordField(t),
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

/** The current password is checked behind the log-in throttle, so a borrowed session cannot guess. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), {
    schema: passwordSchema(t).superRefine(
      strongPassword(t, checkPasswordStrength, () => [user.email, user.orgName, user.display_name]),
    ),
  });
  const hide = { hideFields: ["currentPassword", "password"] };
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply(hide), ended: null }, { status: 400 });
  }
  const check = await verifyLogin(
    user.email,
    submission.value.currentPassword,
    context.clientIp ?? "unknown",
  );
  if (!check.ok || check.userId !== user.id) {
    const throttled = !check.ok && check.reason === "throttled";
    const message = throttled
      ? t("account:password.throttled", { seconds: Math.ceil(check.retryAfterMs / 1000) })
      : t("account:password.wrongCurrent");
    return Response.json(
      {
        result: submission.reply({
          fieldErrors: { currentPassword: [message] },
          ...hide,
        }),
        ended: null,
      },
      { status: throttled ? 429 : 400 },
    );
  }
  const { sessionsEnded } = await withDb(
    changePassword,
    user,
    submission.value.password,
    currentSessionId(request) ?? "",
  );
  kickMailer();
  return Response.json({ result: submission.reply({ resetForm: true }), ended: sessionsEnded });
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "account:titles.password");

export default function AccountPassword() {
  const { t } = useTranslation();
  const data = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: data?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: passwordSchema(t) }),
    shouldRevalidate: "onBlur",
  });
  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "1rem auto" }}>
      <h1>{t("account:password.title")}</h1>
      {data?.ended != null ? (
        <p role="status" data-testid="password-changed">
          {t("account:password.done", { count: data.ended })}
        </p>
      ) : (
        <p className="muted">{t("account:password.intro")}</p>
      )}
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field
          id={fields.currentPassword.id}
          label={t("account:password.current")}
          errors={fields.currentPassword.errors}
        >
          <input
            {...getInputProps(fields.currentPassword, { type: "password" })}
            autoComplete="current-password"
          />
        </Field>
        <Field
          id={fields.password.id}
          label={t("account:password.new")}
          hint={t("account:password.hint")}
          errors={fields.password.errors}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="new-password"
          />
        </Field>
        <button type="submit" className="button button-primary">
          {t("account:password.submit")}
        </button>
      </Form>
    </div>
  );
}
