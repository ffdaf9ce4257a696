/**
 * Debian's Chromium, driven by playwright-core: nothing downloads a browser.
 * Playwright gives every launch a fresh temporary profile (its own
 * `--user-data-dir`), removed on close.
 *
 * @module
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser is installed here (and executable: a file in its place that is not counts as missing). */
export const hasChromium = (): boolean => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Flags for a quiet, offline-friendly headless run. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium headless with a fresh profile. */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
