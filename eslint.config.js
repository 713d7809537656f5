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
);
