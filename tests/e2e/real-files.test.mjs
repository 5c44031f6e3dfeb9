// The files officers actually bring, imported in the browser: a spreadsheet of contacts from Outlook, a
// Japanese phone's vCard in Shift_JIS (decoded by the browser's TextDecoder), and an invitation from New
// York that lands at the officer's local time in Vienna (the browser's own zone and Intl).
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DESKTOP, assertNoErrors, exact, firstStart, nav, screenshot, servedApp, watchPage } from './helpers.mjs';

const app = servedApp();

async function officerInVienna() {
  const context = await app.browser.newContext({ viewport: DESKTOP, timezoneId: 'Europe/Vienna' });
  const page = watchPage(await context.newPage());
  return firstStart(page, { url: `${app.server.url}/`, officer: 'Hptm Anna Gruber', label: 'Laptop' });
}

async function importFile(page, file, kind) {
  await nav(page, 'Import');
  await page.getByLabel('Choose bundle files').setInputFiles([file]);
  const card = page.locator('.preview-card').filter({ hasText: kind });
  await card.waitFor();
  return card;
}

test('an Outlook spreadsheet of contacts imports with its columns mapped, and a second import changes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-csv-'));
  const file = join(dir, 'outlook-contacts.csv');
  await writeFile(
    file,
    'Title,First Name,Last Name,Company,Job Title,E-mail Address,Mobile Phone,Categories,Birthday\r\n' +
      'Dr.,Anna,Berg,BMLV,Oberst,anna.berg@bmlv.example,+43 664 123,Partners,1.1.1970\r\n' +
      ',Jürgen,Müller,Bundesheer,Major,j.mueller@example.at,,,\r\n',
  );
  const page = await officerInVienna();
  try {
    const card = await importFile(page, file, 'CSV file');
    const [created] = await card.getByRole('definition').allInnerTexts();
    assert.equal(created, '2');
    await card.getByText(/not kept: Birthday/).waitFor();
    await screenshot(page, 'desktop-import-outlook-csv');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 1 file: 2 new, 0 updated.' }).waitFor();
    await nav(page, 'Contacts');
    await page.getByRole('link', { name: 'Dr. Anna Berg' }).click();
    // A contact opens to read; Edit opens the form.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    assert.equal(await page.getByLabel('Organisation', exact).inputValue(), 'BMLV');
    assert.equal(await page.getByLabel('Title', exact).inputValue(), 'Oberst');
    const again = await importFile(page, file, 'CSV file');
    const [, , unchanged] = await again.getByRole('definition').allInnerTexts();
    assert.equal(unchanged, '2');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});

test('a Japanese phone\'s Shift_JIS vCard and a New York invitation read as their writers meant them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-real-'));
  const vcf = join(dir, 'phone.vcf');
  // 安藤 ロイド in Shift_JIS, as AOSP's vCard 2.1 tests write it.
  const name = Buffer.from([0x88, 0xc0, 0x93, 0xa1, 0x20, 0x83, 0x8d, 0x83, 0x43, 0x83, 0x68]);
  await writeFile(
    vcf,
    Buffer.concat([
      Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:'),
      name,
      Buffer.from('\r\nTEL;CELL:090-1234-5678\r\nEND:VCARD\r\n'),
    ]),
  );
  const ics = join(dir, 'invite.ics');
  await writeFile(
    ics,
    'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n' +
      'BEGIN:VEVENT\r\nUID:un-briefing@google.com\r\nDTSTART;TZID=America/New_York:20260310T090000\r\n' +
      'DTEND;TZID=America/New_York:20260310T103000\r\nSUMMARY:UN briefing\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
  );
  const page = await officerInVienna();
  try {
    await importFile(page, vcf, 'vCard file');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 1 file' }).waitFor();
    await nav(page, 'Contacts');
    await page.getByRole('link', { name: '安藤 ロイド' }).waitFor();

    await importFile(page, ics, 'iCalendar file');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 1 file' }).waitFor();
    await nav(page, 'Meetings');
    await page.getByRole('link', { name: /UN briefing/ }).click();
    // 09:00 in New York on 10 March 2026 (EDT, from 8 March) is 14:00 in Vienna (CET).
    assert.equal(await page.getByLabel('Date', exact).inputValue(), '2026-03-10');
    assert.equal(await page.getByLabel('Start', exact).inputValue(), '14:00');
    assert.equal(await page.getByLabel('End', exact).inputValue(), '15:30');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
