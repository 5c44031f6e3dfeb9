// Smoke test: the release build in dist/ starts in Chromium without errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, TABLET, assertNoErrors, closePage, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();

for (const [label, size] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
  test(`the app starts without errors (${label} ${size.width}x${size.height})`, async () => {
    const page = await newPage(app.browser, size);
    try {
      await page.goto(`${app.server.url}/`);
      // The app removes index.html's #loading placeholder once it has read storage and mounted.
      await page.locator('#loading').waitFor({ state: 'detached', timeout: 15_000 });
      await page.getByText('Liaison', { exact: false }).first().waitFor({ timeout: 15_000 });
      const body = await page.locator('body').innerText();
      assert.match(body, /Liaison/);
      await screenshot(page, `smoke-${label}`);
      assertNoErrors(page);
    } finally {
      await closePage(page);
    }
  });
}

test('the server falls back to index.html for app routes, and 404s missing assets as plain text', async () => {
  const route = await fetch(`${app.server.url}/meetings/some-id`);
  assert.equal(route.status, 200);
  assert.match(route.headers.get('content-type'), /^text\/html/);

  const asset = await fetch(`${app.server.url}/missing-abc123.wasm`);
  assert.equal(asset.status, 404);
  assert.match(asset.headers.get('content-type'), /^text\/plain/);
  assert.doesNotMatch(await asset.text(), /<html/i);
});
