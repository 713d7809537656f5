/** Values the global setups hand to test files through vitest's provide()/inject(). */
declare module "vitest" {
  export interface ProvidedContext {
    /** Integration on MySQL: server URL without a database (global-setup-integration.ts). */
    mysqlUrl: string;
    /** One id per run; MySQL test databases are named zr_test_<testRunId>_<random>. */
    testRunId: string;
    /** E2E: where the app under test listens, e.g. http://127.0.0.1:41234 */
    baseURL: string;
    /** E2E: the app server's DATABASE_URL (a temp SQLite file), for tests that inspect rows. */
    e2eDatabaseUrl: string;
    /** E2E: whether db/seed.ts seedDemo() ran. */
    e2eSeeded: boolean;
  }
}

export {};
