import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { APPRAISAL_FEE_LIMITS, orderFee } from "../domain/appraisal";
import {
  fenToYuanInput,
  formatBp,
  formatMoney,
  formatYuanExact,
  parseYuanToFen,
} from "../domain/money";
import { bpToPercentInput, parsePercentToBp } from "../domain/percent";
import { getAppraisalFeeSettings, updateAppraisalFeeSettings } from "../models/appraisal.server";
import { UserFacingError } from "../models/errors";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { Money } from "../components/Money";

const { minFeeFen: MIN_LIMITS, rateBp: RATE_LIMITS } = APPRAISAL_FEE_LIMITS;

/** Examples shown beside the form: what a firm would pay for an asset valued at … */
const EXAMPLE_VALUES_FEN = [10_000_000, 100_000_000, 1_000_000_000];

function feeSchema(t: TFunction) {
  const required = t("appraisal:errors.required");
  return z.object({
    expectedMinFeeFen: z.coerce.number().int(),
    expectedRateBp: z.coerce.number().int(),
    minFee: z.string({ required_error: required }).transform((s, ctx) => {
      const fen = parseYuanToFen(s);
      if (fen === null || fen < MIN_LIMITS.min || fen > MIN_LIMITS.max) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: t("appraisal:errors.minFeeRange", {
            min: formatYuanExact(MIN_LIMITS.min),
            max: formatYuanExact(MIN_LIMITS.max),
          }),
        });
        return z.NEVER;
      }
      return fen;
    }),
    rate: z.string({ required_error: required }).transform((s, ctx) => {
      const bp = parsePercentToBp(s);
      if (bp === null || bp < RATE_LIMITS.min || bp > RATE_LIMITS.max) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: t("appraisal:errors.rateRange", { max: formatBp(RATE_LIMITS.max) }),
        });
        return z.NEVER;
      }
      return bp;
    }),
    reason: z
      .string()
      .trim()
      .max(200, t("appraisal:errors.textLong", { max: 200 }))
      .optional(),
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await authorize(request, "settings.edit");
  return { settings: await withDb(getAppraisalFeeSettings) };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await authorize(request, "settings.edit");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: feeSchema(t) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    await withDb(
      updateAppraisalFeeSettings,
      admin,
      { minFeeFen: v.minFee, rateBp: v.rate },
      { minFeeFen: v.expectedMinFeeFen, rateBp: v.expectedRateBp },
      v.reason || null,
    );
  } catch (e) {
    if (e instanceof UserFacingError) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    throw e;
  }
  return redirect("/admin/settings/appraisal-fee?saved=1");
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "appraisal:titles.fee");

export default function AppraisalFeeSettings() {
  const { settings } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const [search] = useSearchParams();
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "44rem" }}>
      <h1>{t("appraisal:settings.title")}</h1>
      <p className="muted">{t("appraisal:settings.intro")}</p>
      {search.get("saved") ? (
        <div className="notice" role="status" data-testid="settings-saved">
          {t("appraisal:settings.saved")}
        </div>
      ) : null}
      <p data-testid="current-rule">
        {t("appraisal:settings.current", {
          min: formatYuanExact(settings.minFeeFen),
          rate: formatBp(settings.rateBp),
        })}
      </p>
      <table className="data">
        <thead>
          <tr>
            <th>{t("appraisal:settings.exampleValue")}</th>
            <th className="num">{t("appraisal:settings.exampleFee")}</th>
          </tr>
        </thead>
        <tbody>
          {EXAMPLE_VALUES_FEN.map((v) => (
            <tr key={v}>
              <td>{formatMoney(v, i18n.language)}</td>
              <td className="num">
                <Money fen={orderFee([v], settings).totalFen} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {/* Keyed by the rule in force: after a save the form starts from the new values. */}
      <FeeForm key={`${settings.minFeeFen}-${settings.rateBp}`} settings={settings} />
    </div>
  );
}

function FeeForm({ settings }: { settings: { minFeeFen: number; rateBp: number } }) {
  const actionData = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const { t } = useTranslation();
  const [form, fields] = useForm({
    lastResult: actionData,
    defaultValue: {
      expectedMinFeeFen: settings.minFeeFen,
      expectedRateBp: settings.rateBp,
      minFee: fenToYuanInput(settings.minFeeFen),
      rate: bpToPercentInput(settings.rateBp),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: feeSchema(t) }),
    shouldValidate: "onBlur",
    // A fixed field clears its error at once, so the form does not shift under the next click.
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" className="stack card" {...getFormProps(form)}>
      <FormErrors errors={form.errors} />
      <input {...getInputProps(fields.expectedMinFeeFen, { type: "hidden" })} />
      <input {...getInputProps(fields.expectedRateBp, { type: "hidden" })} />
      <Field
        id={fields.minFee.id}
        label={t("appraisal:settings.minFee")}
        hint={t("appraisal:settings.minFeeHint", {
          min: formatYuanExact(MIN_LIMITS.min),
          max: formatYuanExact(MIN_LIMITS.max),
        })}
        errors={fields.minFee.errors}
      >
        <input {...getInputProps(fields.minFee, { type: "text" })} inputMode="decimal" />
      </Field>
      <Field
        id={fields.rate.id}
        label={t("appraisal:settings.rate")}
        hint={t("appraisal:settings.rateHint", { max: formatBp(RATE_LIMITS.max) })}
        errors={fields.rate.errors}
      >
        <input {...getInputProps(fields.rate, { type: "text" })} inputMode="decimal" />
      </Field>
      <Field
        id={fields.reason.id}
        label={t("appraisal:settings.reason")}
        errors={fields.reason.errors}
      >
        <input {...getInputProps(fields.reason, { type: "text" })} />
      </Field>
      <button type="submit" className="button button-primary" data-testid="save-fee">
        {t("actions.save")}
      </button>
    </Form>
  );
}
