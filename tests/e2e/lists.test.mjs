// The lists of issue 13: Follow-ups in groups with filters that live in the address and "Show completed";
// the contacts list sorted by any column, with "Last met" and a count; a contact's page that reads first,
// with Edit, and phone and email as links a finger can hit. Screenshots of the three screens at laptop
// and tablet size, light and dark.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, TABLET, assertNoErrors, exact, firstStart, nav, screenshot, servedApp, watchPage } from './helpers.mjs';

const app = servedApp();
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The local date `offset` days from today, as `YYYY-MM-DD` and as the app shows it ("14 Mar 2026"). */
function day(offset) {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  const iso = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return { iso, human: `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}` };
}

let page;

async function saved() {
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
}

async function newContact({ name, organisation, nation, email, phone }) {
  await nav(page, 'Contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Name', exact).fill(name);
  await page.getByLabel('Organisation', exact).fill(organisation);
  await page.getByLabel('Nation', exact).fill(nation);
  if (email) await page.getByLabel('Email', exact).fill(email);
  if (phone) await page.getByLabel('Phone', exact).fill(phone);
  await saved();
}

async function newMeeting({ title, date, participant, actions }) {
  await nav(page, 'Meetings');
  await page.getByRole('button', { name: 'New meeting' }).click();
  await page.getByLabel('Title', exact).fill(title);
  await page.getByLabel('Date', exact).fill(date);
  await page.getByLabel('Participants', exact).fill(participant.slice(0, 6));
  await page.getByRole('button', { name: `Add ${participant}` }).click();
  for (const { text, owner, due, done } of actions) {
    await page.getByRole('button', { name: 'Add action' }).click();
    await page.getByLabel('Action', exact).last().fill(text);
    await page.getByLabel('Owner', exact).last().fill(owner);
    await page.getByLabel('Due', exact).last().fill(due);
    if (done) await page.getByLabel('Done', exact).last().check();
  }
  await saved();
}

let made;
/** The page and its records, made once for every test of this file (after `servedApp` has started). */
function ready() {
  made ??= makeRecords();
  return made;
}

async function makeRecords() {
  const context = await app.browser.newContext({ viewport: DESKTOP });
  page = watchPage(await context.newPage());
  await firstStart(page, { url: `${app.server.url}/` });
  await newContact({ name: 'Hptm Anna Wöber', organisation: 'Bundesheer', nation: 'AUT', email: 'anna.woeber@bmlv.gv.at', phone: '+43 1 5200 12345' });
  await newContact({ name: 'Maj Ben Hale', organisation: 'British Army', nation: 'GBR' });
  await newContact({ name: 'Capitaine Élise Martin', organisation: 'Armée de Terre', nation: 'FRA' });
  await newMeeting({
    title: 'Staff talks',
    date: day(-2).iso,
    participant: 'Hptm Anna Wöber',
    actions: [
      { text: 'Send the draft plan', owner: 'Lt Col Ana Ruiz', due: day(-1).iso },
      { text: 'Book the interpreter', owner: 'Hptm Anna Wöber', due: day(2).iso },
    ],
  });
  await newMeeting({
    title: 'Site visit',
    date: day(-30).iso,
    participant: 'Maj Ben Hale',
    actions: [
      { text: 'Share the map pack', owner: 'Maj Ben Hale', due: day(20).iso },
      { text: 'Confirm the parking', owner: 'Lt Col Ana Ruiz', due: day(-3).iso, done: true },
    ],
  });
}

after(async () => {
  await page?.context().close();
});

/** The action texts a group lists, in order. */
function group(name) {
  return page.getByRole('list', { name: `${name} follow-ups` }).locator('.row-title').allInnerTexts();
}

/** The groups shown, in order, by their lists' names. */
function groupsShown() {
  return page.getByRole('list').evaluateAll((ls) => ls.map((l) => l.getAttribute('aria-label')).filter((n) => n?.endsWith(' follow-ups')));
}

test('follow-ups are grouped into Overdue, This week and Later with their counts, completed ones only on request', async () => {
  await ready();
  await nav(page, 'Follow-ups');
  await page.getByRole('list', { name: 'Overdue follow-ups' }).waitFor();
  assert.deepEqual(await group('Overdue'), ['Send the draft plan']);
  assert.deepEqual(await group('This week'), ['Book the interpreter']);
  assert.deepEqual(await group('Later'), ['Share the map pack']);
  assert.deepEqual(await groupsShown(), ['Overdue follow-ups', 'This week follow-ups', 'Later follow-ups']);
  await page.getByRole('heading', { name: `This week 1 action until ${day(6).human}` }).waitFor();
  await page.getByText('3 open, 1 overdue').waitFor();

  await page.getByLabel('Show completed', exact).check();
  await page.waitForURL(/\/follow-ups\?completed=1$/);
  assert.deepEqual(await group('Completed'), ['Confirm the parking']);
  const reopen = page.getByRole('button', { name: 'Reopen: Confirm the parking' });
  await reopen.waitFor();
  await page.getByLabel('Show completed', exact).uncheck();
  await page.waitForURL(/\/follow-ups$/);
  assert.equal(await page.getByRole('list', { name: 'Completed follow-ups' }).count(), 0);
  assertNoErrors(page);
});

test('the follow-up filters (mine, owner, nation, meeting) narrow the groups and live in the address', async () => {
  await ready();
  await nav(page, 'Follow-ups');
  await page.getByLabel('Mine', exact).check();
  await page.waitForURL(/\?mine=1$/);
  assert.deepEqual(await group('Overdue'), ['Send the draft plan']);
  assert.equal(await page.getByRole('list', { name: 'Later follow-ups' }).count(), 0);
  await page.getByText('1 of 3 open, 1 overdue').waitFor();
  await page.getByLabel('Mine', exact).uncheck();

  await page.getByLabel('Owner', exact).selectOption('Maj Ben Hale');
  await page.waitForURL(/\?owner=Maj%20Ben%20Hale$/);
  assert.deepEqual(await group('Later'), ['Share the map pack']);
  await page.reload();
  await page.getByRole('list', { name: 'Later follow-ups' }).waitFor();
  assert.equal(await page.getByLabel('Owner', exact).inputValue(), 'Maj Ben Hale');
  assert.equal(await page.getByRole('list', { name: 'Overdue follow-ups' }).count(), 0);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL(/\/follow-ups$/);

  // A meeting is with Austria when an Austrian takes part in it.
  await page.getByLabel('Nation', exact).selectOption('AUT');
  await page.waitForURL(/\?nation=AUT$/);
  assert.deepEqual(await group('Overdue'), ['Send the draft plan']);
  assert.deepEqual(await group('This week'), ['Book the interpreter']);
  assert.equal(await page.getByRole('list', { name: 'Later follow-ups' }).count(), 0);
  await page.getByLabel('Nation', exact).selectOption('');

  const visit = await page.getByRole('option', { name: /Site visit/ }).getAttribute('value');
  await page.getByLabel('Meeting', exact).selectOption(visit);
  await page.waitForURL(new RegExp(`\\?meeting=${visit}$`));
  assert.deepEqual(await group('Later'), ['Share the map pack']);
  await page.getByLabel('Mine', exact).check();
  await page.getByRole('heading', { name: 'No follow-ups match these filters' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Nothing to follow up' }).count(), 0, 'one empty state, not two');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('list', { name: 'Overdue follow-ups' }).waitFor();
  assertNoErrors(page);
});

test('an action\'s owner is offered from the officers and the contacts, and other text stays as typed', async () => {
  await ready();
  await nav(page, 'Meetings');
  await page.getByRole('link', { name: /Site visit/ }).click();
  const owner = page.getByLabel('Owner', exact).first();
  const list = await owner.getAttribute('list');
  const offered = await page.locator(`datalist#${list} option`).evaluateAll((os) => os.map((o) => o.value));
  for (const name of ['Lt Col Ana Ruiz', 'Hptm Anna Wöber', 'Maj Ben Hale', 'Capitaine Élise Martin']) {
    assert.ok(offered.includes(name), `${name} in ${JSON.stringify(offered)}`);
  }
  await owner.fill('The embassy');
  await saved();
  await page.reload();
  assert.equal(await page.getByLabel('Owner', exact).first().inputValue(), 'The embassy');
  await page.getByLabel('Owner', exact).first().fill('Maj Ben Hale');
  await saved();
  assertNoErrors(page);
});

/** The contacts' names in the order the table shows them. */
function names() {
  return page.getByRole('table').getByRole('link').allInnerTexts();
}

test('the contacts list sorts by any column from its headings, shows when each was last met, and counts', async () => {
  await ready();
  await nav(page, 'Contacts');
  await page.getByText('3 contacts', exact).waitFor();
  const header = (name) => page.getByRole('columnheader', { name });
  assert.equal(await header('Name').getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(await names(), ['Capitaine Élise Martin', 'Hptm Anna Wöber', 'Maj Ben Hale']);

  await page.getByRole('button', { name: 'Last met' }).click();
  await page.waitForURL(/\/contacts\?sort=last-met&dir=desc$/);
  assert.equal(await header('Last met').getAttribute('aria-sort'), 'descending');
  assert.equal(await header('Name').getAttribute('aria-sort'), 'none');
  assert.deepEqual(await names(), ['Hptm Anna Wöber', 'Maj Ben Hale', 'Capitaine Élise Martin']);
  const row = (name) => page.getByRole('row').filter({ has: page.getByRole('link', { name }) });
  await row('Hptm Anna Wöber').getByRole('cell', { name: day(-2).human }).waitFor();
  await row('Maj Ben Hale').getByRole('cell', { name: day(-30).human }).waitFor();
  await row('Capitaine Élise Martin').getByRole('cell', { name: 'Not met yet' }).waitFor();

  // The headings are buttons: the keyboard sorts too, and a second press turns the order round.
  await page.getByRole('button', { name: 'Organisation' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/sort=org&dir=asc$/);
  assert.deepEqual(await names(), ['Capitaine Élise Martin', 'Maj Ben Hale', 'Hptm Anna Wöber']);
  await page.keyboard.press('Space');
  await page.waitForURL(/sort=org&dir=desc$/);
  assert.equal(await header('Organisation').getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await names(), ['Hptm Anna Wöber', 'Maj Ben Hale', 'Capitaine Élise Martin']);

  // A filter keeps the order, and the count says how many of all are shown.
  await page.getByLabel('Nation', exact).selectOption('AUT');
  await page.waitForURL(/\/contacts\?nation=AUT&sort=org&dir=desc$/);
  await page.getByText('1 of 3 contacts', exact).waitFor();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL(/\/contacts\?sort=org&dir=desc$/);
  await page.getByText('3 contacts', exact).waitFor();
  assertNoErrors(page);
});

test('a contact opens to read, with phone and email as links, and Edit opens the form', async () => {
  await ready();
  await nav(page, 'Contacts');
  await page.getByRole('table').getByRole('link', { name: 'Hptm Anna Wöber' }).click();
  await page.getByRole('heading', { name: 'Hptm Anna Wöber' }).waitFor();
  assert.equal(await page.getByLabel('Name', exact).count(), 0, 'no form in the read view');
  const details = page.getByRole('definition');
  await details.filter({ hasText: 'Bundesheer' }).waitFor();
  const email = page.getByRole('link', { name: 'anna.woeber@bmlv.gv.at' });
  assert.equal(await email.getAttribute('href'), 'mailto:anna.woeber@bmlv.gv.at');
  const phone = page.getByRole('link', { name: '+43 1 5200 12345' });
  assert.equal(await phone.getAttribute('href'), 'tel:+431520012345');
  await page.getByText(`Last met ${day(-2).human}`).waitFor();

  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}\?edit=1$/);
  assert.equal(await page.getByLabel('Name', exact).inputValue(), 'Hptm Anna Wöber');
  await page.getByLabel('Role', exact).fill('Liaison officer');
  await saved();
  await page.reload();
  assert.equal(await page.getByLabel('Role', exact).inputValue(), 'Liaison officer', 'a reload stays in the form');
  await page.getByRole('button', { name: 'Done editing' }).click();
  await details.filter({ hasText: 'Liaison officer' }).waitFor();
  await page.goBack();
  await page.getByLabel('Role', exact).waitFor();
  await page.goForward();
  await page.getByRole('button', { name: 'Edit', exact: true }).waitFor();

  // On the tablet the links are big enough for a finger.
  await page.setViewportSize(TABLET);
  for (const link of [email, phone]) {
    const box = await link.boundingBox();
    assert.ok(box.height >= 44 && box.width >= 44, `${await link.innerText()}: ${box.width}x${box.height}`);
  }
  await page.setViewportSize(DESKTOP);

  // A new contact still opens straight into the form, its name focused.
  await nav(page, 'Contacts');
  await page.getByRole('button', { name: 'New contact' }).click();
  const name = page.getByLabel('Name', exact);
  await name.waitFor();
  assert.equal(await name.evaluate((el) => el === document.activeElement), true);
  await nav(page, 'Contacts');
  await page.getByText('3 contacts', exact).waitFor();
  assertNoErrors(page);
});

test('screenshots of follow-ups, the contacts list and a contact page, laptop and tablet, light and dark', async () => {
  await ready();
  for (const [size, viewport] of [['desktop', DESKTOP], ['tablet', TABLET]]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${app.server.url}/follow-ups?completed=1`);
      await page.getByRole('list', { name: 'Completed follow-ups' }).waitFor();
      await screenshot(page, `lists-${size}-${scheme}-follow-ups`);
      await page.goto(`${app.server.url}/contacts?sort=last-met&dir=desc`);
      await page.getByRole('table').getByRole('link').first().waitFor();
      await screenshot(page, `lists-${size}-${scheme}-contacts`);
      await page.getByRole('table').getByRole('link', { name: 'Hptm Anna Wöber' }).click();
      await page.getByRole('link', { name: 'anna.woeber@bmlv.gv.at' }).waitFor();
      await screenshot(page, `lists-${size}-${scheme}-contact-page`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  assertNoErrors(page);
});
