import {
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors, formErrorsOf } from "../components/Field";
import {
  LEGAL_EVENT_COLUMNS,
  LEGAL_EVENT_HEADERS,
  LEGAL_EVENT_TYPES,
  MAX_LEGAL_EVENT_ROWS,
  parseLegalEventCsv,
  type LegalEventFileProblem,
  type LegalEventProblem,
} from "../domain/servicing/legal-events";
import { importLegalEvents } from "../models/servicing/collateral.server";
import { withDb } from "../models/with-db.server";
import { singleEventSchema } from "../utils/collateral-schemas";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";
import type { SessionUser } from "../utils/session.server";
import { decodeUploadedText } from "../utils/text-encoding.server";
import { todayInChina } from "../utils/time";

/**
 * Bulk legal-status events by CSV (docs/domain.md#collateral-monitoring), for a bank (assets
 * pledged to its loans) or the admin (any asset). All or nothing: any bad line and nothing is
 * written, every bad line is listed with its column; a line already on record is skipped.
 */

const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "collateral.importLegalEvents");
  return { role: user.role, today: todayInChina() };
}

type UploadProblem = LegalEventFileProblem | { code: "no_file" } | { code: "too_large" };

function fileProblemMessage(t: TFunction, p: UploadProblem): string {
  const params: Record<string, unknown> = { ...p };
  if (p.code === "missing_columns") {
    params.columns = p.columns.map((c) => LEGAL_EVENT_HEADERS[c][0]).join("、");
  }
  return t(`collateral:import.fileProblems.${p.code}`, params);
}

function uploadSchema(t: TFunction) {
  const isFile = (v: unknown): v is File =>
    typeof v === "object" && v !== null && typeof (v as File).arrayBuffer === "function";
  return z.object({
    file: z.custom<File>(
      (v) => isFile(v) && v.size > 0,
      fileProblemMessage(t, { code: "no_file" }),
    ),
  });
}

type ActionData = {
  result?: SubmissionResult<string[]>;
  problems?: LegalEventProblem[];
  single?: SubmissionResult<string[]>;
  done?: { recorded: number; skipped: number };
};

/** One event typed in the form: checked like a line of a file, recorded as the actor's own. */
async function recordSingle(request: Request, user: SessionUser, t: TFunction) {
  const today = todayInChina();
  const submission = parseWithZod(await request.formData(), {
    schema: singleEventSchema(t, today),
  });
  if (submission.status !== "success") {
    return Response.json({ single: submission.reply() }, { status: 400 });
  }
  const v = submission.value;
  const result = await withDb(
    importLegalEvents,
    { userId: user.id, orgId: user.org_id, role: user.role },
    {
      fileName: "",
      rows: [{ line: 1, ...v }],
      source: user.role === "admin" ? "admin" : "bank",
    },
  );
  if (!result.ok) {
    const fieldErrors: Record<string, string[]> = {};
    for (const p of result.problems) {
      (fieldErrors[p.field] ??= []).push(
        t(`collateral:import.problems.${p.code}`, { value: p.value }),
      );
    }
    return Response.json({ single: submission.reply({ fieldErrors }) }, { status: 400 });
  }
  return Response.json({ single: submission.reply({ resetForm: true }), done: result });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "collateral.importLegalEvents");
  const { t } = getServerT(request);
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    return recordSingle(request, user, t);
  }
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_UPLOAD_BYTES }),
    );
  } catch (e) {
    if (!(e instanceof MaxPartSizeExceededError)) throw e;
    const empty = parseWithZod(new FormData(), { schema: z.object({}) });
    return Response.json(
      { result: empty.reply({ formErrors: [fileProblemMessage(t, { code: "too_large" })] }) },
      { status: 400 },
    );
  }
  const submission = parseWithZod(form, { schema: uploadSchema(t) });
  if (submission.status !== "success") {
    return Response.json({ result: submission.reply() }, { status: 400 });
  }
  const { file } = submission.value;
  const { text } = decodeUploadedText(new Uint8Array(await file.arrayBuffer()));
  const parsed = parseLegalEventCsv(text, todayInChina());
  if (!parsed.ok) {
    return Response.json(
      { result: submission.reply({ formErrors: [fileProblemMessage(t, parsed.problem)] }) },
      { status: 400 },
    );
  }
  const rowsRefused = () => submission.reply({ formErrors: [t("collateral:import.refused")] });
  if (parsed.problems.length) {
    return Response.json(
      { result: rowsRefused(), problems: parsed.problems.slice(0, 500) },
      { status: 400 },
    );
  }
  const result = await withDb(
    importLegalEvents,
    { userId: user.id, orgId: user.org_id, role: user.role },
    { fileName: file.name || "legal-events.csv", rows: parsed.rows },
  );
  if (!result.ok) {
    return Response.json(
      { result: rowsRefused(), problems: result.problems.slice(0, 500) },
      { status: 400 },
    );
  }
  return Response.json({ done: { recorded: result.recorded, skipped: result.skipped } });
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "collateral:titles.import");

export default function LegalEventImport() {
  const { t, i18n } = useTranslation();
  const data = useActionData<ActionData>();
  const busy = useNavigation().state === "submitting";
  const { role, today } = useLoaderData<typeof loader>();
  const result = data?.result;
  const errors = [...(formErrorsOf(result) ?? []), ...(result?.error?.file ?? [])];
  const problems = data?.problems ?? [];
  const [single, fields] = useForm({
    id: `single-${data?.done?.recorded ?? 0}`,
    lastResult: data?.single,
    defaultValue: { eventDate: today },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: singleEventSchema(t, today) }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      {role === "bank_officer" ? (
        <p className="no-print">
          <Link to="/bank/watch">← {t("collateral:titles.bankWatch")}</Link>
        </p>
      ) : null}
      <section className="card stack">
        <h1>{t("collateral:import.title")}</h1>
        <p>{t("collateral:import.intro")}</p>
        <p className="muted">{t("collateral:import.allOrNothing")}</p>
        <p>
          <a href="/collateral/legal-events-template.csv" className="button" download>
            {t("collateral:import.template")}
          </a>
        </p>
        {data?.done ? (
          <div className="notice" role="status" data-testid="import-done">
            {t("collateral:import.done", data.done)}
          </div>
        ) : null}
        <Form method="post" encType="multipart/form-data" className="stack">
          <FormErrors errors={errors} />
          <div className="field">
            <label htmlFor="legal-file">{t("collateral:import.file")}</label>
            <input
              id="legal-file"
              name="file"
              type="file"
              accept=".csv,text/csv"
              required
              aria-describedby="legal-file-hint"
            />
            <div className="hint" id="legal-file-hint">
              {t("collateral:import.fileHint", {
                max: MAX_LEGAL_EVENT_ROWS.toLocaleString(i18n.language),
              })}
            </div>
          </div>
          <div>
            <button type="submit" className="button button-primary" disabled={busy}>
              {t("collateral:import.upload")}
            </button>
          </div>
        </Form>
      </section>
      <section className="card stack">
        <h2 style={{ marginTop: 0 }}>{t("collateral:import.singleTitle")}</h2>
        <Form method="post" className="stack" {...getFormProps(single)}>
          <FormErrors errors={single.errors} />
          <input type="hidden" name="intent" value="single" />
          <Field
            id={fields.number.id}
            label={LEGAL_EVENT_HEADERS.number[0]}
            hint={t("collateral:import.columnNotes.number")}
            errors={fields.number.errors}
          >
            <input {...getInputProps(fields.number, { type: "text" })} maxLength={40} />
          </Field>
          <Field
            id={fields.eventType.id}
            label={t("collateral:form.eventType")}
            hint={t("collateral:form.eventTypeHint")}
            errors={fields.eventType.errors}
          >
            <select {...getSelectProps(fields.eventType)}>
              <option value="">{t("collateral:form.choose")}</option>
              {LEGAL_EVENT_TYPES.map((e) => (
                <option key={e} value={e}>
                  {t(`collateral:eventTypes.${e}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={fields.eventDate.id}
            label={t("collateral:form.eventDate")}
            errors={fields.eventDate.errors}
          >
            <input {...getInputProps(fields.eventDate, { type: "date" })} max={today} />
          </Field>
          <Field
            id={fields.noticeDate.id}
            label={t("collateral:form.noticeDate")}
            errors={fields.noticeDate.errors}
          >
            <input {...getInputProps(fields.noticeDate, { type: "date" })} max={today} />
          </Field>
          <Field id={fields.note.id} label={t("collateral:form.note")} errors={fields.note.errors}>
            <textarea {...getTextareaProps(fields.note)} rows={2} maxLength={1000} />
          </Field>
          <div>
            <button type="submit" className="button" disabled={busy} data-testid="record-single">
              {t("collateral:form.recordEvent")}
            </button>
          </div>
        </Form>
      </section>
      {problems.length ? (
        <section className="card stack" data-testid="import-problems">
          <h2 style={{ marginTop: 0 }}>{t("collateral:import.problemsTitle")}</h2>
          <ul className="stack">
            {problems.map((p, i) => (
              <li key={i} data-line={p.line} data-field={p.field} data-code={p.code}>
                {t("collateral:import.problemLine", {
                  line: p.line,
                  column: LEGAL_EVENT_HEADERS[p.field][0],
                })}{" "}
                {t(`collateral:import.problems.${p.code}`, { value: p.value })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="card">
        <h2 style={{ marginTop: 0 }}>{t("collateral:import.columnsTitle")}</h2>
        <ul className="stack">
          {LEGAL_EVENT_COLUMNS.map((c) => (
            <li key={c}>
              <code>{LEGAL_EVENT_HEADERS[c][0]}</code> — {t(`collateral:import.columnNotes.${c}`)}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
