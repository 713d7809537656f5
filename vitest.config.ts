/**
 * Three vitest projects; `npm test` (scripts/test.ts) runs them in order with the right env:
 *   unit         tests/unit/**, app/**\/*.test.ts(x) — pure code, no database
 *   integration  tests/integration/** — TEST_DB=sqlite (default) or TEST_DB=mysql, real migrations,
 *                the built server in-process (tests/support/http.ts)
 *   e2e          tests/e2e/** — the built app in a child process + headless Chromium
 * By hand: `npx vitest run --project unit`, `TEST_DB=mysql npx vitest run --project integration`,
 * `npm run build && npx vitest run --project e2e`.
 */
import { defineConfig } from "vitest/config";

const testEnv = {
  // A fixed secret, so app code never writes ./data/dev-session-secret during tests.
  SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
};

export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    env: testEnv,
    // The built server bundle is plain ESM: let Node load it, not vite's transform pipeline.
    server: { deps: { external: [/\/build\/index\.js$/] } },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.{ts,tsx}", "app/**/*.test.{ts,tsx}"],
          setupFiles: ["tests/support/setup.ts", "tests/support/setup-unit.ts"],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.{ts,tsx}"],
          globalSetup: ["tests/support/global-setup-integration.ts"],
          setupFiles: ["tests/support/setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.{ts,tsx}"],
          globalSetup: ["tests/e2e/support/global-setup.ts"],
          setupFiles: ["tests/support/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Polls wait on the browser (a reload, a lazily loaded chart, a server round trip); on
          // a loaded 2-core CI machine vitest's 1 s default is too short for those.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
