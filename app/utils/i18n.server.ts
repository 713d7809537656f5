import type { TFunction } from "i18next";
import { detectLocale, getFixedT, LOCALE_COOKIE, type Locale } from "./i18n";
import { readCookie } from "./session.server";

export function getLocale(request: Request): Locale {
  return detectLocale(readCookie(request, LOCALE_COOKIE), request.headers.get("accept-language"));
}

/** A translation function for server-side messages (validation, errors) in the user's language. */
export function getServerT(request: Request): { t: TFunction; locale: Locale } {
  const locale = getLocale(request);
  return { t: getFixedT(locale), locale };
}
