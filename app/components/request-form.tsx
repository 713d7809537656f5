import {
  getCollectionProps,
  getFormProps,
  getInputProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ipTypeLabel } from "../domain/ip";
import { formatMoney, parseYuanToFen } from "../domain/money";
import { parsePercentToBp } from "../domain/percent";
import { type PledgeIpType } from "../domain/product";
import { Field, FormErrors } from "./Field";

/** The financing request form, with the assets the firm may offer as collateral. */

export interface RequestFormValue {
  amountFen: number;
  termMonths: number;
  maxRateBp: number;
  purpose: string;
  assetIds: number[];
}

export function requestFormSchema(t: TFunction) {
  const required = { required_error: t("products:errors.required") };
  return z.object({
    amount: z.string(required).transform((v, ctx) => {
      const fen = parseYuanToFen(v);
      if (fen === null || fen <= 0 || fen > 1_000_000_000_000) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: fen === null ? t("products:errors.yuan") : t("products:errors.requestAmount"),
        });
        return z.NEVER;
      }
      return fen;
    }),
    term: z
      .string(required)
      .regex(/^\s*\d{1,3}\s*$/, t("products:errors.wholeNumber"))
      .transform(Number)
      .refine((n) => n >= 1 && n <= 360, t("products:errors.requestTerm", { max: 360 })),
    maxRate: z.string(required).transform((v, ctx) => {
      const bp = parsePercentToBp(v);
      if (bp === null || bp <= 0 || bp > 3000) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: bp === null ? t("products:errors.percent") : t("products:errors.requestRate"),
        });
        return z.NEVER;
      }
      return bp;
    }),
    purpose: z
      .string(required)
      .trim()
      .min(1, t("products:errors.required"))
      .max(500, t("products:errors.tooLong", { max: 500 })),
    assetIds: z
      .array(z.coerce.number().int().positive(), { required_error: t("products:errors.noAssets") })
      .min(1, t("products:errors.noAssets")),
  });
}

export interface OfferableAssetView {
  id: number;
  ipType: PledgeIpType;
  title: string;
  number: string;
  inForce: boolean;
  formalValueFen: number | null;
  formalValidUntil: string | null;
  /** The formal appraisal's validity ended before today: shown 已过期, never ready. */
  formalExpired: boolean;
  indicativeValueFen: number | null;
}

export function RequestForm({
  lastResult,
  defaultValue,
  assets,
  submitLabel,
  version,
}: {
  lastResult: SubmissionResult<string[]> | undefined;
  defaultValue: Record<string, string | string[]>;
  assets: OfferableAssetView[];
  submitLabel: string;
  version?: number;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [form, fields] = useForm({
    lastResult,
    defaultValue,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: requestFormSchema(t) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const byId = new Map(assets.map((a) => [String(a.id), a]));
  return (
    <Form method="post" className="stack card" {...getFormProps(form)} data-testid="request-form">
      <FormErrors errors={form.errors} />
      {version !== undefined ? <input type="hidden" name="version" value={version} /> : null}
      <div className="grid grid-4">
        <Field
          id={fields.amount.id}
          label={t("products:requests.amountLabel")}
          hint={t("products:requests.amountHint")}
          errors={fields.amount.errors}
        >
          <input {...getInputProps(fields.amount, { type: "text" })} />
        </Field>
        <Field
          id={fields.term.id}
          label={t("products:requests.termLabel")}
          errors={fields.term.errors}
        >
          <input {...getInputProps(fields.term, { type: "text" })} inputMode="numeric" />
        </Field>
        <Field
          id={fields.maxRate.id}
          label={t("products:requests.maxRateLabel")}
          hint={t("products:requests.maxRateHint")}
          errors={fields.maxRate.errors}
        >
          <input {...getInputProps(fields.maxRate, { type: "text" })} />
        </Field>
      </div>
      <Field
        id={fields.purpose.id}
        label={t("products:requests.purposeLabel")}
        errors={fields.purpose.errors}
      >
        <input {...getInputProps(fields.purpose, { type: "text" })} />
      </Field>
      <fieldset>
        <legend>{t("products:requests.assetsLabel")}</legend>
        <p className="muted">{t("products:requests.assetsHint")}</p>
        <div className="stack" data-testid="asset-checks">
          {getCollectionProps(fields.assetIds, {
            type: "checkbox",
            options: assets.map((a) => String(a.id)),
          }).map((p) => {
            const a = byId.get(p.value)!;
            return (
              <label key={p.key} className="checks" data-testid="offer-asset">
                <input {...p} key={p.key} />
                <span>
                  {ipTypeLabel(t, a.ipType)} · {a.title} <span className="muted">{a.number}</span>{" "}
                  <span className={`badge ${a.inForce ? "badge-ok" : "badge-warn"}`}>
                    {a.inForce
                      ? t("products:requests.assetInForce")
                      : t("products:requests.assetNotInForce")}
                  </span>{" "}
                  {a.formalExpired ? (
                    <span className="badge badge-warn" data-testid="formal-expired">
                      {t("products:requests.formalExpired", { date: a.formalValidUntil })}
                    </span>
                  ) : null}{" "}
                  <span className="muted">
                    {a.formalValueFen !== null && a.formalValidUntil && !a.formalExpired
                      ? t("products:requests.formalValue", {
                          value: formatMoney(a.formalValueFen, lang),
                          until: a.formalValidUntil,
                        })
                      : a.indicativeValueFen !== null
                        ? t("products:requests.indicativeValue", {
                            value: formatMoney(a.indicativeValueFen, lang),
                          })
                        : t("products:requests.noValue")}
                  </span>
                </span>
              </label>
            );
          })}
        </div>
        {fields.assetIds.errors?.length ? (
          <div className="error" role="alert">
            {fields.assetIds.errors[0]}
          </div>
        ) : null}
      </fieldset>
      <button type="submit" className="button button-primary" data-testid="request-submit">
        {submitLabel}
      </button>
    </Form>
  );
}
