import { useEffect } from "react";
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { I18nextProvider, useTranslation } from "react-i18next";
import { AppShell } from "./components/AppShell";
import stylesHref from "./styles/app.css";
import { countUnread } from "./models/notification.server";
import { getOptionalUser } from "./utils/auth.server";
import { getDb } from "./utils/db.server";
import {
  detectLocale,
  getI18n,
  hasResources,
  LOCALE_COOKIE,
  resourceVersion,
  type Locale,
} from "./utils/i18n";
import { useFallbackLocale } from "./utils/locale-context";
import { useNonce } from "./utils/nonce";
import { readCookie } from "./utils/session.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = detectLocale(
    readCookie(request, LOCALE_COOKIE),
    request.headers.get("accept-language"),
  );
  const user = await getOptionalUser(request);
  return {
    locale,
    // The immutable URL of this language's translations, preloaded so entry.client's fetch of
    // them runs beside the scripts' download.
    translationsHref: `/i18n/${locale}?v=${resourceVersion(locale)}`,
    user: user && {
      id: user.id,
      role: user.role,
      displayName: user.display_name,
      orgName: user.orgName,
      orgKind: user.orgKind,
      emailVerified: user.emailVerified,
      unread: await countUnread(getDb(), user.id),
    },
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

export function useRootData(): RootData | undefined {
  return useRouteLoaderData<typeof loader>("root");
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRootData();
  const fallbackLocale = useFallbackLocale();
  const wanted: Locale = data?.locale ?? fallbackLocale;
  // A tab holds only the language it was loaded in. Should the root's locale change under it
  // (the cookie set in another tab), keep speaking the loaded one and reload the document.
  const locale: Locale = hasResources(wanted) ? wanted : fallbackLocale;
  useEffect(() => {
    if (!hasResources(wanted)) window.location.reload();
  }, [wanted]);
  const i18n = getI18n(locale);
  const nonce = useNonce();
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {data?.translationsHref ? (
          <link
            rel="preload"
            as="fetch"
            crossOrigin="anonymous"
            href={data.translationsHref}
            data-translations=""
          />
        ) : null}
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          <AppShell user={data?.user ?? null} locale={locale}>
            {children}
          </AppShell>
        </I18nextProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  let title = t("errors.errorTitle");
  let text = t("errors.errorText");
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = t("errors.notFoundTitle");
      text = t("errors.notFoundText");
    } else if (error.status === 403) {
      title = t("errors.forbiddenTitle");
      text = t("errors.forbiddenText");
    }
  } else {
    console.error(error);
  }
  return (
    <section className="error-page" role="alert">
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href="/">{t("errors.backHome")}</a>
      </p>
    </section>
  );
}
