import type { SubmissionResult } from "@conform-to/react";
import type { TFunction } from "i18next";
import { ApplicationProblemsError, getApplicationDetail } from "../models/application.server";
import { getDb } from "./db.server";
import { UserFacingError } from "../models/errors";
import { problemFieldErrors, translateError } from "./messages";

/**
 * Route glue for the deal pages: a refusal from a model becomes field errors next to the fields
 * it is about (or a form error), a 404 stays a 404, anything else is a real error.
 */

export function notFound(): never {
  throw new Response("Not Found", { status: 404 });
}

export function parseId(v: string | undefined): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) notFound();
  return n;
}

export interface Replyable {
  reply(options?: {
    formErrors?: string[];
    fieldErrors?: Record<string, string[]>;
    resetForm?: boolean;
  }): SubmissionResult<string[]>;
}

/** The intent a form posted (it names the form on the page a reply belongs to); "" if none. */
export function postedIntent(submission: { payload: Record<string, unknown> }): string {
  const intent = submission.payload.intent;
  return typeof intent === "string" ? intent : "";
}

/** The JSON response for a refused action; throws for 404 and for errors that are not ours. */
export function refusal(
  e: unknown,
  submission: Replyable,
  t: TFunction,
  locale: string,
  extra: Record<string, unknown> = {},
  fieldNames: Partial<Record<string, string>> = { amount: "amount", rateBp: "rate" },
): Response {
  if (e instanceof ApplicationProblemsError) {
    // A problem mapped to the field name "" has no field on this form: it is a form error.
    const { "": formErrors, ...fieldErrors } = problemFieldErrors(
      t,
      e.problems,
      locale,
      fieldNames,
    );
    return Response.json(
      { ...extra, result: submission.reply({ fieldErrors, formErrors }) },
      { status: 400 },
    );
  }
  if (e instanceof UserFacingError) {
    if (e.status === 404) notFound();
    const message = translateError(t, e.key, e.params, locale);
    // Mapped to "": the field is not on this form, so the message goes to the top of it.
    const field = e.field ? (fieldNames[e.field] ?? e.field) || undefined : undefined;
    const reply = field
      ? submission.reply({ fieldErrors: { [field]: [message] } })
      : submission.reply({ formErrors: [message] });
    return Response.json({ ...extra, result: reply }, { status: e.status });
  }
  throw e;
}

/** An application as its bank or its firm sees it; anyone else's id is the 404 page. */
export async function applicationDetailOr404(side: "bank" | "firm", orgId: number, id: number) {
  try {
    return await getApplicationDetail(getDb(), side, orgId, id);
  } catch (e) {
    if (e instanceof UserFacingError && e.status === 404) notFound();
    throw e;
  }
}
