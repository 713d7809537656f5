import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { newPasswordField, strongPassword } from "../utils/account-schemas";
import { checkPasswordStrength } from "../utils/password-strength.server";
import { UserFacingError } from "../models/errors";
import { acceptInvitation, findOpenInvitation } from "../models/invitation.server";
import { DASHBOARD_BY_ROLE } from "../utils/auth.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { createUserSession } from "../utils/session.server";
import { pageTitle } from "../utils/meta";

function passwordSchema(t: TFunction) {
  return z.object({
    password: newPasswordField(t),
  });
}

export async function loader({ params }: LoaderFunctionArgs) {
  const inv = await withDb(findOpenInvitation, params.token ?? "");
  return { invitation: inv ? { email: inv.email, role: inv.role, orgName: inv.orgName } : null };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), {
    schema: passwordSchema(t).superRefine(strongPassword(t, checkPasswordStrength)),
  });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  try {
    const { userId, role } = await withDb(
      acceptInvitation,
      params.token ?? "",
      submission.value.password,
    );
    const cookie = await createUserSession(request, userId, context.clientIp ?? null);
    return redirect(DASHBOARD_BY_ROLE[role], { headers: { "Set-Cookie": cookie } });
  } catch (e) {
    if (e instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(e.key)], hideFields: ["password"] }), {
        status: 400,
      });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.invite");

export default function AcceptInvitation() {
  const { invitation } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t } = useTranslation();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: passwordSchema(t) }),
    shouldValidate: "onBlur",
  });
  if (!invitation) {
    return (
      <div className="card" style={{ maxWidth: "32rem", margin: "2rem auto" }}>
        <h1>{t("auth:invite.title")}</h1>
        <p className="form-error">{t("auth:invite.invalid")}</p>
      </div>
    );
  }
  return (
    <div className="card" style={{ maxWidth: "32rem", margin: "2rem auto" }}>
      <h1>{t("auth:invite.title")}</h1>
      <p>
        {t("auth:invite.intro", { org: invitation.orgName, role: t(`roles.${invitation.role}`) })}
      </p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field id="email" label={t("auth:login.email")}>
          <input
            id="email"
            type="email"
            value={invitation.email}
            readOnly
            autoComplete="username"
          />
        </Field>
        <Field
          id={fields.password.id}
          label={t("auth:register.password")}
          hint={t("auth:register.passwordHint")}
          errors={fields.password.errors}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="new-password"
          />
        </Field>
        <button type="submit" className="button button-primary">
          {t("auth:invite.submit")}
        </button>
      </Form>
    </div>
  );
}
