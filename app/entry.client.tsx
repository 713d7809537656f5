import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { DEFAULT_LOCALE, isLocale, registerResources } from "./utils/i18n";

/**
 * The bundle carries no translations: fetch this document's language (preloaded by the root, so
 * usually already here) and only then hydrate, so the first client render says what the server
 * said. Should the fetch fail, the page stays as the server rendered it: links and forms still
 * work as plain HTML.
 */
async function hydrate() {
  const lang = document.documentElement.lang;
  const locale = isLocale(lang) ? lang : DEFAULT_LOCALE;
  const preload = document.querySelector<HTMLLinkElement>("link[data-translations]");
  const res = await fetch(preload?.href ?? `/i18n/${locale}`);
  if (!res.ok) throw new Error(`translations: HTTP ${res.status}`);
  registerResources(locale, await res.json());
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });
}

hydrate().catch((e: unknown) => {
  console.error("not hydrated:", e);
});
