import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default tseslint.config(
  { ignores: ["build/**", "public/build/**", "node_modules/**", "data/**", "tests/.artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,js}"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // remix.env.d.ts needs Remix's ambient types by reference.
      "@typescript-eslint/triple-slash-reference": ["error", { types: "always" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Routes parse → call a model → render: queries and transactions live in app/models, which
    // routes call through withDb (app/models/with-db.server.ts), never with a handle of their own.
    files: ["app/routes/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["kysely", "kysely/*"],
              message: "Routes do not build queries: call a model function (app/models).",
            },
            {
              group: ["**/db.server"],
              message:
                "Routes do not hold the database: call a model through withDb (app/models/with-db.server).",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure business rules, unit-tested without a database or a server: it may not
    // reach for models, server-only modules, the query builder, Remix or Node's built-ins
    // (node:crypto once crept in as hand-written hashing; the server now injects it).
    files: ["app/domain/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/models/**", "**/models"],
              message: "The domain does not call models: take the data as arguments.",
            },
            {
              group: ["**/*.server", "**/*.server.*"],
              message: "The domain is pure: server-only modules stay out (inject what you need).",
            },
            {
              group: ["kysely", "kysely/*", "mysql2", "mysql2/*", "better-sqlite3"],
              message: "The domain does not query: database access lives in app/models.",
            },
            {
              group: [
                "@remix-run/*",
                "react",
                "react-dom",
                "react-dom/*",
                "i18next",
                "react-i18next",
              ],
              message: "The domain returns data and Message keys; the UI renders and translates.",
            },
            {
              group: ["node:*"],
              message: "The domain is pure and runs in the browser too: no Node built-ins.",
            },
          ],
        },
      ],
    },
  },
  {
    // A migration is frozen once it lands (decision 008): if it imported application code, a
    // later change to that code would silently change what an old migration does.
    files: ["db/migrations/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/app/**", "~/**"],
              message:
                "Migrations import nothing from app/: copy the constant in, so a landed migration never changes.",
            },
          ],
        },
      ],
    },
  },
);
