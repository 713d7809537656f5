import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Pager } from "../components/Pager";
import { auditActionKey, auditEntityKey } from "../domain/audit";
import { formatInstant } from "../domain/dates";
import { z } from "zod";
import { listAuditLog } from "../models/audit.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { pageTitle } from "../utils/meta";

// Any number reads as a page; the model clamps it to the pages that exist.
const Query = z.object({ page: z.coerce.number().catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "audit.view");
  const { page } = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return withDb(listAuditLog, { page });
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.audit");

/** A state in words where its entity has state labels (deals, appraisal orders); else the code. */
function stateLabel(t: TFunction, entityType: string, state: string | null): string {
  if (state == null) return "—";
  const key =
    entityType === "application"
      ? `applications:states.${state}`
      : entityType === "appraisal_order"
        ? `appraisal:status.${state}`
        : null;
  return key ? t(key, { defaultValue: state }) : state;
}

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
                <td>{r.actorEmail ?? t("auth:audit.system")}</td>
                <td data-testid="audit-action" data-code={r.action}>
                  {t(auditActionKey(r.action), { defaultValue: t("auth:audit.unknownAction") })}
                  <div className="muted audit-code">
                    {t("auth:audit.code")} <code>{r.action}</code>
                  </div>
                </td>
                <td data-testid="audit-entity">
                  {r.href ? (
                    <Link to={r.href}>
                      {t(auditEntityKey(r.entity_type))} #{r.entity_id}
                    </Link>
                  ) : (
                    <>
                      {t(auditEntityKey(r.entity_type))} #{r.entity_id}
                    </>
                  )}
                </td>
                <td>
                  {stateLabel(t, r.entity_type, r.from_state)} →{" "}
                  {stateLabel(t, r.entity_type, r.to_state)}
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
