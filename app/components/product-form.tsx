import {
  getCollectionProps,
  getFormProps,
  getInputProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FIRM_FLAGS, INDUSTRY_SECTIONS, industryName, type FirmFlag } from "../domain/industry";
import { ipTypeLabel } from "../domain/ip";
import { fenToAmountInput, parseYuanToFen } from "../domain/money";
import { bpToPercentInput, parsePercentToBp } from "../domain/percent";
import {
  PLEDGE_IP_TYPES,
  productErrorMessage,
  validateProductTerms,
  type LoanProductTerms,
  type PledgeIpType,
  type ProductFieldError,
} from "../domain/product";
import { REGIONS, regionName } from "../domain/regions";
import {
  isRepaymentMethod,
  REPAYMENT_METHODS,
  type RepaymentMethod,
} from "../domain/servicing/schedule";
import { translateMessage } from "../utils/messages";
import { DEFAULT_LOCALE, getFixedT, isLocale } from "../utils/i18n";
import { Field, FormErrors } from "./Field";

/**
 * The product form: its zod schema runs in the browser and on the server, and the domain's
 * refusals (domain/product.ts) come back next to the fields they concern.
 */

const FIELD_OF: Record<string, string> = {
  name: "name",
  description: "description",
  minAmountFen: "minAmount",
  maxAmountFen: "maxAmount",
  minTermMonths: "minTerm",
  maxTermMonths: "maxTerm",
  minRateBp: "minRate",
  maxRateBp: "maxRate",
  acceptedIpTypes: "accepted",
  trademarkMinAgeYears: "tmAge",
  regions: "regions",
  industries: "industries",
  requiredFlags: "flags",
  quotaTotalFen: "quotaTotal",
  quotaRemainingFen: "quotaTotal",
  riskShare: "riskGovernment",
  "riskShare.governmentBp": "riskGovernment",
  "riskShare.insurerBp": "riskInsurer",
  "riskShare.guarantorBp": "riskGuarantor",
  interestSubsidyBp: "subsidy",
  repaymentMethods: "methods",
  ...Object.fromEntries(PLEDGE_IP_TYPES.map((x) => [`pledgeRateBp.${x}`, `rate_${x}`])),
  ...Object.fromEntries(PLEDGE_IP_TYPES.map((x) => [`minRemainingYears.${x}`, `years_${x}`])),
};

export function formFieldOf(domainField: string): string {
  return FIELD_OF[domainField] ?? "name";
}

/** One validateProductTerms error in the reader's language, amounts scaled to 万元 / million. */
function productErrorText(t: TFunction, e: ProductFieldError, locale: string): string {
  return translateMessage(t, productErrorMessage(e.code, e.params), locale, "auto");
}

/** validateProductTerms errors as conform field errors, in the reader's language. */
export function productFieldErrors(
  errors: readonly ProductFieldError[],
  locale: string,
): Record<string, string[]> {
  const t = getFixedT(isLocale(locale) ? locale : DEFAULT_LOCALE);
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    (out[formFieldOf(e.field)] ??= []).push(productErrorText(t, e, locale));
  }
  return out;
}

/** The product form's values, as the model takes them (ProductInput). */
export interface ProductFormValue {
  name: string;
  description: string;
  minAmountFen: number;
  maxAmountFen: number;
  minTermMonths: number;
  maxTermMonths: number;
  minRateBp: number;
  maxRateBp: number;
  pledgeRateBp: Record<PledgeIpType, number>;
  acceptedIpTypes: PledgeIpType[];
  minRemainingYears: Record<PledgeIpType, number>;
  trademarkMinAgeYears: number;
  regions: LoanProductTerms["regions"];
  industries: LoanProductTerms["industries"];
  requiredFlags: FirmFlag[];
  requiresFormalAppraisal: boolean;
  quotaTotalFen: number;
  riskShare: LoanProductTerms["riskShare"];
  interestSubsidyBp: number;
  repaymentMethods: RepaymentMethod[];
}

/**
 * The product form's schema: amounts in 元 (parseYuanToFen), rates and shares in % with at most
 * two decimals (→ bp), whole months and years; then every rule of validateProductTerms, each
 * message next to its field.
 */
export function productFormSchema(t: TFunction, locale: string) {
  const required = { required_error: t("products:errors.required") };
  // Numbers are parsed in the object step below, so one unreadable field does not hide the
  // other fields' messages (zod skips an object's refinements once a field has failed).
  const optional = z.string().optional().default("");
  const perType = Object.fromEntries(
    PLEDGE_IP_TYPES.flatMap((x) => [
      [`accept_${x}`, z.boolean().default(false)],
      [`rate_${x}`, optional],
      [`years_${x}`, optional],
    ]),
  ) as Record<string, z.ZodTypeAny>;
  return z
    .object({
      name: z.string(required).max(200),
      description: z.string().max(4000).default(""),
      minAmount: z.string(required),
      maxAmount: z.string(required),
      minTerm: z.string(required),
      maxTerm: z.string(required),
      minRate: z.string(required),
      maxRate: z.string(required),
      ...perType,
      tmAge: optional,
      regionsMode: z.enum(["all", "some"]).default("all"),
      regions: z.array(z.string()).default([]),
      industriesMode: z.enum(["all", "some"]).default("all"),
      industries: z.array(z.string()).default([]),
      flags: z.array(z.string()).default([]),
      requiresFormal: z.boolean().default(false),
      quotaTotal: z.string(required),
      riskGovernment: optional,
      riskInsurer: optional,
      riskGuarantor: optional,
      subsidy: optional,
      methods: z.array(z.string()).default([]),
    })
    .transform((v, ctx): ProductFormValue => {
      const raw = v as Record<string, unknown>;
      const unreadable = new Set<string>();
      const fail = (field: string, key: string) => {
        unreadable.add(field);
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message: t(key) });
        return 0;
      };
      const yuan = (field: string) =>
        parseYuanToFen(String(raw[field])) ?? fail(field, "products:errors.yuan");
      const percent = (field: string, blankIsZero = false) => {
        const s = String(raw[field] ?? "");
        if (blankIsZero && s.trim() === "") return 0;
        return parsePercentToBp(s) ?? fail(field, "products:errors.percent");
      };
      const whole = (field: string, blankIsZero = false) => {
        const s = String(raw[field] ?? "").trim();
        if (blankIsZero && s === "") return 0;
        return /^\d{1,6}$/.test(s) ? Number(s) : fail(field, "products:errors.wholeNumber");
      };
      const value: ProductFormValue = {
        name: v.name.trim(),
        description: v.description.trim(),
        minAmountFen: yuan("minAmount"),
        maxAmountFen: yuan("maxAmount"),
        minTermMonths: whole("minTerm"),
        maxTermMonths: whole("maxTerm"),
        minRateBp: percent("minRate"),
        maxRateBp: percent("maxRate"),
        pledgeRateBp: Object.fromEntries(
          PLEDGE_IP_TYPES.map((x) => [x, percent(`rate_${x}`, true)]),
        ) as Record<PledgeIpType, number>,
        acceptedIpTypes: PLEDGE_IP_TYPES.filter((x) => raw[`accept_${x}`] === true),
        minRemainingYears: Object.fromEntries(
          PLEDGE_IP_TYPES.map((x) => [x, whole(`years_${x}`, true)]),
        ) as Record<PledgeIpType, number>,
        trademarkMinAgeYears: whole("tmAge", true),
        regions:
          v.regionsMode === "all" ? "all" : (v.regions as LoanProductTerms["regions"] & string[]),
        industries:
          v.industriesMode === "all"
            ? "all"
            : (v.industries as LoanProductTerms["industries"] & string[]),
        requiredFlags: v.flags as FirmFlag[],
        requiresFormalAppraisal: v.requiresFormal,
        quotaTotalFen: yuan("quotaTotal"),
        riskShare: {
          governmentBp: percent("riskGovernment", true),
          insurerBp: percent("riskInsurer", true),
          guarantorBp: percent("riskGuarantor", true),
        },
        interestSubsidyBp: percent("subsidy", true),
        repaymentMethods: v.methods.filter(isRepaymentMethod),
      };
      const errors = validateProductTerms({
        ...value,
        id: 0,
        bankOrgId: 0,
        quotaRemainingFen: value.quotaTotalFen,
        active: true,
      });
      if ([...value.description].length > 2000) {
        errors.push({ field: "description", code: "too_long", params: { max: 2000 } });
      }
      for (const e of errors) {
        const field = formFieldOf(e.field);
        // A field that could not be read already says so; its stand-in 0 proves nothing.
        if (unreadable.has(field)) continue;
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [field],
          message: productErrorText(t, e, locale),
        });
      }
      return value;
    });
}

/** The form's initial values for an existing product. */
export function productFormDefaults(terms: LoanProductTerms, description: string) {
  const d: Record<string, string | string[] | boolean> = {
    name: terms.name,
    description,
    minAmount: fenToAmountInput(terms.minAmountFen),
    maxAmount: fenToAmountInput(terms.maxAmountFen),
    minTerm: String(terms.minTermMonths),
    maxTerm: String(terms.maxTermMonths),
    minRate: bpToPercentInput(terms.minRateBp),
    maxRate: bpToPercentInput(terms.maxRateBp),
    tmAge: String(terms.trademarkMinAgeYears),
    regionsMode: terms.regions === "all" ? "all" : "some",
    regions: terms.regions === "all" ? [] : [...terms.regions],
    industriesMode: terms.industries === "all" ? "all" : "some",
    industries: terms.industries === "all" ? [] : [...terms.industries],
    flags: [...terms.requiredFlags],
    requiresFormal: terms.requiresFormalAppraisal,
    quotaTotal: fenToAmountInput(terms.quotaTotalFen),
    riskGovernment: bpToPercentInput(terms.riskShare.governmentBp),
    riskInsurer: bpToPercentInput(terms.riskShare.insurerBp),
    riskGuarantor: bpToPercentInput(terms.riskShare.guarantorBp),
    subsidy: bpToPercentInput(terms.interestSubsidyBp),
    methods: [...(terms.repaymentMethods ?? REPAYMENT_METHODS)],
  };
  for (const x of PLEDGE_IP_TYPES) {
    d[`accept_${x}`] = terms.acceptedIpTypes.includes(x);
    d[`rate_${x}`] = bpToPercentInput(terms.pledgeRateBp[x]);
    d[`years_${x}`] = String(terms.minRemainingYears[x]);
  }
  return d;
}

/** A new product's suggested values: a typical IP pledge loan (docs/domain.md#products). */
export const NEW_PRODUCT_DEFAULTS: Record<string, string | string[] | boolean> = {
  minTerm: "6",
  maxTerm: "36",
  accept_invention: true,
  rate_invention: "30",
  years_invention: "5",
  accept_utility_model: true,
  rate_utility_model: "20",
  years_utility_model: "3",
  rate_design: "0",
  years_design: "0",
  accept_trademark: true,
  rate_trademark: "40",
  years_trademark: "0",
  tmAge: "3",
  regionsMode: "all",
  industriesMode: "all",
  requiresFormal: true,
  riskGovernment: "0",
  riskInsurer: "0",
  riskGuarantor: "0",
  subsidy: "0",
  methods: [...REPAYMENT_METHODS],
};

export function ProductForm({
  lastResult,
  defaultValue,
  submitLabel,
  version,
  quotaRemainingText,
}: {
  lastResult: SubmissionResult<string[]> | undefined;
  defaultValue: Record<string, string | string[] | boolean>;
  submitLabel: string;
  version?: number;
  quotaRemainingText?: string;
}) {
  const { t, i18n } = useTranslation();
  const [form, fields] = useForm({
    lastResult,
    defaultValue,
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: productFormSchema(t, i18n.language) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const f = fields as unknown as Record<string, Parameters<typeof getInputProps>[0]>;
  const [regionsMode, setRegionsMode] = useState(String(defaultValue.regionsMode ?? "all"));
  const [industriesMode, setIndustriesMode] = useState(
    String(defaultValue.industriesMode ?? "all"),
  );
  const text = (name: string, label: string, hint?: string) => (
    <Field id={f[name].id} label={label} hint={hint} errors={f[name].errors}>
      <input {...getInputProps(f[name], { type: "text" })} key={f[name].key} />
    </Field>
  );
  return (
    <Form
      method="post"
      className="stack card"
      style={{ maxWidth: "none" }}
      {...getFormProps(form)}
      data-testid="product-form"
    >
      <FormErrors errors={form.errors} />
      {version !== undefined ? <input type="hidden" name="version" value={version} /> : null}
      {text("name", t("products:form.name"))}
      <Field
        id={fields.description.id}
        label={t("products:form.description")}
        hint={t("products:form.descriptionHint")}
        errors={fields.description.errors}
      >
        <textarea {...getTextareaProps(fields.description)} rows={3} />
      </Field>
      <div className="grid grid-4">
        {text("minAmount", t("products:form.minAmount"), t("products:form.amountHint"))}
        {text("maxAmount", t("products:form.maxAmount"))}
        {text("minTerm", t("products:form.minTerm"))}
        {text("maxTerm", t("products:form.maxTerm"))}
        {text("minRate", t("products:form.minRate"), t("products:form.rateHint"))}
        {text("maxRate", t("products:form.maxRate"))}
      </div>
      <fieldset>
        <legend>{t("products:form.pledgeRates")}</legend>
        {f.accepted?.errors?.length ? (
          <div className="error" role="alert">
            {f.accepted.errors[0]}
          </div>
        ) : null}
        <table className="data">
          <thead>
            <tr>
              <th />
              <th>{t("products:form.accepted")}</th>
              <th>{t("products:form.pledgeRate")}</th>
              <th>{t("products:form.minRemaining")}</th>
            </tr>
          </thead>
          <tbody>
            {PLEDGE_IP_TYPES.map((x) => (
              <tr key={x}>
                <th scope="row">{ipTypeLabel(t, x)}</th>
                <td>
                  <input
                    {...getInputProps(f[`accept_${x}`], { type: "checkbox" })}
                    key={f[`accept_${x}`].key}
                    aria-label={`${ipTypeLabel(t, x)} ${t("products:form.accepted")}`}
                  />
                </td>
                <td>
                  <input
                    {...getInputProps(f[`rate_${x}`], { type: "text" })}
                    key={f[`rate_${x}`].key}
                    size={6}
                    aria-label={`${ipTypeLabel(t, x)} ${t("products:form.pledgeRate")}`}
                  />
                  {f[`rate_${x}`].errors?.length ? (
                    <div className="error" role="alert">
                      {f[`rate_${x}`].errors![0]}
                    </div>
                  ) : null}
                </td>
                <td>
                  <input
                    {...getInputProps(f[`years_${x}`], { type: "text" })}
                    key={f[`years_${x}`].key}
                    size={4}
                    aria-label={`${ipTypeLabel(t, x)} ${t("products:form.minRemaining")}`}
                  />
                  {f[`years_${x}`].errors?.length ? (
                    <div className="error" role="alert">
                      {f[`years_${x}`].errors![0]}
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      {text("tmAge", t("products:form.trademarkMinAge"))}
      <fieldset>
        <legend>{t("products:form.regions")}</legend>
        <div className="checks" role="radiogroup">
          {getCollectionProps(fields.regionsMode, {
            type: "radio",
            options: ["all", "some"],
          }).map((p) => (
            <label key={p.key}>
              <input {...p} key={p.key} onChange={() => setRegionsMode(p.value)} />
              {p.value === "all" ? t("products:form.regionsAll") : t("products:form.regionsSome")}
            </label>
          ))}
        </div>
        <div
          className="checks"
          style={regionsMode === "some" ? undefined : { display: "none" }}
          data-testid="region-checks"
        >
          {getCollectionProps(fields.regions, {
            type: "checkbox",
            options: REGIONS.map((r) => r.code),
          }).map((p) => (
            <label key={p.key}>
              <input {...p} key={p.key} />
              {regionName(p.value, i18n.language)}
            </label>
          ))}
        </div>
        {fields.regions.errors?.length ? (
          <div className="error" role="alert">
            {fields.regions.errors[0]}
          </div>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>{t("products:form.industries")}</legend>
        <div className="checks" role="radiogroup">
          {getCollectionProps(fields.industriesMode, {
            type: "radio",
            options: ["all", "some"],
          }).map((p) => (
            <label key={p.key}>
              <input {...p} key={p.key} onChange={() => setIndustriesMode(p.value)} />
              {p.value === "all"
                ? t("products:form.industriesAll")
                : t("products:form.industriesSome")}
            </label>
          ))}
        </div>
        <div className="checks" style={industriesMode === "some" ? undefined : { display: "none" }}>
          {getCollectionProps(fields.industries, {
            type: "checkbox",
            options: INDUSTRY_SECTIONS.map((s) => s.code),
          }).map((p) => (
            <label key={p.key}>
              <input {...p} key={p.key} />
              {p.value} {industryName(p.value, i18n.language)}
            </label>
          ))}
        </div>
        {fields.industries.errors?.length ? (
          <div className="error" role="alert">
            {fields.industries.errors[0]}
          </div>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>{t("products:form.requiredFlags")}</legend>
        <div className="checks">
          {getCollectionProps(fields.flags, {
            type: "checkbox",
            options: [...FIRM_FLAGS],
          }).map((p) => (
            <label key={p.key}>
              <input {...p} key={p.key} />
              {t(`products:flags.${p.value}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="checks">
        <label>
          <input {...getInputProps(fields.requiresFormal, { type: "checkbox" })} />
          {t("products:form.requiresFormal")}
        </label>
      </div>
      {text(
        "quotaTotal",
        t("products:form.quotaTotal"),
        quotaRemainingText
          ? `${t("products:form.quotaHint")} ${quotaRemainingText}`
          : t("products:form.quotaHint"),
      )}
      <fieldset>
        <legend>{t("products:form.riskShare")}</legend>
        <div className="grid grid-3">
          {text("riskGovernment", t("products:form.riskGovernment"))}
          {text("riskInsurer", t("products:form.riskInsurer"))}
          {text("riskGuarantor", t("products:form.riskGuarantor"))}
        </div>
      </fieldset>
      {text("subsidy", t("products:form.subsidy"), t("products:form.subsidyHint"))}
      <fieldset data-testid="repayment-methods">
        <legend>{t("products:form.repaymentMethods")}</legend>
        <p className="muted">{t("products:form.repaymentMethodsHint")}</p>
        <div className="checks">
          {getCollectionProps(fields.methods, {
            type: "checkbox",
            options: [...REPAYMENT_METHODS],
          }).map((p) => (
            <label key={p.key}>
              <input {...p} key={p.key} />
              {t(`servicing:methods.${p.value}`)}
            </label>
          ))}
        </div>
        {fields.methods.errors?.length ? (
          <div className="error" role="alert">
            {fields.methods.errors[0]}
          </div>
        ) : null}
      </fieldset>
      <button type="submit" className="button button-primary" data-testid="product-submit">
        {submitLabel}
      </button>
    </Form>
  );
}

// ---------------------------------------------------------------------------------------------
// The financing request form
// ---------------------------------------------------------------------------------------------
