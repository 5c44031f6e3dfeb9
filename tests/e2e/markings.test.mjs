// Markings wherever records leave the screen: the print banner carries the highest marking of anything
// on the printed page, the contacts list's vCard export keeps to the marking limit, and a bundle of
// changes says what the limit left out and sends it later.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DESKTOP, SCREENSHOTS, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();

async function newContact(page, name, marking) {
  await nav(page, 'Contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Name', exact).fill(name);
  await page.getByLabel('Marking', exact).fill(marking);
}

async function saved(page) {
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
}

/** The text of the report's banners at the top and at the bottom of its pages. */
async function banners(page) {
  const report = page.locator('article.report');
  return [(await report.locator('.print-frame > thead').innerText()).trim(), (await report.locator('.print-frame > tfoot .print-banner').innerText()).trim()];
}

test('the print banner shows the highest marking of anything on the printed page, at the top and bottom of every page', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await newContact(page, 'Oberst Jürgen Müller', 'SECRET');
    await newContact(page, 'Anna Martin', 'UNCLASSIFIED');
    await nav(page, 'Meetings');
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByLabel('Title', exact).fill('Exercise planning with AUT');
    await page.getByLabel('Date', exact).fill('2026-11-20');
    await page.getByLabel('Marking', exact).fill('RESTRICTED');
    for (const [typed, name] of [['Müll', 'Oberst Jürgen Müller'], ['Anna', 'Anna Martin']]) {
      await page.getByLabel('Participants', exact).fill(typed);
      await page.getByRole('button', { name: `Add ${name}` }).click();
    }
    // Long enough for several printed pages.
    const line = 'Agreed to share the draft plan for the exercise, host-nation support and the rotation.';
    await page.getByLabel('Notes', exact).fill(Array.from({ length: 160 }, (_, i) => `${i + 1}. ${line}`).join('\n'));
    await saved(page);

    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.getByRole('navigation').isVisible(), false, 'the app around the report is hidden');
    // The meeting is RESTRICTED, but the page names a SECRET participant.
    assert.deepEqual(await banners(page), ['SECRET', 'SECRET']);
    const report = page.locator('article.report');
    const repeated = await report.evaluate((el) => [
      getComputedStyle(el.querySelector('.print-frame > thead')).display,
      getComputedStyle(el.querySelector('.print-frame > tfoot')).display,
    ]);
    assert.deepEqual(repeated, ['table-header-group', 'table-footer-group'], 'the banners repeat on every printed page');
    await mkdir(SCREENSHOTS, { recursive: true });
    const pdf = (await page.pdf({ format: 'A4', path: join(SCREENSHOTS, 'print-meeting-highest-marking.pdf') })).toString('latin1');
    assert.ok((pdf.match(/\/Type\s*\/Page\b/g) ?? []).length >= 2, 'the report prints on several pages');
    await screenshot(page, 'print-meeting-highest-marking');

    // Anna is UNCLASSIFIED, but her sheet lists the RESTRICTED meeting by title.
    await page.emulateMedia({ media: 'screen' });
    await nav(page, 'Contacts');
    await page.getByRole('table').getByRole('link', { name: 'Anna Martin' }).click();
    // A contact opens to read; Edit opens the form.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Name', exact).waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.deepEqual(await banners(page), ['RESTRICTED', 'RESTRICTED']);
    await screenshot(page, 'print-contact-highest-marking');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('the contacts list exports as vCard only the contacts the marking limit allows, and says how many it left out', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await newContact(page, 'Anna Martin', 'UNCLASSIFIED');
    await newContact(page, 'Piotr Nowak', 'CONFIDENTIAL');
    await newContact(page, 'Sven Hansen', 'SECRET');
    await saved(page);
    await nav(page, 'Contacts');
    await page.getByLabel('Include records marked').selectOption('restricted');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as vCard' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.equal((text.match(/BEGIN:VCARD/g) ?? []).length, 1);
    assert.match(text, /FN:Anna Martin/);
    assert.doesNotMatch(text, /Piotr Nowak|Sven Hansen|CONFIDENTIAL|SECRET/);
    await page
      .getByRole('status')
      .filter({ hasText: /Saved liaison-contacts-.*\.vcf with 1 contact\. 2 left out by the marking limit \(up to restricted\)\./ })
      .waitFor();
    // The limit is the one every export applies: the Export screen shows the same choice.
    await nav(page, 'Export');
    assert.equal(await page.getByLabel('Include records marked').inputValue(), 'restricted');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('a changes export with a marking limit says what it left out, and a later export without the limit carries it', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await newContact(page, 'Anna Martin', 'UNCLASSIFIED');
    await newContact(page, 'Sven Hansen', 'SECRET');
    await saved(page);
    await nav(page, 'Export');
    await page.getByRole('radio', { name: /Changes since the last export/ }).check();
    await page.getByLabel('Include records marked').selectOption('restricted');
    const [first] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
    assert.doesNotMatch(await readFile(await first.path(), 'utf8'), /Sven Hansen/);
    await page
      .getByRole('status')
      .filter({ hasText: 'with 1 record, marked UNCLASSIFIED. 1 record above RESTRICTED was left out and stays waiting for an export that allows it.' })
      .waitFor();
    await screenshot(page, 'export-left-out-by-marking-limit');

    await page.getByRole('radio', { name: /Changes since the last export/ }).check();
    await page.getByLabel('Include records marked').selectOption('all');
    const [second] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
    const text = await readFile(await second.path(), 'utf8');
    assert.equal(JSON.parse(text).records.length, 1);
    assert.match(text, /Sven Hansen/, 'the held-back contact leaves with the next export that allows it');
    assert.doesNotMatch(text, /Anna Martin/, 'what the first export carried is not sent again');
    await page.getByRole('status').filter({ hasText: /with 1 record, marked SECRET\.$/ }).waitFor();
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
