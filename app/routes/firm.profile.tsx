import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  redirect,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import allianceStyles from "../styles/alliance.css";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormErrors } from "../components/Field";
import { firmPseudonym } from "../domain/analytics";
import { formatInstant } from "../domain/dates";
import { industryName } from "../domain/industry";
import { regionName } from "../domain/regions";
import { pseudonymCode } from "../utils/pseudonym.server";
import { UserFacingError } from "../models/errors";
import { getFirmProfile, setFirmConsent } from "../models/firm-profile.server";
import { authorize } from "../utils/permissions.server";
import { withDb } from "../models/with-db.server";
import { translateMessage } from "../utils/messages";
import { getServerT } from "../utils/i18n.server";
import { pageTitle } from "../utils/meta";

/** The switch and the value it was showing (the model refuses a change based on a stale page). */
const consentSchema = z.object({
  show: z.boolean().default(false),
  expected: z.enum(["0", "1"]),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await authorize(request, "profile.view");
  const profile = await withDb(getFirmProfile, user.org_id);
  const saved = new URL(request.url).searchParams.get("saved");
  return {
    profile,
    pseudonym: firmPseudonym(profile.id, pseudonymCode),
    saved: saved === "1" || saved === "0" ? saved : null,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await authorize(request, "profile.edit");
  const { t } = getServerT(request);
  const submission = parseWithZod(await request.formData(), { schema: consentSchema });
  if (submission.status !== "success") return Response.json(submission.reply(), { status: 400 });
  const { show, expected } = submission.value;
  if (show === (expected === "1")) {
    return Response.json({ ...submission.reply(), unchanged: true });
  }
  try {
    await withDb(
      setFirmConsent,
      { userId: user.id, orgId: user.org_id },
      { show, expected: expected === "1" },
    );
  } catch (e) {
    if (e instanceof UserFacingError && e.status !== 404) {
      return Response.json(submission.reply({ formErrors: [t(e.key, e.params)] }), {
        status: e.status,
      });
    }
    if (e instanceof UserFacingError) throw new Response("Not Found", { status: 404 });
    throw e;
  }
  throw redirect(`/firm/profile?saved=${show ? "1" : "0"}`);
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: allianceStyles }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "alliance:titles.profile");

export default function FirmProfile() {
  const { profile, pseudonym, saved } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const [form, fields] = useForm({
    lastResult: actionData,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: consentSchema }),
  });
  const expected = profile.consentShowName ? "1" : "0";
  const alias = translateMessage(t, pseudonym, i18n.language);
  const flags = [
    profile.flags.highTech && t("alliance:profile.flagHighTech"),
    profile.flags.specialised && t("alliance:profile.flagSpecialised"),
    profile.flags.techSme && t("alliance:profile.flagTechSme"),
  ].filter(Boolean);
  const unchanged = actionData && "unchanged" in actionData;
  return (
    <div className="grid" style={{ gap: "1.25rem", maxWidth: "52rem" }}>
      <div>
        <h1>{t("alliance:profile.title")}</h1>
        <p className="muted">{t("alliance:profile.intro")}</p>
      </div>
      <section className="card">
        <dl className="profile-list" data-testid="firm-profile">
          <dt>{t("alliance:profile.name")}</dt>
          <dd>{profile.name}</dd>
          <dt>{t("alliance:profile.uscc")}</dt>
          <dd>{profile.uscc ?? "—"}</dd>
          <dt>{t("alliance:profile.region")}</dt>
          <dd>{profile.regionCode ? regionName(profile.regionCode, i18n.language) : "—"}</dd>
          <dt>{t("alliance:profile.industry")}</dt>
          <dd>
            {profile.industrySection
              ? `${profile.industrySection} · ${industryName(profile.industrySection, i18n.language)}`
              : "—"}
          </dd>
          <dt>{t("alliance:profile.flags")}</dt>
          <dd>{flags.length ? flags.join("、") : t("alliance:profile.noFlags")}</dd>
          <dt>{t("alliance:profile.contact")}</dt>
          <dd>{profile.contactName ?? "—"}</dd>
          <dt>{t("alliance:profile.registeredAt")}</dt>
          <dd>{formatInstant(profile.createdAt, "second")}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="consent-title">
        <h2 id="consent-title" style={{ marginTop: 0 }}>
          {t("alliance:profile.consentTitle")}
        </h2>
        <p className="muted">{t("alliance:profile.consentHelp", { pseudonym: alias })}</p>
        {saved ? (
          <div className="notice" role="status" data-testid="consent-saved">
            {t("alliance:profile.saved", {
              state: t(saved === "1" ? "alliance:profile.savedOn" : "alliance:profile.savedOff"),
            })}
          </div>
        ) : null}
        {unchanged ? (
          <div className="notice" role="status">
            {t("alliance:profile.unchanged")}
          </div>
        ) : null}
        <p data-testid="consent-state">
          {profile.consentShowName
            ? t("alliance:profile.consentOn")
            : t("alliance:profile.consentOff", { pseudonym: alias })}
        </p>
        <Form method="post" className="stack" {...getFormProps(form)}>
          <FormErrors errors={form.errors} />
          <input type="hidden" name={fields.expected.name} value={expected} />
          <label className="switch">
            {/* Keyed by the stored value, so a reload after saving shows the saved state. */}
            <input
              key={expected}
              type="checkbox"
              name={fields.show.name}
              defaultChecked={profile.consentShowName}
              role="switch"
              data-testid="consent-switch"
            />
            <span>{t("alliance:profile.consentLabel")}</span>
          </label>
          <div>
            <button type="submit" className="button button-primary" data-testid="consent-save">
              {t("alliance:profile.save")}
            </button>
          </div>
        </Form>
      </section>
    </div>
  );
}
