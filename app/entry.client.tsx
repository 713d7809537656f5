import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { I18N_USAGE_ID, loadLanguage, loadNamespaces } from "./utils/i18n-loaders";

// The translations the server render used (entry.server.tsx lists them after the page); the
// list leaves the DOM before React hydrates, so the markup matches what React rendered.
const list = document.getElementById(I18N_USAGE_ID);
let used: string[] = [];
try {
  used = JSON.parse(list?.textContent ?? "[]") as string[];
} catch {
  used = [];
}
list?.remove();

function hydrate() {
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });
  // The rest of the page's language, for client navigations and page titles, once idle.
  const later = () => void loadLanguage(document.documentElement.lang).catch(() => {});
  if ("requestIdleCallback" in window) window.requestIdleCallback(later, { timeout: 1500 });
  else setTimeout(later, 300);
}

loadNamespaces(used).then(hydrate, hydrate);
