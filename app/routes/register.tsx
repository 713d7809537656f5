import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Field, FormErrors } from "../components/Field";
import { newPasswordField, strongPassword } from "../utils/account-schemas";
import { checkPasswordStrength } from "../utils/password-strength.server";
import { admitRegistration, registerFirmAccount } from "../models/account.server";
import { getEnv } from "../utils/env.server";
import { kickMailer } from "../utils/mailer.server";
import { REGISTERED_EMAIL_COOKIE } from "../utils/session.server";
import { INDUSTRY_SECTIONS, industryName, isIndustrySection } from "../domain/industry";
import { isRegionCode, regionName } from "../domain/regions";
import { validateUscc } from "../domain/uscc";
import { UserFacingError } from "../models/errors";
import { usccExists } from "../models/organisation.server";
import { DASHBOARD_BY_ROLE, getOptionalUser } from "../utils/auth.server";
import { normaliseEmail } from "../domain/account";
import { withDb } from "../models/with-db.server";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";
import { RegionOptions } from "../components/RegionOptions";

/** The same schema validates in the browser (conform) and on the server. */
export function registerSchema(t: TFunction) {
  const required = { required_error: t("auth:errors.required") };
  return z.object({
    companyName: z.string(required).trim().min(4, t("auth:errors.nameShort")).max(200),
    uscc: z.string(required).transform((raw, ctx) => {
      const r = validateUscc(raw);
      if (!r.ok) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: t(`auth:errors.uscc.${r.problem.kind}`, r.problem),
        });
        return z.NEVER;
      }
      return r.value;
    }),
    regionCode: z.string(required).refine(isRegionCode, t("auth:errors.regionInvalid")),
    industrySection: z.string(required).refine(isIndustrySection, t("auth:errors.industryInvalid")),
    flagHighTech: z.boolean().default(false),
    flagSpecialised: z.boolean().default(false),
    flagTechSme: z.boolean().default(false),
    contactName: z.string(required).trim().min(2, t("auth:errors.required")).max(100),
    email: z
      .string(required)
      .trim()
      .email(t("auth:errors.emailInvalid"))
      .max(254)
      .transform(normaliseEmail),
    password: newPasswordField(t),
  });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (user) throw redirect(DASHBOARD_BY_ROLE[user.role]);
  return null;
}

/**
 * A new address and an address that already has an account end the same way (the same redirect,
 * about the same time): the new one gets a verification link, the owner of the taken one a mail
 * saying someone tried. Only the USCC check is visible (it names organisations, not people).
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { t, locale } = getServerT(request);
  const formData = await request.formData();
  const submission = await parseWithZod(formData, {
    schema: registerSchema(t)
      .superRefine(
        strongPassword(t, checkPasswordStrength, (v) => [v.email, v.companyName, v.contactName]),
      )
      .superRefine(async (v, ctx) => {
        // zod still runs this when a field failed; only look up values that parsed.
        if (typeof v.uscc === "string" && (await withDb(usccExists, v.uscc))) {
          ctx.addIssue({
            path: ["uscc"],
            code: z.ZodIssueCode.custom,
            message: t("auth:errors.usccTaken"),
          });
        }
      }),
    async: true,
  });
  if (submission.status !== "success") {
    return Response.json(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  if (!(await withDb(admitRegistration, context.clientIp ?? "unknown"))) {
    return Response.json(
      submission.reply({ formErrors: [t("auth:register.throttled")], hideFields: ["password"] }),
      { status: 429 },
    );
  }
  const v = submission.value;
  const origin = getEnv().APP_ORIGIN ?? new URL(request.url).origin;
  try {
    await withDb(
      registerFirmAccount,
      {
        companyName: v.companyName,
        uscc: v.uscc,
        regionCode: v.regionCode,
        industrySection: v.industrySection,
        flags: { highTech: v.flagHighTech, specialised: v.flagSpecialised, techSme: v.flagTechSme },
        contactName: v.contactName,
        email: v.email,
        password: v.password,
        locale,
      },
      origin,
    );
    kickMailer();
    // The log-in form comes back with the address filled in (for a taken address too, so the two
    // answers stay alike): a flash cookie, not the URL, so it stays out of logs and referrers.
    // Path=/ because single fetch reads the log-in loader at /login.data, outside Path=/login.
    const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
    return redirect("/login?registered=1", {
      headers: {
        "Set-Cookie": `${REGISTERED_EMAIL_COOKIE}=${encodeURIComponent(v.email)}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax${secure}`,
      },
    });
  } catch (e) {
    // A concurrent registration won the USCC's unique constraint after our pre-check.
    if (e instanceof UserFacingError && e.field) {
      return Response.json(
        submission.reply({
          fieldErrors: { [e.field]: [t(e.key, e.params)] },
          hideFields: ["password"],
        }),
        { status: 400 },
      );
    }
    throw e;
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "auth:titles.register");

export default function Register() {
  const { t, i18n } = useTranslation();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: registerSchema(t) }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const regionRef = useRef<HTMLSelectElement>(null);
  const regionTouched = useRef(false);
  // The 盟市 read from the code, "outside" for a valid code registered in another province.
  const [detected, setDetected] = useState<string | null>(null);

  // The region defaults from the USCC's area code until the user picks one by hand.
  function onUsccInput(value: string) {
    const r = validateUscc(value);
    if (r.ok && r.region) {
      setDetected(r.region);
      if (!regionTouched.current && regionRef.current) regionRef.current.value = r.region;
    } else if (r.ok) {
      setDetected("outside");
    } else {
      setDetected(null);
    }
  }

  return (
    <div className="card" style={{ maxWidth: "40rem", margin: "1rem auto" }}>
      <h1>{t("auth:register.title")}</h1>
      <p className="muted">{t("auth:register.intro")}</p>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors errors={form.errors} />
        <Field
          id={fields.companyName.id}
          label={t("auth:register.companyName")}
          errors={fields.companyName.errors}
        >
          <input
            {...getInputProps(fields.companyName, { type: "text" })}
            autoComplete="organization"
          />
        </Field>
        <Field
          id={fields.uscc.id}
          label={t("auth:register.uscc")}
          hint={
            detected === "outside"
              ? t("auth:register.regionOutside")
              : detected
                ? t("auth:register.regionAuto", { region: regionName(detected, i18n.language) })
                : t("auth:register.usccHint")
          }
          errors={fields.uscc.errors}
        >
          <input
            {...getInputProps(fields.uscc, { type: "text" })}
            maxLength={24}
            spellCheck={false}
            style={{ textTransform: "uppercase", fontFamily: "monospace" }}
            onInput={(e) => onUsccInput(e.currentTarget.value)}
          />
        </Field>
        <Field
          id={fields.regionCode.id}
          label={t("auth:register.region")}
          errors={fields.regionCode.errors}
        >
          <select
            {...getSelectProps(fields.regionCode)}
            ref={regionRef}
            onChange={() => {
              regionTouched.current = true;
            }}
          >
            <RegionOptions anyLabel="—" />
          </select>
        </Field>
        <Field
          id={fields.industrySection.id}
          label={t("auth:register.industry")}
          errors={fields.industrySection.errors}
        >
          <select {...getSelectProps(fields.industrySection)}>
            <option value="">—</option>
            {INDUSTRY_SECTIONS.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} · {industryName(s.code, i18n.language)}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="field" style={{ border: "none", padding: 0, margin: 0 }}>
          <legend style={{ fontWeight: 600, fontSize: "0.9rem" }}>
            {t("auth:register.flags")}
          </legend>
          <div className="checks">
            <label>
              <input {...getInputProps(fields.flagHighTech, { type: "checkbox" })} />
              {t("auth:register.flagHighTech")}
            </label>
            <label>
              <input {...getInputProps(fields.flagSpecialised, { type: "checkbox" })} />
              {t("auth:register.flagSpecialised")}
            </label>
            <label>
              <input {...getInputProps(fields.flagTechSme, { type: "checkbox" })} />
              {t("auth:register.flagTechSme")}
            </label>
          </div>
        </fieldset>
        <Field
          id={fields.contactName.id}
          label={t("auth:register.contactName")}
          errors={fields.contactName.errors}
        >
          <input {...getInputProps(fields.contactName, { type: "text" })} autoComplete="name" />
        </Field>
        <Field id={fields.email.id} label={t("auth:register.email")} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
        </Field>
        <Field
          id={fields.password.id}
          label={t("auth:register.password")}
          hint={t("auth:register.passwordHint")}
          errors={fields.password.errors}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="new-password"
          />
        </Field>
        <button type="submit" className="button button-primary">
          {t("auth:register.submit")}
        </button>
        <p className="muted">
          {t("auth:register.haveAccount")} <Link to="/login">{t("auth:register.loginLink")}</Link>
        </p>
      </Form>
    </div>
  );
}
