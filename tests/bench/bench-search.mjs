// Benchmark: search latency per keystroke in Chromium with 10,000 contacts and 10,000 meetings in the app.
//
//   cargo run --release -p liaison-cli --example search_data -- target/search-data 10000
//   node tests/bench/bench-search.mjs target/search-data
//   node tests/bench/bench-search.mjs 2000 2000        (a .vcf and an .ics made here instead)
//
// The data goes in through the Import screen: bundles from a directory (fast), or a .vcf of contacts and
// an .ics of meetings. 20,000 records exceed localStorage, so the app keeps them in memory and says it
// cannot save: the measurement is of search, not storage. Then each prefix of several names is typed into the Search
// box; a keystroke is timed from the input event to the rendered results (Leptos updates the DOM
// synchronously within the event). Prints median and 95th percentile, and the JS heap before and after
// the index is built.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../e2e/server.mjs';
import { DESKTOP, DIST, firstStart, launchBrowser, nav } from '../e2e/helpers.mjs';

import { readdir } from 'node:fs/promises';
const bundleDir = process.argv[2] && Number.isNaN(Number(process.argv[2])) ? process.argv[2] : null;
const [contacts = 10000, meetings = 10000] = bundleDir ? [] : process.argv.slice(2).map(Number);
const FIRST = ['Anna', 'Jürgen', 'Élise', 'Piotr', 'Ingrid', 'Marco', 'Lucía', 'Sven', 'Zoë', 'Mehmet', 'Мария', 'Ελένη'];
const LAST = ['Müller', 'Martin', 'Nowak', 'Hansen', 'Rossi', 'García', 'de Vries', 'Lindqvist', 'Yılmaz', 'Иванова', 'Παπαδοπούλου'];
const NATIONS = ['AUT', 'CHE', 'FRA', 'DEU', 'POL', 'NOR', 'ITA', 'ESP', 'NLD', 'SWE'];
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (a) => a[Math.floor(rnd() * a.length)];

const dir = await mkdtemp(join(tmpdir(), 'liaison-search-'));
let files;
if (bundleDir) {
  files = (await readdir(bundleDir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(bundleDir, f));
} else {
const vcf = [];
for (let i = 0; i < contacts; i++) {
  vcf.push(['BEGIN:VCARD', 'VERSION:4.0', `FN:${pick(FIRST)} ${pick(LAST)} ${i}`, `ORG:${pick(['Joint Staff', 'Army Command', 'Embassy'])}`, `TITLE:${pick(['Colonel', 'Major', 'Captain'])}`, `EMAIL:c${i}@example.org`, `NOTE:Met at the staff conference in ${pick(NATIONS)}.`, 'END:VCARD'].join('\r\n'));
}
await writeFile(join(dir, 'contacts.vcf'), vcf.join('\r\n') + '\r\n');
const notes = 'Discussed the exercise schedule and host-nation support. '.repeat(8);
const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//EN'];
for (let i = 0; i < meetings; i++) {
  const d = new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 330) * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
  ics.push('BEGIN:VEVENT', `UID:bench-${i}@example.org`, `DTSTAMP:20261101T000000Z`, `DTSTART:${d}T0900${'00'}`, `DTEND:${d}T1000${'00'}`, `SUMMARY:${pick(['Staff talks', 'Planning meeting', 'Working lunch'])} with ${pick(NATIONS)} ${i}`, `LOCATION:Room ${i % 50}`, `DESCRIPTION:${notes}`, 'END:VEVENT');
}
ics.push('END:VCALENDAR');
await writeFile(join(dir, 'meetings.ics'), ics.join('\r\n') + '\r\n');
files = [join(dir, 'contacts.vcf'), join(dir, 'meetings.ics')];
}

const server = await startServer({ root: DIST });
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
const cdp = await page.context().newCDPSession(page);
const heap = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize / 1048576;
await firstStart(page, { url: `${server.url}/`, officer: 'Col Clara Weiss', label: 'Coordinator laptop' });
await nav(page, 'Import');
await page.getByLabel('Choose bundle files').setInputFiles(files);
await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor({ timeout: 1_800_000 });
await page.getByRole('button', { name: 'Import', exact: true }).click({ timeout: 600_000 });
await page.getByText(/Imported \d+ files/).first().waitFor({ timeout: 1_800_000 });
const records = await page.evaluate(() => document.querySelectorAll('nav').length);
await cdp.send('HeapProfiler.collectGarbage');
const heapAfter = await heap();

const words = ['Müller', 'mull', 'Иванова', 'planning', 'host-nation', 'Παπαδ', 'lindq', 'embassy'];
const times = await page.evaluate(async (words) => {
  const box = document.getElementById('search');
  // Leptos runs its effects after the event, in a microtask; a message-channel task runs after them.
  const settled = () => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
  box.focus();
  const out = [];
  for (const w of words) {
    for (let i = 1; i <= w.length; i++) {
      const t0 = performance.now();
      box.value = w.slice(0, i);
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await settled();
      // Reading layout makes the browser lay out the new results, as the officer would see them.
      document.getElementById('search-results')?.getBoundingClientRect();
      out.push(performance.now() - t0);
    }
    box.value = '';
    box.dispatchEvent(new Event('input', { bubbles: true }));
    await settled();
  }
  return out;
}, words);
const hits = await page.evaluate(() => document.querySelectorAll('#search-results [role=option]').length);
await browser.close();
await server.close();

const sorted = [...times].sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(`| contacts | meetings | keystrokes | median (ms) | p95 (ms) | max (ms) | JS heap after import (MiB) |`);
console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
console.log(`| ${bundleDir ? 'from bundles' : contacts} | ${bundleDir ? files.length + ' files' : meetings} | ${times.length} | ${q(0.5).toFixed(1)} | ${q(0.95).toFixed(1)} | ${sorted[sorted.length - 1].toFixed(1)} | ${heapAfter.toFixed(0)} |`);
void records;
void hits;
