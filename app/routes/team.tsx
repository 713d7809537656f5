import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { normaliseEmail } from "../domain/account";
import { formatInstant } from "../domain/dates";
import { UserFacingError } from "../models/errors";
import {
  getTeam,
  getTeamActor,
  inviteColleague,
  removeMember,
  resendTeamInvitation,
  revokeTeamInvitation,
  type TeamActor,
} from "../models/team.server";
import { withDb } from "../models/with-db.server";
import { getEnv } from "../utils/env.server";
import { LOCALES } from "../utils/i18n";
import { getServerT } from "../utils/i18n.server";
import { kickMailer } from "../utils/mailer.server";
import { pageTitle } from "../utils/meta";
import { assertCan, authorize, forbidden } from "../utils/permissions.server";
import type { SessionUser } from "../utils/session.server";

/**
 * /team: the members of the user's own firm or bank, the open invitations, and — for a firm user
 * or a bank's team admin — inviting, resending, revoking and removing (app/domain/team.ts).
 */

function inviteSchema(t: TFunction) {
  const required = { required_error: t("auth:errors.required") };
  return z.object({
    intent: z.literal("invite"),
    displayName: z.string(required).trim().min(2, t("auth:errors.required")).max(100),
    email: z
      .string(required)
      .trim()
      .max(254)
      .email(t("auth:errors.emailInvalid"))
      .transform(normaliseEmail),
    locale: z.enum(LOCALES),
    teamAdmin: z.literal("on").optional(),
  });
}

const Id = z.coerce.number().int().positive().max(2_147_483_647);
const OtherIntents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("resend"), id: Id }),
  z.object({ intent: z.literal("revoke"), id: Id }),
  z.object({ intent: z.literal("remove"), userId: Id, confirm: z.literal("yes").optional() }),
]);

const ownOrg = (actor: TeamActor) =>
  actor.role === "firm" ? { firmOrgId: actor.orgId } : { bankOrgId: actor.orgId };

async function teamActorOf(user: SessionUser, action: "team.view" | "team.manage") {
  const actor = await withDb(getTeamActor, user.id);
  assertCan(user, action, ownOrg(actor));
  return actor;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "team.view");
  const actor = await teamActorOf(user, "team.view");
  const team = await withDb(getTeam, actor);
  return { ...team, me: actor.userId, orgName: actor.orgName };
}

type ActionReply = {
  intent: string;
  result?: SubmissionResult<string[]>;
  done?: string;
  message?: string;
};

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "team.manage");
  const actor = await teamActorOf(user, "team.manage");
  const { t } = getServerT(request);
  const formData = await request.formData();
  const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
  const refuse = (intent: string, e: unknown) => {
    if (!(e instanceof UserFacingError)) throw e;
    if (e.status === 403) forbidden();
    if (e.status === 404) throw new Response("Not Found", { status: 404 });
    const message = t(e.key, e.params);
    return Response.json({ intent, message } satisfies ActionReply, { status: e.status });
  };
  if (formData.get("intent") === "invite") {
    const submission = parseWithZod(formData, { schema: inviteSchema(t) });
    if (submission.status !== "success") {
      return Response.json({ intent: "invite", result: submission.reply() }, { status: 400 });
    }
    const v = submission.value;
    try {
      await withDb(inviteColleague, actor, {
        email: v.email,
        displayName: v.displayName,
        locale: v.locale,
        teamAdmin: v.teamAdmin === "on",
        origin,
      });
    } catch (e) {
      if (e instanceof UserFacingError && e.field && e.status === 400) {
        const fieldErrors = { [e.field]: [t(e.key, e.params)] };
        return Response.json(
          { intent: "invite", result: submission.reply({ fieldErrors }) },
          { status: 400 },
        );
      }
      return refuse("invite", e);
    }
    kickMailer();
    return Response.json({
      intent: "invite",
      result: submission.reply({ resetForm: true }),
      done: t("team:invite.sent", { email: v.email }),
    } satisfies ActionReply);
  }
  const submission = parseWithZod(formData, { schema: OtherIntents });
  if (submission.status !== "success") {
    return Response.json({ intent: "", message: t("team:errors.badRequest") }, { status: 400 });
  }
  const v = submission.value;
  try {
    if (v.intent === "resend") {
      await withDb(resendTeamInvitation, actor, v.id, origin);
      kickMailer();
      return Response.json({ intent: v.intent, done: t("team:invitations.resent") });
    }
    if (v.intent === "revoke") {
      await withDb(revokeTeamInvitation, actor, v.id);
      return Response.json({ intent: v.intent, done: t("team:invitations.revoked") });
    }
    await withDb(removeMember, actor, { userId: v.userId, confirmed: v.confirm === "yes" });
    return Response.json({ intent: v.intent, done: t("team:members.removed") });
  } catch (e) {
    return refuse(v.intent, e);
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "team:title");

export default function Team() {
  const { members, invitations, canManage, canGrantTeamAdmin, me, orgName } =
    useLoaderData<typeof loader>();
  const reply = useActionData<ActionReply>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const removeId = Number(params.get("remove"));
  const toRemove = members.find((m) => m.id === removeId && m.active && m.id !== me);
  const [form, fields] = useForm({
    lastResult: reply?.intent === "invite" ? reply.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema(t) }),
    shouldValidate: "onBlur",
    defaultValue: { locale: i18n.language === "en" ? "en" : "zh-CN" },
  });
  const active = members.filter((m) => m.active);
  const removed = members.filter((m) => !m.active);
  return (
    <div className="grid" style={{ gap: "1.5rem" }}>
      <div>
        <h1>{t("team:title")}</h1>
        <p className="muted">{t("team:intro", { org: orgName })}</p>
      </div>
      {reply?.done ? (
        <p className="notice" role="status" data-testid="team-done">
          {reply.done}
        </p>
      ) : null}
      {reply?.message ? <FormErrors errors={[reply.message]} /> : null}
      {!canManage ? (
        <p className="notice" data-testid="team-readonly">
          {t("team:readOnly")}
        </p>
      ) : null}

      {toRemove && canManage ? (
        <section className="card stack" data-testid="remove-confirm" aria-live="polite">
          <h2>{t("team:remove.title", { name: toRemove.displayName })}</h2>
          <p>{t("team:remove.explain", { name: toRemove.displayName, email: toRemove.email })}</p>
          <Form method="post" replace action="/team" className="stack">
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="userId" value={toRemove.id} />
            <label className="checks">
              <span>
                <input type="checkbox" name="confirm" value="yes" required />{" "}
                {t("team:remove.confirm", { name: toRemove.displayName })}
              </span>
            </label>
            <div style={{ display: "flex", gap: "0.75rem", flexWrap: "wrap" }}>
              <button type="submit" className="button button-danger" data-testid="remove-submit">
                {t("team:remove.submit")}
              </button>
              <Link to="/team" className="button">
                {t("team:remove.cancel")}
              </Link>
            </div>
          </Form>
        </section>
      ) : null}

      <section>
        <h2>{t("team:members.title", { count: active.length })}</h2>
        <table className="data" data-testid="team-members">
          <thead>
            <tr>
              <th>{t("team:members.name")}</th>
              <th>{t("team:members.email")}</th>
              <th>{t("team:members.lastSeen")}</th>
              {canManage ? <th>{t("team:members.actions")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {active.map((m) => (
              <tr key={m.id} data-member={m.email}>
                <td>
                  {m.displayName}
                  {m.id === me ? ` ${t("team:members.you")}` : ""}
                  {m.teamAdmin ? (
                    <span className="badge" style={{ marginLeft: "0.35rem" }}>
                      {t("team:members.teamAdmin")}
                    </span>
                  ) : null}
                </td>
                <td>{m.email}</td>
                <td>{m.lastSeenAt ? formatInstant(m.lastSeenAt) : "—"}</td>
                {canManage ? (
                  <td>
                    {m.id !== me && active.length > 1 ? (
                      <Link to={`/team?remove=${m.id}`} data-testid={`remove-${m.id}`}>
                        {t("team:members.remove")}
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
        {removed.length > 0 ? (
          <details style={{ marginTop: "0.75rem" }}>
            <summary>{t("team:members.removedTitle", { count: removed.length })}</summary>
            <ul>
              {removed.map((m) => (
                <li key={m.id}>
                  {m.displayName} · {m.email}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </section>

      <section>
        <h2>{t("team:invitations.title")}</h2>
        {invitations.length === 0 ? (
          <div className="empty">{t("team:invitations.none")}</div>
        ) : (
          <table className="data" data-testid="team-invitations">
            <thead>
              <tr>
                <th>{t("team:members.email")}</th>
                <th>{t("team:members.name")}</th>
                <th>{t("team:invitations.expires")}</th>
                {canManage ? <th>{t("team:members.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {invitations.map((i) => (
                <tr key={i.id} data-invitation={i.email}>
                  <td>{i.email}</td>
                  <td>{i.displayName}</td>
                  <td>
                    {formatInstant(i.expiresAt)}
                    {i.status === "expired" ? (
                      <span className="badge badge-warn" style={{ marginLeft: "0.35rem" }}>
                        {t("team:invitations.expired")}
                      </span>
                    ) : null}
                  </td>
                  {canManage ? (
                    <td>
                      <div style={{ display: "flex", gap: "0.5rem", flexWrap: "wrap" }}>
                        <Form method="post" action="/team">
                          <input type="hidden" name="id" value={i.id} />
                          <button
                            type="submit"
                            name="intent"
                            value="resend"
                            className="link-button"
                          >
                            {t("team:invitations.resend")}
                          </button>
                        </Form>
                        <Form method="post" action="/team">
                          <input type="hidden" name="id" value={i.id} />
                          <button
                            type="submit"
                            name="intent"
                            value="revoke"
                            className="link-button"
                          >
                            {t("team:invitations.revoke")}
                          </button>
                        </Form>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {canManage ? (
        <section>
          <h2>{t("team:invite.title")}</h2>
          <Form method="post" action="/team" className="stack card" {...getFormProps(form)}>
            <FormErrors errors={form.errors} />
            <input type="hidden" name="intent" value="invite" />
            <Field
              id={fields.displayName.id}
              label={t("team:invite.name")}
              errors={fields.displayName.errors}
            >
              <input {...getInputProps(fields.displayName, { type: "text" })} />
            </Field>
            <Field id={fields.email.id} label={t("team:invite.email")} errors={fields.email.errors}>
              <input {...getInputProps(fields.email, { type: "email" })} />
            </Field>
            <Field
              id={fields.locale.id}
              label={t("team:invite.locale")}
              hint={t("team:invite.localeHint")}
              errors={fields.locale.errors}
            >
              <select {...getSelectProps(fields.locale)}>
                {LOCALES.map((l) => (
                  <option key={l} value={l}>
                    {t(`lang.${l}`)}
                  </option>
                ))}
              </select>
            </Field>
            {canGrantTeamAdmin ? (
              <label className="checks">
                <span>
                  <input type="checkbox" name="teamAdmin" value="on" /> {t("team:invite.teamAdmin")}
                </span>
              </label>
            ) : null}
            <p className="hint">{t("team:invite.expiryNote")}</p>
            <button type="submit" className="button button-primary" data-testid="invite-submit">
              {t("team:invite.submit")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
