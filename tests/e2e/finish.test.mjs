// The finishing pass of issue 13: the navigation in one row, drafts that leave no trace, the delete
// dialog and "Recently deleted".
import test from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, TABLET, assertNoErrors, exact, firstStart, nav, screenshot, servedApp, storedEntries, watchPage } from './helpers.mjs';

const app = servedApp();

/** A fresh page of the given size and colour scheme. */
async function open(size, colorScheme = 'light') {
  const context = await app.browser.newContext({ viewport: size, colorScheme });
  return watchPage(await context.newPage());
}

/** The top edge of every item in the main navigation's row. */
function rowTops(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('nav[aria-label="Main"] > *')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => Math.round(el.getBoundingClientRect().top)),
  );
}

for (const width of [1280, 1366, 1440]) {
  test(`the navigation is one row at ${width}x800, with room for a review badge and one more status item`, async () => {
    const page = await open({ width, height: 800 });
    try {
      await firstStart(page, { url: `${app.server.url}/` });
      // Room for the sync status the shell will carry: a status as wide as "Synced 2 min ago".
      await page.evaluate(() => {
        const s = document.createElement('span');
        s.textContent = 'Synced 2 min ago';
        // And a review badge on the Exchange button, as a coordinator with work waiting sees it.
        const badge = document.createElement('span');
        badge.className = 'count';
        badge.textContent = '11';
        document.querySelector('.nav-wide .nav-button').insertBefore(badge, document.querySelector('.nav-wide .chevron'));
        document.querySelector('.topbar-status').prepend(s);
      });
      const tops = await rowTops(page);
      assert.equal(tops.length, 6, 'Dashboard, Meetings, Contacts, Follow-ups, Exchange, Settings');
      assert.equal(new Set(tops).size, 1, `one row, not ${JSON.stringify(tops)}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `nothing runs off the right edge (${overflow}px)`);
      const bar = await page.locator('.topbar').boundingBox();
      assert.ok(bar.height < 70, `the top bar is one line high (${bar.height}px)`);
      assertNoErrors(page);
    } finally {
      await page.context().close();
    }
  });
}

test('the exchange screens sit behind one button that the keyboard opens and Escape closes', async () => {
  const page = await open(DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    const navigation = page.getByRole('navigation', { name: 'Main' });
    const exchange = navigation.getByRole('button', { name: 'Exchange' });
    assert.equal(await exchange.getAttribute('aria-expanded'), 'false');
    await exchange.focus();
    await page.keyboard.press('Enter');
    assert.equal(await exchange.getAttribute('aria-expanded'), 'true');
    // Every exchange screen is there, counts or not: nothing vanishes when a count reaches zero.
    for (const name of ['Import', 'Export', 'Conflicts', 'Duplicates']) {
      await navigation.getByRole('link', { name, exact: true }).waitFor();
    }
    await screenshot(page, 'finish-nav-desktop-light');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Import');
    await page.keyboard.press('Escape');
    assert.equal(await exchange.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Exchange', 'focus goes back to the button');
    await nav(page, 'Export');
    await page.getByRole('heading', { name: 'Export', exact: true }).waitFor();
    assert.equal(await exchange.getAttribute('aria-expanded'), 'false', 'following a link closes the menu');
    assert.match(await exchange.getAttribute('class'), /current/, 'the button shows that Export is behind it');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

for (const scheme of ['light', 'dark']) {
  test(`on a tablet (${scheme}) a visible More holds the exchange screens and Settings, with no sideways scrolling`, async () => {
    const page = await open(TABLET, scheme);
    try {
      await firstStart(page, { url: `${app.server.url}/` });
      const navigation = page.getByRole('navigation', { name: 'Main' });
      const more = navigation.getByRole('button', { name: 'More' });
      await more.waitFor();
      assert.equal(await navigation.getByRole('button', { name: 'Exchange' }).count(), 0);
      const overflow = await page.evaluate(() => {
        const n = document.querySelector('nav[aria-label="Main"]');
        return n.scrollWidth - n.clientWidth;
      });
      assert.ok(overflow <= 0, `the navigation does not scroll sideways (${overflow}px)`);
      await more.click();
      for (const name of ['Import', 'Export', 'Conflicts', 'Duplicates', 'Settings']) {
        await navigation.getByRole('link', { name, exact: true }).waitFor();
      }
      await screenshot(page, `finish-nav-tablet-${scheme}`);
      await navigation.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
      assertNoErrors(page);
    } finally {
      await page.context().close();
    }
  });
}

test('a new record nobody typed into is discarded on leaving, and a new meeting is dated now', async () => {
  const page = await open(DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await page.getByRole('button', { name: 'New meeting' }).click();
    const now = await page.evaluate(() => {
      const d = new Date();
      const p = (n) => String(n).padStart(2, '0');
      return { date: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`, minutes: d.getHours() * 60 + d.getMinutes() };
    });
    assert.equal(await page.getByLabel('Date', exact).inputValue(), now.date);
    const [h, m] = (await page.getByLabel('Start', exact).inputValue()).split(':').map(Number);
    assert.ok(Math.abs(h * 60 + m - now.minutes) <= 1, 'the start is the time the meeting was opened');
    assert.equal(await page.getByText('A meeting needs a title').count(), 0, 'a blank form shows no error');
    await screenshot(page, 'finish-new-meeting-desktop-light');
    await nav(page, 'Meetings');
    await page.getByRole('heading', { name: 'No meetings yet' }).waitFor();
    await nav(page, 'Contacts');
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Name', exact).waitFor();
    await nav(page, 'Contacts');
    await page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'No contacts yet' }).waitFor();
    const records = (await storedEntries(page)).filter(([k]) => k.startsWith('liaison/v1/record/'));
    assert.deepEqual(records, [], 'nothing was stored');
    // One keystroke makes it a record, which leaving keeps.
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Name', exact).fill('Oberst Anna Wöber');
    await nav(page, 'Contacts');
    await page.getByRole('link', { name: 'Oberst Anna Wöber' }).waitFor();
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

for (const scheme of ['light', 'dark']) {
  test(`delete asks with Cancel focused, keeps Tab inside, and Recently deleted restores after a reload (${scheme})`, async () => {
    const page = await open(DESKTOP, scheme);
    try {
      await firstStart(page, { url: `${app.server.url}/` });
      await page.getByRole('button', { name: 'New meeting' }).click();
      await page.getByLabel('Title', exact).fill('Exercise planning with AUT');
      await page.getByRole('button', { name: 'Add action' }).click();
      await page.getByLabel('Action', exact).fill('Send the draft plan');
      await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Its follow-up action goes with it.').waitFor();
      await dialog.getByText(/Recently deleted/).waitFor();
      const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
      assert.equal(await focused(), 'Cancel', 'Enter would not delete');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'Delete');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'Cancel', 'Tab stays inside the dialog');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await focused(), 'Delete');
      await screenshot(page, `finish-delete-dialog-desktop-${scheme}`);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'No meetings yet' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
      await page.reload();
      await nav(page, 'Settings');
      await page.getByRole('link', { name: 'Recently deleted' }).click();
      const item = page.getByRole('list', { name: 'Recently deleted' }).getByRole('listitem');
      await item.getByText('Exercise planning with AUT').waitFor();
      await item.getByText(/with its follow-up action/).waitFor();
      await screenshot(page, `finish-trash-desktop-${scheme}`);
      await item.getByRole('button', { name: 'Restore “Exercise planning with AUT”' }).click();
      await page.getByRole('heading', { name: 'Nothing deleted recently' }).waitFor();
      await nav(page, 'Follow-ups');
      await page.getByText('Send the draft plan').waitFor();
      await nav(page, 'Meetings');
      await page.getByRole('link', { name: /Exercise planning with AUT/ }).waitFor();
      assertNoErrors(page);
    } finally {
      await page.context().close();
    }
  });
}

for (const [size, label] of [[DESKTOP, 'desktop'], [TABLET, 'tablet']]) {
  test(`the welcome cannot be skipped and suggests a device label, so only a name is needed (${label})`, async () => {
    for (const scheme of ['light', 'dark']) {
      const page = await open(size, scheme);
      try {
        await page.goto(`${app.server.url}/export`);
        await page.getByRole('heading', { name: 'Welcome to Liaison' }).waitFor();
        assert.equal(new URL(page.url()).pathname, '/settings', 'a deep link waits for the welcome');
        assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0, 'no way around it');
        assert.match(await page.getByLabel('Device label', exact).inputValue(), /^Chrome on Linux$/);
        const start = page.getByRole('button', { name: 'Start using Liaison' });
        assert.equal(await start.isDisabled(), true, 'the officer must give a name first');
        await screenshot(page, `finish-welcome-${label}-${scheme}`);
        await page.getByLabel('Officer name', exact).fill('Lt Col Ana Ruiz');
        await start.click();
        await page.getByRole('heading', { name: 'Meetings', exact: true }).waitFor();
        await page.getByRole('navigation', { name: 'Main' }).waitFor();
        assertNoErrors(page);
      } finally {
        await page.context().close();
      }
    }
  });
}
