import type { MetaDescriptor } from "@remix-run/node";

interface RootMatch {
  id: string;
  data?: unknown;
}

/** The page title in the user's language (the root loader's locale), followed by the brand. */
export function pageTitle(matches: readonly RootMatch[], zh: string, en: string): MetaDescriptor[] {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: string } | undefined;
  return root?.locale === "en" ? [{ title: `${en} · Zhirong` }] : [{ title: `${zh} · 知融` }];
}
