// The installed, offline app against the release build: installability, offline cold start, the update
// drill (build N, then N+1), the Content-Security-Policy, no foreign requests, storage that throws, and
// no WebAssembly. Every test has its own context, so service workers and caches do not leak between tests;
// the update drills get their own server (and so their own origin) whose folder they can swap.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.mjs';
import { makeNextBuild } from './next-build.mjs';
import {
  DESKTOP,
  DIST,
  SCREENSHOTS,
  TABLET,
  assertNoErrors,
  assertSameOrigin,
  cspViolations,
  exact,
  expectErrors,
  firstStart,
  launchBrowser,
  launchPersistentContext,
  nav,
  newWatchedContext,
  screenshot,
  watchPage,
} from './helpers.mjs';

let server;
let browser;
const temps = [];

before(async () => {
  server = await startServer({ root: DIST });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(name) {
  const dir = await mkdtemp(join(tmpdir(), `liaison-${name}-`));
  temps.push(dir);
  return dir;
}

/** Opens `url` in a new watched page of `context` and waits until the app has mounted. */
async function openApp(context, url) {
  const page = watchPage(await context.newPage());
  const response = await page.goto(url);
  await page.locator('#loading').waitFor({ state: 'detached', timeout: 20_000 });
  page.response = response;
  return page;
}

/** Creates a meeting with a title and notes; returns its URL. */
async function newMeeting(page, title, notes) {
  await page.getByRole('button', { name: 'New meeting' }).click();
  await page.getByLabel('Title', exact).fill(title);
  if (notes) await page.getByLabel('Notes', exact).fill(notes);
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
  return page.url();
}

async function waitForController(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 30_000 });
}

/** The names of Liaison's caches in the page's origin. */
function cacheNames(page) {
  return page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('liaison-')));
}

/** GETs `url` from inside the page (so through its service worker). */
function fetchInPage(page, url) {
  return page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.text()).slice(0, 300) };
  }, url);
}

/** The build the page runs: the hashed file names in its boot tag and stylesheet link. */
function runningBuild(page) {
  return page.evaluate(() => {
    const boot = document.getElementById('boot');
    const css = document.querySelector('link[rel="stylesheet"]');
    const name = (u) => new URL(u, location.href).pathname.slice(1);
    return { js: name(boot.dataset.js), wasm: name(boot.dataset.wasm), css: name(css.href) };
  });
}

/** The checks every flow ends with: no page errors, no CSP violation, nothing fetched from elsewhere. */
async function assertClean(page, origin) {
  assert.deepEqual(await cspViolations(page), [], 'Content-Security-Policy violations');
  assertSameOrigin(page.context(), origin);
  assertNoErrors(page);
}

/** PNG width and height from its IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('Chromium judges the app installable: manifest, icons, and a service worker that controls the page', async () => {
  // Not browser.newContext(): Chromium judges nothing installable in an incognito context.
  const context = await launchPersistentContext(await tempDir('profile'), DESKTOP);
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective));
  });
  context.requests = [];
  context.on('request', (request) => context.requests.push(request.url()));
  try {
    const page = await openApp(context, `${server.url}/`);
    await waitForController(page);

    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.deepEqual(manifest.errors, [], 'manifest parse errors');
    assert.equal(new URL(manifest.url).pathname, '/manifest.webmanifest');
    const m = JSON.parse(manifest.data);
    assert.equal(m.name, 'Liaison — field notebook');
    assert.equal(m.short_name, 'Liaison');
    assert.equal(m.start_url, '/');
    assert.equal(m.scope, '/');
    assert.equal(m.display, 'standalone');
    assert.equal(m.theme_color, '#1f5fa8');
    assert.equal(m.background_color, '#f5f6f8');
    const installability = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installability.installabilityErrors, [], 'Chromium installability errors');

    // Every icon loads, with the size the manifest claims; one is maskable and one is SVG.
    const purposes = new Set(m.icons.map((i) => i.purpose));
    assert.ok(purposes.has('maskable') && purposes.has('any'));
    assert.ok(m.icons.some((i) => i.type === 'image/svg+xml'));
    for (const icon of m.icons) {
      const res = await fetch(new URL(icon.src, server.url));
      assert.equal(res.status, 200, icon.src);
      assert.equal(res.headers.get('content-type').split(';')[0], icon.type, icon.src);
      if (icon.type === 'image/png') {
        const { width, height } = pngSize(Buffer.from(await res.arrayBuffer()));
        assert.equal(`${width}x${height}`, icon.sizes, icon.src);
      }
    }
    const head = await page.evaluate(() => ({
      icon: document.querySelector('link[rel="icon"]')?.getAttribute('href'),
      apple: document.querySelector('link[rel="apple-touch-icon"]')?.getAttribute('href'),
      theme: document.querySelector('meta[name="theme-color"]')?.getAttribute('content'),
    }));
    assert.deepEqual(head, { icon: '/icons/icon.svg', apple: '/icons/apple-touch-icon.png', theme: '#1f5fa8' });
    assert.equal((await fetch(`${server.url}/icons/apple-touch-icon.png`)).status, 200);

    // The worker precaches exactly this build's files (everything in dist/ but itself), in one cache
    // named after the build version.
    const sw = await (await fetch(`${server.url}/sw.js`)).text();
    const build = JSON.parse(sw.match(/const BUILD = (\{[\s\S]*?\n\});/)[1]);
    const distFiles = (await readdir(DIST, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => `/${join(e.parentPath ?? e.path, e.name).slice(DIST.length + 1)}`)
      .filter((p) => p !== '/sw.js')
      .sort();
    assert.deepEqual(build.files.map((f) => f.url).sort(), distFiles);
    assert.deepEqual(await cacheNames(page), [`liaison-precache-${build.version}`]);
    const cached = await page.evaluate(async (name) => {
      const cache = await caches.open(name);
      return (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
    }, `liaison-precache-${build.version}`);
    assert.deepEqual(cached, distFiles);

    await assertClean(page, server.url);
  } finally {
    await context.close();
  }
});

test('offline cold start: the app starts from the service worker and the data is there', async () => {
  const context = await newWatchedContext(browser, DESKTOP);
  try {
    const online = await openApp(context, `${server.url}/`);
    await firstStart(online);
    const meetingUrl = await newMeeting(online, 'Liaison board, offline check', 'Brief the partner cell on Monday.');
    await waitForController(online);
    assert.equal(await online.locator('.online-status').innerText(), 'Online');
    await assertClean(online, server.url);
    await online.close();

    await context.setOffline(true);
    const offline = await openApp(context, `${server.url}/`);
    assert.ok(offline.response?.fromServiceWorker(), 'the page came from the service worker');
    // The start screen is the dashboard; its recent meetings already show the one just made.
    await offline.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
    await nav(offline, 'Meetings');
    await offline.getByRole('list', { name: 'Meetings' }).getByText('Liaison board, offline check').waitFor();
    await offline.locator('.online-status.offline').filter({ hasText: 'Offline' }).waitFor();

    // A deep link works offline too, and the notes are there.
    await offline.goto(meetingUrl);
    await offline.getByLabel('Notes', exact).waitFor();
    assert.equal(await offline.getByLabel('Notes', exact).inputValue(), 'Brief the partner cell on Monday.');
    await screenshot(offline, 'pwa-offline-meeting-desktop');

    // An asset that is not cached is a plain 404 offline, never the app shell.
    const missing = await fetchInPage(offline, '/liaison-0000000000000000_bg.wasm');
    assert.equal(missing.status, 404);
    assert.doesNotMatch(missing.type, /html/);
    assert.doesNotMatch(missing.body, /<html/i);
    assert.equal(expectErrors(offline, /404.*liaison-0000000000000000_bg\.wasm/), 1);
    await assertClean(offline, server.url);
  } finally {
    await context.close();
  }
});

/**
 * Serves a copy of the release build as build N on a server of its own, and prepares build N+1.
 * @returns {Promise<{ server: Awaited<ReturnType<typeof startServer>>, next: Awaited<ReturnType<typeof makeNextBuild>> }>}
 */
async function twoBuilds(name) {
  const dir = await tempDir(name);
  const dirN = join(dir, 'build-n');
  const dirN1 = join(dir, 'build-n1');
  await cp(DIST, dirN, { recursive: true });
  const next = await makeNextBuild(DIST, dirN1, `${name}: build N+1`);
  return { server: await startServer({ root: dirN }), next, dirN1 };
}

/** Opens build N, names the device, writes a meeting, then deploys N+1 and waits for the prompt. */
async function openBuildNThenDeployNext(drill, context) {
  const page = await openApp(context, `${drill.server.url}/`);
  await firstStart(page);
  const meetingUrl = await newMeeting(page, 'Quarterly review with the partner cell');
  await waitForController(page);
  const versionN = await cacheNames(page);
  assert.equal(versionN.length, 1);

  await drill.server.setRoot(drill.dirN1);
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration.update();
  });
  const prompt = page.getByRole('status').filter({ hasText: 'A new version is ready' });
  await prompt.waitFor({ timeout: 30_000 });
  return { page, meetingUrl, versionN: versionN[0], prompt };
}

test('update drill: build N+1 waits while a note is typed, runs after "Reload", and works offline', async () => {
  const drill = await twoBuilds('drill');
  const origin = drill.server.url;
  const context = await newWatchedContext(browser, DESKTOP);
  try {
    const { page, meetingUrl, versionN, prompt } = await openBuildNThenDeployNext(drill, context);
    const buildN = await runningBuild(page);
    assert.equal(buildN.wasm, drill.next.old.wasm);

    // The new version is installed and waiting; the old one still serves this page.
    assert.ok(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting !== null));
    assert.ok((await cacheNames(page)).includes(versionN));

    // Typing a note while the prompt is up: nothing reloads, nothing switches.
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    const note = 'Partner confirmed the exercise dates; send the draft plan by Friday.';
    const notes = page.getByLabel('Notes', exact);
    await notes.click();
    await notes.pressSequentially(note, { delay: 15 });
    await page.waitForTimeout(1_500);
    assert.equal(await notes.inputValue(), note);
    assert.equal(navigations, 0, 'the page navigated while the officer typed');
    assert.equal(await page.evaluate(() => window.__sameDocument), true);
    assert.deepEqual(await runningBuild(page), buildN);
    assert.ok(await prompt.isVisible());
    assert.ok(await notes.evaluate((el) => el === document.activeElement), 'Notes kept the focus');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'pwa-update-prompt-desktop.png'), animations: 'disabled' });

    // "Reload": build N+1 takes over and runs; the old cache is gone; the note survived.
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Reload', exact: true }).click();
    await reloaded;
    await page.locator('#loading').waitFor({ state: 'detached', timeout: 20_000 });
    assert.deepEqual(await runningBuild(page), { js: drill.next.js, wasm: drill.next.wasm, css: drill.next.css });
    assert.deepEqual(await cacheNames(page), [`liaison-precache-${drill.next.version}`]);
    await page.getByLabel('Notes', exact).waitFor();
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), note);
    assert.equal(await page.getByText('A new version is ready').count(), 0);

    // The old build's wasm is gone: a 404, never the app shell.
    for (const res of [await fetchInPage(page, `/${drill.next.old.wasm}`), await fetch(`${origin}/${drill.next.old.wasm}`)]) {
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.type ?? res.headers.get('content-type'), /html/);
    }
    assert.equal(expectErrors(page, new RegExp(`404.*${drill.next.old.wasm}`)), 1);
    await assertClean(page, origin);
    await page.close();

    // Offline cold start after the update: build N+1, with the data.
    await context.setOffline(true);
    const offline = await openApp(context, meetingUrl);
    assert.ok(offline.response?.fromServiceWorker(), 'the page came from the service worker');
    assert.deepEqual(await runningBuild(offline), { js: drill.next.js, wasm: drill.next.wasm, css: drill.next.css });
    await offline.getByLabel('Notes', exact).waitFor();
    assert.equal(await offline.getByLabel('Notes', exact).inputValue(), note);
    const oldWasm = await fetchInPage(offline, `/${drill.next.old.wasm}`);
    assert.equal(oldWasm.status, 404);
    assert.doesNotMatch(`${oldWasm.type} ${oldWasm.body}`, /html/i);
    assert.equal(expectErrors(offline, new RegExp(`404.*${drill.next.old.wasm}`)), 1);
    await assertClean(offline, origin);
  } finally {
    await context.close();
    await drill.server.close();
  }
});

test('the update prompt at tablet size', async () => {
  const drill = await twoBuilds('tablet');
  const context = await newWatchedContext(browser, TABLET);
  try {
    const { page } = await openBuildNThenDeployNext(drill, context);
    await page.getByLabel('Notes', exact).fill('Agreed to exchange liaison officer lists before the exercise.');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.screenshot({ path: join(SCREENSHOTS, 'pwa-update-prompt-tablet.png'), animations: 'disabled' });
    // "Later" puts it away without switching anything.
    await page.getByRole('button', { name: 'Later', exact: true }).click();
    assert.equal(await page.getByText('A new version is ready').count(), 0);
    assert.ok(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting !== null));
    await assertClean(page, drill.server.url);
  } finally {
    await context.close();
    await drill.server.close();
  }
});

test('a half-deployed build (files that do not match its worker) is never installed', async () => {
  const drill = await twoBuilds('half');
  const context = await newWatchedContext(browser, DESKTOP);
  try {
    const page = await openApp(context, `${drill.server.url}/`);
    await firstStart(page);
    await waitForController(page);
    const versionN = await cacheNames(page);

    // The new sw.js and index.html are out, but the server still has a stylesheet of other bytes
    // under the new name (a CDN edge that is behind, say): its integrity check fails the install.
    const cssPath = join(drill.dirN1, drill.next.css);
    await appendFile(cssPath, '\n/* not the bytes sw.js names */\n');
    await drill.server.setRoot(drill.dirN1);
    const outcome = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration.update().catch(() => {});
      // Let the install run (and fail).
      for (let i = 0; i < 50 && registration.installing; i += 1) await new Promise((r) => setTimeout(r, 100));
      return { waiting: registration.waiting !== null };
    });
    assert.equal(outcome.waiting, false, 'a build with a file that fails its integrity check is waiting');
    assert.deepEqual(await cacheNames(page), versionN);
    assert.equal(await page.getByText('A new version is ready').count(), 0);
    expectErrors(page, new RegExp(drill.next.css));
    await assertClean(page, drill.server.url);
  } finally {
    await context.close();
    await drill.server.close();
  }
});

test('behind a host that answers every missing file with its HTML page, a .js, .wasm or .css request never gets HTML', async () => {
  const naive = await startServer({ root: DIST, htmlForMissingFiles: true });
  const context = await newWatchedContext(browser, DESKTOP);
  try {
    const direct = await fetch(`${naive.url}/liaison-0123456789abcdef_bg.wasm`);
    assert.match(direct.headers.get('content-type'), /^text\/html/, 'the host itself answers with HTML');
    const page = await openApp(context, `${naive.url}/`);
    await waitForController(page);
    for (const path of ['/liaison-0123456789abcdef_bg.wasm', '/liaison-0123456789abcdef.js', '/main-0123456789abcdef.css']) {
      const res = await fetchInPage(page, path);
      assert.equal(res.status, 404, path);
      assert.match(res.type, /^text\/plain/, path);
      assert.doesNotMatch(res.body, /<html|<!doctype/i, path);
      assert.equal(expectErrors(page, new RegExp(`404.*${path.slice(1)}`)), 1);
    }
    await assertClean(page, naive.url);
  } finally {
    await context.close();
    await naive.close();
  }
});

test('an injected inline script is blocked by the Content-Security-Policy', async () => {
  const context = await newWatchedContext(browser, DESKTOP);
  try {
    const page = await openApp(context, `${server.url}/`);
    assert.deepEqual(await cspViolations(page), []);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true;';
      document.head.append(script);
    });
    await page.waitForFunction(() => window.__cspViolations.length > 0);
    assert.equal(await page.evaluate(() => window.__inlineRan), undefined, 'the inline script ran');
    const violations = await cspViolations(page);
    assert.equal(violations.length, 1);
    assert.match(violations[0].directive, /^script-src/);
    assert.equal(violations[0].blocked, 'inline');
    // Chromium also reports the blocked script in the console: that one error is expected here.
    assert.equal(expectErrors(page, /Content Security Policy/), 1);
    assertSameOrigin(context, server.url);
    assertNoErrors(page);
  } finally {
    await context.close();
  }
});

test('where IndexedDB cannot be used, the notebook is kept in localStorage and the officer is told', async () => {
  const context = await newWatchedContext(browser, DESKTOP);
  await context.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  try {
    const page = await openApp(context, `${server.url}/`);
    await page.getByRole('alert').filter({ hasText: 'does not let Liaison use its database' }).waitFor();
    await page.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
    await page.getByLabel('Officer name', { exact: true }).fill('Lt Col Ana Ruiz');
    await page.getByLabel('Device label', { exact: true }).fill('Field laptop');
    await page.getByRole('button', { name: 'Start using Liaison' }).click();
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    const device = await page.evaluate(() => localStorage.getItem('liaison/v1/meta/device'));
    assert.match(device ?? '', /Field laptop/, 'saved in localStorage');
    await assertClean(page, server.url);
  } finally {
    await context.close();
  }
});

test('the app starts when storage throws on every touch, and says it cannot save', async () => {
  const context = await newWatchedContext(browser, DESKTOP);
  await context.addInitScript(() => {
    for (const name of ['localStorage', 'indexedDB']) {
      Object.defineProperty(window, name, {
        configurable: true,
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    }
  });
  try {
    const page = await openApp(context, `${server.url}/`);
    await page.getByRole('alert').filter({ hasText: 'Liaison cannot save in this browser' }).waitFor();
    await page.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
    await assertClean(page, server.url);
  } finally {
    await context.close();
  }
});

test('without WebAssembly, a plain page explains why Liaison cannot start', async () => {
  const context = await newWatchedContext(browser, DESKTOP);
  await context.addInitScript(() => {
    delete window.WebAssembly;
  });
  try {
    const page = watchPage(await context.newPage());
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Liaison needs WebAssembly' }).waitFor();
    assert.equal(await page.locator('#loading').count(), 0);
    await page.getByText(/Lockdown Mode/).first().waitFor();
    await page.getByRole('heading', { name: 'What you can do' }).waitFor();
    await screenshot(page, 'pwa-no-webassembly-desktop');
    await assertClean(page, server.url);
  } finally {
    await context.close();
  }
});
