import type { LoaderFunctionArgs } from "@remix-run/node";
import { isLocale, resourceVersion, resources } from "../utils/i18n";

/**
 * One language's translations, fetched by entry.client before hydration (the browser bundle holds
 * none). The URL the root renders carries the translations' hash (`?v=`): that URL never changes
 * content and is cached for good; any other is revalidated every time.
 */
export function loader({ params, request }: LoaderFunctionArgs) {
  const locale = params.locale;
  if (!isLocale(locale)) throw new Response("Not Found", { status: 404 });
  const version = resourceVersion(locale);
  const etag = `"i18n-${locale}-${version}"`;
  const current = new URL(request.url).searchParams.get("v") === version;
  const headers = {
    "Cache-Control": current ? "public, max-age=31536000, immutable" : "no-cache",
    ETag: etag,
    Vary: "Accept-Encoding",
  };
  if (request.headers.get("if-none-match") === etag)
    return new Response(null, { status: 304, headers });
  return Response.json(resources[locale], { headers });
}
