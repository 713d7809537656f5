import { parseWithZod } from "@conform-to/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { getMailPrefs, setMailOptOut } from "../models/mail-prefs.server";
import { withDb } from "../models/with-db.server";
import { verifyUnsubscribeToken } from "../utils/mail-links.server";
import { pageTitle } from "../utils/meta";
import { authorizeVisitor } from "../utils/permissions.server";

/**
 * The unsubscribe link at the foot of every deal-event mail: no log-in, the signed token names the
 * user. Opening the page changes nothing (mail scanners open links); one click on its button does.
 * Mail clients that honour List-Unsubscribe-Post (RFC 8058) POST "List-Unsubscribe=One-Click"
 * here directly, from their own servers (scripts/server.ts lets this path skip the origin check;
 * the token is the authority, and the worst a replayed POST does is unsubscribe again).
 */

function userOr404(token: string | undefined): number {
  const userId = verifyUnsubscribeToken(token ?? "");
  if (!userId) throw new Response("Not Found", { status: 404 });
  return userId;
}

/** Shows the address half-hidden: the link may be forwarded. */
function maskEmail(email: string): string {
  const [local, domain] = email.split("@");
  return `${local.slice(0, 2)}***@${domain ?? ""}`;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "mail.unsubscribe");
  const userId = userOr404(params.token);
  const prefs = await withDb(getMailPrefs, userId);
  if (!prefs) throw new Response("Not Found", { status: 404 });
  return { email: maskEmail(prefs.email), optedOut: prefs.optedOut };
}

const Schema = z.union([
  z.object({ "List-Unsubscribe": z.literal("One-Click") }),
  z.object({ intent: z.enum(["unsubscribe", "resubscribe"]) }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  await authorizeVisitor(request, "mail.unsubscribe");
  const userId = userOr404(params.token);
  const submission = parseWithZod(await request.formData(), { schema: Schema });
  if (submission.status !== "success") {
    return data({ done: null as null | "unsubscribed" | "resubscribed" }, { status: 400 });
  }
  const optOut = !("intent" in submission.value) || submission.value.intent === "unsubscribe";
  if (!(await withDb(getMailPrefs, userId))) throw new Response("Not Found", { status: 404 });
  await withDb(setMailOptOut, userId, optOut, null);
  return data({ done: optOut ? ("unsubscribed" as const) : ("resubscribed" as const) });
}

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, "team:unsubscribe.title"),
  { name: "robots", content: "noindex" },
];

export default function Unsubscribe() {
  const { email, optedOut } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as unknown as
    { done: "unsubscribed" | "resubscribed" | null } | undefined;
  const { t } = useTranslation();
  const off = result?.done ? result.done === "unsubscribed" : optedOut;
  return (
    <section className="card stack" style={{ maxWidth: "36rem", margin: "2rem auto" }}>
      <h1>{t("team:unsubscribe.title")}</h1>
      <p>{t("team:unsubscribe.intro", { email })}</p>
      {result?.done ? (
        <p className="notice" role="status" data-testid="unsubscribe-result">
          {t(`team:unsubscribe.${result.done}`)}
        </p>
      ) : null}
      <p data-testid="unsubscribe-state">
        {off ? t("team:unsubscribe.stateOff") : t("team:unsubscribe.stateOn")}
      </p>
      <p className="muted">{t("team:unsubscribe.essentialNote")}</p>
      <Form method="post">
        {off ? (
          <button type="submit" name="intent" value="resubscribe" className="button">
            {t("team:unsubscribe.resubscribe")}
          </button>
        ) : (
          <button
            type="submit"
            name="intent"
            value="unsubscribe"
            className="button button-primary"
            data-testid="unsubscribe-button"
          >
            {t("team:unsubscribe.confirm")}
          </button>
        )}
      </Form>
    </section>
  );
}
