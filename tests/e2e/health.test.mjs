// Storage health: the officer hears when the data is at risk, and never reads "saved" when it is not.
import test from 'node:test';
import assert from 'node:assert/strict';
import { seedEntries, seedPage } from './seed.mjs';
import { DESKTOP, assertNoErrors, firstStart, newPage, screenshot, servedApp } from './helpers.mjs';

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

test('storage over 80% full is shown in Settings and warned about everywhere', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    // 85% of Chromium's 5,242,880-unit localStorage quota, in one other key of this origin.
    await page.evaluate(() => localStorage.setItem('other-app-data', 'x'.repeat(Math.floor(5_242_880 * 0.85))));
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    const panel = page.getByRole('region', { name: 'Storage' });
    await panel.getByText(/\(8[5-9]%\)/).waitFor();
    await panel.getByText('Storage is nearly full.', { exact: false }).waitFor();
    await page.getByRole('alert').filter({ hasText: /Browser storage is 8\d% full/ }).waitFor();
    await screenshot(page, 'desktop-storage-nearly-full');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
