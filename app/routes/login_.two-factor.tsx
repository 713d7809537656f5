import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { verifySecondStep } from "../utils/auth.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { clearPendingLoginCookie, readPendingLogin } from "../utils/two-factor.server";

/**
 * The second step of logging in (docs/decisions/014-two-factor.md): only reachable with the
 * signed pending state a right password gave; the session is created here, after the code.
 */

function codeSchema(t: TFunction) {
  return z.object({
    code: z
      .string({ required_error: t("security:errors.codeRequired") })
      .trim()
      .max(32, t("security:errors.codeWrong")),
    remember: z.literal("on").optional(),
  });
}

function backToLogin(request: Request): never {
  throw redirect("/login?expired=1", {
    headers: { "Set-Cookie": clearPendingLoginCookie(request) },
  });
}

export function loader({ request }: LoaderFunctionArgs) {
  if (!readPendingLogin(request)) backToLogin(request);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const pending = readPendingLogin(request);
  if (!pending) backToLogin(request);
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: codeSchema(t) });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ hideFields: ["code"] }), { status: 400 });
  }
  const result = await verifySecondStep(
    request,
    pending,
    submission.value.code,
    submission.value.remember === "on",
    context.clientIp ?? "unknown",
  );
  if (result.ok) return result.response;
  if (result.reason === "throttled") {
    const seconds = Math.ceil(result.retryAfterMs / 1000);
    return Response.json(
      submission.reply({
        formErrors: [t("security:login.throttled", { seconds })],
        hideFields: ["code"],
      }),
      { status: 429, headers: { "Retry-After": String(seconds) } },
    );
  }
  return Response.json(
    submission.reply({ formErrors: [t("security:login.invalid")], hideFields: ["code"] }),
    { status: 400 },
  );
}

export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retry = actionHeaders.get("Retry-After");
  return retry ? { "Retry-After": retry } : new Headers();
};

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "security:titles.loginCode");

export default function LoginTwoFactor() {
  const { t } = useTranslation();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: codeSchema(t) }),
    shouldRevalidate: "onBlur",
  });
  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "2rem auto" }}>
      <h1>{t("security:login.title")}</h1>
      <p className="muted">{t("security:login.intro")}</p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field
          id={fields.code.id}
          label={t("security:login.code")}
          hint={t("security:login.codeHint")}
          errors={fields.code.errors}
        >
          <input
            {...getInputProps(fields.code, { type: "text" })}
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            autoFocus
            data-testid="two-factor-code"
          />
        </Field>
        <div className="checks">
          <label>
            <input type="checkbox" name="remember" value="on" data-testid="two-factor-remember" />
            {t("security:login.remember")}
          </label>
        </div>
        <button type="submit" className="button button-primary" data-testid="two-factor-submit">
          {t("security:login.submit")}
        </button>
        <p className="muted">
          <Link to="/login">{t("security:login.cancel")}</Link>
        </p>
      </Form>
    </div>
  );
}
