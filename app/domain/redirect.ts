/**
 * Where to go after log-in or a language switch: only a path on this site. The candidate is
 * resolved the way a browser would (`new URL(to, origin)`) and kept only if it stays on `origin`;
 * any control character is refused outright, since browsers strip tabs and newlines from URLs
 * (`/\t/evil.example` becomes `//evil.example`) and a CR/LF cannot go into a Location header.
 */
export function safeRedirectPath(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || to === "" || !to.startsWith("/")) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(to)) return fallback;
  const origin = "http://zr.invalid";
  let url: URL;
  try {
    url = new URL(to, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  return url.pathname + url.search + url.hash;
}
