import { AsyncLocalStorage } from "node:async_hooks";
import type { i18n } from "i18next";
import { NAMESPACE_LOADERS } from "./i18n-loaders";

/**
 * Which (language, namespace) pairs one server render read: every translation lookup goes through
 * the instance's resource store, so its getResource is wrapped once per instance and reports to
 * the render running in this async context (entry.server.tsx). The page lists the pairs, and the
 * browser loads just those before it hydrates (app/utils/i18n-loaders.ts).
 */
const usage = new AsyncLocalStorage<Set<string>>();
const tracked = new WeakSet<object>();
type GetResource = (lng: string, ns: string, ...rest: unknown[]) => unknown;

export function trackNamespaceUse(instance: i18n): void {
  // getResource is on the store at run time, though i18next's types leave it out.
  const store = instance.store as unknown as { getResource: GetResource };
  if (tracked.has(store)) return;
  tracked.add(store);
  const original = store.getResource.bind(store);
  store.getResource = (lng, ns, ...rest) => {
    usage.getStore()?.add(`${lng}/${ns}`);
    return original(lng, ns, ...rest);
  };
}

/** Runs `fn` (a render) and collects the pairs it read into `used`. */
export function collectNamespaceUse<T>(used: Set<string>, fn: () => T): T {
  return usage.run(used, fn);
}

/** The pairs the browser can load, sorted: what the page's usage list holds. */
export function usageList(used: Set<string>): string[] {
  return [...used]
    .filter((pair) => {
      const [lng, ns] = pair.split("/");
      return !!NAMESPACE_LOADERS[lng]?.[ns];
    })
    .sort();
}
