// A printed report carries its marking at the top and bottom of every sheet, who printed it and when,
// and "Page n of m". The PDF Chromium prints is read back page by page with poppler's pdftotext.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DESKTOP, SCREENSHOTS, assertNoErrors, exact, firstStart, nav, newPage, screenshot, servedApp } from './helpers.mjs';

const app = servedApp();
const run = promisify(execFile);

/** The text of each page of a PDF file, in reading order. */
async function pdfPages(path) {
  const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-']);
  // pdftotext ends every page with a form feed.
  return stdout.split('\f').slice(0, -1);
}

test('a four-page report prints its marking at the top and bottom of every page, who printed it, and page n of m', async () => {
  const page = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(page, { url: `${app.server.url}/` });
    await nav(page, 'Contacts');
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Name', exact).fill('Oberst Jürgen Müller');
    await page.getByLabel('Marking', exact).fill('RESTRICTED');
    await nav(page, 'Meetings');
    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.getByLabel('Title', exact).fill('Exercise planning with AUT');
    await page.getByLabel('Marking', exact).fill('UNCLASSIFIED');
    await page.getByLabel('Participants', exact).fill('Müll');
    await page.getByRole('button', { name: 'Add Oberst Jürgen Müller' }).click();
    const line = 'Agreed to share the draft plan for the exercise, host-nation support and the rotation.';
    await page.getByLabel('Notes', exact).fill(Array.from({ length: 150 }, (_, i) => `${i + 1}. ${line}`).join('\n'));
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();

    await page.emulateMedia({ media: 'print' });
    await mkdir(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, 'print-four-pages.pdf');
    await page.pdf({ format: 'A4', path });
    const pages = await pdfPages(path);
    assert.ok(pages.length >= 4, `the report fills at least four pages (${pages.length})`);
    pages.forEach((text, i) => {
      const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
      const n = i + 1;
      // The meeting is UNCLASSIFIED, but it names a RESTRICTED participant: every sheet says RESTRICTED.
      assert.equal(lines[0], 'RESTRICTED', `page ${n} starts with the marking: ${lines.slice(0, 2)}`);
      assert.ok(lines.slice(-4).includes('RESTRICTED'), `page ${n} ends with the marking: ${lines.slice(-4)}`);
      assert.match(text, /Printed by Lt Col Ana Ruiz on \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/, `page ${n} says who printed it`);
      assert.match(text, new RegExp(`Page ${n} of ${pages.length}`), `page ${n} is numbered`);
      assert.doesNotMatch(text, /UNCLASSIFIED/, `page ${n} carries no lower marking`);
    });
    await page.emulateMedia({ media: 'screen' });
    await screenshot(page, 'print-source-meeting');
    assertNoErrors(page);
  } finally {
    await page.context().close();
  }
});
