// The dashboard and the import preview, as an officer and a coordinator use them: one tap marks a
// follow-up done (and Undo brings it back), an overdue follow-up keeps its due date in full and says
// "Overdue" in words; a coordinator importing two officers' bundles sees, before Import, the totals
// across the files with a list per category, the markings, the missing bundle, and the files by officer
// and sequence; afterwards the dashboard's Officers card lists both officers with their last bundle.
// Screenshots at 1280x800 and 820x1180, light and dark, go to target/screenshots/dash-*.png.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DESKTOP, TABLET, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();
let dir;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-dash-'));
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Today moved by `days`, as the Due field takes it and as the app shows it ("24 Nov 2026"). */
function day(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const iso = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return { iso, shown: `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}` };
}

async function officer(name, label) {
  return firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/`, officer: name, label });
}

async function saved(page) {
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
}

async function newMeeting(page, title) {
  await nav(page, 'Meetings');
  await page.getByRole('button', { name: 'New meeting' }).click();
  await page.getByLabel('Title', exact).fill(title);
  await saved(page);
}

async function addAction(page, text, due) {
  await page.getByRole('button', { name: 'Add action' }).click();
  await page.getByLabel('Action', exact).last().fill(text);
  await page.getByLabel('Due', exact).last().fill(due);
  await saved(page);
}

async function newContact(page, name) {
  await nav(page, 'Contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Name', exact).fill(name);
  await saved(page);
}

async function openMeeting(page, title) {
  await nav(page, 'Meetings');
  await page.getByRole('link', { name: new RegExp(title) }).click();
  await page.getByLabel('Decisions', exact).waitFor();
}

async function exportBundle(page, what, file) {
  await nav(page, 'Export');
  await page.getByRole('radio', { name: new RegExp(what) }).check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
  const path = join(dir, file);
  await download.saveAs(path);
  await page.getByRole('status').filter({ hasText: /^Saved liaison-/ }).waitFor();
  return path;
}

async function pick(page, paths) {
  await nav(page, 'Import');
  await page.getByLabel('Choose bundle files').setInputFiles(paths);
  await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
}

/** The screen at both sizes, light and dark, as dash-<name>-<size>-<scheme>.png; back to desktop light. */
async function shots(page, name) {
  for (const [size, viewport] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `dash-${name}-${size}-${colorScheme}`);
    }
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
}

test('one tap on Done takes a follow-up off the dashboard and Undo brings it back; an overdue one shows its whole due date and the word Overdue', async () => {
  const page = await officer('Hptm Reto Caflisch', 'Caflisch laptop');
  try {
    const late = day(-9);
    const soon = day(3);
    await newMeeting(page, 'Border liaison Spielfeld with the Slovenian police and the Austrian Bundesheer');
    const overdueText = 'Send the minutes of the border liaison meeting to the Austrian side and to the Slovenian police';
    await addAction(page, overdueText, late.iso);
    await addAction(page, 'Book the room for the next meeting', soon.iso);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();

    const list = page.getByRole('list', { name: 'Overdue and upcoming follow-ups' });
    const overdue = list.getByRole('listitem').filter({ hasText: overdueText });
    await overdue.waitFor();
    await overdue.getByText('Overdue', exact).waitFor();
    // The due date is shown whole, inside the row, however long the action's text.
    const due = overdue.getByText(`due ${late.shown}`, exact);
    const clipped = await due.evaluate((el) => {
      const row = el.closest('li').getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return el.scrollWidth > el.clientWidth + 1 || box.right > row.right + 0.5;
    });
    assert.equal(clipped, false, 'the due date is not cut');
    const upcoming = list.getByRole('listitem').filter({ hasText: 'Book the room for the next meeting' });
    assert.equal(await upcoming.getByText('Overdue', exact).count(), 0, 'only overdue items say Overdue');
    await shots(page, 'follow-ups');

    await overdue.getByRole('button', { name: `Done: ${overdueText}` }).click();
    await overdue.waitFor({ state: 'detached' });
    await page.getByText('Follow-up marked done.').waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await list.getByRole('listitem').filter({ hasText: overdueText }).waitFor();
    await saved(page);
    // An officer with only their own work sees no Officers card.
    assert.equal(await page.getByRole('heading', { name: 'Officers', exact: true }).count(), 0);
    assertNoErrors(page);
  } finally {
    await page.close();
  }
});

test('before Import, a coordinator sees the totals across files with a list per category, the markings, the missing bundle and the files by officer; then the Officers card', async () => {
  const reto = await officer('Hptm Reto Caflisch', 'Caflisch laptop');
  const karin = await officer('Maj Karin Huber', 'Huber tablet');
  const coord = await officer('Obst Clara Weiss', 'Coordinator laptop');
  try {
    await newMeeting(reto, 'Border liaison Spielfeld');
    const reto1 = await exportBundle(reto, 'Everything', 'reto-1.json');
    await newContact(reto, 'Anna Wöber');
    await exportBundle(reto, 'Changes', 'reto-2.json');
    await openMeeting(reto, 'Border liaison Spielfeld');
    await reto.getByLabel('Decisions', exact).fill('Joint patrol on Mondays.');
    await saved(reto);
    await newContact(reto, 'Boris Kovalenko');
    const reto3 = await exportBundle(reto, 'Changes', 'reto-3.json');

    // Karin works on Reto's meeting too, so the two versions of its decisions meet at the coordinator.
    await pick(karin, [reto1]);
    await karin.getByRole('button', { name: 'Import', exact: true }).click();
    await karin.getByText(/^Imported 1 file/).waitFor();
    await openMeeting(karin, 'Border liaison Spielfeld');
    await karin.getByLabel('Decisions', exact).fill('Joint patrol on Thursdays.');
    await saved(karin);
    await newContact(karin, 'Clara Brunner');
    const karin1 = await exportBundle(karin, 'Changes', 'karin-1.json');

    // Picked out of order, and without Reto's second bundle.
    await pick(coord, [reto3, karin1, reto1]);
    const preview = coord.getByRole('region', { name: 'Preview' });
    const gap = preview.getByRole('alert');
    await gap.getByText('Bundle 2 from Hptm Reto Caflisch (Caflisch laptop) is missing.').waitFor();
    const importButton = preview.getByRole('button', { name: 'Import', exact: true });
    const [gapBox, buttonBox] = [await gap.boundingBox(), await importButton.boundingBox()];
    assert.ok(gapBox.y + gapBox.height <= buttonBox.y, 'the warning comes before Import');

    const files = await preview.locator('.preview-card h3').allTextContents();
    assert.deepEqual(files, ['reto-1.json', 'reto-3.json', 'karin-1.json'], 'by officer, then sequence');
    // Planned in that order too, so Reto's first bundle is the one that brings his meeting.
    const firstCard = preview.locator('.preview-card').filter({ hasText: 'reto-1.json' });
    assert.equal(await firstCard.locator('.counts div').filter({ hasText: 'New' }).locator('dd').textContent(), '1');

    const total = coord.getByRole('region', { name: 'All files together' });
    await total.getByText(/^3 files: 3 records to add or change/).waitFor();
    await total.getByText('New', exact).click();
    const newList = total.getByRole('list', { name: 'New' });
    assert.deepEqual(
      await newList.locator('.change-title').allTextContents(),
      ['Border liaison Spielfeld', 'Boris Kovalenko', 'Clara Brunner'],
      'meetings first, then contacts, each by title',
    );
    assert.equal(await newList.getByRole('listitem').count(), 3);
    await total.getByText('Conflicts', exact).click();
    await total.getByRole('list', { name: 'Conflicts' }).getByText('Border liaison Spielfeld', exact).waitFor();
    const markings = total.getByRole('list', { name: 'Markings of these records' });
    assert.equal(await markings.getByRole('listitem').count(), 1, 'none of them is marked');
    await markings.getByRole('listitem').filter({ hasText: 'No marking' }).getByText('3 records', exact).waitFor();
    await shots(coord, 'import-preview');

    await importButton.click();
    await coord.getByText(/^Imported 3 files/).waitFor();
    await coord.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    const card = coord.getByRole('region', { name: 'Officers' });
    const retoRow = card.getByRole('row').filter({ hasText: 'Hptm Reto Caflisch' });
    await retoRow.getByText(/^Bundle 3, exported /).waitFor();
    await retoRow.getByText('Bundle 2 is missing', exact).waitFor();
    const karinRow = card.getByRole('row').filter({ hasText: 'Maj Karin Huber' });
    await karinRow.getByText(/^Bundle 1, exported /).waitFor();
    assert.equal(await card.getByRole('row').filter({ hasText: 'Obst Clara Weiss' }).count(), 0, 'not the coordinator herself');
    await card.getByRole('link', { name: '1 open conflict' }).waitFor();
    await card.getByRole('link', { name: /suggested duplicates?$/ }).waitFor();
    await shots(coord, 'coordinator');
    await card.getByRole('link', { name: '1 open conflict' }).click();
    await coord.waitForURL(/\/conflicts$/);
    for (const page of [reto, karin, coord]) assertNoErrors(page);
  } finally {
    for (const page of [reto, karin, coord]) await page.close();
  }
});
