/**
 * The log-in throttle (docs/decisions/009-throttling-and-two-factor.md). Failures are counted per
 * key, and a key is refused for a delay that grows with its failures:
 *   pair  (account, address)  — slows a guesser down without touching the owner at another address
 *   ip    (address)           — slows one address guessing across many accounts
 *   acct  (account)           — never refuses; at ACCOUNT_ALERT_AT failures the admin is alerted
 * A window of quiet (FAILURE_WINDOW_MS since the last failure) starts the count again.
 */

export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_DELAY_MS = 15 * 60 * 1000;
export const FIRST_DELAY_MS = 30 * 1000;

export type ThrottleScope = "pair" | "ip";

/** Failures a key may have before each further one adds a delay. */
export const FREE_FAILURES: Readonly<Record<ThrottleScope, number>> = { pair: 5, ip: 20 };

/** Failures on one account, from any address, within the window that alert the admin (once). */
export const ACCOUNT_ALERT_AT = 50;

/**
 * How long a key is refused after its n-th failure: nothing up to the free failures, then
 * 30 s, 1 min, 2 min, … doubling, capped at MAX_DELAY_MS. A person who mistyped five times waits
 * half a minute; a guesser gets about 40 tries an hour per pair instead of thousands.
 */
export function delayAfterFailures(scope: ThrottleScope, failures: number): number {
  const over = failures - FREE_FAILURES[scope];
  if (over < 0) return 0;
  if (over >= 20) return MAX_DELAY_MS;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** over);
}

export function pairKey(email: string, ip: string): string {
  return `pair:${email}|${ip}`.slice(0, 320);
}
/**
 * Second-factor codes (docs/decisions/014-two-factor.md) are counted on their own (account,
 * address) key with the pair's delays: a right password resets the password pair, and must not
 * hand a guesser who knows the password a fresh allowance of code guesses.
 */
export function codePairKey(email: string, ip: string): string {
  return `code:${email}|${ip}`.slice(0, 320);
}
export function ipKey(ip: string): string {
  return `ip:${ip}`.slice(0, 320);
}
export function accountKey(email: string): string {
  return `acct:${email}`.slice(0, 320);
}
