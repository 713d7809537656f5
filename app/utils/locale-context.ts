import { createContext, useContext } from "react";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./i18n";

/**
 * The locale detected from the request by entry.server, for renders where the root loader did
 * not run (a 404 or an error before loaders): error pages still speak the user's language.
 */
const RequestLocaleContext = createContext<Locale | null>(null);
export const RequestLocaleProvider = RequestLocaleContext.Provider;

export function useFallbackLocale(): Locale {
  const fromRequest = useContext(RequestLocaleContext);
  if (fromRequest) return fromRequest;
  if (typeof document !== "undefined" && isLocale(document.documentElement.lang)) {
    return document.documentElement.lang;
  }
  return DEFAULT_LOCALE;
}
