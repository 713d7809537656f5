/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // recharts and its d3 helpers ship ESM only; recharts imports lodash/get-style CJS paths that
  // Node ESM cannot resolve from the bundle, so lodash is bundled too.
  serverDependenciesToBundle: [/^recharts/, /^d3-/, /^internmap/, /^victory-vendor/, /^lodash/],
  browserNodeBuiltinsPolyfill: { modules: {} },
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
