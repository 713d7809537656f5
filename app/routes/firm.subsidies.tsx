import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { formErrorsOf } from "../components/Field";
import { formatMoney } from "../domain/money";
import { UserFacingError } from "../models/errors";
import {
  fileSubsidyClaim,
  listFirmSubsidyClaims,
  listFirmSubsidyOffers,
} from "../models/risk-sharing/subsidies.server";
import { withDb } from "../models/with-db.server";
import { translateMessage } from "../utils/messages";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { authorize } from "../utils/permissions.server";

const Claim = z.object({
  intent: z.literal("claim"),
  programmeId: z.coerce.number().int().positive(),
  applicationId: z.coerce.number().int().positive(),
  // One key per rendered button: a double click or a retried post records the claim once.
  key: z.string().trim().min(8).max(60),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "subsidy.viewOwn");
  const actor = { userId: user.id, orgId: user.org_id, role: user.role };
  const [offers, claims] = await Promise.all([
    withDb(listFirmSubsidyOffers, actor),
    withDb(listFirmSubsidyClaims, user.org_id),
  ]);
  return { offers, claims, formKey: crypto.randomUUID() };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "subsidy.claim");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: Claim });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ formErrors: [t("risk:subsidies.invalid")] }), {
      status: 400,
    });
  }
  const v = submission.value;
  try {
    await withDb(
      fileSubsidyClaim,
      { userId: user.id, orgId: user.org_id, role: user.role },
      {
        programmeId: v.programmeId,
        applicationId: v.applicationId,
        idempotencyKey: `${user.org_id}:${v.key}:${v.programmeId}:${v.applicationId}`,
      },
    );
    return Response.json({ ...submission.reply({ resetForm: true }), filed: true });
  } catch (err) {
    if (err instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(err.key, err.params)] }), {
        status: err.status,
      });
    }
    throw err;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:subsidies.title");

export default function FirmSubsidies() {
  const { offers, claims, formKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as
    (SubmissionResult<string[]> & { filed?: boolean }) | undefined;
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  const errors = formErrorsOf(actionData) ?? [];
  return (
    <div className="grid" style={{ gap: "1rem" }}>
      <h1>{t("risk:subsidies.title")}</h1>
      <p className="muted">{t("risk:subsidies.intro")}</p>
      {actionData?.filed ? <p role="status">{t("risk:subsidies.filed")}</p> : null}
      {errors.map((e) => (
        <p key={e} className="error" role="alert">
          {e}
        </p>
      ))}
      <h2>{t("risk:subsidies.offers")}</h2>
      {offers.length === 0 ? <p className="empty">{t("risk:subsidies.none")}</p> : null}
      {offers.map((o) => (
        <section key={`${o.programmeId}-${o.applicationId}`} className="card">
          <h3>
            {o.programmeName} · {t("risk:subsidies.loan", { id: o.applicationId })}
          </h3>
          <p>
            {t("risk:subsidies.interest")} {money(o.computation.interestFen)} ·{" "}
            {t("risk:subsidies.amount")} <strong>{money(o.computation.amountFen)}</strong> ·{" "}
            {t("risk:subsidies.remaining")} {money(o.budgetRemainingFen)}
          </p>
          {o.eligibility.map((m) => (
            <p key={m.key} className="muted">
              {translateMessage(t, m, i18n.language)}
            </p>
          ))}
          {o.eligibility.length === 0 && o.computation.amountFen > 0 ? (
            <Form method="post">
              <input type="hidden" name="intent" value="claim" />
              <input type="hidden" name="programmeId" value={o.programmeId} />
              <input type="hidden" name="applicationId" value={o.applicationId} />
              <input type="hidden" name="key" value={formKey} />
              <button type="submit" className="button button-primary">
                {t("risk:subsidies.claim")}
              </button>
            </Form>
          ) : null}
        </section>
      ))}
      <h2>{t("risk:subsidies.claims")}</h2>
      {claims.length === 0 ? <p className="empty">{t("risk:subsidies.noClaims")}</p> : null}
      <ul>
        {claims.map((c) => (
          <li key={c.id}>
            {c.programmeName} · {t("risk:subsidies.loan", { id: c.application_id })} ·{" "}
            {money(Number(c.amount_fen))} · {t(`risk:subsidies.state.${c.state}`)}
          </li>
        ))}
      </ul>
    </div>
  );
}
