import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Pager } from "../components/Pager";
import { formatInstant } from "../domain/dates";
import { listOutbox } from "../models/mail.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

// Any number reads as a page; the model clamps it to the pages that exist.
const Query = z.object({ page: z.coerce.number().catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "outbox.view");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return withDb(listOutbox, page);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.outbox");

export default function Outbox() {
  const { rows, page, pages, total } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack">
      <h1>{t("auth:admin.outboxTitle")}</h1>
      <p className="muted">{t("auth:admin.outboxIntro")}</p>
      {rows.length === 0 ? (
        <div className="empty">{t("auth:admin.outboxEmpty")}</div>
      ) : (
        rows.map((m) => (
          <article key={m.id} className="card" data-testid="outbox-mail">
            <p className="muted">
              #{m.id} · {formatInstant(m.created_at, "second")} · {m.to_email} · {m.locale} ·{" "}
              {t(`auth:admin.outboxStatus.${m.status}`)} ·{" "}
              {t("auth:admin.outboxAttempts", { count: m.attempts })}
            </p>
            <h2 style={{ fontSize: "1rem", overflowWrap: "anywhere" }}>{m.subject}</h2>
            <pre style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{m.body_text}</pre>
            {m.last_error ? <p className="error">{m.last_error}</p> : null}
          </article>
        ))
      )}
      <Pager page={page} pages={pages} total={total} href={(p) => `?page=${p}`} />
    </div>
  );
}
