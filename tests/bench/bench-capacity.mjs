// Measurement: how many realistic records fit in Chromium's localStorage before a QuotaExceededError.
//
//   node tests/bench/bench-capacity.mjs
//
// A meeting carries 1 KB of notes, a title, date, time, place, two participants, agenda, decisions, tags
// and a marking; a contact has every field. Each is stored as the app stores it (layout v1, one key per
// record, with its stamps and causal context).
import { startServer } from '../e2e/server.mjs';
import { seedEntries } from '../e2e/seed.mjs';
import { DIST, launchBrowser } from '../e2e/helpers.mjs';

const server = await startServer({ root: DIST });
const browser = await launchBrowser();
const page = await (await browser.newContext()).newPage();
await page.goto(`${server.url}/settings`);
const sample = seedEntries({ contacts: 50, meetings: 50 });
const byKind = { meeting: [], contact: [] };
for (const [k, v] of Object.entries(sample)) {
  if (!k.includes('/record/')) continue;
  const kind = JSON.parse(v).kind;
  if (byKind[kind]) byKind[kind].push(v);
}
console.log('| record | stored size (UTF-16 units) | records before QuotaExceededError |');
console.log('| --- | ---: | ---: |');
for (const [kind, values] of Object.entries(byKind)) {
  const result = await page.evaluate(({ values }) => {
    localStorage.clear();
    let n = 0;
    for (;;) {
      const v = values[n % values.length];
      const id = crypto.randomUUID();
      // Same id inside and in the key, as the app writes it.
      const text = v.replace(/"id":"[^"]+"/, `"id":"${id}"`);
      try {
        localStorage.setItem(`liaison/v1/record/${id}`, text);
      } catch (e) {
        return { n, error: e.name };
      }
      n++;
    }
  }, { values });
  const avg = values.reduce((a, v) => a + v.length + 55, 0) / values.length;
  console.log(`| ${kind} | ${avg.toFixed(0)} | ${result.n} (${result.error}) |`);
}
await browser.close();
await server.close();
