// Storage health: the officer hears when the data is at risk, and never reads "saved" when it is not.
import test from 'node:test';
import assert from 'node:assert/strict';
import { seedEntries, seedPage } from './seed.mjs';
import { DESKTOP, assertNoErrors, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();

test('data never exported for a week, in storage the browser may clear, earns a reminder with a way out', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await page.goto(`${app.server.url}/settings`);
    await seedPage(page, seedEntries({ contacts: 5, meetings: 5 }));
    await page.goto(`${app.server.url}/meetings`);
    const reminder = page.getByRole('alert').filter({ hasText: 'were last exported' });
    await reminder.waitFor();
    assert.match(await reminder.innerText(), /only in this browser, which may clear them/);
    await reminder.getByRole('link', { name: 'Export' }).click();
    await page.getByRole('heading', { name: 'Export', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Saved liaison-/ }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Export', exact: true }).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'were last exported' }).count(), 0);

    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    const panel = page.getByRole('region', { name: 'Storage' });
    await panel.getByText('Kept by the browser', { exact: true }).waitFor();
    await panel.getByText(/Last export.*today/s).waitFor();
    await screenshot(page, 'desktop-storage-health');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('Settings shows what the notebook uses of the browser database and its quota', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    const { usage, quota } = await page.evaluate(() => navigator.storage.estimate());
    await nav(page, 'Settings');
    const panel = page.getByRole('region', { name: 'Storage' });
    const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
    const gb = (bytes) => `${(bytes / 1073741824).toFixed(1)} GB`;
    // The figures are the browser's own, for the database (not localStorage's 10 MB share).
    await panel.getByText(new RegExp(`^Using ${mb(usage).replace('.', '\\.')} of ${gb(quota).replace('.', '\\.')} \\(0%\\)$`)).waitFor();
    assert.equal(await panel.getByText('Site quota (all storage)').count(), 0, 'one figure, not two');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('storage over 80% full is shown in Settings and warned about everywhere', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    // Chromium's navigator.storage.estimate() answers usage + 10 GiB whatever the real quota (a DevTools
    // quota override included), so it never reports 80%. Browsers that report the real quota (Firefox,
    // Safari) can, and this is what such a browser answers for a notebook of 8.5 GB in 10 GB.
    await page.context().addInitScript(() => {
      const real = navigator.storage.estimate.bind(navigator.storage);
      navigator.storage.estimate = async () => ({ ...(await real()), usage: 8.5 * 2 ** 30, quota: 10 * 2 ** 30 });
    });
    await firstStart(page, { url: `${app.server.url}/` });
    await nav(page, 'Settings');
    const panel = page.getByRole('region', { name: 'Storage' });
    await panel.getByText('Using 8.5 GB of 10.0 GB (85%)', { exact: true }).waitFor();
    await panel.getByText('Storage is nearly full.', { exact: false }).waitFor();
    await page.getByRole('alert').filter({ hasText: /Browser storage is 85% full/ }).waitFor();
    await screenshot(page, 'desktop-storage-nearly-full');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
