import { getFormProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ConfirmBox, Pager } from "../components/applications";
import { FormErrors, Field } from "../components/Field";
import { LedgerTable } from "../components/LedgerTable";
import { formatMoney, formatMoneyExact } from "../domain/money";
import { reverseLedgerEntry } from "../models/application.server";
import { getLedgerEntry, LEDGER_PAGE_SIZE, listLedgerEntries } from "../models/ledger.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { refusal } from "../utils/application-routes.server";
import { confirmed, reasonText } from "../utils/application-schemas";
import { getServerT } from "../utils/i18n.server";
import { LedgerQuery, ledgerPageHref, ledgerSearch } from "../utils/ledger-query";
import { pageTitle } from "../utils/meta";

function reverseSchema(t: TFunction) {
  return z.object({
    entryId: z.coerce.number().int().positive(),
    reason: reasonText(t),
    confirm: confirmed(t),
  });
}

/** Admin view of the whole ledger, with reversals (a confirm step, a reason, never an edit). */
export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "ledger.reverse");
  const url = new URL(request.url);
  const q = LedgerQuery.parse(Object.fromEntries(url.searchParams));
  const reverseId = Number(url.searchParams.get("reverse"));
  const [list, toReverse] = await Promise.all([
    withDb(
      listLedgerEntries,
      { kind: "all" },
      { region: q.region, month: q.month, bankOrgId: q.bank, ipType: q.ipType },
      q.page,
      LEDGER_PAGE_SIZE,
      // Keyset paging (prev/next links carry the cursor); page 1 needs none.
      q.page > 1 ? { after: q.after, before: q.before } : {},
    ),
    Number.isSafeInteger(reverseId) && reverseId > 0
      ? withDb(getLedgerEntry, reverseId)
      : Promise.resolve(undefined),
  ]);
  const reversedId = Number(url.searchParams.get("reversed")) || null;
  return {
    ...list,
    q,
    toReverse: toReverse
      ? {
          id: toReverse.id,
          amountFen: Number(toReverse.amount_fen),
          entryType: toReverse.entry_type,
          valueDate: toReverse.value_date,
        }
      : null,
    reversedId,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "ledger.reverse");
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: reverseSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  try {
    const { reversalId } = await withDb(reverseLedgerEntry, {
      entryId: submission.value.entryId,
      reason: submission.value.reason,
      actorUserId: admin.id,
      actorOrgId: admin.org_id,
    });
    return redirect(`/admin/ledger?reversed=${reversalId}`);
  } catch (e) {
    return refusal(e, submission, t, locale, {}, { entryId: "" });
  }
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "applications:titles.adminLedger");

export default function AdminLedger() {
  const { rows, total, sumFen, page, pages, q, toReverse, reversedId } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<{ result: SubmissionResult<string[]> }>();
  const { t, i18n } = useTranslation();
  const [form, fields] = useForm({
    id: "reverse",
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: reverseSchema(t) }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("applications:nav.adminLedger")}</h1>
      {reversedId ? (
        <p className="notice" data-testid="reversed">
          {t("applications:ledger.reversed", { id: reversedId })}
        </p>
      ) : null}
      {toReverse && toReverse.entryType === "disbursement" ? (
        <Form
          method="post"
          className="card stack"
          {...getFormProps(form)}
          data-testid="reverse-form"
        >
          <h2>{t("applications:ledger.reverseTitle", { id: toReverse.id })}</h2>
          <p>
            {t("applications:ledger.reverseIntro", {
              amount: `−${formatMoneyExact(toReverse.amountFen, i18n.language)}`,
            })}
          </p>
          <FormErrors errors={form.errors} />
          <input type="hidden" name="entryId" value={toReverse.id} />
          <Field
            id={fields.reason.id}
            label={t("applications:ledger.reverseReason")}
            errors={fields.reason.errors}
          >
            <textarea {...getTextareaProps(fields.reason)} rows={2} />
          </Field>
          <ConfirmBox
            id="reverse-confirm"
            label={t("applications:ledger.reverseConfirm")}
            errors={fields.confirm.errors}
          />
          <div style={{ display: "flex", gap: "1rem" }}>
            <button type="submit" className="button button-danger" data-testid="reverse-submit">
              {t("applications:ledger.reverseSubmit")}
            </button>
            <Link to={`/admin/ledger${ledgerSearch(q)}`}>{t("applications:ledger.cancel")}</Link>
          </div>
        </Form>
      ) : null}
      <p data-testid="ledger-total" data-count={total} data-sum-fen={sumFen}>
        {t("applications:ledger.total", { count: total, sum: formatMoney(sumFen, i18n.language) })}
      </p>
      {rows.length === 0 ? (
        <div className="empty">{t("applications:ledger.empty")}</div>
      ) : (
        <LedgerTable
          rows={rows}
          extra={(r) =>
            r.entryType === "disbursement" && !r.reversedById ? (
              <Link
                to={`/admin/ledger${ledgerSearch(q, page, { after: q.after, before: q.before }) || "?"}&reverse=${r.id}`.replace(
                  "?&",
                  "?",
                )}
              >
                {t("applications:ledger.reverse")}
              </Link>
            ) : null
          }
        />
      )}
      <Pager
        page={page}
        pages={pages}
        total={total}
        href={(p) => ledgerPageHref(q, page, rows, p)}
      />
    </div>
  );
}
