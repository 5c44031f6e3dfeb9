// A coordinator's notebook at scale: 200,000 realistic records in IndexedDB (contacts, meetings with
// 1 KB of notes, actions), listed, searched, edited and read back after a reload. The lists are
// windowed, so only the rows on the screen are in the page, but each says how long it is.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mix, recordCount, seedStore } from './seed.mjs';
import { DESKTOP, assertNoErrors, closePage, exact, nav, newPage, servedApp } from './helpers.mjs';

const app = servedApp();
const RECORDS = 200_000;
// Start-up reads and decodes every record before the first screen: minutes on a slow CI machine.
const SLOW = { timeout: 600_000 };

test('200,000 records are stored, listed, searched, edited and still there after a reload', { timeout: 1_800_000 }, async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    const { meetings, contacts } = mix(RECORDS);
    const actions = RECORDS - meetings - contacts;
    await page.goto(`${app.server.url}/settings`);
    const { records } = await seedStore(page, { meetings, contacts });
    assert.equal(records, recordCount({ meetings, contacts }));
    assert.equal(records, RECORDS);

    await page.goto(`${app.server.url}/meetings`);
    const meetingList = page.getByRole('list', { name: 'Meetings' });
    const firstMeeting = meetingList.getByRole('listitem').first();
    await firstMeeting.waitFor(SLOW);
    // Only the rows near the screen are in the page, but every row says where it is in the whole list.
    assert.equal(await firstMeeting.getAttribute('aria-setsize'), String(meetings));
    assert.equal(await firstMeeting.getAttribute('aria-posinset'), '1');
    assert.ok((await meetingList.getByRole('listitem').count()) < 200, 'the list renders a window, not every row');
    // End goes to the last meeting, which was not rendered until then.
    await meetingList.getByRole('link').first().focus();
    await page.keyboard.press('End');
    const last = meetingList.locator(`li[aria-posinset="${meetings}"]`);
    await last.waitFor();
    assert.equal(await last.getByRole('link').evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction((n) => document.activeElement?.closest('li')?.getAttribute('aria-posinset') === String(n - 1), meetings);

    await nav(page, 'Contacts');
    const table = page.getByRole('table');
    await table.getByRole('link').first().waitFor(SLOW);
    assert.equal(await table.getAttribute('aria-rowcount'), String(contacts + 1));

    await nav(page, 'Follow-ups');
    // Each group is a windowed list of its own (one far below the screen renders no row until it is
    // scrolled to); their headings' counts add up to every open action.
    const followUps = page.getByRole('list', { name: / follow-ups$/ });
    await followUps.first().getByRole('listitem').first().waitFor(SLOW);
    const first = followUps.first().getByRole('listitem').first();
    const firstGroup = await followUps.first().getAttribute('aria-label');
    const counts = {};
    for (const h of await page.getByRole('heading', { level: 2 }).all()) {
      const m = /^(Overdue|This week|Later) (\d+)/.exec((await h.textContent()).replace(/(\D)(\d)/, '$1 $2'));
      if (m) counts[m[1]] = Number(m[2]);
    }
    assert.equal(await first.getAttribute('aria-setsize'), String(counts[firstGroup.replace(/ follow-ups$/, '')]));
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), actions);
    await page.getByText(new RegExp(`^${actions} open`)).waitFor();

    // Every contact has an email of its own: the search finds exactly one (once the index reaches it).
    const n = contacts - 7;
    const box = page.getByLabel('Search', exact);
    await box.fill(`contact${n}@`);
    const hit = page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
    await hit.first().waitFor(SLOW);
    assert.equal(await hit.count(), 1);
    await box.press('Enter');
    // A contact opens to read; Edit opens the form.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const notes = page.getByLabel('Notes', exact);
    await notes.waitFor();
    const url = page.url();
    assert.match(url, /\/contacts\/[0-9a-f-]{36}\?edit=1$/);
    await notes.fill('Moved to the planning cell in March.');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor(SLOW);

    await page.reload();
    await page.getByLabel('Notes', exact).waitFor(SLOW);
    assert.equal(page.url(), url);
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Moved to the planning cell in March.');
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});
