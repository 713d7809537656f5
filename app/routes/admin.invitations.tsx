import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
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
import { inviteMember, listPendingInvitations } from "../models/invitation.server";
import { listOrganisations } from "../models/organisation.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
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
        .email(t("auth:errors.emailInvalid"))
        .transform(normaliseEmail),
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
  const origin = new URL(request.url).origin;
  return {
    orgs: await withDb(listOrganisations, ["bank", "valuer", "alliance", "platform"]),
    pending: await withDb(listPendingInvitations),
    origin,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "invitation.create");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: inviteSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const { token } = await withDb(inviteMember, {
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
    });
    return Response.json({
      ...submission.reply({ resetForm: true }),
      invite: { token, email: v.email },
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
  const { orgs, pending, origin } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const [mode, setMode] = useState<"existing" | "new">("existing");
  const [orgKind, setOrgKind] = useState<string>("bank");
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema(t) }),
    shouldValidate: "onBlur",
  });
  const invite =
    actionData && "invite" in actionData
      ? (actionData.invite as { token: string; email: string })
      : null;
  return (
    <div className="grid" style={{ gap: "1.5rem" }}>
      <h1>{t("auth:admin.invitationsTitle")}</h1>
      {invite ? (
        <div className="notice" data-testid="invite-link">
          <p>{t("auth:admin.created", { email: invite.email })}</p>
          <code style={{ wordBreak: "break-all" }}>{`${origin}/invite/${invite.token}`}</code>
        </div>
      ) : null}
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
              </tr>
            </thead>
            <tbody>
              {pending.map((p) => (
                <tr key={p.id}>
                  <td>{p.display_name}</td>
                  <td>{p.email}</td>
                  <td>{p.orgName}</td>
                  <td>{t(`roles.${p.role}`)}</td>
                  <td>{formatInstant(p.expires_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
