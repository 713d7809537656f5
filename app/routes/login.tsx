import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import {
  DASHBOARD_BY_ROLE,
  getOptionalUser,
  passwordAccepted,
  verifyLogin,
} from "../utils/auth.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { readCookie, REGISTERED_EMAIL_COOKIE } from "../utils/session.server";

function loginSchema(t: TFunction) {
  return z.object({
    email: z
      .string({ required_error: t("auth:errors.required") })
      .trim()
      .email(t("auth:errors.emailInvalid")),
    password: z.string({ required_error: t("auth:errors.required") }),
    redirectTo: z.string().optional(),
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (user) throw redirect(DASHBOARD_BY_ROLE[user.role]);
  const raw = readCookie(request, REGISTERED_EMAIL_COOKIE);
  let email = "";
  try {
    email = raw ? decodeURIComponent(raw).slice(0, 254) : "";
  } catch {
    email = "";
  }
  return { email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { t } = getServerT(request);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: loginSchema(t) });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
  const result = await verifyLogin(email, password, context.clientIp ?? "unknown");
  if (!result.ok) {
    if (result.reason === "throttled") {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      return Response.json(
        submission.reply({
          formErrors: [t("auth:login.throttled", { seconds })],
          hideFields: ["password"],
        }),
        { status: 429, headers: { "Retry-After": String(seconds) } },
      );
    }
    return Response.json(
      submission.reply({ formErrors: [t("auth:login.invalid")], hideFields: ["password"] }),
      { status: 400 },
    );
  }
  // With two-factor authentication on, this is the code form, not yet a session.
  return passwordAccepted(request, result, redirectTo, context.clientIp ?? null);
}

/** Remix sends a document's headers from here only: pass the throttle's Retry-After through. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retry = actionHeaders.get("Retry-After");
  return retry ? { "Retry-After": retry } : new Headers();
};

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.login");

export default function Login() {
  const { t } = useTranslation();
  const lastResult = useActionData<typeof action>();
  const [params] = useSearchParams();
  const loaded = useLoaderData<typeof loader>();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { email: loaded.email },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema(t) }),
    shouldRevalidate: "onBlur",
  });
  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "2rem auto" }}>
      <h1>{t("auth:login.title")}</h1>
      {params.get("reset") === "1" ? <p role="status">{t("auth:login.resetDone")}</p> : null}
      {params.get("registered") === "1" ? (
        <p role="status" data-testid="registered">
          {t("auth:login.registered")}
        </p>
      ) : null}
      {params.get("verified") === "1" ? <p role="status">{t("auth:login.verified")}</p> : null}
      {params.get("expired") === "1" ? (
        <p role="status">{t("security:login.pendingExpired")}</p>
      ) : null}
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field id={fields.email.id} label={t("auth:login.email")} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="username" />
        </Field>
        <Field
          id={fields.password.id}
          label={t("auth:login.password")}
          errors={fields.password.errors}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="current-password"
          />
        </Field>
        <button type="submit" className="button button-primary">
          {t("auth:login.submit")}
        </button>
        <p className="muted">
          <Link to="/forgot-password">{t("auth:login.forgotLink")}</Link>
        </p>
        <p className="muted">
          {t("auth:login.noAccount")} <Link to="/register">{t("auth:login.registerLink")}</Link>
        </p>
      </Form>
    </div>
  );
}
