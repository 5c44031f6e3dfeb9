// Benchmark: search latency per keystroke in Chromium with a realistic notebook in IndexedDB.
//
//   node tests/bench/bench-search.mjs [records=100000]
//
// `seedStore` (tests/e2e/seed.mjs) writes the records into the app's store (45% meetings with 1 KB of
// notes, an action for every third meeting, the rest contacts), then the app starts on /meetings. Once the
// search index is complete (the app's `liaison:index-ready` mark, or at once for an app that builds it
// before the first paint), each prefix of several words is typed into the Search box; a keystroke is timed
// from the input event to the rendered results (Leptos updates the DOM synchronously within the event).
// Prints median, 95th percentile and maximum, and the JS heap once the index is built.
import { startServer } from '../e2e/server.mjs';
import { mix, recordCount, seedStore } from '../e2e/seed.mjs';
import { DESKTOP, DIST, launchBrowser } from '../e2e/helpers.mjs';

const [records = 100000] = process.argv.slice(2).map(Number);
const { meetings, contacts } = mix(records);

const server = await startServer({ root: DIST });
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
const cdp = await page.context().newCDPSession(page);
const heap = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize / 1048576;
await page.goto(`${server.url}/settings`);
await seedStore(page, { meetings, contacts });
await page.goto(`${server.url}/meetings`);
await page.getByRole('list', { name: 'Meetings' }).getByRole('link').first().waitFor({ timeout: 300_000 });
const indexReady = (await page.evaluate(() => performance.getEntriesByName('liaison:index-start').length === 0))
      ? null
      : await page
  .waitForFunction(() => performance.getEntriesByName('liaison:index-ready')[0]?.startTime, null, { timeout: 300_000 })
  .then((h) => h.jsonValue())
  .catch(() => null);
await cdp.send('HeapProfiler.collectGarbage');
const heapAfter = await heap();

const words = ['Müller', 'mull', 'Иванова', 'planning', 'host-nation', 'García', 'lindq', 'embassy'];
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
await browser.close();
await server.close();

const sorted = [...times].sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(`| records | meetings | contacts | index complete (ms after navigation) | keystrokes | median (ms) | p95 (ms) | max (ms) | JS heap (MiB) |`);
console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
console.log(`| ${recordCount({ meetings, contacts })} | ${meetings} | ${contacts} | ${indexReady === null ? 'before first paint' : indexReady.toFixed(0)} | ${times.length} | ${q(0.5).toFixed(1)} | ${q(0.95).toFixed(1)} | ${sorted[sorted.length - 1].toFixed(1)} | ${heapAfter.toFixed(0)} |`);
