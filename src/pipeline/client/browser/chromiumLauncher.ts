/**
 * Finds and launches the system's Chromium with playwright-core (never a browser playwright
 * downloads): `STREAMBENCH_CHROMIUM` names the executable, else Debian's /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The environment variable that names a Chromium executable. */
export const CHROMIUM_ENV = 'STREAMBENCH_CHROMIUM';
/** Where Debian's `chromium` package installs it. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a measuring browser: headless, no first-run or background network chatter, and
 * no throttling of pages that are not in front — every page stands for the tab a user is
 * watching, and several pages run at once under load.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  // A page served on an app's origin by interception (target mode) has no address of its own,
  // so Chromium counts it as public and would block its control socket to streambench on loopback.
  '--disable-features=LocalNetworkAccessChecks',
];

/** The Chromium executable to use, or why there is none (with how to get one). */
export function resolveChromium(env: NodeJS.ProcessEnv = process.env, defaultPath = DEFAULT_CHROMIUM_PATH): { path: string } | { missing: string } {
  const fromEnv = env[CHROMIUM_ENV];
  if (fromEnv) {
    return existsSync(fromEnv)
      ? { path: fromEnv }
      : { missing: `${CHROMIUM_ENV}=${fromEnv} does not exist: point it at a Chromium executable, or unset it and install chromium (apt-get install chromium)` };
  }
  if (existsSync(defaultPath)) return { path: defaultPath };
  return {
    missing: `Chromium is not installed at ${defaultPath}: install it (apt-get install chromium) or set ${CHROMIUM_ENV} to a Chromium executable`,
  };
}

/**
 * Launches headless Chromium. Signals are left to streambench: a first Ctrl-C lets the stream
 * in progress finish and then closes the browser; playwright still kills the browser if the
 * process exits without closing it.
 */
export async function launchChromium(executablePath: string, timeoutMs = 30_000): Promise<Browser> {
  // Imported here: loading playwright-core takes about half a second, which only browser configs should pay.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: timeoutMs,
  });
}
