import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { isVerifyTokenUsable, verifyEmailToken } from "../models/account.server";
import { withDb } from "../models/with-db.server";
import { getOptionalUser } from "../utils/auth.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

const Token = z.string().max(100);

/** The mailed link opens a page; the button verifies (a mail scanner's GET changes nothing). */
export async function loader({ params }: LoaderFunctionArgs) {
  const token = Token.safeParse(params.token);
  return { usable: token.success && (await withDb(isVerifyTokenUsable, token.data)) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { t } = getServerT(request);
  const token = Token.safeParse(params.token);
  const done = token.success && (await withDb(verifyEmailToken, token.data));
  if (!done) return Response.json({ error: t("account:verify.invalid") }, { status: 400 });
  const user = await getOptionalUser(request);
  return redirect(user ? "/account?verified=1" : "/login?verified=1");
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "account:titles.verify");

export default function VerifyEmail() {
  const { usable } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "2rem auto" }}>
      <h1>{t("account:verify.title")}</h1>
      {usable && !data ? (
        <Form method="post" className="stack">
          <p>{t("account:verify.intro")}</p>
          <button type="submit" className="button button-primary" data-testid="verify-email">
            {t("account:verify.submit")}
          </button>
        </Form>
      ) : (
        <p className="form-error">{data?.error ?? t("account:verify.invalid")}</p>
      )}
    </div>
  );
}
