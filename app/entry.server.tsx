import { PassThrough, Transform } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { detectLocale, getI18n, LOCALE_COOKIE, LOCALES } from "./utils/i18n";
import { I18N_USAGE_ID } from "./utils/i18n-loaders";
import { collectNamespaceUse, trackNamespaceUse, usageList } from "./utils/i18n-usage.server";
import { RequestLocaleProvider } from "./utils/locale-context";
import { NonceProvider } from "./utils/nonce";
import { readCookie } from "./utils/session.server";

const ABORT_DELAY = 5_000;

for (const locale of LOCALES) trackNamespaceUse(getI18n(locale));

/**
 * Passes the page through and, when React has finished it, appends the list of translation
 * namespaces the render read. entry.client.tsx reads and removes it before hydrating (so React
 * never sees the extra node); a JSON script runs nothing, so the CSP is unaffected.
 */
function withNamespaceList(used: Set<string>): Transform {
  return new Transform({
    transform(chunk, _encoding, callback) {
      callback(null, chunk);
    },
    flush(callback) {
      const json = JSON.stringify(usageList(used)).replace(/</g, "\\u003c");
      callback(null, `<script type="application/json" id="${I18N_USAGE_ID}">${json}</script>`);
    },
  });
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? "";
  const locale = detectLocale(
    readCookie(request, LOCALE_COOKIE),
    request.headers.get("accept-language"),
  );
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  const used = new Set<string>();
  return collectNamespaceUse(used, () => render());

  function render() {
    return new Promise((resolve, reject) => {
      let shellRendered = false;
      const { pipe, abort } = renderToPipeableStream(
        <NonceProvider value={nonce}>
          <RequestLocaleProvider value={locale}>
            <RemixServer
              context={remixContext}
              url={request.url}
              abortDelay={ABORT_DELAY}
              nonce={nonce}
            />
          </RequestLocaleProvider>
        </NonceProvider>,
        {
          nonce,
          [waitForAll ? "onAllReady" : "onShellReady"]() {
            shellRendered = true;
            const body = new PassThrough();
            const page = withNamespaceList(used);
            page.pipe(body);
            responseHeaders.set("Content-Type", "text/html; charset=utf-8");
            resolve(
              new Response(createReadableStreamFromReadable(body), {
                headers: responseHeaders,
                status: responseStatusCode,
              }),
            );
            pipe(page);
          },
          onShellError(error: unknown) {
            reject(error);
          },
          onError(error: unknown) {
            responseStatusCode = 500;
            if (shellRendered) console.error(error);
          },
        },
      );
      setTimeout(abort, ABORT_DELAY);
    });
  }
}

/** Logs server errors, but not 404s for unknown URLs or requests the client abandoned. */
export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status === 404) return;
  console.error(error);
}
