import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { resendVerification } from "../models/account.server";
import { withDb } from "../models/with-db.server";
import { requireUser } from "../utils/auth.server";
import { getEnv } from "../utils/env.server";
import { getServerT } from "../utils/i18n.server";
import { kickMailer } from "../utils/mailer.server";
import { pageTitle } from "../utils/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { email: user.email, emailVerified: user.emailVerified };
}

/** The one action here: send the verification link again (throttled in the model). */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { t } = getServerT(request);
  const form = await request.formData();
  if (form.get("intent") !== "resend") {
    return Response.json({ message: t("account:overview.badRequest"), ok: false }, { status: 400 });
  }
  const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
  const outcome = await withDb(resendVerification, user.id, origin);
  if (outcome === "sent") kickMailer();
  return Response.json(
    { message: t(`account:resend.${outcome}`), ok: outcome !== "throttled" },
    { status: outcome === "throttled" ? 429 : 200 },
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "account:titles.account");

export default function Account() {
  const { email, emailVerified } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <div className="card" style={{ maxWidth: "36rem", margin: "1rem auto" }}>
      <h1>{t("account:overview.title")}</h1>
      {params.get("verified") === "1" ? (
        <p role="status">{t("account:overview.verifiedNow")}</p>
      ) : null}
      {data ? (
        <p role="status" data-testid="resend-result" className={data.ok ? undefined : "form-error"}>
          {data.message}
        </p>
      ) : null}
      <p style={{ overflowWrap: "anywhere" }}>
        {t("account:overview.email")}: <strong>{email}</strong>{" "}
        <span className="badge" data-testid="email-status">
          {emailVerified ? t("account:overview.verified") : t("account:overview.unverified")}
        </span>
      </p>
      {emailVerified ? null : (
        <Form method="post">
          <input type="hidden" name="intent" value="resend" />
          <button type="submit" className="button" data-testid="resend-verification">
            {t("account:banner.resend")}
          </button>
        </Form>
      )}
      <ul>
        <li>
          <Link to="/account/password">{t("account:overview.password")}</Link>
        </li>
        <li>
          <Link to="/account/sessions">{t("account:overview.sessions")}</Link>
        </li>
      </ul>
    </div>
  );
}
