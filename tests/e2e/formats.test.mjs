// Formats the rest of an office uses: vCard round trips between officers without duplicates, calendars
// and spreadsheets download, and printing gives a clean report with its marking.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedEntries, seedPage } from './seed.mjs';
import { DESKTOP, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();

async function officer(name) {
  return firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/`, officer: name, label: 'Laptop' });
}

test('contacts exported as vCard import into another officer\'s app, and a second import makes no duplicates', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-vcf-'));
  const ana = await officer('Lt Col Ana Ruiz');
  const ben = await officer('Maj Ben Okafor');
  try {
    for (const [name, email] of [['Oberst Jürgen Müller', 'j.mueller@example.at'], ['Мария Иванова', 'maria@example.ru']]) {
      await nav(ana, 'Contacts');
      await ana.getByRole('button', { name: 'New contact' }).click();
      await ana.getByLabel('Name', exact).fill(name);
      await ana.getByLabel('Email', exact).fill(email);
      await ana.getByLabel('Marking', exact).fill('RESTRICTED');
    }
    await nav(ana, 'Export');
    const [download] = await Promise.all([ana.waitForEvent('download'), ana.getByRole('button', { name: 'Contacts as vCard (.vcf)' }).click()]);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const text = await readFile(file, 'utf8');
    assert.match(text, /BEGIN:VCARD\r\nVERSION:4\.0\r\n/);
    assert.match(text, /FN:Мария Иванова/);
    await ana.getByText(/Saved liaison-contacts-.*\.vcf with 2 records/).waitFor();

    for (const round of [1, 2]) {
      await nav(ben, 'Import');
      await ben.getByLabel('Choose bundle files').setInputFiles([file]);
      const card = ben.locator('.preview-card').filter({ hasText: 'vCard file' });
      await card.waitFor();
      const [created, , unchanged] = await card.getByRole('definition').allInnerTexts();
      assert.deepEqual([created, unchanged], round === 1 ? ['2', '0'] : ['0', '2']);
      if (round === 1) {
        await ben.getByRole('button', { name: 'Import', exact: true }).click();
        await ben.getByRole('status').filter({ hasText: 'Imported 1 file: 2 new, 0 updated.' }).waitFor();
      } else {
        // Nothing new: the import cannot be confirmed, and nothing changes.
        assert.equal(await ben.getByRole('button', { name: /^Import/ }).isDisabled(), true);
      }
    }
    await nav(ben, 'Contacts');
    assert.equal(await ben.getByRole('link', { name: 'Oberst Jürgen Müller' }).count(), 1);
    assert.equal(await ben.getByRole('link', { name: 'Мария Иванова' }).count(), 1);
    await ben.getByRole('link', { name: 'Мария Иванова' }).click();
    // A contact opens to read; Edit opens the form.
    await ben.getByRole('button', { name: 'Edit', exact: true }).click();
    assert.equal(await ben.getByLabel('Marking', exact).inputValue(), 'RESTRICTED');
    assertNoErrors(ana);
    assertNoErrors(ben);
  } finally {
    await ana.context().close();
    await ben.context().close();
  }
});

test('a marking limit leaves records out of a calendar export, and says so', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await page.goto(`${app.server.url}/settings`);
    await seedPage(page, seedEntries({ contacts: 10, meetings: 12 }));
    await page.goto(`${app.server.url}/export`);
    await page.getByLabel('Include records marked').selectOption('open');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Meetings and follow-ups as iCalendar (.ics)' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.match(text, /BEGIN:VCALENDAR/);
    assert.doesNotMatch(text, /RESTRICTED|CONFIDENTIAL/);
    await page.getByText(/left out by the marking limit/).waitFor();
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('printing a meeting shows the report with its marking at top and bottom and no app around it', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await page.goto(`${app.server.url}/settings`);
    await seedPage(page, seedEntries({ contacts: 10, meetings: 10 }));
    await page.goto(`${app.server.url}/meetings`);
    await page.getByRole('list', { name: 'Meetings' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Follow-up actions' }).waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.topbar').isVisible(), false);
    assert.equal(await page.locator('form').first().isVisible(), false);
    const banners = page.locator('.report .print-banner');
    assert.equal(await banners.count(), 2);
    assert.equal(await banners.first().isVisible(), true);
    await screenshot(page, 'print-meeting-report');
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('table').getByRole('link').first().click();
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'print-contact-sheet');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('the contacts list exports what it shows, filters applied, as one vCard file', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await page.goto(`${app.server.url}/settings`);
    await seedPage(page, seedEntries({ contacts: 30, meetings: 5 }));
    await page.goto(`${app.server.url}/contacts?nation=FRA`);
    const rows = page.getByRole('table').getByRole('row');
    await rows.nth(1).waitFor();
    const shown = (await rows.count()) - 1;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as vCard' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.equal((text.match(/BEGIN:VCARD/g) ?? []).length, shown);
    assert.equal((text.match(/X-LIAISON-NATION:FRA/g) ?? []).length, shown);
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('re-importing an older vCard and iCalendar file after newer edits loses nothing, the preview says so, and Undo puts everything back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-reimport-'));
  const page = await officer('Hptm Lena Gruber');
  const download = async (button) => {
    await nav(page, 'Export');
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    const file = join(dir, d.suggestedFilename());
    await d.saveAs(file);
    return file;
  };
  try {
    await nav(page, 'Contacts');
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Name', exact).fill('Oberst Anna Wöber');
    await page.getByLabel('Email', exact).fill('anna@example.at');
    await page.getByLabel('Notes', exact).fill('First notes');
    await page.getByLabel('Marking', exact).fill('RESTRICTED');
    const contactUrl = page.url();
    await nav(page, 'Meetings');
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByLabel('Title', exact).fill('Liaison sync');
    await page.getByLabel('Date', exact).fill('2026-06-01');
    await page.getByLabel('Start', exact).fill('10:00');
    await page.getByLabel('Notes', exact).fill('First meeting notes');
    const meetingUrl = page.url();
    const vcf = await download('Contacts as vCard (.vcf)');
    const ics = await download('Meetings and follow-ups as iCalendar (.ics)');

    // Newer work after the export.
    await page.goto(contactUrl);
    await page.getByLabel('Notes', exact).fill('Newer notes');
    await page.getByLabel('Marking', exact).fill('SECRET');
    await page.goto(meetingUrl);
    await page.getByLabel('Notes', exact).fill('Newer meeting notes');
    await page.getByLabel('Marking', exact).fill('NATO SECRET');

    await nav(page, 'Import');
    await page.getByLabel('Choose bundle files').setInputFiles([vcf, ics]);
    for (const kind of ['vCard file', 'iCalendar file']) {
      const card = page.locator('.preview-card').filter({ hasText: kind });
      await card.waitFor();
      await card.getByText('both versions are kept for you to choose').waitFor();
    }
    await page.getByText(/lower than its marking here/).first().waitFor();
    await screenshot(page, 'import-preview-older-files');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 2 files: 0 new, 2 updated.' }).waitFor();
    await page.getByText(/\d+ (conflict waits|conflicts wait) for a decision/).waitFor();

    // Within the app (a reload would end the session that Undo belongs to).
    await nav(page, 'Contacts');
    await page.getByRole('link', { name: 'Oberst Anna Wöber' }).click();
    // A contact opens to read; Edit opens the form.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Newer notes');
    assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'SECRET');
    await nav(page, 'Meetings');
    await page.getByRole('list', { name: 'Meetings' }).getByRole('link', { name: /Liaison sync/ }).click();
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Newer meeting notes');
    assert.equal(await page.getByLabel('Marking', exact).inputValue(), 'NATO SECRET');

    await nav(page, 'Import');
    await page.getByRole('button', { name: 'Undo last import' }).click();
    await page.getByRole('button', { name: 'Undo last import' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByText(/\d+ (conflict waits|conflicts wait) for a decision/).count(), 0);
    await page.goto(meetingUrl);
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Newer meeting notes');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
