// "All changes saved" is durable: a meeting created, shown as saved, then the browser killed hard
// 500 ms later (SIGKILL of every Chromium process), is there after a restart with the same profile.
// localStorage failed this: Chromium writes it to disk in the background, seconds later.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, DIST, assertNoErrors, exact, firstStart, watchPage } from './helpers.mjs';
import { startServer } from './server.mjs';

let server;
let profile;
before(async () => {
  server = await startServer({ root: DIST });
  profile = await mkdtemp(join(tmpdir(), 'liaison-durability-'));
});
after(async () => {
  await server?.close();
  await rm(profile, { recursive: true, force: true });
});

/**
 * Chromium as its own process group on `profile`, so that the test can kill every process of it at
 * once, and Playwright connected to it over the DevTools protocol.
 */
async function startChromium() {
  const port = 9300 + Math.floor(Math.random() * 500);
  const child = spawn(
    '/usr/bin/chromium',
    [...CHROMIUM_ARGS, '--headless=new', `--user-data-dir=${profile}`, `--remote-debugging-port=${port}`, 'about:blank'],
    { detached: true, stdio: 'ignore' },
  );
  let browser;
  for (let i = 0; i < 100 && !browser; i++) {
    try {
      browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(browser, 'Chromium came up');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { browser, kill: async () => { process.kill(-child.pid, 'SIGKILL'); await exited; } };
}

test('a meeting shown as saved survives the browser being killed 500 ms later', async () => {
  const first = await startChromium();
  const page = watchPage(await first.browser.contexts()[0].newPage());
  await firstStart(page, { url: `${server.url}/` });
  await page.getByRole('button', { name: 'New meeting' }).click();
  await page.getByLabel('Title', exact).fill('Killed half a second after saving');
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
  assertNoErrors(page);
  await new Promise((r) => setTimeout(r, 500));
  await first.kill();

  const second = await startChromium();
  try {
    const again = watchPage(await second.browser.contexts()[0].newPage());
    await again.goto(`${server.url}/meetings`);
    await again.getByRole('link', { name: 'Killed half a second after saving' }).waitFor({ timeout: 10_000 });
    assertNoErrors(again);
  } finally {
    await second.kill();
  }
});
