/**
 * Unit tests are pure: app code that reaches for the process-wide database handle during a unit
 * test fails at once instead of quietly creating ./data/app.sqlite. Tests that need a database
 * belong in tests/integration and use createTestDb() from tests/support/db.ts.
 */
const KEY = "__zrDbHandle";

Object.defineProperty(globalThis, KEY, {
  configurable: true,
  get() {
    throw new Error(
      "Unit tests must not touch the database (getDb()/getDbHandle() was called). " +
        "Move this test to tests/integration and use createTestDb() from tests/support/db.ts.",
    );
  },
  set(value: unknown) {
    // An explicit setDbHandle(...) is a deliberate choice; let it through.
    Object.defineProperty(globalThis, KEY, { configurable: true, writable: true, value });
  },
});
