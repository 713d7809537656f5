import { createHash } from "node:crypto";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import type { NextFunction, Request, Response } from "express";
import { publicDataVersion } from "../app/models/public-version.server";
import { getDb } from "../app/utils/db.server";
import { detectLocale, LOCALE_COOKIE } from "../app/utils/i18n";

/**
 * The public pages, rendered once per (data version, URL, locale) and served from memory with an
 * ETag, already compressed, to anonymous visitors. A request that carries a session cookie, or
 * asks for loader data, goes to Remix as before. See docs/decisions/012-production-mode.md.
 */
export const PUBLIC_PATHS = new Set(["/", "/products", "/report", "/report.json", "/report.csv"]);

/** Entries kept (URL × locale); the catalogue's filters make the key space open-ended. */
const MAX_ENTRIES = 500;
/** Organisation names and firm flags carry no version: nothing is served older than this. */
const MAX_AGE_MS = 60_000;

interface Entry {
  etag: string;
  status: number;
  headers: [string, string][];
  csp: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export interface PublicCache {
  middleware: (req: Request, res: Response, next: NextFunction) => void;
  /** Forget every rendered page (tests; a Redis invalidation message). */
  clear(): void;
  stats: { hits: number; misses: number; notModified: number };
}

/** Hashes of the page's inline scripts, so one cached body serves every request under CSP. */
function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    if (/\bsrc\s*=/.test(m[1])) continue;
    out.push(`'sha256-${createHash("sha256").update(m[2]).digest("base64")}'`);
  }
  return out;
}

function preferredEncoding(header: string | undefined): "br" | "gzip" | "identity" {
  if (!header) return "identity";
  const accepted = new Set<string>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.find((p) => p.trim().startsWith("q="));
    if (q && Number(q.trim().slice(2)) === 0) continue;
    accepted.add(name.trim());
  }
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip")) return "gzip";
  return "identity";
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function hasSessionCookie(cookie: string | undefined): boolean {
  return !!cookie && /(?:^|;\s*)(?:__Host-)?zr_session=/.test(cookie);
}

export function createPublicCache(
  build: ServerBuild,
  csp: (scriptSources: string[]) => string,
): PublicCache {
  const handle = createRequestHandler(
    build,
    process.env.NODE_ENV === "development" ? "development" : "production",
  );
  const entries = new Map<string, Entry>();
  const rendering = new Map<string, Promise<Entry | null>>();
  const stats = { hits: 0, misses: 0, notModified: 0 };

  async function render(req: Request, res: Response, etag: string): Promise<Entry | null> {
    const url = `${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string") headers.set(k, v);
    }
    headers.delete("if-none-match");
    const response = await handle(new Request(url, { method: "GET", headers }), {
      cspNonce: String(res.locals.cspNonce),
      clientIp: req.ip ?? "unknown",
    });
    const body = Buffer.from(await response.arrayBuffer());
    // Only a plain success without a cookie is the same for every anonymous visitor.
    if (response.status !== 200 || response.headers.has("set-cookie")) return null;
    const type = response.headers.get("content-type") ?? "";
    const scripts = type.includes("text/html") ? inlineScriptHashes(body.toString("utf8")) : [];
    return {
      etag,
      status: response.status,
      headers: [...response.headers.entries()].filter(
        ([k]) => !["content-length", "content-encoding", "etag", "cache-control"].includes(k),
      ),
      csp: csp(scripts),
      identity: body,
      gzip: gzipSync(body, { level: 6 }),
      br: brotliCompressSync(body, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 },
      }),
    };
  }

  function send(req: Request, res: Response, entry: Entry) {
    for (const [k, v] of entry.headers) res.setHeader(k, v);
    res.setHeader("Content-Security-Policy", entry.csp);
    res.setHeader("ETag", entry.etag);
    res.setHeader("Cache-Control", "public, no-cache");
    res.setHeader("Vary", "Accept-Encoding, Accept-Language, Cookie");
    const encoding = preferredEncoding(req.headers["accept-encoding"]);
    const body = entry[encoding];
    if (encoding !== "identity") res.setHeader("Content-Encoding", encoding);
    res.setHeader("Content-Length", String(body.length));
    res.status(entry.status);
    res.end(req.method === "HEAD" ? undefined : body);
  }

  async function serve(req: Request, res: Response, next: NextFunction) {
    const locale = detectLocale(
      cookieValue(req.headers.cookie, LOCALE_COOKIE),
      req.headers["accept-language"] ?? null,
    );
    const version = await publicDataVersion(getDb());
    const key = `${req.originalUrl}\n${locale}`;
    const bucket = Math.floor(Date.now() / MAX_AGE_MS);
    const etag = `W/"${createHash("sha1").update(`${version}\n${bucket}\n${key}`).digest("base64url")}"`;
    res.setHeader("Vary", "Accept-Encoding, Accept-Language, Cookie");
    const inm = req.headers["if-none-match"];
    if (inm && inm.split(",").some((t) => t.trim() === etag)) {
      stats.notModified++;
      // A 304's headers replace the stored ones in the browser's cache: a fresh nonce policy here
      // would be paired with the cached body, whose inline scripts it does not allow. Without the
      // header the stored policy, made for that body, stays.
      res.removeHeader("Content-Security-Policy");
      res.setHeader("ETag", etag);
      res.setHeader("Cache-Control", "public, no-cache");
      res.status(304).end();
      return;
    }
    let entry = entries.get(key);
    if (entry?.etag === etag) {
      stats.hits++;
      // Most recently used last, so the oldest is the first to go.
      entries.delete(key);
      entries.set(key, entry);
      send(req, res, entry);
      return;
    }
    stats.misses++;
    const pendingKey = `${etag}\n${key}`;
    let pending = rendering.get(pendingKey);
    if (!pending) {
      pending = render(req, res, etag).finally(() => rendering.delete(pendingKey));
      rendering.set(pendingKey, pending);
    }
    entry = (await pending) ?? undefined;
    if (!entry) {
      next();
      return;
    }
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    send(req, res, entry);
  }

  return {
    stats,
    clear: () => entries.clear(),
    middleware(req, res, next) {
      if (
        (req.method !== "GET" && req.method !== "HEAD") ||
        !PUBLIC_PATHS.has(req.path) ||
        "_data" in req.query ||
        hasSessionCookie(req.headers.cookie)
      ) {
        next();
        return;
      }
      serve(req, res, next).catch(next);
    },
  };
}
