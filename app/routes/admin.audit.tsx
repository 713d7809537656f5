import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Pager } from "../components/Pager";
import { formatInstant } from "../domain/dates";
import { z } from "zod";
import { requireRole } from "../utils/auth.server";
import { getDb } from "../utils/db.server";
import { pageTitle } from "../utils/meta";

const PAGE_SIZE = 50;
const Query = z.object({ page: z.coerce.number().int().min(1).catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  const [rows, count] = await Promise.all([
    db
      .selectFrom("audit_log")
      .leftJoin("users", "users.id", "audit_log.actor_user_id")
      .select([
        "audit_log.id",
        "audit_log.created_at",
        "audit_log.action",
        "audit_log.entity_type",
        "audit_log.entity_id",
        "audit_log.from_state",
        "audit_log.to_state",
        "audit_log.reason",
        "users.email as actorEmail",
      ])
      .orderBy("audit_log.id", "desc")
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute(),
    db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    rows,
    page,
    total: Number(count.n),
    pages: Math.max(1, Math.ceil(Number(count.n) / PAGE_SIZE)),
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.audit");

export default function Audit() {
  const { rows, page, total, pages } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div>
      <h1>{t("auth:admin.auditTitle")}</h1>
      {rows.length === 0 ? (
        <div className="empty">{t("auth:admin.auditEmpty")}</div>
      ) : (
        <table className="data" data-testid="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t("auth:admin.auditColumns.time")}</th>
              <th>{t("auth:admin.auditColumns.actor")}</th>
              <th>{t("auth:admin.auditColumns.action")}</th>
              <th>{t("auth:admin.auditColumns.entity")}</th>
              <th>{t("auth:admin.auditColumns.transition")}</th>
              <th>{t("auth:admin.auditColumns.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td className="num">{r.id}</td>
                <td>{formatInstant(r.created_at, "second")}</td>
                <td>{r.actorEmail ?? "—"}</td>
                <td>{r.action}</td>
                <td>
                  {r.entity_type}#{r.entity_id}
                </td>
                <td>
                  {r.from_state ?? "—"} → {r.to_state ?? "—"}
                </td>
                <td>{r.reason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={page} pages={pages} total={total} href={(p) => `?page=${p}`} />
    </div>
  );
}
