import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { normaliseEmail } from "../domain/account";
import { formatInstant } from "../domain/dates";
import { UserFacingError } from "../models/errors";
import {
  inviteMember,
  listPendingInvitations,
  resendInvitation,
  revokeInvitation,
} from "../models/invitation.server";
import { listOrganisations } from "../models/organisation.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { getEnv } from "../utils/env.server";
import { LOCALES } from "../utils/i18n";
import { kickMailer } from "../utils/mailer.server";
import { toDbInstant } from "../utils/time";
import { pageTitle } from "../utils/meta";

const INVITABLE_KINDS = ["bank", "valuer", "alliance", "platform"] as const;
const ALLIANCE_KINDS = ["bank", "insurer", "guarantor", "valuer", "government"] as const;

function inviteSchema(t: TFunction) {
  const required = { required_error: t("auth:errors.required") };
  return z
    .object({
      mode: z.enum(["existing", "new"]),
      orgId: z.coerce.number().int().positive().optional(),
      orgKind: z.enum(INVITABLE_KINDS).optional(),
      allianceKind: z.enum(ALLIANCE_KINDS).optional(),
      orgName: z.string().trim().max(200).optional(),
      displayName: z.string(required).trim().min(2, t("auth:errors.required")).max(100),
      email: z
        .string(required)
        .trim()
        .max(254)
        .email(t("auth:errors.emailInvalid"))
        .transform(normaliseEmail),
      locale: z.enum(LOCALES).catch("zh-CN"),
    })
    .superRefine((v, ctx) => {
      const req = (path: string) =>
        ctx.addIssue({
          path: [path],
          code: z.ZodIssueCode.custom,
          message: t("auth:errors.required"),
        });
      if (v.mode === "existing" && !v.orgId) req("orgId");
      if (v.mode === "new") {
        if (!v.orgKind) req("orgKind");
        if (!v.orgName || v.orgName.length < 2) req("orgName");
        if (v.orgKind === "alliance" && !v.allianceKind) req("allianceKind");
      }
    });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "invitation.create");
  return {
    orgs: await withDb(listOrganisations, ["bank", "valuer", "alliance", "platform"]),
    pending: await withDb(listPendingInvitations),
    now: toDbInstant(new Date()),
  };
}

const Change = z.object({
  intent: z.enum(["resend", "revoke"]),
  id: z.coerce.number().int().positive().max(2_147_483_647),
});

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "invitation.create");
  const { t } = getServerT(request);
  const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
  const formData = await request.formData();
  if (formData.get("intent") === "resend" || formData.get("intent") === "revoke") {
    const change = Change.safeParse(Object.fromEntries(formData));
    if (!change.success) return Response.json({ changed: null }, { status: 400 });
    const { intent, id } = change.data;
    try {
      const input = { invitationId: id, actorUserId: admin.id, scope: { kind: "any" as const } };
      if (intent === "resend") await withDb(resendInvitation, { ...input, origin });
      else await withDb(revokeInvitation, input);
    } catch (e) {
      if (!(e instanceof UserFacingError)) throw e;
      if (e.status === 404) throw new Response("Not Found", { status: 404 });
      return Response.json({ changed: null, message: t(e.key) }, { status: e.status });
    }
    if (intent === "resend") kickMailer();
    return Response.json({ changed: intent });
  }
  const submission = parseWithZod(formData, { schema: inviteSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    await withDb(inviteMember, {
      target:
        v.mode === "new"
          ? {
              newOrg: {
                kind: v.orgKind!,
                name: v.orgName!,
                allianceKind: v.orgKind === "alliance" ? (v.allianceKind ?? null) : null,
              },
            }
          : { orgId: v.orgId ?? 0 },
      email: v.email,
      displayName: v.displayName,
      invitedBy: admin.id,
      locale: v.locale,
      origin,
    });
    kickMailer();
    return Response.json({
      ...submission.reply({ resetForm: true }),
      invite: { email: v.email },
    });
  } catch (e) {
    if (e instanceof UserFacingError) {
      const fieldErrors = { [e.field ?? "email"]: [t(e.key, e.params)] };
      return Response.json(submission.reply({ fieldErrors }), { status: 400 });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.invitations");

export default function Invitations() {
  const { orgs, pending, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as
    | (SubmissionResult<string[]> & {
        invite?: { email: string };
        changed?: "resend" | "revoke" | null;
        message?: string;
      })
    | undefined;
  const { t, i18n } = useTranslation();
  const [mode, setMode] = useState<"existing" | "new">("existing");
  const [orgKind, setOrgKind] = useState<string>("bank");
  const [form, fields] = useForm({
    lastResult: actionData && "status" in actionData ? actionData : undefined,
    defaultValue: { locale: i18n.language === "en" ? "en" : "zh-CN" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema(t) }),
    shouldValidate: "onBlur",
  });
  const invite = actionData?.invite ?? null;
  return (
    <div className="grid" style={{ gap: "1.5rem" }}>
      <h1>{t("auth:admin.invitationsTitle")}</h1>
      {invite ? (
        <div className="notice" data-testid="invite-sent" role="status">
          <p>{t("auth:admin.created", { email: invite.email })}</p>
        </div>
      ) : null}
      {actionData?.changed ? (
        <p className="notice" role="status">
          {t(
            actionData.changed === "resend"
              ? "team:invitations.resent"
              : "team:invitations.revoked",
          )}
        </p>
      ) : null}
      {actionData?.message ? <FormErrors errors={[actionData.message]} /> : null}
      <Form method="post" className="stack card" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <div className="checks" role="radiogroup">
          <label>
            <input
              type="radio"
              name="mode"
              value="existing"
              checked={mode === "existing"}
              onChange={() => setMode("existing")}
            />
            {t("auth:admin.existingOrg")}
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              value="new"
              checked={mode === "new"}
              onChange={() => setMode("new")}
            />
            {t("auth:admin.newOrg")}
          </label>
        </div>
        {mode === "existing" ? (
          <Field id={fields.orgId.id} label={t("auth:admin.orgName")} errors={fields.orgId.errors}>
            <select {...getSelectProps(fields.orgId)}>
              <option value="">—</option>
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}（{t(`auth:admin.orgKinds.${o.kind}`)}）
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <>
            <Field
              id={fields.orgKind.id}
              label={t("auth:admin.orgKind")}
              errors={fields.orgKind.errors}
            >
              <select
                {...getSelectProps(fields.orgKind)}
                value={orgKind}
                onChange={(e) => setOrgKind(e.target.value)}
              >
                {INVITABLE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`auth:admin.orgKinds.${k}`)}
                  </option>
                ))}
              </select>
            </Field>
            {orgKind === "alliance" ? (
              <Field
                id={fields.allianceKind.id}
                label={t("auth:admin.allianceKind")}
                errors={fields.allianceKind.errors}
              >
                <select {...getSelectProps(fields.allianceKind)}>
                  {ALLIANCE_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t(`auth:admin.allianceKinds.${k}`)}
                    </option>
                  ))}
                </select>
              </Field>
            ) : null}
            <Field
              id={fields.orgName.id}
              label={t("auth:admin.orgName")}
              errors={fields.orgName.errors}
            >
              <input {...getInputProps(fields.orgName, { type: "text" })} />
            </Field>
          </>
        )}
        <Field
          id={fields.displayName.id}
          label={t("auth:admin.inviteeName")}
          errors={fields.displayName.errors}
        >
          <input {...getInputProps(fields.displayName, { type: "text" })} />
        </Field>
        <Field
          id={fields.email.id}
          label={t("auth:admin.inviteeEmail")}
          errors={fields.email.errors}
        >
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
        <button type="submit" className="button button-primary">
          {t("auth:admin.send")}
        </button>
      </Form>
      <section>
        <h2>{t("auth:admin.pending")}</h2>
        {pending.length === 0 ? (
          <div className="empty">{t("auth:admin.none")}</div>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>{t("auth:admin.inviteeName")}</th>
                <th>{t("auth:admin.inviteeEmail")}</th>
                <th>{t("auth:admin.orgName")}</th>
                <th>{t("auth:admin.role")}</th>
                <th>{t("auth:admin.expires")}</th>
                <th>{t("team:members.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((p) => (
                <tr key={p.id}>
                  <td>{p.display_name}</td>
                  <td>{p.email}</td>
                  <td>{p.orgName}</td>
                  <td>{t(`roles.${p.role}`)}</td>
                  <td>
                    {formatInstant(p.expires_at)}
                    {p.expires_at <= now ? (
                      <span className="badge badge-warn" style={{ marginLeft: "0.35rem" }}>
                        {t("team:invitations.expired")}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <div style={{ display: "flex", gap: "0.5rem", flexWrap: "wrap" }}>
                      <Form method="post">
                        <input type="hidden" name="id" value={p.id} />
                        <button type="submit" name="intent" value="resend" className="link-button">
                          {t("team:invitations.resend")}
                        </button>
                      </Form>
                      <Form method="post">
                        <input type="hidden" name="id" value={p.id} />
                        <button type="submit" name="intent" value="revoke" className="link-button">
                          {t("team:invitations.revoke")}
                        </button>
                      </Form>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
