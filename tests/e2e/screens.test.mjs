// Screenshots of every screen at laptop and tablet size, under target/screenshots/, from realistic data.
// Each screen is also checked for touch targets: on the tablet, every button and link in the app frame
// is at least 44 px tall (a checkbox counts with its label).
import test from 'node:test';
import assert from 'node:assert/strict';
import { seedEntries, seedPage } from './seed.mjs';
import { DESKTOP, TABLET, assertNoErrors, closePage, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();

for (const [size, viewport] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
  test(`every screen renders cleanly at ${size} size (${viewport.width}x${viewport.height})`, async () => {
    const page = await newPage(app.browser, viewport);
    try {
      await page.goto(`${app.server.url}/`);
      await page.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
      await screenshot(page, `${size}-welcome`);
      // The welcome is the only screen until the officer and the device are named.
      await page.getByLabel('Officer name', { exact: true }).fill('Lt Col Ana Ruiz');
      await page.getByRole('button', { name: 'Start using Liaison' }).click();
      for (const [name, path, heading] of [
        ['meetings-empty', '/meetings', 'No meetings yet'],
        ['contacts-empty', '/contacts', 'No contacts yet'],
        ['follow-ups-empty', '/follow-ups', 'Nothing to follow up'],
      ]) {
        await page.goto(`${app.server.url}${path}`);
        await page.getByRole('heading', { name: heading }).waitFor();
        await screenshot(page, `${size}-${name}`);
      }

      await seedPage(page, seedEntries({ contacts: 40, meetings: 40, conflict: true }));
      await page.goto(`${app.server.url}/meetings`);
      await page.getByRole('list', { name: 'Meetings' }).waitFor();
      await page.screenshot({ path: `target/screenshots/${size}-meetings.png` });
      await page.getByRole('list', { name: 'Meetings' }).getByRole('link').first().click();
      await page.getByRole('heading', { name: 'Follow-up actions' }).waitFor();
      await screenshot(page, `${size}-meeting-editor`);
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').waitFor();
      await page.screenshot({ path: `target/screenshots/${size}-delete-dialog.png` });
      await page.keyboard.press('Escape');

      await nav(page, 'Contacts');
      await page.getByRole('table').waitFor();
      await page.screenshot({ path: `target/screenshots/${size}-contacts.png` });
      await page.getByRole('table').getByRole('link').first().click();
      await page.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();
      await screenshot(page, `${size}-contact-page`);

      await nav(page, 'Follow-ups');
      await page.getByRole('list', { name: / follow-ups$/ }).first().waitFor();
      await page.screenshot({ path: `target/screenshots/${size}-follow-ups.png` });
      await page.getByRole('button', { name: /^Mark done/ }).first().click();
      await page.getByRole('button', { name: 'Undo' }).waitFor();
      await page.screenshot({ path: `target/screenshots/${size}-undo.png` });

      await nav(page, /^Conflicts/);
      await page.getByText('Ben: each nation brings its own transport.').waitFor();
      await screenshot(page, `${size}-conflicts`);

      await nav(page, /^Duplicates/);
      await page.getByRole('button', { name: 'Compare and merge' }).first().click();
      await page.getByRole('button', { name: 'Merge into one contact' }).waitFor();
      await screenshot(page, `${size}-duplicates`);

      await nav(page, 'Export');
      await page.getByRole('heading', { name: 'Export' }).waitFor();
      await page.screenshot({ path: `target/screenshots/${size}-export.png` });
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
      const file = `target/screenshots/${size}-bundle.json`;
      await download.saveAs(file);
      await nav(page, 'Import');
      await page.getByLabel('Choose bundle files').setInputFiles([file]);
      await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
      await screenshot(page, `${size}-import-preview`);

      await nav(page, 'Settings');
      await page.getByRole('heading', { name: 'Settings' }).waitFor();
      await screenshot(page, `${size}-settings`);

      if (size === 'tablet') {
        await nav(page, 'Meetings');
        await page.getByRole('list', { name: 'Meetings' }).getByRole('link').first().click();
        await page.getByRole('heading', { name: 'Follow-up actions' }).waitFor();
        const small = await page.evaluate(() =>
          [...document.querySelectorAll('button, a, input, textarea')]
            .filter((el) => el.offsetParent !== null && !el.classList.contains('skip-link'))
            // A checkbox's target includes its label, which toggles it too.
            .filter((el) => Math.max(el.getBoundingClientRect().height, el.labels?.[0]?.getBoundingClientRect().height ?? 0) < 44)
            .map((el) => `${el.tagName} ${el.textContent?.trim() || el.getAttribute('aria-label') || el.id}`),
        );
        assert.deepEqual(small, [], 'touch targets smaller than the minimum');
      }
      assertNoErrors(page);
    } finally {
      await closePage(page);
    }
  });
}
