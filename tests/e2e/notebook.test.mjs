// The officer's notebook, end to end, against the release build: real user flows with accessible
// locators and the screen words of DESIGN.md.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, assertNoErrors, closePage, exact, firstStart, newPage, putStored, servedApp, storedEntries, storedValue, watchPage } from './helpers.mjs';

const app = servedApp();

async function newContact(page, name) {
  await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click();
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Name', exact).fill(name);
}

test('an officer records a contact, a meeting and a follow-up, and everything survives a reload', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });

    await newContact(page, 'Oberst Jürgen Müller');
    await page.getByLabel('Title', exact).fill('Colonel');
    await page.getByLabel('Organisation', exact).fill('Austrian Armed Forces');
    await page.getByLabel('Nation', exact).fill('AUT');
    await page.getByLabel('Email', exact).fill('j.mueller@example.at');
    await page.getByLabel('Marking', exact).fill('RESTRICTED');

    await page.getByRole('navigation').getByRole('link', { name: 'Meetings' }).click();
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByLabel('Title', exact).fill('Exercise planning with AUT');
    await page.getByLabel('Date', exact).fill('2026-11-20');
    await page.getByLabel('Start', exact).fill('09:30');
    await page.getByLabel('End', exact).fill('11:00');
    await page.getByLabel('Location', exact).fill('Room 4.12');
    await page.getByLabel('Participants', exact).fill('Müll');
    await page.getByRole('button', { name: 'Add Oberst Jürgen Müller' }).click();
    await page.getByLabel('Notes', exact).fill('Agreed to share the draft plan.');
    await page.getByRole('button', { name: 'Add action' }).click();
    await page.getByLabel('Action', exact).fill('Send the draft plan');
    await page.getByLabel('Due', exact).fill('2026-12-01');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();

    await page.reload();
    await page.getByLabel('Title', exact).waitFor();
    assert.equal(await page.getByLabel('Title', exact).inputValue(), 'Exercise planning with AUT');
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Agreed to share the draft plan.');
    assert.equal(await page.getByLabel('Action', exact).inputValue(), 'Send the draft plan');
    await page.getByRole('link', { name: 'Oberst Jürgen Müller' }).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: 'Meetings' }).click();
    const row = page.getByRole('list', { name: 'Meetings' }).getByRole('listitem');
    await assert.doesNotReject(row.filter({ hasText: 'Exercise planning with AUT' }).filter({ hasText: 'Oberst Jürgen Müller' }).waitFor());
    assert.match(await row.innerText(), /20 Nov 2026/);

    await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'Oberst Jürgen Müller' }).click();
    await page.getByText('Last met 20 Nov 2026').waitFor();
    await page.getByRole('complementary').getByRole('link', { name: /Exercise planning with AUT/ }).waitFor();

    // Follow-ups: one click marks it done, and Undo brings it back.
    await page.getByRole('navigation').getByRole('link', { name: 'Follow-ups' }).click();
    await page.getByText('Send the draft plan').waitFor();
    await page.getByRole('button', { name: 'Mark done: Send the draft plan' }).click();
    await page.getByRole('heading', { name: 'Nothing to follow up' }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Send the draft plan').waitFor();
    await page.getByRole('button', { name: 'Mark done: Send the draft plan' }).click();
    await page.getByRole('heading', { name: 'Nothing to follow up' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Nothing to follow up' }).waitFor();

    // Delete asks first, then offers Undo.
    await page.getByRole('navigation').getByRole('link', { name: 'Meetings' }).click();
    await page.getByRole('link', { name: /Exercise planning with AUT/ }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete this meeting?').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByLabel('Title', exact).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'No meetings yet' }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('link', { name: /Exercise planning with AUT/ }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: /Exercise planning with AUT/ }).waitFor();
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});

test('a second tab sees a contact made in the first without a reload', async () => {
  const first = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(first, { url: `${app.server.url}/` });
    const second = watchPage(await first.context().newPage());
    await second.goto(`${app.server.url}/contacts`);
    await second.getByRole('heading', { name: 'No contacts yet' }).waitFor();

    await newContact(first, 'Capitaine Élise Martin');
    await second.getByRole('link', { name: 'Capitaine Élise Martin' }).waitFor();

    // And an edit in the second tab reaches the first.
    await second.getByRole('link', { name: 'Capitaine Élise Martin' }).click();
    // A contact opens to read; Edit opens the form.
    await second.getByRole('button', { name: 'Edit', exact: true }).click();
    await second.getByLabel('Nation', exact).fill('FRA');
    await first.getByLabel('Nation', exact).waitFor();
    await assert.doesNotReject(async () => {
      for (let i = 0; i < 50 && (await first.getByLabel('Nation', exact).inputValue()) !== 'FRA'; i++) {
        await first.waitForTimeout(100);
      }
      assert.equal(await first.getByLabel('Nation', exact).inputValue(), 'FRA');
    });
    assertNoErrors(second);
    assertNoErrors(first);
  } finally {
    await closePage(first);
  }
});

test('a half-typed note survives a reload in the middle of typing', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByLabel('Title', exact).fill('Corridor talk');
    await page.getByLabel('Notes', exact).pressSequentially('They asked about the convoy sched', { delay: 5 });
    await page.reload();
    await page.getByLabel('Notes', exact).waitFor();
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'They asked about the convoy sched');
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});

test('the notebook can be used from the keyboard alone', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    // Focus the "New meeting" button by tabbing, as a keyboard user would.
    let focused = '';
    for (let i = 0; i < 20 && focused !== 'New meeting'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    }
    assert.equal(focused, 'New meeting');
    await page.keyboard.press('Enter');
    // The new meeting's title has the focus.
    await page.keyboard.type('Keyboard-only meeting');
    assert.equal(await page.getByLabel('Title', exact).inputValue(), 'Keyboard-only meeting');
    // Participants: Enter creates a contact from what was typed.
    await page.getByLabel('Participants', exact).focus();
    await page.keyboard.type('Maj Piotr Nowak');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Maj Piotr Nowak' }).waitFor();
    // Delete through the dialog with the keyboard: the dialog focuses Cancel, so Enter never deletes; Escape cancels.
    await page.getByRole('button', { name: 'Delete' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    assert.equal(await page.getByLabel('Title', exact).inputValue(), 'Keyboard-only meeting');
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});

test('validation explains what is wrong, next to the field, and keeps what was typed', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await page.getByRole('button', { name: 'New meeting' }).click();
    // A blank form greets nobody with an error: a field's problem shows once the officer leaves it.
    await page.getByLabel('Title', exact).focus();
    assert.equal(await page.getByText('A meeting needs a title').count(), 0);
    await page.keyboard.press('Tab');
    await page.getByText('A meeting needs a title').waitFor();
    await page.getByLabel('Title', exact).fill('Late start');
    await page.getByLabel('Start', exact).fill('14:00');
    await page.getByLabel('End', exact).fill('13:30');
    // Leaving End shows its problem (Tab inside a time input only moves between its hour and minutes).
    await page.getByLabel('End', exact).focus();
    await page.getByLabel('Location', exact).focus();
    await page.getByText('The meeting ends (13:30) before it starts (14:00)').waitFor();
    await newContact(page, 'Someone');
    await page.getByLabel('Email', exact).fill('someone.example.org');
    await page.keyboard.press('Tab');
    await page.getByText('“someone.example.org” needs an @').waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('Email', exact).inputValue(), 'someone.example.org');
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});

test('a corrupt stored entry is set aside and reported, and the app starts with the rest', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await newContact(page, 'Kept Contact');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await putStored(page, 'liaison/v1/record/0190aaaa-0000-7000-8000-000000000000', '{"id": tru');
    await page.goto(`${app.server.url}/contacts`);
    const alert = page.getByRole('alert').filter({ hasText: 'could not be read' });
    await alert.waitFor();
    await page.getByRole('link', { name: 'Kept Contact' }).waitFor();
    assert.equal(await storedValue(page, 'liaison/v1/quarantine/record/0190aaaa-0000-7000-8000-000000000000'), '{"id": tru');
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await page.reload();
    await page.getByRole('link', { name: 'Kept Contact' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'reported once');
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});

/**
 * Writes 1 KB into a database of its own beside the app's, once a second, until the browser refuses a
 * write; returns the name of the refusal (at most 60 tries).
 */
function refusedWrite(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('quota-probe', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('kv');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      for (let i = 0; i < 60; i++) {
        const refused = await new Promise((resolve) => {
          const tx = db.transaction('kv', 'readwrite', { durability: 'strict' });
          tx.objectStore('kv').put(`${i}`.padEnd(1024, '.'), i);
          tx.oncomplete = () => resolve(null);
          tx.onabort = () => resolve(tx.error?.name ?? 'AbortError');
        });
        if (refused) return refused;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return 'never refused';
    } finally {
      db.close();
    }
  });
}

test('when storage is full the edit stays on screen, the officer is told, and it saves once space is freed', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByLabel('Title', exact).fill('Before the disk filled');
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    // IndexedDB's quota is a share of the disk: it is lowered below what the origin uses, through the
    // DevTools protocol. Chromium goes on granting writes from the room it last heard of for up to 30 s,
    // so the test waits until the browser refuses a write of its own, as it refuses on a full disk.
    const cdp = await page.context().newCDPSession(page);
    const origin = new URL(app.server.url).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
    assert.equal(await refusedWrite(page), 'QuotaExceededError');
    await page.getByLabel('Notes', exact).fill('Typed while storage was full');
    await page.getByRole('alert').filter({ hasText: 'could not be saved: browser storage is full' }).waitFor();
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Typed while storage was full');
    const stored = (await storedEntries(page)).filter(([k]) => k.startsWith('liaison/v1/record/')).map(([, v]) => JSON.parse(v));
    assert.ok(stored.some((r) => r.fields?.title?.e?.[0]?.v === 'Before the disk filled'), 'stored data stays readable');

    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.getByRole('alert').getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('Notes', exact).inputValue(), 'Typed while storage was full');
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});

test('every screen has its own address, and the back button works', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await page.getByRole('navigation').getByRole('link', { name: 'Follow-ups' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    assert.match(page.url(), /\/settings$/);
    await page.goBack();
    assert.match(page.url(), /\/follow-ups$/);
    await page.getByRole('heading', { name: 'Follow-ups' }).waitFor();
    await page.goto(`${app.server.url}/meetings/not-a-meeting`);
    await page.getByRole('heading', { name: 'Meeting not found' }).waitFor();
    await page.goto(`${app.server.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    assertNoErrors(page);
  } finally {
    await closePage(page);
  }
});
