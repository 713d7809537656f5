import i18next, { type i18n, type ResourceKey, type TFunction } from "i18next";
// Empty in the browser build (a .server module): there the namespaces load on demand.
import { NAMESPACES, resources } from "./i18n-resources.server";
import { i18nBackend, loadedResources, onNamespaceLoaded } from "./i18n-loaders";

/** Every namespace of both languages: server side only (undefined in the browser). */
export { NAMESPACES, resources };

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/**
 * A synchronous i18next instance. On the server (and in scripts and tests) it holds every
 * namespace; in the browser it starts with the namespaces loaded so far (app/utils/i18n-loaders.ts)
 * and loads others on demand.
 */
export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  const common = {
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    defaultNS: "common",
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    // No vendor notice in server logs or the browser console.
    showSupportNotice: false,
  } as const;
  if (resources) {
    void instance.init({ ...common, resources, ns: NAMESPACES });
  } else {
    const loaded: Record<string, Record<string, ResourceKey>> = {};
    for (const [lng, byNs] of Object.entries(loadedResources)) loaded[lng] = { ...byNs };
    void instance.use(i18nBackend).init({
      ...common,
      resources: loaded,
      partialBundledLanguages: true,
      ns: [],
      // Components re-render when a namespace they asked for by key prefix arrives.
      react: { bindI18nStore: "added" },
    });
    // Namespaces loaded later (the idle load of the whole language) reach this instance too.
    onNamespaceLoaded((lng, ns, data) => {
      if (!instance.hasResourceBundle(lng, ns)) instance.addResourceBundle(lng, ns, data);
    });
  }
  return instance;
}

const shared = new Map<Locale, i18n>();

/**
 * The i18next instance of one locale, built once per process (and once per browser tab) and shared
 * by every request in that locale: building one costs milliseconds (every namespace of two
 * languages on the server), and nothing changes its language after start-up.
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
