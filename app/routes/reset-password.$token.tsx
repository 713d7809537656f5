import { getFormProps, getInputProps, useForm } from "@conform-to/react";
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
import { newPasswordField, strongPassword } from "../utils/account-schemas";
import { checkPasswordStrength } from "../utils/password-strength.server";
import { isResetTokenUsable, resetPassword } from "../models/password-reset.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

function resetSchema(t: TFunction) {
  return z.object({
    password: newPasswordField(t),
  });
}

const Token = z.string().max(100);

export async function loader({ params }: LoaderFunctionArgs) {
  const token = Token.safeParse(params.token);
  return { usable: token.success && (await withDb(isResetTokenUsable, token.data)) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), {
    schema: resetSchema(t).superRefine(strongPassword(t, checkPasswordStrength)),
  });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const token = Token.safeParse(params.token);
  const done =
    token.success && (await withDb(resetPassword, token.data, submission.value.password));
  if (!done) {
    return Response.json(
      submission.reply({ formErrors: [t("auth:reset.invalid")], hideFields: ["password"] }),
      { status: 400 },
    );
  }
  return redirect("/login?reset=1");
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.reset");

export default function ResetPassword() {
  const { t } = useTranslation();
  const { usable } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: resetSchema(t) }),
    shouldRevalidate: "onBlur",
  });
  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "2rem auto" }}>
      <h1>{t("auth:reset.title")}</h1>
      {usable ? (
        <Form method="post" className="stack" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <Field
            id={fields.password.id}
            label={t("auth:reset.password")}
            errors={fields.password.errors}
          >
            <input
              {...getInputProps(fields.password, { type: "password" })}
              autoComplete="new-password"
            />
          </Field>
          <button type="submit" className="button button-primary">
            {t("auth:reset.submit")}
          </button>
        </Form>
      ) : (
        <p>
          {t("auth:reset.invalid")} <Link to="/forgot-password">{t("auth:reset.again")}</Link>
        </p>
      )}
    </div>
  );
}
