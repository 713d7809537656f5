import i18next, { type i18n, type Resource, type TFunction } from "i18next";
import { resourceVersions, serverResources } from "./i18n-resources.server";

// Each feature owns one namespace file per language: add a new one to both maps in
// i18n-resources.server.ts and to NAMESPACES below.

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";

/**
 * The translations this process has: on the server every language (from the `.server` module,
 * which the browser build replaces with an empty one); in a tab only its own language, registered
 * by entry.client before hydration.
 */
export const resources = serverResources;

type Namespaces = Resource[string];
const registered = new Map<Locale, Namespaces>();
if (serverResources) {
  for (const locale of LOCALES) registered.set(locale, serverResources[locale]);
}

/** Makes one language's translations available (the browser, after fetching /i18n/:locale). */
export function registerResources(locale: Locale, namespaces: Namespaces): void {
  registered.set(locale, namespaces);
}

export function hasResources(locale: Locale): boolean {
  return registered.has(locale);
}

/** The version in the immutable URL of one language's translations (server only). */
export function resourceVersion(locale: Locale): string | null {
  return resourceVersions?.[locale] ?? null;
}

export const NAMESPACES = [
  "common",
  "auth",
  "assets",
  "appraisal",
  "products",
  "applications",
  "alliance",
  "matching",
  "mail",
  "servicing",
  "risk",
  "account",
  "security",
  "team",
  "collateral",
] as const;

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/** A synchronous i18next instance with every namespace bundled (they are small). */
export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    resources: Object.fromEntries(registered) as Resource,
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
