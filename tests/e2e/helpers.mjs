// Shared Playwright helpers (node:test + playwright-core + Debian's Chromium) for the end-to-end tests
// and for the benchmarks in tests/bench/.
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(ROOT, 'dist');
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const TABLET = { width: 820, height: 1180 };

/**
 * The flags every Chromium here is launched with. The background-networking flags stop Chromium from
 * calling hosts that this closed network refuses; --no-sandbox because the tests run as root.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch options shared by `launchBrowser` and `launchPersistentContext`. */
const CHROMIUM = { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS };

/** Headless Debian Chromium (see `CHROMIUM_ARGS`). */
export function launchBrowser() {
  return chromium.launch(CHROMIUM);
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
  return watchPage(await context.newPage());
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

// ---- For tests that open several pages in one context (tests/e2e/pwa.test.mjs) ----

/**
 * A fresh context whose pages record every Content-Security-Policy violation into
 * `window.__cspViolations` (from the first script on), and which records the URL of every request
 * its pages (and, where Playwright reports them, its service workers) make in `context.requests`.
 * @param {import('playwright-core').Browser} browser
 * @param {{ width: number, height: number }} [viewport]
 */
export async function newWatchedContext(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  context.requests = [];
  context.on('request', (request) => context.requests.push(request.url()));
  return context;
}

/**
 * Collects what goes wrong in a page you opened yourself, as `newPage` does: `page.errors` (pageerror,
 * console errors, crashes), printed as it happens. Returns the page.
 * @param {import('playwright-core').Page} page
 */
export function watchPage(page) {
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

/** The CSP violations the page has recorded since it loaded (see `newWatchedContext`). */
export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? []);
}

/** Throws unless every request the context made went to `origin` (e.g. http://127.0.0.1:41234). */
export function assertSameOrigin(context, origin) {
  const foreign = context.requests.filter((url) => new URL(url).origin !== origin);
  if (foreign.length > 0) {
    throw new Error(`requests to another origin than ${origin}:\n  ${[...new Set(foreign)].join('\n  ')}`);
  }
}

/**
 * A persistent (not incognito) Chromium context in `userDataDir`, with the same flags as
 * `launchBrowser`. Chromium never judges an app installable in an incognito context, which is what
 * `browser.newContext()` makes. Close it with `context.close()`.
 * @param {string} userDataDir  a fresh, empty folder
 * @param {{ width: number, height: number }} [viewport]
 */
export function launchPersistentContext(userDataDir, viewport = DESKTOP) {
  return chromium.launchPersistentContext(userDataDir, { ...CHROMIUM, viewport });
}

/** Drops the errors matching `pattern` from `page.errors` (ones a test caused on purpose); returns how many. */
export function expectErrors(page, pattern) {
  const before = page.errors.length;
  page.errors.splice(0, before, ...page.errors.filter((e) => !pattern.test(e)));
  return before - page.errors.length;
}

/**
 * Serves dist/ and launches Chromium around the tests of one file. `app.server` and `app.browser` are
 * set before the first test runs, and closed after the last.
 */
export function servedApp() {
  const app = {};
  before(async () => {
    app.server = await startServer({ root: DIST });
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}

/** Exact-match option for Playwright locators: `page.getByLabel('Title', exact)`. */
export const exact = Object.freeze({ exact: true });

/**
 * Clicks the main navigation's link to a screen: `name` a string matches the link's name exactly, a
 * RegExp as it matches. A screen behind the "Exchange" (or, on a tablet, "More") button is reached by
 * opening that button first, as a person would.
 */
export async function nav(page, name) {
  const navigation = page.getByRole('navigation', { name: 'Main' });
  const link = navigation.getByRole('link', typeof name === 'string' ? { name, exact: true } : { name });
  if (!(await link.isVisible())) {
    await navigation.getByRole('button', { name: /^(Exchange|More)\b/ }).click();
  }
  await link.click();
}

/**
 * First start on the welcome screen, as a new officer does: names the officer and the device, starts
 * Liaison and waits for the meetings list. Opens `url` first if given (else the page must already be
 * showing, or be on its way to, the welcome screen). Returns the page.
 * @param {import('playwright-core').Page} page
 * @param {{ url?: string, officer?: string, label?: string }} [options]
 */
export async function firstStart(page, { url, officer = 'Lt Col Ana Ruiz', label = 'Field laptop' } = {}) {
  if (url) await page.goto(url);
  await page.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
  await page.getByLabel('Officer name', exact).fill(officer);
  await page.getByLabel('Device label', exact).fill(label);
  await page.getByRole('button', { name: 'Start using Liaison' }).click();
  await page.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();
  return page;
}

// ---- The app's IndexedDB store (database `liaison`, object store `kv`; see ARCHITECTURE.md) ----

/** Every [key, value] the app stored, sorted by key: what `Object.entries(localStorage)` was before. */
export function storedEntries(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('liaison');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const store = db.transaction('kv').objectStore('kv');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onsuccess = () => {
            db.close();
            resolve(keys.result.map((k, i) => [k, values.result[i]]));
          };
          values.onerror = () => reject(values.error);
        };
      }),
  );
}

/** The stored text of one key, or null. */
export async function storedValue(page, key) {
  const found = (await storedEntries(page)).find(([k]) => k === key);
  return found ? found[1] : null;
}

/** Writes one key into the app's store, as another program (or corruption) would. */
export function putStored(page, key, value) {
  return page.evaluate(
    ([key, value]) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('liaison');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('kv', 'readwrite');
          tx.objectStore('kv').put(value, key);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    [key, value],
  );
}
