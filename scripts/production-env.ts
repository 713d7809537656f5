// Imported first by `npm start` so React, react-dom/server and Remix load their production builds
// (they read NODE_ENV once, when first imported). See docs/decisions/012-production-mode.md.
process.env.NODE_ENV ??= "production";
// `npm start` is the two-command demo unless the operator says otherwise with DEMO=0.
process.env.DEMO ??= "1";

export {};
