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
import { admitCodeAttempt } from "../models/login-throttle.server";
import { UserFacingError } from "../models/errors";
import {
  cancelEnrolment,
  confirmEnrolment,
  disableTwoFactor,
  forgetDevices,
  getTwoFactorStatus,
  pendingEnrolmentSecret,
  regenerateRecoveryCodes,
  startEnrolment,
} from "../models/two-factor.server";
import { withDb } from "../models/with-db.server";
import { safeRedirect } from "../utils/auth.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize } from "../utils/permissions.server";
import { currentSessionId } from "../utils/session.server";
import { groupSecret, otpauthUri, qrDataUrl } from "../utils/two-factor.server";

/**
 * One's own two-factor authentication (docs/decisions/014-two-factor.md): set up with a QR code
 * and a first code, see how many recovery codes are left and make new ones, forget remembered
 * devices, turn it off with the password and a code. Users whose role must use it are sent here
 * by the permission guards, with `required=1` and where they were.
 */

const code = (t: TFunction) =>
  z
    .string({ required_error: t("security:errors.codeRequired") })
    .trim()
    .max(32, t("security:errors.codeWrong"));

function schema(t: TFunction) {
  return z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("start") }),
    z.object({ intent: z.literal("cancel") }),
    z.object({ intent: z.literal("confirm"), code: code(t) }),
    z.object({ intent: z.literal("regenerate"), code: code(t) }),
    z.object({ intent: z.literal("forgetDevices") }),
    z.object({
      intent: z.literal("disable"),
      password: z.string({ required_error: t("auth:errors.required") }).max(1000),
      code: code(t),
    }),
  ]);
}

function backTo(request: Request): string | null {
  const raw = new URL(request.url).searchParams.get("redirectTo");
  if (!raw) return null;
  const to = safeRedirect(raw, "");
  return to || null;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "twoFactor.manage");
  assertCan(user, "twoFactor.manage", { userId: user.id });
  const url = new URL(request.url);
  const status = await withDb(getTwoFactorStatus, user.id);
  let enrolment: { qr: string; secret: string } | null = null;
  if (status.pending) {
    const secret = await withDb(pendingEnrolmentSecret, user.id);
    if (secret) {
      enrolment = {
        qr: await qrDataUrl(otpauthUri(secret, user.email)),
        secret: groupSecret(secret),
      };
    }
  }
  return {
    status,
    enrolment,
    required: user.twoFactorRequired,
    sentHere: url.searchParams.get("required") === "1",
    redirectTo: backTo(request),
    notice: url.searchParams.get("done"),
  };
}

type ActionData = {
  intent: string;
  result: SubmissionResult<string[]> | null;
  codes?: string[];
};

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await authorize(request, "twoFactor.manage");
  assertCan(user, "twoFactor.manage", { userId: user.id });
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: schema(t) });
  const intent = String(submission.payload.intent ?? "");
  if (submission.status !== "success") {
    return Response.json(
      { intent, result: submission.reply({ hideFields: ["password", "code"] }) },
      { status: 400 },
    );
  }
  const v = submission.value;
  const here = new URL(request.url);
  const self = (done?: string) => {
    const params = new URLSearchParams(here.search);
    if (done) params.set("done", done);
    else params.delete("done");
    const q = params.toString();
    return `/account/two-factor${q ? `?${q}` : ""}`;
  };
  const actor = { id: user.id, org_id: user.org_id };
  try {
    switch (v.intent) {
      case "start":
        await withDb(startEnrolment, actor);
        return redirect(self());
      case "cancel":
        await withDb(cancelEnrolment, actor);
        return redirect(self());
      case "confirm": {
        const codes = await withDb(confirmEnrolment, actor, v.code, currentSessionId(request));
        return Response.json({ intent, result: submission.reply({ resetForm: true }), codes });
      }
      case "forgetDevices":
        await withDb(forgetDevices, actor);
        return redirect(self("devices"));
      case "regenerate":
      case "disable": {
        // Guesses at a code (or the password) from a session are throttled like log-ins.
        const admission = await withDb(
          admitCodeAttempt,
          user.email,
          context.clientIp ?? "unknown",
          new Date(),
        );
        if (!admission.ok) {
          const seconds = Math.ceil(admission.retryAfterMs / 1000);
          return Response.json(
            {
              intent,
              result: submission.reply({
                formErrors: [t("security:login.throttled", { seconds })],
                hideFields: ["password", "code"],
              }),
            },
            { status: 429, headers: { "Retry-After": String(seconds) } },
          );
        }
        if (v.intent === "regenerate") {
          const codes = await withDb(regenerateRecoveryCodes, actor, v.code);
          return Response.json({ intent, result: submission.reply({ resetForm: true }), codes });
        }
        await withDb(disableTwoFactor, actor, v.password, v.code);
        return redirect(self("disabled"));
      }
    }
  } catch (e) {
    if (e instanceof UserFacingError) {
      const message = t(e.key, e.params);
      return Response.json(
        {
          intent,
          result: submission.reply({
            ...(e.field ? { fieldErrors: { [e.field]: [message] } } : { formErrors: [message] }),
            hideFields: ["password", "code"],
          }),
        },
        { status: e.status },
      );
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "security:titles.twoFactor");

function CodeList({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  return (
    <section className="card stack" data-testid="recovery-codes">
      <h2>{t("security:account.codesTitle")}</h2>
      <p>{t("security:account.codesIntro")}</p>
      <ol
        style={{
          fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
          display: "grid",
          gridTemplateColumns: "repeat(auto-fill, minmax(9rem, 1fr))",
          gap: "0.25rem 1.5rem",
          paddingLeft: "1.5rem",
        }}
      >
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ol>
    </section>
  );
}

export default function AccountTwoFactor() {
  const { status, enrolment, required, sentHere, redirectTo, notice } =
    useLoaderData<typeof loader>();
  const data = useActionData<ActionData>();
  const { t } = useTranslation();
  const resultFor = (intent: string) => (data?.intent === intent ? data.result : undefined);
  const [confirmForm, confirmFields] = useForm({ id: "confirm", lastResult: resultFor("confirm") });
  const [regenForm, regenFields] = useForm({
    id: "regenerate",
    lastResult: resultFor("regenerate"),
  });
  const [disableForm, disableFields] = useForm({ id: "disable", lastResult: resultFor("disable") });
  const codes = data?.codes;

  return (
    <div className="stack" style={{ maxWidth: "44rem" }}>
      <h1>{t("security:account.title")}</h1>
      <p className="muted">{t("security:account.intro")}</p>
      {sentHere && required && !status.enabled ? (
        <p className="notice" role="status" data-testid="two-factor-required">
          {t("security:account.required")}
        </p>
      ) : null}
      {notice === "devices" ? (
        <p className="notice" role="status">
          {t("security:account.devicesForgotten")}
        </p>
      ) : null}
      {notice === "disabled" ? (
        <p className="notice" role="status" data-testid="two-factor-disabled">
          {t("security:account.disabled")}
        </p>
      ) : null}
      <p data-testid="two-factor-status">
        <strong>
          {status.enabled && status.enabledAt
            ? t("security:account.statusOn", { date: status.enabledAt.slice(0, 10) })
            : t("security:account.statusOff")}
        </strong>
      </p>

      {codes ? (
        <>
          {data?.intent === "confirm" ? (
            <p className="notice" role="status" data-testid="two-factor-enabled">
              {t("security:account.enabled")}
            </p>
          ) : null}
          <CodeList codes={codes} />
          {redirectTo ? (
            <p>
              <Link to={redirectTo} className="button button-primary">
                {t("security:account.continue")}
              </Link>
            </p>
          ) : null}
        </>
      ) : null}

      {!status.enabled && !enrolment ? (
        <Form method="post">
          <button
            type="submit"
            name="intent"
            value="start"
            className="button button-primary"
            data-testid="two-factor-start"
          >
            {t("security:account.start")}
          </button>
        </Form>
      ) : null}

      {!status.enabled && enrolment ? (
        <section className="card stack">
          <h2>{t("security:account.scanTitle")}</h2>
          <img
            src={enrolment.qr}
            alt={t("security:account.qrAlt")}
            width={200}
            height={200}
            style={{ maxWidth: "100%", height: "auto", background: "#fff" }}
            data-testid="two-factor-qr"
          />
          <p className="muted">{t("security:account.manual")}</p>
          <p>
            <code data-testid="two-factor-secret" style={{ wordBreak: "break-all" }}>
              {enrolment.secret}
            </code>
          </p>
          <h2>{t("security:account.confirmTitle")}</h2>
          <Form method="post" className="stack" {...getFormProps(confirmForm)}>
            <FormErrors errors={confirmForm.errors} />
            <input type="hidden" name="intent" value="confirm" />
            <Field
              id={confirmFields.code.id}
              label={t("security:login.code")}
              errors={confirmFields.code.errors}
            >
              <input
                {...getInputProps(confirmFields.code, { type: "text" })}
                inputMode="numeric"
                autoComplete="one-time-code"
                data-testid="two-factor-confirm-code"
              />
            </Field>
            <div className="checks">
              <button
                type="submit"
                className="button button-primary"
                data-testid="two-factor-confirm"
              >
                {t("security:account.confirm")}
              </button>
            </div>
          </Form>
          <Form method="post">
            <button type="submit" name="intent" value="cancel" className="link-button">
              {t("security:account.cancelEnrolment")}
            </button>
          </Form>
        </section>
      ) : null}

      {status.enabled ? (
        <>
          <section className="card stack">
            <h2>{t("security:account.regenerateTitle")}</h2>
            <p data-testid="recovery-codes-left">
              {t("security:account.codesLeft", { count: status.recoveryCodesLeft })}
            </p>
            {status.recoveryCodesLeft <= 3 ? (
              <p className="notice">{t("security:account.codesLow")}</p>
            ) : null}
            <p className="muted">{t("security:account.regenerateIntro")}</p>
            <Form method="post" className="stack" {...getFormProps(regenForm)}>
              <FormErrors errors={regenForm.errors} />
              <input type="hidden" name="intent" value="regenerate" />
              <Field
                id={regenFields.code.id}
                label={t("security:account.code")}
                errors={regenFields.code.errors}
              >
                <input
                  {...getInputProps(regenFields.code, { type: "text" })}
                  autoComplete="one-time-code"
                />
              </Field>
              <div className="checks">
                <button type="submit" className="button">
                  {t("security:account.regenerate")}
                </button>
              </div>
            </Form>
          </section>

          <section className="card stack">
            <h2>{t("security:account.devicesTitle")}</h2>
            <p>{t("security:account.devices", { count: status.rememberedDevices })}</p>
            {status.rememberedDevices > 0 ? (
              <Form method="post">
                <button type="submit" name="intent" value="forgetDevices" className="button">
                  {t("security:account.forgetDevices")}
                </button>
              </Form>
            ) : null}
          </section>

          <section className="card stack">
            <h2>{t("security:account.disableTitle")}</h2>
            <p className="muted">{t("security:account.disableIntro")}</p>
            {required ? <p className="notice">{t("security:account.disableRequired")}</p> : null}
            <Form method="post" className="stack" {...getFormProps(disableForm)}>
              <FormErrors errors={disableForm.errors} />
              <input type="hidden" name="intent" value="disable" />
              <Field
                id={disableFields.password.id}
                label={t("security:account.password")}
                errors={disableFields.password.errors}
              >
                <input
                  {...getInputProps(disableFields.password, { type: "password" })}
                  autoComplete="current-password"
                />
              </Field>
              <Field
                id={disableFields.code.id}
                label={t("security:account.code")}
                errors={disableFields.code.errors}
              >
                <input
                  {...getInputProps(disableFields.code, { type: "text" })}
                  autoComplete="one-time-code"
                />
              </Field>
              <div className="checks">
                <button type="submit" className="button button-danger">
                  {t("security:account.disable")}
                </button>
              </div>
            </Form>
          </section>
        </>
      ) : null}
    </div>
  );
}
