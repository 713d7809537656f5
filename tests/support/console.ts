/**
 * A stray `console.error` fails the test that printed it (see tests/support/setup.ts). A test that
 * expects one says so first:
 *
 *   import { allowConsoleError } from "../support/console";
 *   allowConsoleError(/Migration .* failed/); // only matching messages; they are not printed
 *   allowConsoleError(); // any console.error
 *
 * Called inside a test (or beforeEach), the permission lasts until that test ends. Called at module
 * level or in beforeAll, it holds for the whole file.
 */
import { format } from "node:util";

type Matcher = RegExp | string | true;

const state = {
  inTest: false,
  fileAllowed: [] as Matcher[],
  testAllowed: [] as Matcher[],
  unexpected: [] as string[],
};

export function allowConsoleError(match?: RegExp | string): void {
  (state.inTest ? state.testAllowed : state.fileAllowed).push(match ?? true);
}

function matches(m: Matcher, text: string): boolean {
  return m === true ? true : typeof m === "string" ? text.includes(m) : m.test(text);
}

/** @internal used by tests/support/setup.ts */
export const consoleGuard = {
  enterTest() {
    state.inTest = true;
    state.testAllowed = [];
  },
  leaveTest() {
    state.inTest = false;
    state.testAllowed = [];
  },
  /** Records one console.error call; true when it was allowed (and so is not printed). */
  record(args: unknown[]): boolean {
    const text = format(...args);
    const ok = [...state.fileAllowed, ...state.testAllowed].some((m) => matches(m, text));
    if (!ok) state.unexpected.push(text);
    return ok;
  },
  takeUnexpected(): string[] {
    const u = state.unexpected;
    state.unexpected = [];
    return u;
  },
};
