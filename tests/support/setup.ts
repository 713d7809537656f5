/**
 * Setup for every vitest project: a `console.error` that the test did not announce with
 * allowConsoleError() fails the test (or, outside a test, the file).
 *
 * console.error is replaced directly rather than with vi.spyOn, so a test's
 * vi.restoreAllMocks() cannot switch the guard off.
 */
import { afterAll, afterEach, beforeEach } from "vitest";
import { consoleGuard } from "./console";

const original = console.error.bind(console);

console.error = (...args: unknown[]) => {
  if (consoleGuard.record(args)) return;
  original(...args);
};

function complain(where: string) {
  const messages = consoleGuard.takeUnexpected();
  if (messages.length === 0) return;
  const shown = messages
    .slice(0, 3)
    .map((m) => "  • " + m.split("\n").slice(0, 8).join("\n    "))
    .join("\n");
  const more = messages.length > 3 ? `\n  … and ${messages.length - 3} more` : "";
  throw new Error(
    `console.error was called ${messages.length}× ${where}:\n${shown}${more}\n` +
      `If this is expected, call allowConsoleError(/pattern/) from tests/support/console.ts first.`,
  );
}

beforeEach(() => {
  // Errors printed by beforeAll hooks or between tests belong to the file, not to this test.
  complain("outside a test (module load, beforeAll or a late callback)");
  consoleGuard.enterTest();
});

afterEach(() => {
  try {
    complain("during this test");
  } finally {
    consoleGuard.leaveTest();
  }
});

afterAll(() => {
  complain("after the last test of this file (afterAll or a late callback)");
});
