/**
 * Headless Chromium from Debian (/usr/bin/chromium), driven by playwright-core. Never downloads a
 * browser: when Chromium is missing, scripts/ensure-system-deps.sh installs it (as root) or prints
 * the apt-get command. Playwright gives every launch a fresh temporary profile (user-data dir).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Without the networking flags Chromium keeps dialling Google on a machine with no network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Throws with the install command when Chromium is not there and cannot be installed. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const script = path.resolve("scripts/ensure-system-deps.sh");
  const r = spawnSync("bash", [script, "chromium"], { stdio: "inherit" });
  if (r.status !== 0 || !existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH} and scripts/ensure-system-deps.sh chromium could not install it`,
    );
  }
  return CHROMIUM_PATH;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}
