import {
  getFormProps,
  getInputProps,
  getSelectProps,
  useForm,
  type FieldMetadata,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AssetStatusBadge, EstimateHistory, formatYears } from "../components/assets";
import { Field, FormErrors } from "../components/Field";
import { ValuationResultView } from "../components/ValuationResult";
import { displayAssetNumber } from "../domain/asset";
import { neutralIndicators, type ValuationFormInputs } from "../domain/asset-valuation";
import { industryName } from "../domain/industry";
import { ipTypeLabel, type IpType } from "../domain/ip";
import { fenToYuanInput, formatBp } from "../domain/money";
import { bpToPercentInput } from "../domain/percent";
import { royaltyRateRange, valuationWarnings, type ResolvedAssumptions } from "../domain/valuation";
import { UserFacingError } from "../models/errors";
import {
  createIndicativeEstimate,
  getEstimate,
  getValuationContext,
  listEstimates,
} from "../models/valuation.server";
import {
  idParam,
  ownAsset,
  notFoundResponse,
  requireFirmActor,
  rethrowNotFound,
} from "../utils/asset-routes.server";
import { RATING_FIELDS, STABILITY_OPTIONS, valuationFormSchema } from "../utils/asset-schemas";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { todayInChina } from "../utils/time";
import { pageTitle } from "../utils/meta";

type FormDefaults = Record<string, string | undefined>;

/** The form starts from the last estimate's inputs when there is one, else the defaults. */
function formDefaults(
  d: ResolvedAssumptions,
  previous: ValuationFormInputs | null,
  asset: { ip_type: string; claims_count: number | null; co_owned: number },
): FormDefaults {
  const v = previous ?? {
    year1RevenueFen: null,
    growthBp: d.growthBp,
    royaltyRateBp: d.royaltyRateBp,
    discountRateBp: d.discountRateBp,
    taxRateBp: d.taxRateBp,
    attributionShareBp: d.attributionShareBp,
    economicLifeYears: d.economicLifeYears,
    indicators: null,
    firmAnnualRevenueFen: null,
  };
  const ind =
    v.indicators ??
    neutralIndicators(asset.ip_type as IpType, asset.claims_count, asset.co_owned === 1);
  return {
    revenue: v.year1RevenueFen === null ? undefined : fenToYuanInput(v.year1RevenueFen),
    firmRevenue:
      v.firmAnnualRevenueFen === undefined || v.firmAnnualRevenueFen === null
        ? undefined
        : fenToYuanInput(v.firmAnnualRevenueFen),
    growth: bpToPercentInput(v.growthBp),
    royalty: bpToPercentInput(v.royaltyRateBp),
    discountRate: bpToPercentInput(v.discountRateBp),
    tax: bpToPercentInput(v.taxRateBp),
    share: bpToPercentInput(v.attributionShareBp),
    life: String(v.economicLifeYears),
    scorePvd: previous === null || previous.indicators !== null ? "on" : undefined,
    claims: ind.claimCount === null ? undefined : String(ind.claimCount),
    family: String(ind.familyJurisdictions),
    coOwners: String(ind.coOwners),
    stability: ind.stability,
    advancement: String(ind.advancement),
    nonSubstitutability: String(ind.nonSubstitutability),
    maturity: String(ind.maturity),
    marketSize: String(ind.marketSize),
    marketShare: String(ind.marketShare),
    policyFit: String(ind.policyFit),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.valuate");
  const id = idParam(params.id);
  const ctx = await withDb(getValuationContext, actor.orgId, id);
  if (!ctx) notFoundResponse();
  ownAsset(user, "asset.valuate", ctx.asset);
  const { asset, firm, defaults } = ctx;
  const wanted = new URL(request.url).searchParams.get("estimate");
  const estimateId =
    wanted && /^\d{1,10}$/.test(wanted) ? Number(wanted) : asset.indicative_estimate_id;
  const [estimates, shown] = await Promise.all([
    withDb(listEstimates, actor.orgId, id),
    estimateId ? withDb(getEstimate, actor.orgId, id, estimateId) : Promise.resolve(null),
  ]);
  if (wanted && !shown) notFoundResponse();
  // An estimate written outside this page (e.g. a test fixture with "{}") has nothing to draw.
  const drawable = shown && typeof shown.result?.centralFen === "number" ? shown : null;
  const latest =
    asset.indicative_estimate_id === null
      ? null
      : shown?.id === asset.indicative_estimate_id
        ? shown
        : await withDb(getEstimate, actor.orgId, id, asset.indicative_estimate_id);
  const range = royaltyRateRange(asset.ip_type as IpType, firm.industry);
  const honesty = drawable
    ? {
        range: royaltyRateRange(drawable.result.inputs.ipType, drawable.result.inputs.industry),
        firmAnnualRevenueFen: drawable.inputs.form?.firmAnnualRevenueFen ?? null,
        warnings: valuationWarnings({
          assetRevenueFen: drawable.inputs.form?.year1RevenueFen ?? 0,
          firmAnnualRevenueFen: drawable.inputs.form?.firmAnnualRevenueFen ?? null,
          royaltyRateBp: drawable.result.inputs.royaltyRateBp,
          range: royaltyRateRange(drawable.result.inputs.ipType, drawable.result.inputs.industry),
        }),
      }
    : null;
  return {
    range,
    honesty,
    asset: {
      id: asset.id,
      title: asset.title,
      number: displayAssetNumber(asset.asset_kind, asset.number, asset.status),
      ipType: asset.ip_type as IpType,
      status: asset.status,
      expiry: asset.expiry_date,
      wellKnown: asset.well_known === 1,
    },
    firm,
    defaults,
    formDefaults: formDefaults(defaults, latest?.inputs?.form ?? null, asset),
    estimates,
    shown: drawable,
    today: todayInChina(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, actor } = await requireFirmActor(request, "asset.valuate");
  const id = idParam(params.id);
  const { t } = getServerT(request);
  const ctx = await withDb(getValuationContext, actor.orgId, id);
  if (!ctx) notFoundResponse();
  ownAsset(user, "asset.valuate", ctx.asset);
  const submission = parseWithZod(await request.formData(), {
    schema: valuationFormSchema(t, ctx.asset.ip_type as IpType),
  });
  if (submission.status !== "success") {
    return Response.json(submission.reply(), { status: 400 });
  }
  try {
    const { estimateId } = await withDb(
      createIndicativeEstimate,
      actor,
      id,
      submission.value,
      todayInChina(),
    );
    return redirect(`/firm/assets/${id}/valuation?estimate=${estimateId}#result`);
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

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "assets:titles.valuation");

function TextInput({
  field,
  label,
  hint,
  inputMode = "decimal",
}: {
  field: FieldMetadata<string | undefined>;
  label: string;
  hint?: string;
  inputMode?: "decimal" | "numeric";
}) {
  return (
    <Field id={field.id} label={label} hint={hint} errors={field.errors}>
      <input {...getInputProps(field, { type: "text" })} inputMode={inputMode} />
    </Field>
  );
}

export default function Valuation() {
  const { asset, firm, defaults, formDefaults, estimates, shown, range, honesty } =
    useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const busy = useNavigation().state === "submitting";
  const [form, fields] = useForm<FormDefaults, ValuationFormInputs>({
    lastResult,
    defaultValue: formDefaults,
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: valuationFormSchema(t, asset.ipType) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const isPatent = asset.ipType !== "trademark";
  const dflt = (text: string) => t("assets:valuation.defaultHint", { value: text });
  const scorePvd = fields.scorePvd.value === "on";

  return (
    <div className="grid" style={{ gap: "1.25rem" }}>
      <p className="no-print">
        <Link to={`/firm/assets/${asset.id}`}>← {asset.number}</Link>
      </p>
      <div>
        <h1>
          {t("assets:valuation.title", { title: asset.title })}{" "}
          <AssetStatusBadge status={asset.status} />
        </h1>
        <p className="muted">
          <code>{asset.number}</code> · {ipTypeLabel(t, asset.ipType)} · {t("assets:detail.expiry")}{" "}
          {asset.expiry}
        </p>
        <p>{t("assets:valuation.intro")}</p>
      </div>

      {shown ? (
        <ValuationResultView
          result={shown.result}
          honesty={honesty}
          id={shown.id}
          valuationDate={shown.valuationDate}
        />
      ) : null}
      {shown ? (
        // The estimate is the third step of the path to a loan (docs/domain.md#loan-path): the next
        // one is a financing request, one tap away rather than back through the dashboard.
        <p>
          <Link className="button" to="/firm/requests/new" data-testid="next-request">
            {t("assets:valuation.nextRequest")}
          </Link>
        </p>
      ) : (
        <div className="empty">{t("assets:valuation.noResult")}</div>
      )}

      <section className="card">
        <h2 style={{ marginTop: 0 }}>{t("assets:valuation.inputsTitle")}</h2>
        <p className="muted">
          {t("assets:valuation.defaultsFrom", { industry: industryName(firm.industry, lang) })}
        </p>
        <Form method="post" className="stack" {...getFormProps(form)} style={{ maxWidth: "48rem" }}>
          <FormErrors errors={form.errors} />
          <div className="grid grid-3">
            <TextInput
              field={fields.revenue}
              label={t("assets:valuation.inputs.revenue")}
              hint={t("assets:valuation.revenueHint")}
            />
            <TextInput
              field={fields.firmRevenue}
              label={t("assets:valuation.inputs.firm_revenue")}
              hint={t("assets:valuation.firmRevenueHint")}
            />
            <TextInput
              field={fields.growth}
              label={t("assets:valuation.inputs.growth")}
              hint={dflt(formatBp(defaults.growthBp, 2, { trim: true }))}
            />
            <TextInput
              field={fields.royalty}
              label={t("assets:valuation.inputs.royalty")}
              hint={`${dflt(formatBp(defaults.royaltyRateBp, 2, { trim: true }))} · ${t(
                "assets:valuation.honesty.rangeHint",
                {
                  low: formatBp(range.lowBp, 2, { trim: true }),
                  high: formatBp(range.highBp, 2, { trim: true }),
                },
              )}`}
            />
            <TextInput
              field={fields.discountRate}
              label={t("assets:valuation.inputs.discount_rate")}
              hint={dflt(formatBp(defaults.discountRateBp, 2, { trim: true }))}
            />
            <TextInput
              field={fields.tax}
              label={t("assets:valuation.inputs.tax")}
              hint={`${dflt(formatBp(defaults.taxRateBp, 2, { trim: true }))} · ${t("assets:valuation.taxHint")}`}
            />
            <TextInput
              field={fields.share}
              label={t("assets:valuation.inputs.attribution_share")}
              hint={dflt(formatBp(defaults.attributionShareBp, 2, { trim: true }))}
            />
            <TextInput
              field={fields.life}
              label={t("assets:valuation.inputs.economic_life")}
              hint={dflt(
                t("assets:valuation.years", { n: formatYears(defaults.economicLifeYears, lang) }),
              )}
            />
          </div>

          {isPatent ? (
            <fieldset className="card" style={{ display: "grid", gap: "0.75rem" }}>
              <legend>{t("assets:valuation.pvdTitle")}</legend>
              <p className="muted" style={{ margin: 0 }}>
                {t("assets:valuation.pvdIntro")}
              </p>
              <label className="checks">
                <input {...getInputProps(fields.scorePvd, { type: "checkbox" })} />
                {t("assets:valuation.scorePvd")}
              </label>
              {scorePvd ? (
                <div className="grid grid-3">
                  {asset.ipType !== "design" ? (
                    <TextInput
                      field={fields.claims}
                      label={t("assets:valuation.claims")}
                      inputMode="numeric"
                    />
                  ) : null}
                  <TextInput
                    field={fields.family}
                    label={t("assets:valuation.family")}
                    inputMode="numeric"
                  />
                  <TextInput
                    field={fields.coOwners}
                    label={t("assets:valuation.coOwners")}
                    inputMode="numeric"
                  />
                  <Field
                    id={fields.stability.id}
                    label={t("assets:valuation.stability")}
                    errors={fields.stability.errors}
                  >
                    <select {...getSelectProps(fields.stability)}>
                      {STABILITY_OPTIONS.map((s) => (
                        <option key={s} value={s}>
                          {t(`assets:valuation.stabilities.${s}`)}
                        </option>
                      ))}
                    </select>
                  </Field>
                  {RATING_FIELDS.map((name) => (
                    <Field
                      key={name}
                      id={fields[name].id}
                      label={t(`assets:valuation.ratings.${name}`)}
                      errors={fields[name].errors}
                    >
                      <select {...getSelectProps(fields[name])}>
                        {[1, 2, 3, 4, 5].map((n) => (
                          <option key={n} value={n}>
                            {t(`assets:valuation.ratingScale.${n}`)}
                          </option>
                        ))}
                      </select>
                    </Field>
                  ))}
                </div>
              ) : null}
            </fieldset>
          ) : null}

          <div>
            <button
              type="submit"
              className="button button-primary"
              disabled={busy}
              data-testid="run-valuation"
            >
              {busy ? t("assets:valuation.computing") : t("assets:valuation.submit")}
            </button>
          </div>
        </Form>
      </section>

      {estimates.length > 0 ? (
        <section>
          <h2>{t("assets:valuation.historyTitle")}</h2>
          <EstimateHistory assetId={asset.id} estimates={estimates} currentId={shown?.id ?? null} />
        </section>
      ) : null}
    </div>
  );
}
