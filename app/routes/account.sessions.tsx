import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { endOtherSessions, endSession, listSessions } from "../models/account.server";
import { UserFacingError } from "../models/errors";
import { withDb } from "../models/with-db.server";
import { requireUser } from "../utils/auth.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { currentSessionId } from "../utils/session.server";

const SessionAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("end"), key: z.string().regex(/^[0-9a-f]{24}$/) }),
  z.object({ intent: z.literal("endOthers") }),
]);

/** China time (UTC+8), the same on server and browser: "2026-12-05 18:30". */
function chinaTime(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { sessions: await withDb(listSessions, user.id, currentSessionId(request)) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { t } = getServerT(request);
  const form = await request.formData();
  const parsed = SessionAction.safeParse({
    intent: form.get("intent"),
    key: form.get("key") ?? undefined,
  });
  if (!parsed.success) {
    return Response.json({ message: t("account:sessions.gone"), ok: false }, { status: 400 });
  }
  const current = currentSessionId(request) ?? "";
  if (parsed.data.intent === "endOthers") {
    const count = await withDb(endOtherSessions, user, current);
    return Response.json({ message: t("account:sessions.endedOthers", { count }), ok: true });
  }
  try {
    await withDb(endSession, user, parsed.data.key, current);
    return Response.json({ message: t("account:sessions.ended"), ok: true });
  } catch (e) {
    if (e instanceof UserFacingError) {
      return Response.json({ message: t(e.key), ok: false }, { status: e.status });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "account:titles.sessions");

export default function AccountSessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const { t } = useTranslation();
  const others = sessions.filter((s) => !s.current);
  return (
    <div className="card" style={{ maxWidth: "48rem", margin: "1rem auto" }}>
      <h1>{t("account:sessions.title")}</h1>
      <p className="muted">{t("account:sessions.intro")}</p>
      {data ? (
        <p role="status" className={data.ok ? undefined : "form-error"}>
          {data.message}
        </p>
      ) : null}
      <ul className="stack" style={{ listStyle: "none", padding: 0 }} data-testid="sessions">
        {sessions.map((s) => (
          <li
            key={s.key}
            className="card"
            data-testid="session"
            data-current={s.current ? "1" : "0"}
            style={{ overflowWrap: "anywhere" }}
          >
            <strong>
              {[s.device.browser, s.device.os].filter(Boolean).join(" · ") ||
                t("account:sessions.unknown")}
            </strong>
            {s.current ? (
              <span className="badge" style={{ marginLeft: "0.5rem" }}>
                {t("account:sessions.current")}
              </span>
            ) : null}
            <div className="muted">
              {t("account:sessions.address")}: {s.ip ?? "—"} · {t("account:sessions.created")}:{" "}
              {chinaTime(s.createdAt)} · {t("account:sessions.lastSeen")}: {chinaTime(s.lastSeenAt)}
            </div>
            {s.current ? null : (
              <Form method="post">
                <input type="hidden" name="intent" value="end" />
                <input type="hidden" name="key" value={s.key} />
                <button type="submit" className="button" data-testid="end-session">
                  {t("account:sessions.end")}
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="endOthers" />
          <button type="submit" className="button button-danger" data-testid="end-others">
            {t("account:sessions.endOthers")}
          </button>
        </Form>
      ) : (
        <p className="muted">{t("account:sessions.none")}</p>
      )}
    </div>
  );
}
