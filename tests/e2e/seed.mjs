// Realistic stored data for screenshots, tests and benchmarks, in the app's storage layouts (see
// ARCHITECTURE.md, "Storage layout"): one key per record, plus the schema and device keys. `seedEntries`
// and `seedPage` write layout 1 into localStorage, as an earlier Liaison left it, so the app moves it into
// IndexedDB at its next start; `seedStore` writes layout 2 straight into the app's IndexedDB store, which
// is how a notebook of 200,000 records (far beyond localStorage) gets there.
import { randomUUID } from 'node:crypto';

/**
 * Calls `emit(key, text)` for `contacts` contacts, `meetings` meetings with 1 KB of notes and two
 * participants each, and one follow-up action for every third meeting, stored as `layout` 1 (`RecordV1`)
 * or 2 (`RecordV2`) writes them. The same seed gives the same values (ids are random).
 *
 * Self-contained (no outer names) so that `seedStore` can run it inside the page as well as here.
 */
export function realisticRecords({ contacts, meetings, seed, device, layout }, emit) {
  const NATIONS = ['AUT', 'CHE', 'FRA', 'DEU', 'POL', 'NOR', 'ITA', 'ESP', 'NLD', 'SWE'];
  const ORGS = ['Ministry of Defence', 'Joint Staff', 'Army Command', 'Air Command', 'Foreign Office', 'Embassy'];
  const FIRST = ['Anna', 'Jürgen', 'Élise', 'Piotr', 'Ingrid', 'Marco', 'Lucía', 'Sven', 'Zoë', 'Mehmet', 'Мария', '李'];
  const LAST = ['Müller', 'Martin', 'Nowak', 'Hansen', 'Rossi', 'García', 'de Vries', 'Lindqvist', 'Yılmaz', 'Иванова', '小龍'];
  const RANKS = ['Colonel', 'Lt Col', 'Major', 'Captain', 'Commander', 'Mr', 'Ms', 'Dr'];
  const MARKINGS = ['', 'UNCLASSIFIED', 'RESTRICTED', 'NATO RESTRICTED', 'REL TO AUT, CHE', 'CONFIDENTIAL'];
  // A xorshift generator, so the same seed gives the same data.
  let s = seed >>> 0 || 1;
  const r = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const pick = (a) => a[Math.floor(r() * a.length)];
  const record = (id, kind, wall, fields) => {
    let counter = 0;
    const stamp = () => [wall, counter++, device];
    const life = { v: false, t: stamp() };
    const out = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === '' || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = { v, t: stamp() };
    }
    if (layout === 1) {
      const fieldsV1 = Object.fromEntries(Object.entries(out).map(([k, e]) => [k, [e]]));
      return JSON.stringify({ id, kind, life: [life], fields: fieldsV1, seen: { [device]: [wall, counter - 1] } });
    }
    // Layout 2: each register holds its entries; one that has seen only them needs no context of its own.
    const fieldsV2 = Object.fromEntries(Object.entries(out).map(([k, e]) => [k, { e: [e] }]));
    return JSON.stringify({ v: 2, id, kind, life: { e: [life] }, fields: fieldsV2 });
  };
  const base = Date.UTC(2026, 0, 1);
  // Every record's stamps are its own: the wall times of the three kinds never overlap.
  const span = Math.max(10_000, contacts + meetings) * 1000;
  const contactIds = [];
  for (let i = 0; i < contacts; i++) {
    const id = crypto.randomUUID();
    contactIds.push(id);
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    emit(`liaison/v1/record/${id}`, record(id, 'contact', base + i * 1000, {
      name,
      title: pick(RANKS),
      organisation: pick(ORGS),
      nation: pick(NATIONS),
      role: 'Liaison officer',
      emails: [`contact${i}@example.org`],
      phones: [`+43 1 555 ${String(i).padStart(4, '0')}`],
      languages: ['English', 'German'],
      notes: 'Met at the staff conference. Prefers email. '.repeat(3),
      tags: ['delegation'],
      marking: pick(MARKINGS),
    }));
  }
  const notes = 'Discussed the exercise schedule, host-nation support and the next liaison rotation. '.repeat(12).slice(0, 1024);
  for (let i = 0; i < meetings; i++) {
    const id = crypto.randomUUID();
    const day = new Date(base + Math.floor(r() * 330) * 86_400_000).toISOString().slice(0, 10);
    const participants = contactIds.length ? [pick(contactIds), pick(contactIds)] : [];
    emit(`liaison/v1/record/${id}`, record(id, 'meeting', base + span + i * 1000, {
      title: `${pick(['Staff talks', 'Planning meeting', 'Coordination call', 'Working lunch'])} with ${pick(NATIONS)}`,
      date: day,
      start: `${String(8 + Math.floor(r() * 9)).padStart(2, '0')}:${pick(['00', '15', '30', '45'])}`,
      location: pick(['Room 4.12', 'Conference hall B', 'Embassy', 'Video call']),
      participants,
      nations: [pick(NATIONS)],
      agenda: 'Exercise planning; host-nation support',
      notes,
      decisions: 'Share the draft plan by Friday.',
      tags: ['planning'],
      marking: pick(MARKINGS),
    }));
    if (i % 3 === 0) {
      const aid = crypto.randomUUID();
      const due = new Date(base + Math.floor(r() * 400) * 86_400_000).toISOString().slice(0, 10);
      emit(`liaison/v1/record/${aid}`, record(aid, 'action', base + 2 * span + i * 1000, {
        text: 'Send the draft plan to the partner delegation',
        owner: 'Ana',
        due,
        meeting: id,
      }));
    }
  }
}

/** How many records `realisticRecords` makes: the contacts, the meetings and an action per third meeting. */
export function recordCount({ contacts, meetings }) {
  return contacts + meetings + Math.ceil(meetings / 3);
}

/** The numbers to ask `realisticRecords` for about `n` records in all: 45% meetings, an action for every third, the rest contacts. */
export function mix(n) {
  const meetings = Math.round(n * 0.45);
  return { meetings, contacts: n - meetings - Math.ceil(meetings / 3) };
}

/**
 * Returns { key: value } for localStorage, in layout 1: what `realisticRecords` makes, with the schema
 * and device keys. With `conflict`, also a field conflict and an edited-after-delete conflict between two
 * officers.
 */
export function seedEntries({ contacts = 1000, meetings = 1000, seed = 7, conflict = false } = {}) {
  const device = randomUUID();
  const entries = {
    'liaison/v1/meta/schema': '1',
    'liaison/v1/meta/device': JSON.stringify({ id: device, label: 'Field laptop', officer: 'Lt Col Ana Ruiz' }),
  };
  realisticRecords({ contacts, meetings, seed, device, layout: 1 }, (k, v) => {
    entries[k] = v;
  });
  const base = Date.UTC(2026, 0, 1);
  if (conflict) {
    // One meeting whose notes two officers changed without seeing each other's edit, and one contact that
    // was deleted by one officer while another edited it.
    const other = randomUUID();
    entries['liaison/v1/meta/devices'] = JSON.stringify([{ id: other, label: 'Ben tablet', officer: 'Maj Ben Okafor' }]);
    const mid = randomUUID();
    const t = base + 40_000_000;
    entries[`liaison/v1/record/${mid}`] = JSON.stringify({
      id: mid,
      kind: 'meeting',
      life: [{ v: false, t: [t, 0, device] }],
      fields: {
        title: [{ v: 'Host-nation support review', t: [t, 1, device] }],
        date: [{ v: '2026-11-24', t: [t, 2, device] }],
        notes: [
          { v: 'Ben: each nation brings its own transport.', t: [t + 60_000, 0, other] },
          { v: 'Ana: the host nation provides transport.', t: [t + 30_000, 0, device] },
        ],
      },
      seen: { [device]: [t + 30_000, 0], [other]: [t + 60_000, 0] },
    });
    const cid = randomUUID();
    entries[`liaison/v1/record/${cid}`] = JSON.stringify({
      id: cid,
      kind: 'contact',
      life: [{ v: true, t: [t + 90_000, 0, device], seen: { [device]: [t + 90_000, 0] } }],
      fields: {
        name: [{ v: 'Kapitan Piotr Nowak', t: [t, 0, device] }],
        phones: [{ v: ['+48 22 555 0199'], t: [t + 70_000, 0, other] }],
      },
      seen: { [device]: [t + 90_000, 0], [other]: [t + 70_000, 0] },
    });
  }
  return entries;
}

/**
 * Writes entries into the page's localStorage (call on a page of the app's origin), as an earlier
 * version of Liaison left them, with the app's IndexedDB database deleted, so that the next start moves
 * exactly these entries into it. The seeding happens on a page of the origin that does not run the app
 * (its manifest), so that no running app moves or writes anything meanwhile; then the page goes back.
 */
export async function seedPage(page, entries) {
  const back = page.url();
  await page.goto(new URL('/manifest.webmanifest', back).href);
  await page.evaluate(async (e) => {
    await new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase('liaison');
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    localStorage.clear();
    for (const [k, v] of Object.entries(e)) localStorage.setItem(k, v);
  }, entries);
  await page.goto(back);
  // The manifest page made Chromium ask for /favicon.ico, which the app does not have (and which
  // Playwright cannot answer): that 404 is this helper's, not the app's. So is Chromium's note that it
  // blocked the app's "leave this page?" question: on a busy machine the app may still be writing its
  // first metadata when this helper leaves it, and the helper replaces that storage anyway.
  const own = (e) => /favicon\.ico/.test(e) || /Blocked attempt to show a 'beforeunload' confirmation panel/.test(e);
  if (page.errors) page.errors.splice(0, page.errors.length, ...page.errors.filter((e) => !own(e)));
}

/**
 * THE way a test or benchmark puts a large notebook in place: deletes the app's IndexedDB database and
 * writes `realisticRecords` into it in the app's current layout (database `liaison` version 1, object
 * store `kv`, one key per record holding its `RecordV2` text, `meta/schema` 2 and `meta/device`), as if
 * the app had saved them. The records are made inside the page, so 200,000 of them never cross the
 * DevTools connection; they are written in transactions of a few thousand. Like `seedPage`, it runs on a
 * page of the origin that does not run the app, and goes back. If the app's store layout changes, this
 * is the one function to change. Returns the device id and how many records were written.
 * @param {import('playwright-core').Page} page  a page of the app's origin
 */
export async function seedStore(page, { contacts = 1000, meetings = 1000, seed = 7 } = {}) {
  const back = page.url();
  await page.goto(new URL('/manifest.webmanifest', back).href);
  const written = await page.evaluate(
    async ({ source, contacts, meetings, seed }) => {
      // eslint-disable-next-line no-new-func
      const realisticRecords = new Function(`return (${source})`)();
      const done = (req) =>
        new Promise((resolve, reject) => {
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      await done(indexedDB.deleteDatabase('liaison'));
      localStorage.clear();
      const open = indexedDB.open('liaison', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('kv');
      const db = await done(open);
      const device = crypto.randomUUID();
      let batch = [
        ['liaison/v1/meta/schema', '2'],
        ['liaison/v1/meta/device', JSON.stringify({ id: device, label: 'Field laptop', officer: 'Lt Col Ana Ruiz' })],
      ];
      let count = 0;
      const flush = () => {
        const tx = db.transaction('kv', 'readwrite', { durability: 'relaxed' });
        const store = tx.objectStore('kv');
        for (const [k, v] of batch) store.put(v, k);
        batch = [];
        return new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        });
      };
      const pending = [];
      realisticRecords({ contacts, meetings, seed, device, layout: 2 }, (k, v) => {
        batch.push([k, v]);
        count++;
        if (batch.length >= 5000) pending.push(flush());
      });
      pending.push(flush());
      await Promise.all(pending);
      db.close();
      return { device, records: count };
    },
    { source: realisticRecords.toString(), contacts, meetings, seed },
  );
  await page.goto(back);
  // The manifest page made Chromium ask for /favicon.ico (see `seedPage`).
  if (page.errors) page.errors.splice(0, page.errors.length, ...page.errors.filter((e) => !/favicon\.ico/.test(e)));
  return written;
}
