import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { PUBLIC_CACHE_CHANNEL } from "../app/models/public-version.server";
import { getEventBus } from "../app/utils/event-bus.server";
import { createPublicCache, type PublicCache } from "./public-cache";

export type LoadContext = {
  cspNonce: string;
  clientIp: string;
};

/** Paths that other servers POST to; they authenticate by signature, not by origin. */
const CROSS_ORIGIN_POST_ALLOWED = ["/webhooks/stripe"];
/** Path prefixes likewise: a mail client's RFC 8058 one-click unsubscribe (signed token). */
const CROSS_ORIGIN_POST_PREFIXES = ["/unsubscribe/"];

/**
 * Refuses state-changing requests that a browser sent from another origin (CSRF). Browsers send
 * Origin on every non-GET fetch/form post; when it is absent we fall back to Sec-Fetch-Site.
 */
export function isCrossOriginWrite(req: Pick<Request, "method" | "path" | "headers">): boolean {
  if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return false;
  if (CROSS_ORIGIN_POST_ALLOWED.includes(req.path)) return false;
  if (CROSS_ORIGIN_POST_PREFIXES.some((p) => req.path.startsWith(p))) return false;
  const origin = req.headers.origin;
  const host = req.headers["x-forwarded-host"] ?? req.headers.host;
  if (typeof origin === "string") {
    if (origin === "null") return true;
    try {
      return new URL(origin).host !== host;
    } catch {
      return true;
    }
  }
  const site = req.headers["sec-fetch-site"];
  return site === "cross-site" || site === "same-site";
}

/** The policy, with the sources allowed for inline scripts (a nonce, or the cached page's hashes). */
function contentSecurityPolicy(scriptSources: string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptSources.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    // Stripe Checkout is reached by a redirect after our own form posts.
    "form-action 'self' https://checkout.stripe.com",
    "frame-ancestors 'none'",
  ].join("; ");
}

function securityHeaders(req: Request, res: Response, next: NextFunction) {
  const nonce = randomBytes(16).toString("base64");
  res.locals.cspNonce = nonce;
  res.setHeader("Content-Security-Policy", contentSecurityPolicy([`'nonce-${nonce}'`]));
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (req.secure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  next();
}

export async function loadBuild(buildDir = path.resolve("build")): Promise<ServerBuild> {
  return (await import(pathToFileURL(path.join(buildDir, "index.js")).href)) as ServerBuild;
}

/** The files directly in public/ (not build/): only their own URLs are looked up on disk. */
function publicRootFiles(dir = "public"): string[] {
  try {
    return readdirSync(dir).filter((f) => statSync(`${dir}/${f}`).isFile());
  } catch {
    return [];
  }
}

/**
 * Which proxies may set X-Forwarded-For (Express "trust proxy"): none unless TRUST_PROXY says so,
 * e.g. `TRUST_PROXY=loopback` behind a local nginx, `1` for one hop, or a list of subnets. Trusting
 * it by default would let any client pick the address the log-in throttle counts against.
 */
export function parseTrustProxy(v: string | undefined): boolean | number | string {
  const s = (v ?? "").trim();
  if (s === "" || s === "false" || s === "0") return false;
  if (s === "true") return true;
  if (/^[1-9]\d*$/.test(s)) return Number(s);
  return s;
}

export function createApp(
  build: ServerBuild,
  opts: { trustProxy?: boolean | number | string } = {},
): express.Express & { publicCache: PublicCache } {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", opts.trustProxy ?? parseTrustProxy(process.env.TRUST_PROXY));
  const publicCache = createPublicCache(build, contentSecurityPolicy);
  // Another process (or machine, with REDIS_URL) asks every cache to forget its pages.
  getEventBus().subscribe(PUBLIC_CACHE_CHANNEL, () => publicCache.clear());
  app.use(securityHeaders);
  app.use((req, res, next) => {
    if (isCrossOriginWrite(req)) {
      res.status(403).type("text/plain").send("Cross-origin request refused / 拒绝跨站请求");
      return;
    }
    next();
  });
  // Before compression: cached pages are stored already compressed.
  app.use(publicCache.middleware);
  app.use(
    compression({
      filter: (req, res) =>
        !String(res.getHeader("Content-Type") ?? "").includes("text/event-stream") &&
        compression.filter(req, res),
    }),
  );
  // Hashed file names: a changed file is a new URL.
  app.use(
    "/build",
    express.static("public/build", {
      immutable: true,
      maxAge: "1y",
      index: false,
      fallthrough: false,
    }),
  );
  const rootFiles = publicRootFiles();
  if (rootFiles.length) {
    app.get(
      rootFiles.map((f) => `/${f}`),
      express.static("public", { maxAge: "1h", index: false }),
    );
  }
  app.all(
    "*",
    createRequestHandler({
      build,
      // Production unless explicitly developing: never send stack traces to browsers.
      mode: process.env.NODE_ENV === "development" ? "development" : "production",
      getLoadContext: (req, res): LoadContext => ({
        cspNonce: String(res.locals.cspNonce),
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
      }),
    }),
  );
  return Object.assign(app, { publicCache });
}
