// Two tabs of one device editing at once lose nothing: each tab is its own replica, writes reach the
// other through `storage` events, and the merge keeps every edit.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, assertNoErrors, exact, firstStart, newPage, servedApp, storedEntries, storedValue, watchPage } from './helpers.mjs';

const app = servedApp();

const SOAK_MS = Number(process.env.SOAK_MS ?? 60_000);

test(`two tabs making random edits for ${SOAK_MS / 1000} s lose no edit`, async () => {
  const a = await newPage(app.browser, DESKTOP);
  try {
    await firstStart(a, { url: `${app.server.url}/` });
    await a.getByRole('button', { name: 'New meeting' }).click();
    await a.getByLabel('Title', exact).fill('Soak meeting');
    await a.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    const url = a.url();
    // A new meeting's address is its draft page, /meetings/<id>?draft.
    const meetingId = new URL(url).pathname.split('/').pop();

    const b = watchPage(await a.context().newPage());
    await b.goto(url);
    await b.getByLabel('Title', exact).waitFor();

    // Each tab owns some fields of the same meeting (so the final value of each is known exactly), and
    // both write one shared field (whose final state must hold a value, as winner or conflict).
    const own = { a: ['Title', 'Notes', 'Location'], b: ['Agenda', 'Decisions', 'Start'] };
    const last = {};
    const written = { a: 0, b: 0 };
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const deadline = Date.now() + SOAK_MS;
    async function run(name, page) {
      let n = 0;
      while (Date.now() < deadline) {
        const shared = rnd() < 0.15;
        const label = shared ? 'Tags' : own[name][Math.floor(rnd() * own[name].length)];
        const value = label === 'Start' ? `${String(8 + (n % 10)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}` : `${name}-${label}-${n}`;
        await page.getByLabel(label, exact).fill(value);
        if (!shared) last[label] = value;
        written[name]++;
        n++;
        await page.waitForTimeout(20 + rnd() * 150);
      }
    }
    await Promise.all([run('a', a), run('b', b)]);
    for (const p of [a, b]) await p.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    // Let the last storage events arrive and any write-back land.
    await a.waitForTimeout(500);
    for (const p of [a, b]) await p.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();

    const stored = JSON.parse(await storedValue(a, `liaison/v1/record/${meetingId}`));
    const key = { Title: 'title', Notes: 'notes', Location: 'location', Agenda: 'agenda', Decisions: 'decisions', Start: 'start' };
    for (const [label, value] of Object.entries(last)) {
      // Stored records are format v2: each register is { e: entries, seen?: context }.
      const entries = stored.fields[key[label]]?.e ?? [];
      assert.deepEqual(entries.map((e) => e.v), [value], `${label}: the last edit of its only writer is what is stored`);
    }
    const tags = stored.fields.tags?.e ?? [];
    assert.ok(tags.length >= 1, 'the shared field holds a value');
    // Both tabs show the same, stored, state.
    for (const p of [a, b]) {
      for (const [label, value] of Object.entries(last)) assert.equal(await p.getByLabel(label, exact).inputValue(), value);
    }
    // Two different replica ids wrote the edits.
    const writers = new Set(Object.values(stored.fields).flatMap((r) => r.e).map((e) => e.t[2]));
    assert.ok(writers.size >= 2, 'each tab stamps its edits with its own replica id');
    console.log(`# edits: tab A ${written.a}, tab B ${written.b}`);
    assertNoErrors(b);
    assertNoErrors(a);
  } finally {
    await a.context().close();
  }
});

test('tabs starting at once all keep their replica id in the device\'s pool', async () => {
  const first = await newPage(app.browser, DESKTOP);
  const context = first.context();
  try {
    await firstStart(first, { url: `${app.server.url}/` });
    await first.getByRole('button', { name: 'New meeting' }).waitFor();
    // The first tab keeps the device id, so every tab that starts now has to mint a replica id of its own,
    // all of them at the same moment.
    const others = await Promise.all([1, 2, 3, 4, 5].map(async () => watchPage(await context.newPage())));
    await Promise.all(others.map((p) => p.goto(`${app.server.url}/meetings`)));
    const tabs = [first, ...others];
    for (const [i, page] of tabs.entries()) {
      await page.getByRole('button', { name: 'New meeting' }).click();
      await page.getByLabel('Title', exact).fill(`Meeting from tab ${i + 1}`);
      await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
    }

    const entries = new Map(await storedEntries(first));
    const device = JSON.parse(entries.get('liaison/v1/meta/device')).id;
    const pool = JSON.parse(entries.get('liaison/v1/meta/replicas') ?? '[]');
    const records = [...entries].filter(([k]) => k.startsWith('liaison/v1/record/')).map(([, v]) => JSON.parse(v));
    assert.equal(records.length, tabs.length, 'each tab saved its meeting');
    // Stored records are format v2: each register is { e: entries }, each entry stamped [wall, counter, replica].
    const writers = new Set(records.flatMap((r) => Object.values(r.fields).flatMap((reg) => reg.e.map((e) => e.t[2]))));
    assert.equal(writers.size, tabs.length, 'each tab stamps its edits with its own replica id');
    const known = new Set([device, ...pool]);
    const missing = [...writers].filter((id) => !known.has(id));
    // A replica id missing from the pool is one whose edits a later "changes" export would never send.
    assert.deepEqual(missing, [], `every writer is in the stored replica pool ${JSON.stringify(pool)}`);
    for (const page of tabs) assertNoErrors(page);
  } finally {
    await context.close();
  }
});
