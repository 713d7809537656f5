import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { formErrorsOf } from "../components/Field";
import { formatMoney } from "../domain/money";
import { UserFacingError } from "../models/errors";
import { getPublicDisposal, registerInterest } from "../models/risk-sharing/disposals.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorizeVisitor } from "../utils/permissions.server";

const Params = z.object({ id: z.coerce.number().int().positive() });
const Interest = z.object({
  name: z.string().trim().min(1).max(200),
  contact: z.string().trim().min(1).max(200),
  message: z.string().trim().min(1).max(2000),
});

async function load(params: unknown) {
  const p = Params.safeParse(params);
  const d = p.success ? await withDb(getPublicDisposal, p.data.id) : null;
  if (!d) throw new Response("Not Found", { status: 404 });
  return d;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await authorizeVisitor(request, "disposal.view");
  return { disposal: await load(params) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  await authorizeVisitor(request, "disposal.registerInterest");
  const d = await load(params);
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Interest });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ formErrors: [t("risk:disposals.invalid")] }), {
      status: 400,
    });
  }
  try {
    await withDb(registerInterest, { disposalId: d.id, ...submission.value });
    return Response.json({ ...submission.reply({ resetForm: true }), registered: true });
  } catch (err) {
    if (err instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(err.key, err.params)] }), {
        status: err.status,
      });
    }
    throw err;
  }
}

export const meta: MetaFunction<typeof loader> = ({ matches }) =>
  pageTitle(matches, "risk:disposals.title");

export default function DisposalPage() {
  const { disposal: d } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as
    (SubmissionResult<string[]> & { registered?: boolean }) | undefined;
  const { t, i18n } = useTranslation();
  const errors = formErrorsOf(actionData) ?? [];
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "40rem" }}>
      <h1>{d.title}</h1>
      <p>
        {t(`risk:disposals.kind.${d.kind}`)} · {t(`risk:disposals.state.${d.state}`)}
      </p>
      <p style={{ whiteSpace: "pre-wrap" }}>{d.asset_summary}</p>
      <dl>
        {d.appraisal_fen !== null ? (
          <>
            <dt className="muted">{t("risk:disposals.appraisal")}</dt>
            <dd>{formatMoney(Number(d.appraisal_fen), i18n.language)}</dd>
          </>
        ) : null}
        <dt className="muted">{t("risk:disposals.asking")}</dt>
        <dd>{formatMoney(Number(d.asking_fen), i18n.language)}</dd>
        <dt className="muted">{t("risk:disposals.terms")}</dt>
        <dd>{d.terms}</dd>
      </dl>
      <p className="muted" data-testid="interest-count">
        {t("risk:disposals.interestCount", { count: d.interestCount })}
      </p>
      {actionData?.registered ? <p role="status">{t("risk:disposals.registered")}</p> : null}
      {d.state === "listed" ? (
        <Form method="post" className="grid" style={{ gap: "0.5rem" }}>
          <h2>{t("risk:disposals.register")}</h2>
          {errors.map((e) => (
            <p key={e} className="error" role="alert">
              {e}
            </p>
          ))}
          <label>
            {t("risk:disposals.name")}
            <input name="name" required maxLength={200} />
          </label>
          <label>
            {t("risk:disposals.contact")}
            <input name="contact" required maxLength={200} />
          </label>
          <label>
            {t("risk:disposals.message")}
            <textarea name="message" required maxLength={2000} />
          </label>
          <button type="submit" className="button button-primary">
            {t("risk:disposals.register")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}
