// The marking picker (a classification level and the nations a record is releasable to), and a
// bundle limited by a marking ceiling: its file name and header name its highest marking, the ceiling
// and how many records it left out, and the screen says so.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DESKTOP, TABLET, assertNoErrors, exact, firstStart, nav, screenshot, servedApp, watchPage } from './helpers.mjs';

const app = servedApp();

async function open(size, colorScheme = 'light') {
  const context = await app.browser.newContext({ viewport: size, colorScheme, acceptDownloads: true });
  return watchPage(await context.newPage());
}

/** A new contact whose marking is picked: a level and, if given, the nations it may go to. */
async function markedContact(page, name, level, nations = []) {
  await nav(page, 'Contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Name', exact).fill(name);
  await page.getByLabel('Classification level').selectOption(level);
  if (nations.length > 0) {
    await page.getByText(/^Releasable to[: ]/).click();
    const group = page.getByRole('group', { name: 'Releasable to' });
    for (const n of nations) await group.getByRole('checkbox', { name: new RegExp(`^${n} `) }).check();
  }
}

test('the picker makes a marking from a level and nations, and keeps a stored label as written', async () => {
  for (const [size, label] of [[DESKTOP, 'desktop'], [TABLET, 'tablet']]) {
    for (const scheme of ['light', 'dark']) {
      const page = await open(size, scheme);
      try {
        await firstStart(page, { url: `${app.server.url}/` });
        await markedContact(page, 'Oberst Jürgen Müller', 'RESTRICTED', ['AUT', 'CHE']);
        assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'RESTRICTED REL TO AUT, CHE');
        await page.getByText('Releasable to AUT, CHE').waitFor();
        await screenshot(page, `finish-marking-picker-${label}-${scheme}`);
        // A bare caveat typed in stays as typed, and the picker asks for a level.
        await page.getByLabel('Marking', exact).fill('REL TO AUT, CHE');
        await page.getByText(/Choose a classification level too/).waitFor();
        assert.equal(await page.getByLabel('Classification level').inputValue(), '');
        await page.getByLabel('Classification level').selectOption('NATO RESTRICTED');
        assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'NATO RESTRICTED REL TO AUT, CHE');
        assertNoErrors(page);
      } finally {
        await page.context().close();
      }
    }
  }
});

test('an export limited to UNCLASSIFIED is named and labelled so, and says how many records it left out', async () => {
  const page = await open(DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await markedContact(page, 'Anna Martin', 'UNCLASSIFIED');
    for (let i = 1; i <= 9; i++) await markedContact(page, `Restricted contact ${i}`, 'RESTRICTED');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await nav(page, 'Export');
    await page.getByRole('radio', { name: /Everything/ }).check();
    await page.getByLabel('Include records marked').selectOption({ label: 'Unmarked and UNCLASSIFIED only' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
    const name = download.suggestedFilename();
    assert.match(name, /^liaison-field-laptop-\d{4}-\d{2}-\d{2}-0001-all-unclassified\.json$/);
    await page.getByText('9 records above UNCLASSIFIED were left out').waitFor();
    const path = join(await mkdtemp(join(tmpdir(), 'liaison-finish-')), name);
    await download.saveAs(path);
    const bundle = JSON.parse(await readFile(path, 'utf8'));
    assert.deepEqual(bundle.marking, { highest: 'UNCLASSIFIED', ceiling: 'open', left_out: 9 });
    assert.equal(bundle.records.length, 1);
    await screenshot(page, 'finish-export-limited-desktop-light');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
