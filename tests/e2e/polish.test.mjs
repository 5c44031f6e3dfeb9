// The polish of issue 13: the marking picker's nations and stored labels, the welcome that cannot be
// skipped, plural words, drafts on reload and delete, a spreadsheet given as a bundle, and the small
// things (dates as the app writes them, one empty state, readable highlights, pills that keep to their
// row, the export message in view).
import test from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, TABLET, assertNoErrors, exact, firstStart, nav, screenshot, servedApp, storedEntries, watchPage } from './helpers.mjs';

const app = servedApp();

async function open(size, colorScheme = 'light') {
  const context = await app.browser.newContext({ viewport: size, colorScheme, acceptDownloads: true });
  return watchPage(await context.newPage());
}

async function saved(page) {
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
}

/** Words such as "10 record(s)" anywhere on the screen. */
function bracketPlurals(page) {
  return page.evaluate(() => document.body.innerText.match(/\w\(s\)/g) ?? []);
}

test('the picker offers nations by code and name, and keeps a label it cannot show until a level is chosen', async () => {
  for (const [size, label] of [[DESKTOP, 'desktop'], [TABLET, 'tablet']]) {
    for (const scheme of ['light', 'dark']) {
      const page = await open(size, scheme);
      try {
        await firstStart(page, { url: `${app.server.url}/` });
        await nav(page, 'Contacts');
        await page.getByRole('button', { name: 'New contact' }).click();
        await page.getByLabel('Name', exact).fill('Oberst Jürgen Müller');
        await page.getByLabel('Classification level').selectOption('RESTRICTED');
        await page.getByText(/^Releasable to[: ]/).click();
        const nations = page.getByRole('group', { name: 'Releasable to' });
        await nations.getByRole('checkbox', { name: 'AUT Austria' }).check();
        await nations.getByRole('checkbox', { name: 'CHE Switzerland' }).check();
        assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'RESTRICTED REL TO AUT, CHE');
        await page.getByText('Releasable to AUT, CHE').waitFor();
        await screenshot(page, `polish-marking-picker-${label}-${scheme}`);

        // A label the picker cannot make is shown as written, and the nations wait for a level.
        await page.getByLabel('Marking', exact).fill('UNCLASSIFIED // NOFORN');
        await page.getByText(/^Kept as written, because the picker cannot show it/).waitFor();
        assert.equal(await page.getByLabel('Classification level').inputValue(), '');
        assert.equal(await nations.getByRole('checkbox', { name: 'AUT Austria' }).isDisabled(), true);
        await saved(page);
        await page.reload();
        assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'UNCLASSIFIED // NOFORN', 'kept as it was stored');
        await screenshot(page, `polish-marking-kept-${label}-${scheme}`);
        await page.getByLabel('Classification level').selectOption('CONFIDENTIAL');
        assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'CONFIDENTIAL');
        assertNoErrors(page);
      } finally {
        await page.context().close();
      }
    }
  }
});

test('the welcome cannot be skipped by any address, and the suggested label is enough with a name', async () => {
  const page = await open(DESKTOP);
  try {
    for (const path of ['/meetings', '/export', '/contacts/019cecd7-5160-7100-9122-334455a53d77?draft', '/import']) {
      await page.goto(`${app.server.url}${path}`);
      await page.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/settings', `${path} waits for the welcome`);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^New (meeting|contact)$/ }).count(), 0);
    }
    assert.equal(await page.getByRole('alert').count(), 0, 'no draft was tried on the way, so nothing was refused');
    assert.equal(await page.getByLabel('Device label', exact).inputValue(), 'Chrome on Linux');
    const start = page.getByRole('button', { name: 'Start using Liaison' });
    assert.equal(await start.isDisabled(), true);
    await page.getByLabel('Officer name', exact).fill('Lt Col Ana Ruiz');
    assert.equal(await start.isDisabled(), false, 'the suggested label and a name are all it needs');
    await start.click();
    await page.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();
    const records = (await storedEntries(page)).filter(([k]) => k.startsWith('liaison/v1/record/'));
    assert.deepEqual(records, [], 'no record was made on the way');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('a new meeting reads "New meeting", a reload opens a fresh draft, and deleting a draft leaves nothing', async () => {
  const page = await open(DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByRole('heading', { name: 'New meeting', exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Untitled meeting' }).count(), 0);
    const first = new URL(page.url());
    assert.equal(first.searchParams.has('draft'), true);
    await page.reload();
    await page.getByRole('heading', { name: 'New meeting', exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Meeting not found' }).count(), 0);
    assert.notEqual(new URL(page.url()).pathname, first.pathname, 'a fresh draft, since the old one was never stored');
    await page.getByLabel('Date', exact).fill('2026-11-24');
    await page.getByLabel('Date', exact).blur();
    await page.getByText('24 Nov 2026', exact).waitFor();
    await screenshot(page, 'polish-new-meeting-desktop-light');
    // Typing the date made it a record; a second new meeting stays a draft, and Delete just drops it.
    await nav(page, 'Meetings');
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByRole('heading', { name: 'New meeting', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0, 'nothing typed, nothing to confirm');
    assert.equal(await page.getByRole('button', { name: 'Undo' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: /Untitled meeting/ }).count(), 1, 'only the dated one');
    await saved(page);
    await nav(page, 'Settings');
    await page.getByRole('link', { name: 'Recently deleted' }).click();
    await page.getByRole('heading', { name: 'Nothing deleted recently' }).waitFor();
    const records = (await storedEntries(page)).filter(([k]) => k.startsWith('liaison/v1/record/'));
    assert.equal(records.length, 1, 'only the meeting that was typed into is stored');
    // A follow-up added to a new meeting keeps the meeting, so the action never points at nothing.
    await nav(page, 'Meetings');
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByRole('button', { name: 'Add action' }).click();
    await page.getByLabel('Action', exact).fill('Send the agenda to CHE');
    await nav(page, 'Meetings');
    assert.equal(await page.getByRole('link', { name: /Untitled meeting/ }).count(), 2, 'the meeting with an action stays');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('a spreadsheet given as a bundle is named for what it is, and one without .csv is read as contacts', async () => {
  const page = await open(DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await nav(page, 'Import');
    const sheet = Buffer.from('\ufeffName,E-mail Address,Mobile Phone\r\nAnna Wöber,anna@bmlv.example,+43 664 123\r\n');
    await page.getByLabel('Choose bundle files').setInputFiles([{ name: 'contacts.json', mimeType: 'application/json', buffer: sheet }]);
    await page
      .getByText('this is a CSV spreadsheet of contacts, not a Liaison bundle (JSON). Liaison imports it as contacts when its name ends in .csv')
      .waitFor();
    assert.equal(await page.getByText(/expected value|line 1 column 1/).count(), 0, 'no JSON parser words');
    await screenshot(page, 'polish-import-csv-as-bundle-desktop-light');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await nav(page, 'Import');
    await page.getByLabel('Choose bundle files').setInputFiles([{ name: 'contacts-export.txt', mimeType: 'text/plain', buffer: sheet }]);
    await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await nav(page, 'Contacts');
    await page.getByRole('link', { name: 'Anna Wöber' }).waitFor();
    assert.deepEqual(await bracketPlurals(page), []);
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('counts read as words, and the export message is in view beside its button', async () => {
  for (const scheme of ['light', 'dark']) {
    const page = await open(DESKTOP, scheme);
    try {
      await firstStart(page, { url: `${app.server.url}/` });
      await nav(page, 'Contacts');
      await page.getByRole('button', { name: 'New contact' }).click();
      await page.getByLabel('Name', exact).fill('Capitaine Élise Martin');
      await saved(page);
      await nav(page, 'Export');
      await page.getByText('1 record you changed, not yet exported').waitFor();
      await page.getByRole('radio', { name: /Everything/ }).check();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export', exact: true }).click(),
      ]);
      assert.match(download.suggestedFilename(), /\.json$/);
      const said = page.getByRole('status').filter({ hasText: /^Saved liaison-.* with 1 record\./ });
      await said.waitFor();
      const box = await said.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= DESKTOP.height, `the message is on the screen: ${JSON.stringify(box)}`);
      await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Spreadsheet files (.csv)' }).click()]);
      const other = page.getByRole('status').filter({ hasText: /^Saved/ });
      await other.last().waitFor();
      const b2 = await other.last().boundingBox();
      assert.ok(b2 && b2.y >= 0 && b2.y + b2.height <= DESKTOP.height, `the CSV message is scrolled into view: ${JSON.stringify(b2)}`);
      await screenshot(page, `polish-export-${scheme}`);
      for (const screen of ['Export', 'Settings', 'Import', 'Dashboard']) {
        await nav(page, screen);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        assert.deepEqual(await bracketPlurals(page), [], screen);
      }
      assertNoErrors(page);
    } finally {
      await page.context().close();
    }
  }
});

/** WCAG contrast of two `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('a filter with no results shows one empty state, search highlights read in dark mode, and pills keep to their row on a tablet', async () => {
  const page = await open(TABLET, 'dark');
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    for (const title of ['Joint exercise planning with the Austrian delegation', 'Border liaison review']) {
      await nav(page, 'Meetings');
      await page.getByRole('button', { name: 'New meeting' }).click();
      await page.getByLabel('Title', exact).fill(title);
      await page.getByLabel('Marking', exact).fill('NATO RESTRICTED REL TO AUT, CHE, DEU, FRA, ITA, NLD');
    }
    await saved(page);
    await nav(page, 'Meetings');
    const rows = page.getByRole('list', { name: 'Meetings' }).getByRole('listitem');
    await rows.first().waitFor();
    const overlaps = await rows.evaluateAll((items) =>
      items.map((li) => {
        const row = li.getBoundingClientRect();
        const pill = li.querySelector('.marking-tag').getBoundingClientRect();
        return pill.top >= row.top && pill.bottom <= row.bottom && pill.right <= row.right;
      }),
    );
    assert.deepEqual(overlaps, [true, true], 'each pill lies inside its own row');
    await screenshot(page, 'polish-meetings-tablet-dark');
    // The filter bar's dates read as the app writes them, under the browser's input.
    await page.getByLabel('From', exact).fill('2026-11-24');
    await page.getByLabel('From', exact).blur();
    await page.getByText('24 Nov 2026', exact).waitFor();
    await screenshot(page, 'polish-filter-date-tablet-dark');
    await page.goto(`${app.server.url}/meetings`);
    await page.getByRole('link', { name: /Border liaison review/ }).click();
    await page.getByLabel('Date', exact).fill('2026-11-24');
    await page.getByLabel('Date', exact).blur();
    await page.getByText('24 Nov 2026', exact).waitFor();
    await screenshot(page, 'polish-meeting-editor-tablet-dark');

    await page.goto(`${app.server.url}/meetings?nation=ZZZ`);
    await page.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();
    const empty = page.locator('.empty h2');
    await empty.first().waitFor();
    assert.deepEqual(await empty.allInnerTexts(), ['No meetings match these filters']);

    await page.getByLabel('Search', exact).fill('Austrian');
    const mark = page.locator('.search mark').first();
    await mark.waitFor();
    const [fg, bg] = await mark.evaluate((m) => [getComputedStyle(m).color, getComputedStyle(m).backgroundColor]);
    assert.ok(contrast(fg, bg) >= 4.5, `highlight contrast ${contrast(fg, bg).toFixed(2)} (${fg} on ${bg})`);
    await screenshot(page, 'polish-search-tablet-dark');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
