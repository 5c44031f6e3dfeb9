// The coordinator's work, end to end: two officers edit one meeting offline and both record one person;
// the coordinator imports both bundles, sees the conflicted field marked in the meeting editor, combines
// both versions (and undoes it once), merges the two contacts keeping both notes and the other spelling
// as an alias (and undoes that once), and the picker then finds the person by the other spelling.
// Screenshots of the changed screens at 1280x800 and 820x1180, light and dark, go to target/screenshots/.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DESKTOP, TABLET, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();
let dir;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liaison-coordinator-'));
});

async function officer(name, label) {
  return firstStart(await newPage(app.browser, DESKTOP), { url: `${app.server.url}/`, officer: name, label });
}

async function saved(page) {
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
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

async function importAll(page, paths) {
  await nav(page, 'Import');
  await page.getByLabel('Choose bundle files').setInputFiles(paths);
  await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText(/^Imported \d+ files?/).waitFor();
}

async function newContact(page, name, notes) {
  await nav(page, 'Contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Name', exact).fill(name);
  await page.getByLabel('Notes', exact).fill(notes);
  await saved(page);
}

async function openMeeting(page, title) {
  await nav(page, 'Meetings');
  await page.getByRole('link', { name: new RegExp(title) }).click();
  await page.getByLabel('Decisions', exact).waitFor();
}

/** The screen at both sizes, light and dark, as <name>-<size>-<scheme>.png; back to desktop light. */
async function shots(page, name) {
  for (const [size, viewport] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await screenshot(page, `coordinator-${name}-${size}-${colorScheme}`);
    }
  }
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
}

test('a coordinator combines two officers\' versions of a field and merges their records of one person, keeping both notes and the other spelling', async () => {
  const reto = await officer('Hptm Reto Caflisch', 'Caflisch laptop');
  const karin = await officer('Maj Karin Huber', 'Huber tablet');
  const coord = await officer('Obst Clara Weiss', 'Coordinator laptop');
  try {
    // Reto records the meeting and one person, and hands the meeting to Karin.
    await reto.getByRole('button', { name: 'New meeting' }).click();
    await reto.getByLabel('Title', exact).fill('Border liaison Spielfeld');
    await reto.getByLabel('Decisions', exact).fill('Joint patrol on Mondays.');
    await saved(reto);
    await newContact(reto, 'Oleksandr Kovalenko', 'Met at EUFOR HQ, speaks German.');
    const first = await exportBundle(reto, 'Everything', 'reto-1.json');
    await importAll(karin, [first]);

    // In Reto's picker, a near spelling is a possible existing contact, and Enter creates nobody.
    await openMeeting(reto, 'Border liaison Spielfeld');
    const picker = reto.getByLabel('Participants', exact);
    await picker.fill('Kowalenko');
    const suggestions = reto.getByRole('group', { name: 'Matching contacts' });
    await suggestions.getByRole('button', { name: /Possible existing contact.*Add Oleksandr Kovalenko/ }).waitFor();
    await suggestions.getByRole('button', { name: 'Create a new contact “Kowalenko” anyway' }).waitFor();
    await shots(reto, 'picker');
    await picker.press('Enter');
    assert.equal(await reto.getByRole('list', { name: 'Chosen participants' }).getByRole('listitem').count(), 0);
    await picker.fill('');

    // Both change the decisions offline, and Karin records the same person under another spelling.
    await reto.context().setOffline(true);
    await karin.context().setOffline(true);
    await reto.getByLabel('Decisions', exact).fill('Joint patrol on Mondays.\nConvoy leaves Spielfeld at 06:00.');
    await saved(reto);
    await openMeeting(karin, 'Border liaison Spielfeld');
    await karin.getByLabel('Decisions', exact).fill('Joint patrol on Mondays and Thursdays.');
    await saved(karin);
    await newContact(karin, 'Oleksandr Kowalenko', 'Prefers meetings in the morning.');
    const retoChanges = await exportBundle(reto, 'Changes', 'reto-2.json');
    const karinAll = await exportBundle(karin, 'Everything', 'karin-1.json');

    // The coordinator imports everything; the meeting editor marks the conflicted field.
    await importAll(coord, [first, retoChanges, karinAll]);
    await openMeeting(coord, 'Border liaison Spielfeld');
    const marker = coord.getByText(/^Another version by (Hptm Reto Caflisch|Maj Karin Huber), \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}\b/);
    await marker.waitFor();
    await shots(coord, 'meeting-editor-marker');
    await coord.getByRole('link', { name: 'Compare the versions of Decisions' }).click();
    const card = coord.getByRole('listitem').filter({ hasText: 'Border liaison Spielfeld' });
    await card.getByRole('group', { name: 'Differences between the versions' }).waitFor();
    const box = card.getByLabel('New value for Decisions');
    assert.equal(await box.evaluate((el) => el.tagName), 'TEXTAREA');
    assert.match(await box.inputValue(), /^Joint patrol on Mondays/);

    // Combine both puts both versions in, each under its author; Undo brings the conflict back.
    await card.getByRole('button', { name: 'Combine both' }).click();
    const combined = await box.inputValue();
    assert.match(combined, /Hptm Reto Caflisch, .*:\nJoint patrol on Mondays\.\nConvoy leaves Spielfeld at 06:00\./);
    assert.match(combined, /Maj Karin Huber, .*:\nJoint patrol on Mondays and Thursdays\./);
    await shots(coord, 'conflicts');
    await card.getByRole('button', { name: 'Use this value' }).click();
    await coord.getByRole('status').filter({ hasText: 'Resolved.' }).getByRole('button', { name: 'Undo' }).click();
    await card.getByRole('button', { name: 'Combine both' }).click();
    await card.getByRole('button', { name: 'Use this value' }).click();
    await coord.getByRole('heading', { name: 'No conflicts' }).waitFor();
    await openMeeting(coord, 'Border liaison Spielfeld');
    assert.equal(await coord.getByLabel('Decisions', exact).inputValue(), combined);
    assert.equal(await marker.count(), 0);

    // The duplicate pair: who recorded each side, Both for the notes, identical values no choice.
    await nav(coord, /^Duplicates/);
    const pair = coord.getByRole('listitem').filter({ hasText: 'Oleksandr Kowalenko' });
    await pair.getByText(/similar names/).waitFor();
    await pair.getByText(/First recorded by Hptm Reto Caflisch, .*second recorded by Maj Karin Huber/).waitFor();
    await pair.getByRole('button', { name: 'Compare and merge' }).click();
    const notes = pair.getByRole('row', { name: /^Notes/ });
    assert.equal(await notes.getByRole('radio', { name: 'Both, each under who recorded it' }).isChecked(), true);
    await pair.getByText('Also known as, after the merge: Oleksandr Kowalenko.', { exact: false }).waitFor();
    await shots(coord, 'duplicates');

    // Merge, Undo, and merge again.
    const merge = async () => {
      await pair.getByRole('button', { name: 'Merge into one contact' }).click();
      await coord.getByRole('dialog').getByRole('button', { name: 'Merge' }).click();
    };
    await merge();
    await coord.getByRole('status').filter({ hasText: 'Merged.' }).getByRole('button', { name: 'Undo' }).click();
    await pair.getByRole('button', { name: 'Compare and merge' }).waitFor();
    await pair.getByRole('button', { name: 'Compare and merge' }).click();
    await merge();
    await coord.getByRole('heading', { name: 'No likely duplicates' }).waitFor();
    await saved(coord);

    // The survivor keeps both notes and the other spelling, and the picker finds it by that spelling.
    await nav(coord, 'Contacts');
    await coord.getByRole('table').getByRole('link', { name: 'Oleksandr Kovalenko' }).click();
    // A contact opens to read; Edit opens the form.
    await coord.getByRole('button', { name: 'Edit', exact: true }).click();
    assert.equal(await coord.getByLabel('Also known as', exact).inputValue(), 'Oleksandr Kowalenko');
    const kept = await coord.getByLabel('Notes', exact).inputValue();
    assert.match(kept, /Hptm Reto Caflisch, .*:\nMet at EUFOR HQ, speaks German\./);
    assert.match(kept, /Maj Karin Huber, .*:\nPrefers meetings in the morning\./);
    await shots(coord, 'contact-page-alias');
    await openMeeting(coord, 'Border liaison Spielfeld');
    await coord.getByLabel('Participants', exact).fill('Kowalenko');
    await coord.getByRole('group', { name: 'Matching contacts' }).getByRole('button', { name: /^Add Oleksandr Kovalenko/ }).waitFor();
    await coord.getByLabel('Participants', exact).press('Enter');
    await coord.getByRole('list', { name: 'Chosen participants' }).getByRole('link', { name: 'Oleksandr Kovalenko' }).waitFor();
    for (const p of [reto, karin, coord]) assertNoErrors(p);
  } finally {
    for (const p of [reto, karin, coord]) await p.context().close();
  }
});
