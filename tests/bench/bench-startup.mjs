// Benchmark: cold start to a rendered meetings list, with a realistic notebook in IndexedDB.
//
//   node tests/bench/bench-startup.mjs [records=1000,20000,100000] [runs=5] [--offline] [--dist DIR] [--base DIR]
//
// `--base DIR` times a second build (say, one made from main) in the same run, right after this one at
// each size, so that the two are compared on the same machine at the same moment.
// For each size, `seedStore` (tests/e2e/seed.mjs) writes that many records into the app's IndexedDB
// store: 45% meetings with 1 KB of notes, an action for every third meeting, the rest contacts. Then each
// run opens /meetings in a fresh page and reads performance.now() (ms since navigation start) once the
// meetings list shows its first row and says how many meetings it holds: every row in the DOM for a list
// that renders them all, or an `aria-setsize` equal to the number of meetings for a windowed one. The
// page then also reports when the app marked `liaison:index-ready` (the search index complete), if it
// does. With --offline, the first load installs the service worker, then the browser goes offline and
// every timed load is an offline cold start served by the worker.
// Serves dist/ (build it first: trunk build --release --offline). Prints each run and the median as a
// markdown table, with where the time went: opening storage, reading and decoding it (`liaison:loaded`),
// and building the notebook's indexes (`liaison:notebook`).
// The seed is layout 2, one value per record; the untimed first start of a build that packs records
// into pages (layout 3) is waited for until it marks `liaison:compacted`, so the timed starts read pages.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../e2e/server.mjs';
import { mix, recordCount, seedStore } from '../e2e/seed.mjs';
import { DESKTOP, DIST, launchBrowser } from '../e2e/helpers.mjs';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { offline: { type: 'boolean', default: false }, dist: { type: 'string', default: DIST }, base: { type: 'string' } },
});
const offline = opt.offline;
const [sizesArg = '1000,20000,100000', runsArg = '5'] = positionals;
const sizes = sizesArg.split(',').map(Number);
const runs = Number(runsArg);
const builds = [{ name: 'this build', root: resolve(opt.dist) }];
if (opt.base) builds.push({ name: 'base', root: resolve(opt.base) });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const table = [];
for (const n of sizes) for (const build of builds) {
  const server = await startServer({ root: build.root });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: DESKTOP });
  const { meetings, contacts } = mix(n);
  const setup = await context.newPage();
  await setup.goto(`${server.url}/settings`);
  await seedStore(setup, { meetings, contacts });
  // The first start after seeding may still write what it found (the replica pool); it is not timed.
  await setup.goto(`${server.url}/meetings`);
  await setup.getByRole('heading', { name: 'Meetings', exact: true }).waitFor({ timeout: 300_000 });
  await setup.getByRole('list', { name: 'Meetings' }).getByRole('link').first().waitFor({ timeout: 300_000 });
  await setup
    .waitForFunction(() => performance.getEntriesByName('liaison:compacted').length > 0, null, { timeout: build.name === 'base' ? 1 : 600_000 })
    .catch(() => null);
  if (offline) {
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
  const indexed = [];
  const phases = [];
  for (let i = 0; i < runs; i++) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/meetings`);
    await page.waitForFunction(
      (n) => {
        const rows = document.querySelectorAll('ul[aria-label="Meetings"] > li');
        if (rows.length === 0) return false;
        const size = rows[0].getAttribute('aria-setsize');
        return (size === null ? rows.length : Number(size)) === n;
      },
      meetings,
      { timeout: 300_000, polling: 'raf' },
    );
    times.push(await page.evaluate(() => performance.now()));
    phases.push(
      await page.evaluate(() => {
        const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
        return { read: at('liaison:loaded') - at('liaison:storage-open'), notebook: at('liaison:notebook') - at('liaison:loaded') };
      }),
    );
    const ready = (await page.evaluate(() => performance.getEntriesByName('liaison:index-start').length === 0))
      ? null
      : await page
      .waitForFunction(() => performance.getEntriesByName('liaison:index-ready')[0]?.startTime, null, { timeout: 120_000 })
      .then((h) => h.jsonValue())
      .catch(() => null);
    indexed.push(ready);
    if (errors.length) throw new Error(errors.join('\n'));
    await page.close();
  }
  await browser.close();
  await server.close();
  table.push({ build: build.name, n: recordCount({ meetings, contacts }), meetings, contacts, times, indexed, phases });
}

console.log(`| build | start | records | meetings | contacts | actions | runs (ms) | median (ms) | read + decode, median (ms) | notebook, median (ms) | search index complete, median (ms) |`);
console.log(`| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |`);
for (const { build, n, meetings, contacts, times, indexed, phases } of table) {
  const idx = indexed.every((x) => typeof x === 'number') ? median(indexed).toFixed(0) : 'not marked';
  console.log(
    `| ${build} | ${offline ? 'offline, from the service worker' : 'online'} | ${n} | ${meetings} | ${contacts} | ${n - meetings - contacts} | ${times.map((t) => t.toFixed(0)).join(', ')} | ${median(times).toFixed(0)} | ${median(phases.map((p) => p.read)).toFixed(0)} | ${median(phases.map((p) => p.notebook)).toFixed(0)} | ${idx} |`,
  );
}
