import type { MetaDescriptor } from "@remix-run/node";
import { DEFAULT_LOCALE, getFixedT, isLocale } from "./i18n";

interface RootMatch {
  id: string;
  data?: unknown;
}

/** The translation function for the root loader's locale: `meta` runs outside React. */
function metaT(matches: readonly RootMatch[]) {
  const locale = (matches.find((m) => m.id === "root")?.data as { locale?: unknown } | undefined)
    ?.locale;
  return getFixedT(isLocale(locale) ? locale : DEFAULT_LOCALE);
}

/** The page title in the user's language (the root loader's locale), followed by the brand. */
export function pageTitle(
  matches: readonly RootMatch[],
  key: string,
  params?: Record<string, string | number>,
): MetaDescriptor[] {
  const t = metaT(matches);
  return [{ title: t("common:pageTitle", { title: t(key, params) }) }];
}

/**
 * A page named by its own data (an asset's title, a product's name, a report's number): that
 * text as it is, or the key's words while there is none (a 404 renders the same route).
 */
export function dataPageTitle(
  matches: readonly RootMatch[],
  text: string | null | undefined,
  fallbackKey: string,
): MetaDescriptor[] {
  const t = metaT(matches);
  return [{ title: t("common:pageTitle", { title: text ?? t(fallbackKey) }) }];
}

/** The search-engine description of a page, in the user's language. */
export function pageDescription(matches: readonly RootMatch[], key: string): MetaDescriptor[] {
  return [{ name: "description", content: metaT(matches)(key) }];
}
