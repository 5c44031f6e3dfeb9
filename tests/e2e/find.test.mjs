// Finding things again: search from anywhere, filters kept in the URL, and the dashboard.
import test from 'node:test';
import assert from 'node:assert/strict';
import { seedEntries, seedPage } from './seed.mjs';
import { DESKTOP, TABLET, assertNoErrors, exact, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();

async function seeded(viewport = DESKTOP) {
  const page = await newPage(app.browser, viewport);
  await page.goto(`${app.server.url}/settings`);
  await seedPage(page, seedEntries({ contacts: 60, meetings: 60, conflict: true }));
  return page;
}

test('search finds a contact by a partial name typed without accents, and Enter opens it', async () => {
  const page = await seeded();
  try {
    await page.goto(`${app.server.url}/contacts`);
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Name', exact).fill('Oberst Jürgen Müller-Lüdenscheidt');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await page.goto(`${app.server.url}/meetings`);
    // "/" reaches the box from anywhere outside a text field.
    await page.getByRole('heading', { name: 'Meetings', exact: true }).click();
    await page.keyboard.press('/');
    const box = page.getByLabel('Search', exact);
    assert.equal(await box.evaluate((el) => el === document.activeElement), true);
    await box.pressSequentially('mullER-lud', { delay: 20 });
    const results = page.getByRole('listbox', { name: 'Search results' });
    const hit = results.getByRole('option').filter({ hasText: 'Oberst Jürgen Müller-Lüdenscheidt' });
    await hit.waitFor();
    assert.equal(await hit.locator('mark').first().innerText(), 'Müller-Lüd');
    await results.getByRole('group', { name: 'Contacts' }).waitFor();
    await screenshot(page, 'desktop-search');
    await box.press('Enter');
    await page.getByRole('heading', { name: 'Oberst Jürgen Müller-Lüdenscheidt' }).waitFor();
    // A contact opens to read; Edit opens the form.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    // Ctrl+K works even from inside a field.
    await page.getByLabel('Notes', exact).click();
    await page.keyboard.press('Control+k');
    assert.equal(await box.evaluate((el) => el === document.activeElement), true);
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('filtering meetings by nation keeps the filter in the address, through a reload', async () => {
  const page = await seeded();
  try {
    await page.goto(`${app.server.url}/meetings`);
    const rows = page.getByRole('list', { name: 'Meetings' }).getByRole('listitem');
    await rows.first().waitFor();
    // The list is windowed: it renders the rows near the screen, and each says how many the list holds.
    const listed = () => rows.first().getAttribute('aria-setsize').then(Number);
    const all = await listed();
    await page.getByLabel('Nation', exact).selectOption('AUT');
    await page.waitForURL(/\/meetings\?nation=AUT$/);
    await page.waitForFunction((n) => Number(document.querySelector('ul[aria-label="Meetings"] > li')?.getAttribute('aria-setsize')) < n, all);
    const filtered = await listed();
    assert.ok(filtered > 0 && filtered < all, `${filtered} of ${all}`);
    await page.reload();
    await page.getByRole('list', { name: 'Meetings' }).waitFor();
    assert.equal(await page.getByLabel('Nation', exact).inputValue(), 'AUT');
    assert.equal(await listed(), filtered);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/meetings$/);
    await page.waitForFunction((n) => Number(document.querySelector('ul[aria-label="Meetings"] > li')?.getAttribute('aria-setsize')) === n, all);
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

for (const [size, viewport] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
  test(`the dashboard is the start screen (${size})`, async () => {
    const page = await seeded(viewport);
    try {
      await page.goto(`${app.server.url}/`);
      await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Recent meetings' }).waitFor();
      await page.getByRole('list', { name: 'Meetings per nation' }).waitFor();
      await page.getByRole('list', { name: 'Overdue and upcoming follow-ups' }).waitFor();
      await screenshot(page, `${size}-dashboard`);
      assertNoErrors(page);
    } finally {
      await page.context().close();
    }
  });
}
