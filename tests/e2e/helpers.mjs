// Shared Playwright helpers for the end-to-end tests (node:test + playwright-core + Debian's Chromium).
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'dist');
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const TABLET = { width: 820, height: 1180 };

/**
 * Headless Debian Chromium. The background-networking flags stop Chromium from calling hosts that
 * this closed network refuses; --no-sandbox because the tests run as root.
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page in a fresh context (its own storage) of the given viewport size. Everything that goes wrong
 * in the page (uncaught errors and wasm traps via `pageerror`, console errors, CSP violations) is
 * collected in `page.errors` and printed as it happens. Call `assertNoErrors(page)` at the end of a
 * test (or at any point) to fail loudly.
 * @param {import('playwright-core').Browser} browser
 * @param {{ width: number, height: number }} [viewport]
 */
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  const record = (what) => {
    errors.push(what);
    console.error(`[browser] ${what}`);
  };
  page.on('pageerror', (err) => record(`pageerror: ${err.stack || err.message || err}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      record(`console.error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('crash', () => record('the page crashed'));
  page.errors = errors;
  return page;
}

/** Throws, listing every error the page reported, if there was any. */
export function assertNoErrors(page) {
  if (page.errors.length > 0) {
    throw new Error(`the page reported ${page.errors.length} error(s):\n  ${page.errors.join('\n  ')}`);
  }
}

/** Full-page screenshot to target/screenshots/<name>.png; returns the path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Closes the page's context (and so the page). */
export async function closePage(page) {
  await page.context().close();
}
