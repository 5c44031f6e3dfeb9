// Measurement: a notebook of N realistic records stored in IndexedDB, started and listed in Chromium.
//
//   node tests/bench/bench-capacity.mjs [records=200000[,400000…]]
//
// For each size, `seedStore` (tests/e2e/seed.mjs) writes the records into the app's IndexedDB store as
// the app stores them (45% meetings with 1 KB of notes, title, date, time, place, two participants,
// agenda, decisions, tags and a marking; an action for every third meeting; the rest contacts with every
// field). Then the app starts on /meetings and the Contacts and Follow-ups lists are opened from the
// navigation. Prints what the origin stores (`navigator.storage.estimate()`), the quota, how long each
// step took, and the renderer's peak resident memory, as a markdown table.
import { readdir, readFile } from 'node:fs/promises';
import { startServer } from '../e2e/server.mjs';
import { mix, recordCount, seedStore } from '../e2e/seed.mjs';
import { DESKTOP, DIST, launchBrowser, nav } from '../e2e/helpers.mjs';

const sizes = (process.argv[2] ?? '200000').split(',').map(Number);

/** Peak resident memory (VmHWM) of the largest renderer process now alive, in MiB. */
async function rendererPeakMiB() {
  let peak = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {
      // The process ended while we looked.
    }
  }
  return peak;
}

/** Milliseconds `step` takes. */
async function timed(step) {
  const t0 = Date.now();
  await step();
  return Date.now() - t0;
}

const server = await startServer({ root: DIST });
const rows = [];
for (const n of sizes) {
  const browser = await launchBrowser();
  const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/settings`);
  const { meetings, contacts } = mix(n);
  let written = 0;
  const seed = await timed(async () => {
    written = (await seedStore(page, { meetings, contacts })).records;
  });
  const meetingsList = page.getByRole('list', { name: 'Meetings' });
  const start = await timed(async () => {
    await page.goto(`${server.url}/meetings`);
    await meetingsList.getByRole('link').first().waitFor({ timeout: 600_000 });
  });
  const contactsList = await timed(async () => {
    await nav(page, 'Contacts');
    await page.getByRole('table').getByRole('link').first().waitFor({ timeout: 600_000 });
  });
  const followUps = await timed(async () => {
    await nav(page, 'Follow-ups');
    await page.getByRole('list', { name: 'Open follow-ups' }).getByRole('listitem').first().waitFor({ timeout: 600_000 });
  });
  const backToMeetings = await timed(async () => {
    await nav(page, 'Meetings');
    await meetingsList.getByRole('link').first().waitFor({ timeout: 600_000 });
  });
  const { usage, quota } = await page.evaluate(() => navigator.storage.estimate());
  const mem = await rendererPeakMiB();
  if (errors.length) throw new Error(errors.join('\n'));
  rows.push({ n: recordCount({ meetings, contacts }), written, usage, quota, seed, start, contactsList, followUps, backToMeetings, mem });
  await browser.close();
}
await server.close();

const mib = (b) => (b / 1048576).toFixed(0);
console.log('| records | stored (MiB) | quota (MiB) | seeding (ms) | start to meetings list (ms) | Contacts (ms) | Follow-ups (ms) | back to Meetings (ms) | renderer peak RSS (MiB) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  if (r.written !== r.n) throw new Error(`seeded ${r.written} records, expected ${r.n}`);
  console.log(`| ${r.n} | ${mib(r.usage)} | ${mib(r.quota)} | ${r.seed} | ${r.start} | ${r.contactsList} | ${r.followUps} | ${r.backToMeetings} | ${r.mem.toFixed(0)} |`);
}
