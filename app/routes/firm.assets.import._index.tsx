import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormErrors, formErrorsOf } from "../components/Field";
import {
  IMPORT_COLUMNS,
  IMPORT_HEADERS,
  MAX_IMPORT_ROWS,
  type FileProblem,
} from "../domain/asset-import";
import { stageImport } from "../models/asset-import.server";
import { requireFirmActor } from "../utils/asset-routes.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

/** 10,000 lines of the template are ~1.5 MB; 8 MB leaves room for long titles. */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireFirmActor(request, "asset.import");
  return null;
}

type UploadProblem = FileProblem | { code: "no_file" } | { code: "too_large" };

function problemMessage(t: TFunction, p: UploadProblem): string {
  const params: Record<string, unknown> = { ...p };
  if (p.code === "missing_columns") {
    params.columns = p.columns.map((c) => t(`assets:import.columns.${c}`)).join("、");
  }
  return t(`assets:import.fileProblems.${p.code}`, params);
}

/** A non-empty uploaded file (an empty file input arrives as no file at all). */
function uploadSchema(t: TFunction) {
  const isFile = (v: unknown): v is File =>
    typeof v === "object" && v !== null && typeof (v as File).arrayBuffer === "function";
  return z.object({
    file: z.custom<File>((v) => isFile(v) && v.size > 0, problemMessage(t, { code: "no_file" })),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const { actor } = await requireFirmActor(request, "asset.import");
  const { t } = getServerT(request);
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_UPLOAD_BYTES }),
    );
  } catch (e) {
    if (!(e instanceof MaxPartSizeExceededError)) throw e;
    // The body was refused before it could be read: an empty submission carries the message.
    const empty = parseWithZod(new FormData(), { schema: z.object({}) });
    return Response.json(empty.reply({ formErrors: [problemMessage(t, { code: "too_large" })] }), {
      status: 400,
    });
  }
  const submission = parseWithZod(form, { schema: uploadSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const { file } = submission.value;
  const result = await withDb(
    stageImport,
    actor,
    { fileName: file.name || "upload.csv", bytes: new Uint8Array(await file.arrayBuffer()) },
    todayInChina(),
  );
  if (!result.ok) {
    return Response.json(submission.reply({ formErrors: [problemMessage(t, result.problem)] }), {
      status: 400,
    });
  }
  return redirect(`/firm/assets/import/${result.importId}`);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.import");

const REQUIRED = new Set(["kind", "number", "title", "status"]);

export default function ImportUpload() {
  const { t, i18n } = useTranslation();
  const result = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  // Every upload problem shows above the form, the missing file included.
  const errors = [...(formErrorsOf(result) ?? []), ...(result?.error?.file ?? [])];
  const busy = useNavigation().state === "submitting";
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <p>
        <Link to="/firm/assets">← {t("assets:portfolio.title")}</Link>
      </p>
      <section className="card">
        <h1>{t("assets:import.title")}</h1>
        <p>{t("assets:import.intro")}</p>
        <p>
          <a href="/firm/assets/import-template.csv" className="button" download>
            {t("assets:import.template")}
          </a>
        </p>
        <p className="muted">{t("assets:import.templateNote")}</p>
        <Form method="post" encType="multipart/form-data" className="stack">
          <FormErrors errors={errors} />
          <div className="field">
            <label htmlFor="import-file">{t("assets:import.file")}</label>
            <input
              id="import-file"
              name="file"
              type="file"
              accept=".csv,text/csv"
              required
              aria-describedby="import-file-hint"
            />
            <div className="hint" id="import-file-hint">
              {t("assets:import.fileHint", { max: MAX_IMPORT_ROWS.toLocaleString(i18n.language) })}
            </div>
          </div>
          <div>
            <button type="submit" className="button button-primary" disabled={busy}>
              {t("assets:import.upload")}
            </button>
          </div>
          {busy ? (
            <div className="notice" role="status" aria-live="polite" data-testid="import-busy">
              {t("assets:import.checking")}
            </div>
          ) : null}
        </Form>
      </section>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>{t("assets:import.columnsTitle")}</h2>
        <table className="data">
          <thead>
            <tr>
              <th>{t("assets:import.column")}</th>
              <th>{t("assets:import.accepted")}</th>
            </tr>
          </thead>
          <tbody>
            {IMPORT_COLUMNS.map((c) => (
              <tr key={c}>
                <td>
                  <code>{IMPORT_HEADERS[c][0]}</code>
                  {t(`assets:import.columns.${c}`) !== IMPORT_HEADERS[c][0] ? (
                    <span className="muted"> · {t(`assets:import.columns.${c}`)}</span>
                  ) : null}
                  {REQUIRED.has(c) ? (
                    <span className="badge badge-warn" style={{ marginLeft: "0.4rem" }}>
                      {t("assets:import.required")}
                    </span>
                  ) : null}
                </td>
                <td>{t(`assets:import.columnNotes.${c}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
