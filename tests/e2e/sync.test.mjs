// Sync through a real team hub: `liaison hub serve --app dist` on a private SQLite file, officers enrolled
// from Settings → Team hub (one by typing the code, one by the coordinator's `/?enrol=` link), edits that
// travel by themselves, concurrent edits that land in Conflicts on both sides, a hub that stops and
// comes back, and a first push larger than localStorage holds, with a reload while it is under way.
// The hub process is always stopped at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  DIST,
  ROOT,
  SCREENSHOTS,
  DESKTOP,
  TABLET,
  assertNoErrors,
  exact,
  expectErrors,
  firstStart,
  launchBrowser,
  nav,
  screenshot,
  watchPage,
} from './helpers.mjs';
import { seedStore } from './seed.mjs';

/** The `liaison` binary that `cargo build -p liaison-cli` (scripts/test.sh) leaves in target/debug. */
const BIN = process.env.LIAISON_BIN || join(ROOT, 'target', 'debug', 'liaison');
/** What Chromium logs for a request that reached no hub; the tests cause these on purpose. */
const NO_HUB = /ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|Failed to load resource|Failed to fetch/;
/** Long enough for a push, the other side's long poll and a backoff round after a failure. */
const SYNC_WAIT = { timeout: 60_000 };

let dir;
let db;
let hub;
let browser;

/** Starts the hub on `listen`; resolves with its process and URL once it prints `listening on`. */
function startHub(listen) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['hub', 'serve', '--app', DIST, '--db', db, '--listen', listen], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the hub exited with ${code} before listening`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ child, url: m[1] });
    });
  });
}

/** Stops the hub with SIGTERM and waits for it to exit. */
async function stopHub(h) {
  if (!h || h.child.exitCode !== null) return;
  const exited = new Promise((resolve) => h.child.once('exit', resolve));
  h.child.kill('SIGTERM');
  await exited;
}

/** A single-use enrolment code from `liaison hub invite`. */
function invite(officer, extra = []) {
  const out = execFileSync(BIN, ['hub', 'invite', '--db', db, '--team', 'north', '--officer', officer, ...extra], {
    encoding: 'utf8',
  });
  const code = /[0-9A-Z]{5}(-[0-9A-Z]{5}){3}/.exec(out);
  assert.ok(code, `no code in: ${out}`);
  return code[0];
}

/** An officer's own browser context and page, started on the hub's origin. */
async function officer(name, label, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = watchPage(await context.newPage());
  await firstStart(page, { url: `${hub.url}/`, officer: name, label });
  return page;
}

/** Joins the team hub from Settings by typing the code. */
async function joinBySettings(page, code) {
  await nav(page, 'Settings');
  const section = page.getByRole('region', { name: 'Team hub' });
  await section.getByLabel('Enrolment code', exact).fill(code.toLowerCase().replaceAll('-', ' '));
  await section.getByRole('button', { name: 'Join team hub' }).click();
  await section.getByText('north', exact).waitFor();
  await syncStatus(page, /^Synced/);
}

/** Waits until the shell's sync status reads `words`. */
function syncStatus(page, words) {
  return page.getByRole('banner').getByRole('status').filter({ hasText: words }).waitFor(SYNC_WAIT);
}

async function newMeeting(page, title, notes) {
  await nav(page, 'Meetings');
  await page.getByRole('button', { name: 'New meeting' }).click();
  await page.getByLabel('Title', exact).fill(title);
  await page.getByLabel('Notes', exact).fill(notes);
}

async function openMeeting(page, title) {
  await nav(page, 'Meetings');
  await page.getByRole('link', { name: new RegExp(title) }).first().waitFor(SYNC_WAIT);
  await page.getByRole('link', { name: new RegExp(title) }).first().click();
}

function done(page) {
  expectErrors(page, NO_HUB);
  assertNoErrors(page);
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} is missing: run cargo build -p liaison-cli`);
  dir = await mkdtemp(join(tmpdir(), 'liaison-sync-'));
  db = join(dir, 'hub.sqlite');
  hub = await startHub('127.0.0.1:0');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopHub(hub);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an enrolment code that is wrong, used or expired is refused in plain words', async () => {
  const page = await officer('Sgt Dana Pike', 'Spare tablet');
  try {
    await nav(page, 'Settings');
    const section = page.getByRole('region', { name: 'Team hub' });
    const code = section.getByLabel('Enrolment code', exact);
    const joinButton = section.getByRole('button', { name: 'Join team hub' });
    const expiring = invite('Late Officer', ['--expires', '1s']);
    await code.fill('12345');
    await joinButton.click();
    await section.getByRole('alert').filter({ hasText: 'An enrolment code has 20 letters and digits' }).waitFor();
    await code.fill('ABCDE-FGHJK-MNPQR-STVWX');
    await joinButton.click();
    await section.getByRole('alert').filter({ hasText: 'does not know this enrolment code' }).waitFor();
    const used = invite('Someone Else');
    execFileSync(BIN, ['enrol', '--hub', hub.url, used, '--token-file', join(dir, 'used.token')]);
    await code.fill(used);
    await joinButton.click();
    await section.getByRole('alert').filter({ hasText: 'was used already' }).waitFor();
    // The code was made for one second; whatever the steps above took, it has run out after another.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await code.fill(expiring);
    await joinButton.click();
    await section.getByRole('alert').filter({ hasText: 'has expired' }).waitFor();
    // Nothing was joined: no status in the shell.
    assert.equal(await page.getByRole('banner').getByTitle(/\(Team hub, in Settings\)/).count(), 0);
    done(page);
  } finally {
    await page.context().close();
  }
});

test('officer A edits offline and reconnects; officer B sees the edit with no manual step, and concurrent edits land in Conflicts on both', async () => {
  const ana = await officer('Lt Col Ana Ruiz', 'Ana laptop');
  const benCode = invite('Maj Ben Okafor', ['--max-marking', 'restricted']);
  const benContext = await browser.newContext({ viewport: DESKTOP });
  const ben = watchPage(await benContext.newPage());
  try {
    await joinBySettings(ana, invite('Lt Col Ana Ruiz'));

    // Ben opens the coordinator's link: the code is filled in, and nothing is sent until he joins.
    await ben.goto(`${hub.url}/?enrol=${benCode}`);
    await ben.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
    const section = ben.getByRole('region', { name: 'Team hub' });
    await section.getByText("Your coordinator's link filled in the code").waitFor();
    assert.equal(await section.getByLabel('Enrolment code', exact).inputValue(), benCode);
    assert.equal(await ben.getByRole('banner').getByTitle(/\(Team hub, in Settings\)/).count(), 0);
    for (const scheme of ['light', 'dark']) {
      await ben.emulateMedia({ colorScheme: scheme });
      await section.scrollIntoViewIfNeeded();
      await ben.screenshot({ path: join(SCREENSHOTS, `sync-join-by-link-desktop-${scheme}.png`) });
    }
    await ben.emulateMedia({ colorScheme: 'light' });
    await ben.getByLabel('Officer name', exact).fill('Maj Ben Okafor');
    await ben.getByLabel('Device label', exact).fill('Ben tablet');
    await section.getByRole('button', { name: 'Join team hub' }).click();
    await section.getByText('Up to RESTRICTED').waitFor();
    await syncStatus(ben, /^Synced/);
    await ben.getByRole('button', { name: 'Start using Liaison' }).click();

    // Ana writes a meeting while offline; it waits, then goes when she is back.
    await ana.context().setOffline(true);
    await newMeeting(ana, 'Harbour visit', 'Port authority met us at 09:00.');
    await syncStatus(ana, 'Offline — 1 change waiting');
    await ana.context().setOffline(false);
    await syncStatus(ana, /^Synced/);
    await openMeeting(ben, 'Harbour visit');
    assert.equal(await ben.getByLabel('Notes', exact).inputValue(), 'Port authority met us at 09:00.');

    // Both change the notes at once, offline; back online, each sees the other's in Conflicts.
    await openMeeting(ana, 'Harbour visit');
    await ana.context().setOffline(true);
    await benContext.setOffline(true);
    await ana.getByLabel('Notes', exact).fill('Ana: the ferry leaves at noon.');
    await ben.getByLabel('Notes', exact).fill('Ben: the ferry is cancelled.');
    await syncStatus(ana, 'Offline — 1 change waiting');
    await syncStatus(ben, 'Offline — 1 change waiting');
    await ana.context().setOffline(false);
    await benContext.setOffline(false);
    for (const page of [ana, ben]) {
      // Conflicts is always in the navigation (under Exchange); the conflict shows there once it arrives.
      await nav(page, /^Conflicts/);
      const card = page.getByRole('listitem').filter({ hasText: 'Harbour visit' });
      await card.getByText('Ana: the ferry leaves at noon.').waitFor(SYNC_WAIT);
      await card.getByText('Ben: the ferry is cancelled.').waitFor();
    }

    // Screenshots of Team hub and the status, in both sizes and themes.
    for (const [size, viewport] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
      for (const scheme of ['light', 'dark']) {
        await ana.setViewportSize(viewport);
        await ana.emulateMedia({ colorScheme: scheme });
        await nav(ana, 'Settings');
        await ana.getByRole('region', { name: 'Team hub' }).getByRole('button', { name: 'Sync now' }).waitFor();
        await screenshot(ana, `sync-team-hub-${size}-${scheme}`);
      }
    }
    await ana.setViewportSize(DESKTOP);
    await ana.emulateMedia({ colorScheme: 'light' });
    done(ana);
    done(ben);
  } finally {
    await ana.context().close();
    await benContext.close();
  }
});

test('a stopped hub shows a plain error in the shell, and sync recovers by itself when it is back', async () => {
  const page = await officer('Capt Eva Lind', 'Eva tablet', TABLET);
  try {
    await joinBySettings(page, invite('Capt Eva Lind'));
    const port = new URL(hub.url).port;
    await stopHub(hub);
    await newMeeting(page, 'Checkpoint review', 'Barrier moved 50 m north.');
    await syncStatus(page, 'Cannot reach the team hub — 1 change waiting');
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      // The top of the screen, where the status is (a full-page shot would draw the sticky bar mid-page).
      await page.screenshot({ path: join(SCREENSHOTS, `sync-status-unreachable-tablet-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    hub = await startHub(`127.0.0.1:${port}`);
    await syncStatus(page, /^Synced/);
    // What it pushed is on the hub: a coordinator's pull has it.
    const token = join(dir, 'coord.token');
    execFileSync(BIN, ['enrol', '--hub', hub.url, invite('Col Clara Weiss', ['--role', 'coordinator']), '--token-file', token]);
    const out = join(dir, 'team.json');
    execFileSync(BIN, ['pull', '--hub', hub.url, '--token-file', token, '-o', out]);
    const { readFile } = await import('node:fs/promises');
    assert.match(await readFile(out, 'utf8'), /Barrier moved 50 m north\./);
    done(page);
  } finally {
    await page.context().close();
  }
});

test('a first push larger than localStorage holds is kept, sent, and after a reload mid-push sent again byte for byte, once', { timeout: 600_000 }, async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = watchPage(await context.newPage());
  try {
    await page.goto(`${hub.url}/manifest.webmanifest`);
    // Long notes on every meeting: the first push, a bundle of everything, is well over localStorage's 5 MB.
    const { records } = await seedStore(page, { contacts: 1500, meetings: 4500, seed: 11 });
    await page.goto(`${hub.url}/meetings`);
    await page.getByRole('list', { name: 'Meetings' }).getByRole('listitem').first().waitFor({ timeout: 120_000 });

    // The hub gets the first push, but the tab reloads before the answer comes back.
    const pushes = [];
    let reached;
    const reachedHub = new Promise((resolve) => (reached = resolve));
    await page.route('**/v1/teams/*/push', async (route) => {
      const body = route.request().postData();
      pushes.push(body);
      if (pushes.length === 1) {
        const answer = await route.fetch();
        assert.equal(answer.status(), 200, await answer.text());
        reached();
        return; // Never answered: the reload below ends the request.
      }
      await route.continue();
    });
    await nav(page, 'Settings');
    const section = page.getByRole('region', { name: 'Team hub' });
    const team = execFileSync(BIN, ['hub', 'invite', '--db', db, '--team', 'south', '--officer', 'Lt Col Ana Ruiz'], {
      encoding: 'utf8',
    });
    await section.getByLabel('Enrolment code', exact).fill(/[0-9A-Z]{5}(-[0-9A-Z]{5}){3}/.exec(team)[0]);
    await section.getByRole('button', { name: 'Join team hub' }).click();
    await reachedHub;
    assert.ok(pushes[0].length > 5 * 1024 * 1024, `the first push is ${pushes[0].length} bytes`);
    // What localStorage keeps is the small link; the push's bytes are in their own IndexedDB database.
    const kept = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('liaison-hub');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const all = open.result.transaction('unacked').objectStore('unacked').getAll();
            all.onsuccess = () => {
              open.result.close();
              resolve({ link: localStorage.getItem('liaison-hub/v1/link'), pushes: all.result });
            };
            all.onerror = () => reject(all.error);
          };
        }),
    );
    assert.ok(kept.link.length < 4096, `the stored link is ${kept.link.length} characters`);
    assert.deepEqual(kept.pushes, [pushes[0]]);

    const answered = page.waitForResponse((r) => /\/push$/.test(r.url()) && r.request().method() === 'POST', {
      timeout: 120_000,
    });
    await page.reload();
    const second = await answered;
    assert.equal(pushes[1], pushes[0], 'the push after the reload is the same bytes');
    assert.equal((await second.json()).status, 'repeat');
    await syncStatus(page, /^Synced/);
    // A push that timed out on a busy machine is sent again too: always these bytes, never another bundle.
    assert.ok(
      pushes.every((p) => p === pushes[0]),
      `pushes of ${pushes.map((p) => p.length).join(', ')} bytes`,
    );

    // The hub has every record, once: a coordinator of the same team pulls exactly the seeded notebook.
    const token = join(dir, 'south.token');
    const code = /[0-9A-Z]{5}(-[0-9A-Z]{5}){3}/.exec(
      execFileSync(BIN, ['hub', 'invite', '--db', db, '--team', 'south', '--officer', 'Col Clara Weiss', '--role', 'coordinator'], {
        encoding: 'utf8',
      }),
    )[0];
    execFileSync(BIN, ['enrol', '--hub', hub.url, code, '--token-file', token]);
    const out = join(dir, 'south.json');
    execFileSync(BIN, ['pull', '--hub', hub.url, '--token-file', token, '-o', out]);
    const { readFile } = await import('node:fs/promises');
    const pulled = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(pulled.records.length, records);
    assert.equal(new Set(pulled.records.map((r) => r.id)).size, records);
    // The acknowledged push's bytes are forgotten.
    const left = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('liaison-hub');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const n = open.result.transaction('unacked').objectStore('unacked').count();
            n.onsuccess = () => {
              open.result.close();
              resolve(n.result);
            };
          };
        }),
    );
    assert.equal(left, 0);
    done(page);
  } finally {
    await context.close();
  }
});

/** Until `window.__deaf` is set false, this page hears nothing of other tabs' writes: neither
 * localStorage's `storage` events nor the notebook's broadcast channel. It holds open the moment between
 * one tab's write and another tab hearing of it, which is otherwise a few milliseconds. */
function deafToOtherTabs() {
  window.__deaf = true;
  const gate = (listener) =>
    function (ev) {
      if (window.__deaf) return;
      return typeof listener === 'function' ? listener.call(this, ev) : listener.handleEvent(ev);
    };
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    const heard = this === window && type === 'storage' && listener ? gate(listener) : listener;
    return add.call(this, type, heard, options);
  };
  const onmessage = Object.getOwnPropertyDescriptor(BroadcastChannel.prototype, 'onmessage');
  Object.defineProperty(BroadcastChannel.prototype, 'onmessage', {
    configurable: true,
    get() {
      return onmessage.get.call(this);
    },
    set(fn) {
      onmessage.set.call(this, fn ? gate(fn) : fn);
    },
  });
}

test('a file export in one tab while another tab pushes takes the next sequence, so the hub never sees one number twice', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const syncing = watchPage(await context.newPage());
  let exporting;
  try {
    await firstStart(syncing, { url: `${hub.url}/`, officer: 'Sgt Ola Berg', label: 'Ola laptop' });
    await joinBySettings(syncing, invite('Sgt Ola Berg'));
    const pushed = [];
    await syncing.route('**/v1/teams/*/push', async (route) => {
      pushed.push(JSON.parse(route.request().postData()).sequence);
      await route.continue();
    });

    // A second tab of the same device, which has not heard of what the first one does next.
    exporting = watchPage(await context.newPage());
    await exporting.addInitScript(deafToOtherTabs);
    await exporting.goto(`${hub.url}/meetings`);
    await exporting.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();

    // The first tab (the one that syncs) pushes an edit under the device's next sequence.
    const answered = syncing.waitForResponse((r) => /\/push$/.test(r.url()) && r.request().method() === 'POST', SYNC_WAIT);
    await newMeeting(syncing, 'Bridge survey', 'Load limit 12 t.');
    await answered;
    await syncStatus(syncing, /^Synced/);
    await context.setOffline(true);

    // Meanwhile the second tab exports its own edit as a file.
    await newMeeting(exporting, 'Ferry timetable', 'Two crossings a day.');
    await nav(exporting, 'Export');
    await exporting.getByRole('radio', { name: /Changes since the last export/ }).check();
    const [download] = await Promise.all([
      exporting.waitForEvent('download'),
      exporting.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    const file = join(dir, 'ola-changes.json');
    await download.saveAs(file);
    const { readFile } = await import('node:fs/promises');
    const bundle = JSON.parse(await readFile(file, 'utf8'));
    assert.ok(
      bundle.sequence > Math.max(...pushed),
      `the file has sequence ${bundle.sequence}; the other tab pushed ${pushed.join(', ')}`,
    );

    // A coordinator relays the file: the hub takes it as the device's next bundle, and the tab that
    // syncs goes on after it.
    const token = join(dir, 'relay.token');
    execFileSync(BIN, ['enrol', '--hub', hub.url, invite('Col Rhea Vos', ['--role', 'coordinator']), '--token-file', token]);
    const relayed = execFileSync(BIN, ['push', file, '--hub', hub.url, '--token-file', token], { encoding: 'utf8' });
    assert.match(relayed, /applied/, relayed);
    await exporting.evaluate(() => (window.__deaf = false));
    await context.setOffline(false);
    await newMeeting(syncing, 'Bridge survey, second visit', 'Load limit raised to 20 t.');
    await syncStatus(syncing, /^Synced/);
    assert.equal(await syncing.getByText(/two devices share this id/).count(), 0);
    done(syncing);
    done(exporting);
  } finally {
    await context.close();
  }
});

test('without IndexedDB (a private window) sync says in plain words that changes wait, and the team’s still arrive', async () => {
  // Another officer's meeting, on the hub before the private window joins.
  const other = await officer('WO Kai Lund', 'Kai tablet');
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.addInitScript(() => {
    IDBFactory.prototype.open = function () {
      throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
    };
  });
  const page = watchPage(await context.newPage());
  try {
    await joinBySettings(other, invite('WO Kai Lund'));
    await newMeeting(other, 'Market day', 'Stalls closed at noon.');
    await syncStatus(other, /^Synced/);

    await firstStart(page, { url: `${hub.url}/`, officer: 'Cpl Ida Holm', label: 'Ida phone' });
    await nav(page, 'Settings');
    const section = page.getByRole('region', { name: 'Team hub' });
    await section.getByLabel('Enrolment code', exact).fill(invite('Cpl Ida Holm'));
    await section.getByRole('button', { name: 'Join team hub' }).click();
    await section.getByText('north', exact).waitFor();
    await newMeeting(page, 'Road block', 'Moved to the bridge.');
    await syncStatus(page, /^Changes cannot be sent from this window — \d+ changes? waiting$/);
    await nav(page, 'Settings');
    await section.getByText(/private windows do this.*nothing is lost/).waitFor();
    await screenshot(page, 'sync-no-database-desktop-light');
    // The team's changes still come in, and the officer's own edit is still here.
    await openMeeting(page, 'Market day');
    await openMeeting(page, 'Road block');
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Moved to the bridge.');
    expectErrors(page, /IndexedDB|InvalidStateError|indexedDB|database/i);
    done(page);
    done(other);
  } finally {
    await context.close();
    await other.context().close();
  }
});
