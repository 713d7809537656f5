import type { BackendModule, ResourceKey } from "i18next";

type Loader = () => Promise<{ default: ResourceKey }>;

/**
 * The browser's way to the translations: one chunk per (language, namespace), loaded on demand.
 * The server renders with every namespace (app/utils/i18n-resources.server.ts), notes which ones a
 * page used and lists them in the page (`<script type="application/json" id="zr-i18n">`); the
 * browser loads exactly those before it hydrates, and the rest of its language once the page is
 * idle. A namespace a client navigation needs before then suspends its component until loaded.
 * Keep the keys the same as the server's namespaces (tests/unit/i18n-loaders.test.ts checks).
 */
export const NAMESPACE_LOADERS: Record<string, Record<string, Loader>> = {
  "zh-CN": {
    common: () => import("../locales/zh-CN/common.json"),
    auth: () => import("../locales/zh-CN/auth.json"),
    assets: () => import("../locales/zh-CN/assets.json"),
    appraisal: () => import("../locales/zh-CN/appraisal.json"),
    products: () => import("../locales/zh-CN/products.json"),
    applications: () => import("../locales/zh-CN/applications.json"),
    alliance: () => import("../locales/zh-CN/alliance.json"),
    matching: () => import("../locales/zh-CN/matching.json"),
    mail: () => import("../locales/zh-CN/mail.json"),
    servicing: () => import("../locales/zh-CN/servicing.json"),
    risk: () => import("../locales/zh-CN/risk.json"),
    account: () => import("../locales/zh-CN/account.json"),
    security: () => import("../locales/zh-CN/security.json"),
    team: () => import("../locales/zh-CN/team.json"),
    collateral: () => import("../locales/zh-CN/collateral.json"),
  },
  en: {
    common: () => import("../locales/en/common.json"),
    auth: () => import("../locales/en/auth.json"),
    assets: () => import("../locales/en/assets.json"),
    appraisal: () => import("../locales/en/appraisal.json"),
    products: () => import("../locales/en/products.json"),
    applications: () => import("../locales/en/applications.json"),
    alliance: () => import("../locales/en/alliance.json"),
    matching: () => import("../locales/en/matching.json"),
    mail: () => import("../locales/en/mail.json"),
    servicing: () => import("../locales/en/servicing.json"),
    risk: () => import("../locales/en/risk.json"),
    account: () => import("../locales/en/account.json"),
    security: () => import("../locales/en/security.json"),
    team: () => import("../locales/en/team.json"),
    collateral: () => import("../locales/en/collateral.json"),
  },
};

/** What the browser has loaded so far: language → namespace → strings. */
export const loadedResources: Record<string, Record<string, ResourceKey>> = {};
const pending = new Map<string, Promise<ResourceKey>>();
type LoadedListener = (lng: string, ns: string, data: ResourceKey) => void;
const listeners = new Set<LoadedListener>();

/** Calls `listener` for each namespace loaded from now on (the browser's i18next instances). */
export function onNamespaceLoaded(listener: LoadedListener): void {
  listeners.add(listener);
}

export function loadNamespace(lng: string, ns: string): Promise<ResourceKey> {
  const have = loadedResources[lng]?.[ns];
  if (have) return Promise.resolve(have);
  const key = `${lng}/${ns}`;
  let p = pending.get(key);
  if (!p) {
    const loader = NAMESPACE_LOADERS[lng]?.[ns];
    if (!loader) return Promise.reject(new Error(`no translations for ${key}`));
    p = loader().then((m) => {
      (loadedResources[lng] ??= {})[ns] = m.default;
      for (const listener of listeners) listener(lng, ns, m.default);
      return m.default;
    });
    pending.set(key, p);
    p.catch(() => pending.delete(key));
  }
  return p;
}

/** Loads `lng/ns` pairs (as the server lists them); unknown pairs are ignored. */
export async function loadNamespaces(pairs: readonly string[]): Promise<void> {
  await Promise.all(
    pairs.map((pair) => {
      const [lng, ns] = pair.split("/");
      return NAMESPACE_LOADERS[lng]?.[ns] ? loadNamespace(lng, ns) : undefined;
    }),
  );
}

/** Every namespace of one language (after hydration, so client navigations find them). */
export function loadLanguage(lng: string): Promise<void> {
  return loadNamespaces(Object.keys(NAMESPACE_LOADERS[lng] ?? {}).map((ns) => `${lng}/${ns}`));
}

/** The i18next backend of the browser instances: a missing namespace loads its chunk. */
export const i18nBackend: BackendModule = {
  type: "backend",
  init() {},
  read(lng, ns, callback) {
    loadNamespace(lng, ns).then(
      (data) => callback(null, data),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e)), null),
    );
  },
};

/** The id of the JSON script that lists the namespaces a server render used. */
export const I18N_USAGE_ID = "zr-i18n";
