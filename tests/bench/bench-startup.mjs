// Benchmark: time from navigation to a rendered meetings list, with realistic data in localStorage.
//
//   node tests/bench/bench-startup.mjs [meetings=1000] [contacts=1000] [runs=5] [--offline]
//
// With --offline, the first load installs the service worker, then the browser goes offline and every
// timed load is an offline cold start served by the worker.
// Serves dist/ (build it first: trunk build --release --offline), seeds localStorage in storage layout v1,
// then for each run opens /meetings in a fresh page and reads performance.now() (ms since navigation
// start) once every meeting row is in the DOM. Prints each run and the median as a markdown table.
import { startServer } from '../e2e/server.mjs';
import { seedEntries, seedPage } from '../e2e/seed.mjs';
import { DESKTOP, DIST, launchBrowser } from '../e2e/helpers.mjs';

const offline = process.argv.includes('--offline');
const [meetings = 1000, contacts = 1000, runs = 5] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const server = await startServer({ root: DIST });
const browser = await launchBrowser();
const context = await browser.newContext({ viewport: DESKTOP });
const entries = seedEntries({ meetings, contacts });
const bytes = Object.entries(entries).reduce((n, [k, v]) => n + 2 * (k.length + v.length), 0);

const setup = await context.newPage();
await setup.goto(`${server.url}/settings`);
await seedPage(setup, entries);
if (offline) {
  await setup.reload();
  await setup.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await context.setOffline(true);
}
await setup.close();

const times = [];
for (let i = 0; i < runs; i++) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/meetings`);
  await page.waitForFunction((n) => document.querySelectorAll('ul[aria-label="Meetings"] > li').length === n, meetings, { timeout: 60_000 });
  const ms = await page.evaluate(() => performance.now());
  if (errors.length) throw new Error(errors.join('\n'));
  times.push(ms);
  await page.close();
}
await browser.close();
await server.close();

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`| start | meetings | contacts | stored | runs (ms) | median (ms) |`);
console.log(`| --- | ---: | ---: | ---: | --- | ---: |`);
console.log(`| ${offline ? 'offline, from the service worker' : 'online'} | ${meetings} | ${contacts} | ${(bytes / 1048576).toFixed(2)} MiB | ${times.map((t) => t.toFixed(0)).join(', ')} | ${median.toFixed(0)} |`);
