import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigate,
  useNavigation,
  useRevalidator,
} from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormErrors, formErrorsOf } from "../components/Field";
import { formatInstant } from "../domain/dates";
import { cancelImport, commitImport, getImport } from "../models/asset-import.server";
import { UserFacingError } from "../models/errors";
import {
  idParam,
  notFoundResponse,
  requireFirmActor,
  rethrowNotFound,
} from "../utils/asset-routes.server";
import { importProblemMessage } from "../utils/asset-schemas";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

/** The preview lists this many problems; all of them are in the downloadable CSV. */
const ERRORS_SHOWN = 500;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { actor } = await requireFirmActor(request, "asset.import");
  const id = idParam(params.importId);
  const view = await withDb(getImport, actor.orgId, id);
  if (!view) notFoundResponse();
  const { t, locale } = getServerT(request);
  const { payload, ...rest } = view;
  return {
    ...rest,
    ignoredHeaders: payload.ignoredHeaders,
    errorCount: payload.errors.length,
    // Translated here: the page needs strings, not 10,000 problem objects.
    errors: payload.errors.slice(0, ERRORS_SHOWN).map((e) => ({
      line: e.line,
      column: t(`assets:import.columns.${e.field}`),
      message: importProblemMessage(t, locale, e.problem),
    })),
  };
}

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("confirm") }),
  z.object({ intent: z.literal("cancel") }),
]);

/** Without JavaScript: the same import as the streaming route, then the portfolio. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { actor } = await requireFirmActor(request, "asset.import");
  const id = idParam(params.importId);
  // Another firm's import is "not found" before the form is read.
  if (!(await withDb(getImport, actor.orgId, id))) notFoundResponse();
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Intent });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ formErrors: [t("common:errors.conflict")] }), {
      status: 400,
    });
  }
  try {
    if (submission.value.intent === "cancel") {
      await withDb(cancelImport, actor, id);
      return redirect("/firm/assets/import");
    }
    const count = await withDb(commitImport, actor, id);
    return redirect(`/firm/assets?imported=${count}`);
  } catch (e) {
    rethrowNotFound(e);
    if (e instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) =>
  pageTitle(matches, "assets:titles.importPreview");

type Progress = { done: number; total: number } | null;

export default function ImportPreview() {
  const data = useLoaderData<typeof loader>();
  const actionErrors = formErrorsOf(
    useActionData<typeof action>() as SubmissionResult<string[]> | undefined,
  );
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const [progress, setProgress] = useState<Progress>(null);
  const [streamError, setStreamError] = useState<string | null>(null);
  const running = progress !== null || navigation.state === "submitting";

  /** With JavaScript the confirm streams its progress; see firm.assets.import.$importId.run.ts. */
  async function confirmWithProgress(e: FormEvent<HTMLFormElement>) {
    if (typeof ReadableStream === "undefined") return; // let the form post normally
    e.preventDefault();
    setStreamError(null);
    setProgress({ done: 0, total: data.validRows });
    try {
      const res = await fetch(`/firm/assets/import/${data.id}/run`, { method: "POST" });
      if (!res.ok || !res.body) throw new Error(String(res.status));
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const chunk = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!chunk.startsWith("data: ")) continue;
          const event = JSON.parse(chunk.slice(6)) as
            | { type: "progress"; done: number; total: number }
            | { type: "done"; count: number; redirectTo: string }
            | { type: "error"; message: string };
          if (event.type === "progress") setProgress({ done: event.done, total: event.total });
          else if (event.type === "done") {
            navigate(event.redirectTo);
            return;
          } else {
            setProgress(null);
            setStreamError(event.message);
            revalidator.revalidate(); // the preview may have been re-checked
            return;
          }
        }
      }
      setProgress(null);
    } catch {
      setProgress(null);
      setStreamError(t("common:errors.errorText"));
    }
  }

  const formErrors = streamError ? [streamError] : actionErrors;
  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <p>
        <Link to="/firm/assets/import">← {t("assets:import.title")}</Link>
      </p>
      <section className="card grid" style={{ gap: "0.75rem" }}>
        <h1 style={{ margin: 0 }}>{t("assets:import.previewTitle", { file: data.fileName })}</h1>
        <p className="muted" style={{ margin: 0 }}>
          {t("assets:import.encoding", {
            encoding: t(`assets:import.encodings.${data.encoding}`),
          })}
        </p>
        <p style={{ margin: 0, fontWeight: 600 }} data-testid="import-counts">
          {t("assets:import.counts", {
            total: data.totalRows.toLocaleString(i18n.language),
            valid: data.validRows.toLocaleString(i18n.language),
            errors: data.errorRows.toLocaleString(i18n.language),
          })}
        </p>
        {data.ignoredHeaders.length > 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            {t("assets:import.ignoredHeaders", { headers: data.ignoredHeaders.join("、") })}
          </p>
        ) : null}
        <FormErrors errors={formErrors} />

        {data.status === "imported" ? (
          <div className="notice" data-testid="import-done">
            {t("assets:import.imported", {
              at: data.finishedAt ? formatInstant(data.finishedAt) : "",
              count: data.importedRows,
            })}{" "}
            <Link to="/firm/assets">{t("assets:import.toPortfolio")}</Link>
          </div>
        ) : data.status === "cancelled" ? (
          <div className="notice">
            {t("assets:import.cancelled")}{" "}
            <Link to="/firm/assets/import">{t("assets:import.uploadAgain")}</Link>
          </div>
        ) : data.validRows === 0 ? (
          <div className="notice">
            {t("assets:import.nothingValid")}{" "}
            <Link to="/firm/assets/import">{t("assets:import.uploadAgain")}</Link>
          </div>
        ) : (
          <div className="checks" style={{ alignItems: "center" }}>
            <Form method="post" onSubmit={confirmWithProgress}>
              <input type="hidden" name="intent" value="confirm" />
              <button
                type="submit"
                className="button button-primary"
                disabled={running}
                data-testid="confirm-import"
              >
                {t("assets:import.confirm", { count: data.validRows })}
                {data.errorRows > 0
                  ? ` ${t("assets:import.confirmSkipping", { count: data.errorRows })}`
                  : ""}
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="cancel" />
              <button type="submit" className="button" disabled={running}>
                {t("assets:import.cancel")}
              </button>
            </Form>
          </div>
        )}

        {running ? (
          <div role="status" aria-live="polite" data-testid="import-progress">
            <p style={{ margin: "0 0 0.4rem" }}>
              {progress && progress.done > 0
                ? t("assets:import.importing", {
                    done: progress.done.toLocaleString(i18n.language),
                    total: progress.total.toLocaleString(i18n.language),
                  })
                : t("assets:import.importingStart", {
                    total: data.validRows.toLocaleString(i18n.language),
                  })}
            </p>
            <div
              className="progress"
              role="progressbar"
              aria-label={t("assets:import.progressLabel")}
              aria-valuemin={0}
              aria-valuemax={progress?.total ?? data.validRows}
              aria-valuenow={progress?.done ?? 0}
            >
              <span
                style={{
                  width: `${progress && progress.total > 0 ? (100 * progress.done) / progress.total : 0}%`,
                }}
              />
            </div>
          </div>
        ) : null}
      </section>

      <section>
        <h2>{t("assets:import.errorsTitle")}</h2>
        {data.errorCount === 0 ? (
          <div className="empty">{t("assets:import.noErrors")}</div>
        ) : (
          <>
            <p className="muted">
              {data.errorCount > data.errors.length
                ? `${t("assets:import.errorsShown", { shown: data.errors.length, total: data.errorCount })} `
                : null}
              <a href={`/firm/assets/import/${data.id}/errors.csv`} download>
                {t("assets:import.downloadErrors")}
              </a>
            </p>
            <table className="data" data-testid="import-errors">
              <thead>
                <tr>
                  <th className="num">{t("assets:import.line")}</th>
                  <th>{t("assets:import.field")}</th>
                  <th>{t("assets:import.problem")}</th>
                </tr>
              </thead>
              <tbody>
                {data.errors.map((e, i) => (
                  <tr key={i}>
                    <td className="num">{e.line}</td>
                    <td>{e.column}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </div>
  );
}
