import i18next, { type i18n, type Resource, type TFunction } from "i18next";

// Each feature owns one namespace file per language; add new ones to both maps below.
import zhCommon from "../locales/zh-CN/common.json";
import enCommon from "../locales/en/common.json";
import zhAuth from "../locales/zh-CN/auth.json";
import enAuth from "../locales/en/auth.json";
import zhAssets from "../locales/zh-CN/assets.json";
import enAssets from "../locales/en/assets.json";
import zhAppraisal from "../locales/zh-CN/appraisal.json";
import enAppraisal from "../locales/en/appraisal.json";
import zhProducts from "../locales/zh-CN/products.json";
import enProducts from "../locales/en/products.json";
import zhApplications from "../locales/zh-CN/applications.json";
import enApplications from "../locales/en/applications.json";
import zhAlliance from "../locales/zh-CN/alliance.json";
import enAlliance from "../locales/en/alliance.json";
import zhMatching from "../locales/zh-CN/matching.json";
import enMatching from "../locales/en/matching.json";
import zhMail from "../locales/zh-CN/mail.json";
import enMail from "../locales/en/mail.json";
import zhServicing from "../locales/zh-CN/servicing.json";
import enServicing from "../locales/en/servicing.json";
import zhRisk from "../locales/zh-CN/risk.json";
import enRisk from "../locales/en/risk.json";
import zhAccount from "../locales/zh-CN/account.json";
import enAccount from "../locales/en/account.json";
import zhSecurity from "../locales/zh-CN/security.json";
import enSecurity from "../locales/en/security.json";
import zhTeam from "../locales/zh-CN/team.json";
import enTeam from "../locales/en/team.json";
import zhCollateral from "../locales/zh-CN/collateral.json";
import enCollateral from "../locales/en/collateral.json";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";

export const resources = {
  "zh-CN": {
    common: zhCommon,
    auth: zhAuth,
    assets: zhAssets,
    appraisal: zhAppraisal,
    products: zhProducts,
    applications: zhApplications,
    alliance: zhAlliance,
    matching: zhMatching,
    mail: zhMail,
    servicing: zhServicing,
    risk: zhRisk,
    account: zhAccount,
    security: zhSecurity,
    team: zhTeam,
    collateral: zhCollateral,
  },
  en: {
    common: enCommon,
    auth: enAuth,
    assets: enAssets,
    appraisal: enAppraisal,
    products: enProducts,
    applications: enApplications,
    alliance: enAlliance,
    matching: enMatching,
    mail: enMail,
    servicing: enServicing,
    risk: enRisk,
    account: enAccount,
    security: enSecurity,
    team: enTeam,
    collateral: enCollateral,
  },
} satisfies Resource;

export const NAMESPACES = Object.keys(resources["zh-CN"]);

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/** A synchronous i18next instance with every namespace bundled (they are small). */
export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    resources,
    ns: NAMESPACES,
    defaultNS: "common",
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    // No vendor notice in server logs or the browser console.
    showSupportNotice: false,
  });
  return instance;
}

const shared = new Map<Locale, i18n>();

/**
 * The i18next instance of one locale, built once per process (and once per browser tab) and shared
 * by every request in that locale: building one costs milliseconds (every namespace of two
 * languages), and nothing ever changes its language or resources after start-up.
 */
export function getI18n(locale: Locale): i18n {
  let instance = shared.get(locale);
  if (!instance) {
    instance = createI18n(locale);
    shared.set(locale, instance);
  }
  return instance;
}

const fixedT = new Map<Locale, TFunction>();

/**
 * A translation function bound to one locale, made once per process: for text built outside
 * React — page titles in `meta`, server messages, CSV and JSON exports. Bound with `getFixedT`, so
 * a call does not resolve the language again.
 */
export function getFixedT(locale: Locale): TFunction {
  let t = fixedT.get(locale);
  if (!t) {
    t = getI18n(locale).getFixedT(locale);
    fixedT.set(locale, t);
  }
  return t;
}

/** Cookie first, then Accept-Language (English only when the browser prefers it to Chinese). */
export function detectLocale(
  cookieValue: string | undefined,
  acceptLanguage: string | null,
): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const prefs = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of prefs) {
    if (tag.startsWith("zh")) return "zh-CN";
    if (tag.startsWith("en")) return "en";
  }
  return DEFAULT_LOCALE;
}

export const LOCALE_COOKIE = "zr_lng";
