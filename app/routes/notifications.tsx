import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Pager } from "../components/applications";
import { formatInstant } from "../domain/dates";
import { listNotifications, markNotificationsRead } from "../models/notification.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

const Query = z.object({ page: z.coerce.number().int().min(1).catch(1) });
const Mark = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("markAll") }),
  z.object({ intent: z.literal("markRead"), id: z.coerce.number().int().positive() }),
]);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "notification.view");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return withDb(listNotifications, user.id, page);
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "notification.markRead");
  const submission = parseWithZod(await request.formData(), { schema: Mark });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  // Scoped by user id in the model: another user's notification id changes nothing.
  const marked = await withDb(
    markNotificationsRead,
    user.id,
    v.intent === "markRead" ? [v.id] : undefined,
  );
  return { ok: true, marked };
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "applications:titles.notifications");

/** A kind is a key under applications:notifications.kinds, or a full "ns:key" for other features. */
function kindKey(kind: string): string {
  return kind.includes(":") ? kind : `applications:notifications.kinds.${kind}`;
}

export default function Notifications() {
  const { items, total, unread, page, pages } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("applications:notifications.title")}</h1>
      <div style={{ display: "flex", gap: "1rem", alignItems: "center" }}>
        <span className="muted" data-testid="unread-count">
          {t("applications:notifications.unreadCount", { count: unread })}
        </span>
        {unread > 0 ? (
          <Form method="post">
            <input type="hidden" name="intent" value="markAll" />
            <button type="submit" className="button" data-testid="mark-all">
              {t("applications:notifications.markAll")}
            </button>
          </Form>
        ) : null}
      </div>
      {items.length === 0 ? (
        <div className="empty">{t("applications:notifications.empty")}</div>
      ) : (
        <ul style={{ listStyle: "none", padding: 0 }} data-testid="notifications">
          {items.map((n) => (
            <li
              key={n.id}
              className="card"
              // A read notice sits on the page's grey, not faded: faded text fails contrast.
              style={{ marginBottom: "0.5rem", background: n.read ? "var(--bg)" : undefined }}
              data-read={n.read ? "1" : "0"}
            >
              <div style={{ display: "flex", gap: "1rem", alignItems: "center" }}>
                {!n.read ? <span className="badge badge-warn">•</span> : null}
                <span style={{ flex: 1 }}>
                  {t(kindKey(n.kind), { ...n.params, defaultValue: n.kind })}
                </span>
                <span className="muted">{formatInstant(n.createdAt)}</span>
                {n.link ? <Link to={n.link}>{t("applications:notifications.open")}</Link> : null}
                {!n.read ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="markRead" />
                    <input type="hidden" name="id" value={n.id} />
                    <button type="submit" className="link-button">
                      {t("applications:notifications.markRead")}
                    </button>
                  </Form>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pager page={page} pages={pages} total={total} href={(p) => `?page=${p}`} />
    </div>
  );
}
