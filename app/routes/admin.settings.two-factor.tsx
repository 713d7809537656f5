import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormErrors } from "../components/Field";
import { POLICY_ROLES } from "../domain/two-factor";
import { UserFacingError } from "../models/errors";
import {
  countEnrolledByRole,
  getTwoFactorPolicy,
  setTwoFactorPolicy,
} from "../models/two-factor.server";
import { withDb } from "../models/with-db.server";
import { isDeployment } from "../utils/env.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

/**
 * Which roles must use two-factor authentication (docs/decisions/014-two-factor.md). Changing it
 * is itself an action that needs a second factor once admins are required to have one.
 */

const Schema = z.object({
  expectedUpdatedAt: z.string().max(40).optional(),
  roles: z
    .array(z.enum(["firm", "bank_officer", "valuer", "alliance", "admin"]))
    .max(POLICY_ROLES.length)
    .default([]),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "twoFactorPolicy.edit");
  const policy = await withDb(getTwoFactorPolicy);
  const enrolled = await withDb(countEnrolledByRole);
  return {
    ...policy,
    enrolled,
    deployment: isDeployment(),
    saved: new URL(request.url).searchParams.has("saved"),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "twoFactorPolicy.edit");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Schema });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  try {
    await withDb(
      setTwoFactorPolicy,
      { userId: admin.id, orgId: admin.org_id },
      submission.value.roles,
      submission.value.expectedUpdatedAt || null,
    );
  } catch (e) {
    if (e instanceof UserFacingError) {
      return Response.json(
        { result: submission.reply({ formErrors: [t(e.key, e.params)] }) },
        { status: e.status },
      );
    }
    throw e;
  }
  return redirect("/admin/settings/two-factor?saved=1");
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "security:titles.policy");

export default function TwoFactorPolicy() {
  const { roles, updatedAt, enrolled, deployment, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const { t } = useTranslation();
  const [form] = useForm({ id: "two-factor-policy", lastResult: actionData?.result });
  return (
    <div className="stack" style={{ maxWidth: "44rem" }}>
      <h1>{t("security:policy.title")}</h1>
      <p className="muted">{t("security:policy.intro")}</p>
      {saved ? (
        <p className="notice" role="status">
          {t("security:policy.saved")}
        </p>
      ) : null}
      {updatedAt === null ? (
        <p className="notice">
          {deployment ? t("security:policy.defaultDeployment") : t("security:policy.defaultDemo")}
        </p>
      ) : null}
      <Form method="post" className="card stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <input type="hidden" name="expectedUpdatedAt" value={updatedAt ?? ""} />
        <div className="stack">
          {POLICY_ROLES.map((role) => (
            <div className="checks" key={role}>
              <label>
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  defaultChecked={roles.includes(role)}
                  data-testid={`policy-${role}`}
                />
                {t(`roles.${role}`)}
              </label>
              <span className="muted">
                {t("security:policy.enrolled")}: {enrolled[role] ?? 0}
              </span>
            </div>
          ))}
        </div>
        <div className="checks">
          <button type="submit" className="button button-primary" data-testid="save-policy">
            {t("security:policy.save")}
          </button>
        </div>
      </Form>
    </div>
  );
}
