import { getFormProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { formatInstant } from "../domain/dates";
import {
  ADMIN_RESET_REASON_MAX,
  ADMIN_RESET_REASON_MIN,
  USER_LIST_LIMIT,
} from "../domain/two-factor";
import { UserFacingError } from "../models/errors";
import { listUsersForAdmin, resetTwoFactorByAdmin } from "../models/two-factor.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { kickMailer } from "../utils/mailer.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/**
 * /admin/users: find a user and see their second-factor state; reset the second factor of a user
 * who lost both their app and their recovery codes, after a confirmation step with a reason
 * (docs/decisions/016-accounts.md).
 */

function resetSchema(t: TFunction) {
  return z.object({
    intent: z.literal("reset"),
    userId: z.coerce.number().int().positive().max(2_147_483_647),
    reason: z
      .string({
        required_error: t("security:adminReset.reasonTooShort", { min: ADMIN_RESET_REASON_MIN }),
      })
      .trim()
      .min(
        ADMIN_RESET_REASON_MIN,
        t("security:adminReset.reasonTooShort", { min: ADMIN_RESET_REASON_MIN }),
      )
      .max(ADMIN_RESET_REASON_MAX),
    confirm: z.literal("yes", {
      errorMap: () => ({ message: t("security:adminReset.confirmRequired") }),
    }),
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await authorize(request, "user.list");
  const q = (new URL(request.url).searchParams.get("q") ?? "").slice(0, 100);
  const users = await withDb(listUsersForAdmin, q);
  return { q, users, me: admin.id, limit: USER_LIST_LIMIT };
}

type ActionReply = { result?: SubmissionResult<string[]>; done?: string; message?: string };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "twoFactor.resetForUser");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: resetSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() } satisfies ActionReply, { status: 400 });
  }
  const v = submission.value;
  try {
    const { email, sessionsEnded } = await withDb(resetTwoFactorByAdmin, admin, {
      userId: v.userId,
      reason: v.reason,
    });
    kickMailer();
    return Response.json({
      result: submission.reply({ resetForm: true }),
      done: t("security:adminReset.done", { email, count: sessionsEnded }),
    } satisfies ActionReply);
  } catch (e) {
    if (!(e instanceof UserFacingError)) throw e;
    if (e.status === 404) throw new Response("Not Found", { status: 404 });
    return Response.json(
      { result: submission.reply({ formErrors: [t(e.key, e.params)] }) } satisfies ActionReply,
      { status: e.status },
    );
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "security:titles.users");

export default function AdminUsers() {
  const { q, users, me, limit } = useLoaderData<typeof loader>();
  const reply = useActionData<ActionReply>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const resetId = Number(params.get("reset"));
  const toReset = reply?.done
    ? undefined
    : users.find((u) => u.id === resetId && u.id !== me && u.twoFactor !== "off");
  const [form, fields] = useForm({
    id: `reset-${resetId}`,
    lastResult: reply?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: resetSchema(t) }),
    shouldValidate: "onBlur",
  });
  const back = q ? `/admin/users?q=${encodeURIComponent(q)}` : "/admin/users";
  return (
    <div className="grid" style={{ gap: "1.5rem" }}>
      <div>
        <h1>{t("security:adminReset.title")}</h1>
        <p className="muted">{t("security:adminReset.intro")}</p>
      </div>
      {reply?.done ? (
        <p className="notice" role="status" data-testid="reset-done">
          {reply.done}
        </p>
      ) : null}

      <Form method="get" className="checks" role="search">
        <label htmlFor="user-search">{t("security:adminReset.search")}</label>
        <input id="user-search" type="search" name="q" defaultValue={q} maxLength={100} />
        <button type="submit" className="button">
          {t("security:adminReset.searchSubmit")}
        </button>
      </Form>

      {toReset ? (
        <section className="card stack" data-testid="reset-confirm" aria-live="polite">
          <h2>{t("security:adminReset.confirmTitle", { name: toReset.displayName })}</h2>
          <p>{t("security:adminReset.confirmExplain", { email: toReset.email })}</p>
          <Form method="post" className="stack" {...getFormProps(form)}>
            <FormErrors errors={form.errors} />
            <input type="hidden" name="intent" value="reset" />
            <input type="hidden" name="userId" value={toReset.id} />
            <Field
              id={fields.reason.id}
              label={t("security:adminReset.reason")}
              hint={t("security:adminReset.reasonHint")}
              errors={fields.reason.errors}
            >
              <textarea
                {...getTextareaProps(fields.reason)}
                rows={3}
                maxLength={ADMIN_RESET_REASON_MAX}
              />
            </Field>
            <label className="checks">
              <span>
                <input type="checkbox" name="confirm" value="yes" required />{" "}
                {t("security:adminReset.confirm", { name: toReset.displayName })}
              </span>
            </label>
            {fields.confirm.errors?.length ? (
              <div className="error" role="alert">
                {fields.confirm.errors[0]}
              </div>
            ) : null}
            <div style={{ display: "flex", gap: "0.75rem", flexWrap: "wrap" }}>
              <button type="submit" className="button button-danger" data-testid="reset-submit">
                {t("security:adminReset.submit")}
              </button>
              <Link to={back} className="button">
                {t("security:adminReset.cancel")}
              </Link>
            </div>
          </Form>
        </section>
      ) : reply?.result && !reply.done ? (
        <FormErrors errors={reply.result.error?.[""] ?? undefined} />
      ) : null}

      <section style={{ overflowX: "auto" }}>
        {users.length === 0 ? (
          <div className="empty">{t("security:adminReset.none")}</div>
        ) : (
          <table className="data" data-testid="users">
            <thead>
              <tr>
                <th>{t("security:adminReset.name")}</th>
                <th>{t("security:adminReset.email")}</th>
                <th>{t("security:adminReset.role")}</th>
                <th>{t("security:adminReset.twoFactor")}</th>
                <th>{t("security:adminReset.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-user={u.email}>
                  <td>
                    {u.displayName}
                    {u.disabled ? (
                      <span className="badge" style={{ marginLeft: "0.35rem" }}>
                        {t("security:adminReset.disabledUser")}
                      </span>
                    ) : null}
                    <div className="muted">{u.orgName}</div>
                  </td>
                  <td>{u.email}</td>
                  <td>{t(`roles.${u.role}`)}</td>
                  <td data-testid="two-factor-state">
                    {t(`security:adminReset.state.${u.twoFactor}`, {
                      date: u.enabledAt ? formatInstant(u.enabledAt) : "",
                    })}
                  </td>
                  <td>
                    {u.id !== me && u.twoFactor !== "off" ? (
                      <Link
                        to={`/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), reset: String(u.id) })}`}
                        data-testid={`reset-${u.id}`}
                      >
                        {t("security:adminReset.reset")}
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {users.length >= limit ? (
          <p className="hint">{t("security:adminReset.limited", { count: limit })}</p>
        ) : null}
      </section>
    </div>
  );
}
