import {
  getCollectionProps,
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { REGIONS, regionName } from "../domain/regions";
import { CLAIM_DOCUMENTS } from "../domain/risk-sharing/claims";
import { UserFacingError } from "../models/errors";
import { RiskRefusal } from "../models/risk-sharing/common.server";
import { createPool } from "../models/risk-sharing/pools.server";
import { listPoolFormOptions } from "../models/risk-sharing/views.server";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { translateMessage } from "../utils/messages";
import { pageTitle } from "../utils/meta";
import { forbidden, requireGovernmentActor } from "../utils/permissions.server";
import { poolFieldOf, poolSchema } from "../utils/risk-schemas";

/** A pool is set up by a government alliance member (政府部门) or the admin; it manages the pool. */
const requireGovernment = (request: Request) => requireGovernmentActor(request, "riskPool.create");

export async function loader({ request }: LoaderFunctionArgs) {
  await requireGovernment(request);
  return { options: await withDb(listPoolFormOptions) };
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireGovernment(request);
  const { t, locale } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: poolSchema(t, locale) });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const id = await withDb(createPool, actor, {
      name: v.name,
      kind: v.kind,
      shares: {
        pool: v.sharePool,
        insurer: v.shareInsurer,
        guarantor: v.shareGuarantor,
        bank: v.shareBank,
      },
      perLoanCapFen: v.perLoanCap,
      leverageMultipleBp: v.leverage,
      interestDaysAllowed: v.interestDays,
      requiredDocuments: v.documents,
      productIds: v.productIds,
      regionCodes: v.regions,
      insurerOrgId: v.insurerOrgId ?? null,
      guarantorOrgId: v.guarantorOrgId ?? null,
    });
    return redirect(`/risk/pools/${id}`);
  } catch (e) {
    if (e instanceof RiskRefusal) {
      const fieldErrors: Record<string, string[]> = {};
      for (const m of e.messages) {
        (fieldErrors[poolFieldOf(m)] ??= []).push(translateMessage(t, m, locale));
      }
      const { "": formErrors, ...rest } = fieldErrors;
      return Response.json(submission.reply({ fieldErrors: rest, formErrors }), { status: 400 });
    }
    if (e instanceof UserFacingError && e.status === 403) forbidden();
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "risk:form.newTitle");

const SHARES = [
  ["sharePool", "pool"],
  ["shareBank", "bank"],
  ["shareInsurer", "insurer"],
  ["shareGuarantor", "guarantor"],
] as const;

/** The form's fields as typed ("shares" carries the sum's error). */
interface PoolFields {
  name: string;
  kind: string;
  sharePool: string;
  shareBank: string;
  shareInsurer: string;
  shareGuarantor: string;
  shares: string;
  insurerOrgId: string;
  guarantorOrgId: string;
  perLoanCap: string;
  leverage: string;
  interestDays: string;
  documents: string[];
  productIds: string[];
  regions: string[];
}

export default function NewPool() {
  const { options } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>() as SubmissionResult<string[]> | undefined;
  const busy = useNavigation().state !== "idle";
  const { t, i18n } = useTranslation();
  const [form, fields] = useForm<PoolFields, z.output<ReturnType<typeof poolSchema>>>({
    id: "new-pool",
    lastResult,
    defaultValue: {
      kind: "county",
      sharePool: "40",
      shareBank: "20",
      shareInsurer: "0",
      shareGuarantor: "0",
      interestDays: "90",
      documents: ["loan_contract", "default_notice"],
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: poolSchema(t, i18n.language) }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const checks = (name: string, errors: string[] | undefined) =>
    errors?.length ? (
      <div className="error" role="alert" id={`${name}-error`}>
        {errors[0]}
      </div>
    ) : null;
  return (
    <div className="grid" style={{ gap: "1rem", maxWidth: "48rem" }}>
      <h1>{t("risk:form.newTitle")}</h1>
      <p className="muted">{t("risk:form.newIntro")}</p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field id={fields.name.id} label={t("risk:form.name")} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: "text" })} data-testid="pool-name" />
        </Field>
        <Field id={fields.kind.id} label={t("risk:form.kind")} errors={fields.kind.errors}>
          <select {...getSelectProps(fields.kind)}>
            <option value="county">{t("risk:pools.kind.county")}</option>
            <option value="regional">{t("risk:pools.kind.regional")}</option>
          </select>
        </Field>
        <fieldset>
          <legend>{t("risk:form.shares")}</legend>
          <p className="hint">{t("risk:form.sharesHint")}</p>
          <div className="grid grid-2">
            {SHARES.map(([name, party]) => (
              <Field
                key={name}
                id={fields[name].id}
                label={`${t(`risk:parties.${party}`)} (%)`}
                errors={fields[name].errors}
              >
                <input
                  {...getInputProps(fields[name], { type: "text" })}
                  inputMode="decimal"
                  data-testid={name}
                />
              </Field>
            ))}
          </div>
          {checks("shares", form.allErrors.shares)}
          <div className="grid grid-2">
            <Field
              id={fields.insurerOrgId.id}
              label={t("risk:form.insurer")}
              errors={fields.insurerOrgId.errors}
            >
              <select {...getSelectProps(fields.insurerOrgId)}>
                <option value="">{t("risk:form.none")}</option>
                {options.insurers.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              id={fields.guarantorOrgId.id}
              label={t("risk:form.guarantor")}
              errors={fields.guarantorOrgId.errors}
            >
              <select {...getSelectProps(fields.guarantorOrgId)}>
                <option value="">{t("risk:form.none")}</option>
                {options.guarantors.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        </fieldset>
        <div className="grid grid-2">
          <Field
            id={fields.perLoanCap.id}
            label={t("risk:form.perLoanCap")}
            hint={t("risk:form.amountHint")}
            errors={fields.perLoanCap.errors}
          >
            <input
              {...getInputProps(fields.perLoanCap, { type: "text" })}
              inputMode="decimal"
              data-testid="perLoanCap"
            />
          </Field>
          <Field
            id={fields.leverage.id}
            label={t("risk:form.leverage")}
            hint={t("risk:form.leverageHint")}
            errors={fields.leverage.errors}
          >
            <input
              {...getInputProps(fields.leverage, { type: "text" })}
              inputMode="decimal"
              data-testid="leverage"
            />
          </Field>
          <Field
            id={fields.interestDays.id}
            label={t("risk:form.interestDays")}
            hint={t("risk:form.interestDaysHint")}
            errors={fields.interestDays.errors}
          >
            <input {...getInputProps(fields.interestDays, { type: "text" })} inputMode="numeric" />
          </Field>
        </div>
        <fieldset>
          <legend>{t("risk:form.products")}</legend>
          {options.products.length === 0 ? (
            <p className="empty">{t("risk:form.noProducts")}</p>
          ) : null}
          <div className="checks" data-testid="product-checks">
            {getCollectionProps(fields.productIds, {
              type: "checkbox",
              options: options.products.map((p) => String(p.id)),
            }).map((p) => {
              const product = options.products.find((x) => String(x.id) === p.value);
              return (
                <label key={p.key}>
                  <input {...p} key={p.key} />
                  {product?.bankName} · {product?.name}
                </label>
              );
            })}
          </div>
          {checks("productIds", fields.productIds.errors)}
        </fieldset>
        <fieldset>
          <legend>{t("risk:form.regions")}</legend>
          <p className="hint">{t("risk:form.regionsHint")}</p>
          <div className="checks">
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
          {checks("regions", fields.regions.errors)}
        </fieldset>
        <fieldset>
          <legend>{t("risk:form.documents")}</legend>
          <div className="checks">
            {getCollectionProps(fields.documents, {
              type: "checkbox",
              options: [...CLAIM_DOCUMENTS],
            }).map((p) => (
              <label key={p.key}>
                <input {...p} key={p.key} />
                {t(`risk:documents.${p.value}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" className="button button-primary" disabled={busy}>
          {t("risk:form.create")}
        </button>
      </Form>
    </div>
  );
}
