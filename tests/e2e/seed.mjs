// Realistic stored data for screenshots and benchmarks, written in storage layout v1 (see
// crates/core/src/wire.rs): one localStorage key per record, plus the schema and device keys.
import { randomUUID } from 'node:crypto';

const NATIONS = ['AUT', 'CHE', 'FRA', 'DEU', 'POL', 'NOR', 'ITA', 'ESP', 'NLD', 'SWE'];
const ORGS = ['Ministry of Defence', 'Joint Staff', 'Army Command', 'Air Command', 'Foreign Office', 'Embassy'];
const FIRST = ['Anna', 'Jürgen', 'Élise', 'Piotr', 'Ingrid', 'Marco', 'Lucía', 'Sven', 'Zoë', 'Mehmet', 'Мария', '李'];
const LAST = ['Müller', 'Martin', 'Nowak', 'Hansen', 'Rossi', 'García', 'de Vries', 'Lindqvist', 'Yılmaz', 'Иванова', '小龍'];
const RANKS = ['Colonel', 'Lt Col', 'Major', 'Captain', 'Commander', 'Mr', 'Ms', 'Dr'];
const MARKINGS = ['', 'UNCLASSIFIED', 'RESTRICTED', 'NATO RESTRICTED', 'REL TO AUT, CHE', 'CONFIDENTIAL'];

/** A deterministic pseudo-random generator, so the same seed gives the same data. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function record(id, kind, device, wall, fields) {
  let counter = 0;
  const stamp = () => [wall, counter++, device];
  const life = [{ v: false, t: stamp() }];
  const out = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = [{ v, t: stamp() }];
  }
  return { id, kind, life, fields: out, seen: { [device]: [wall, counter - 1] } };
}

/**
 * Returns { key: value } for localStorage: `contacts` contacts, `meetings` meetings with 1 KB of notes
 * and two participants each, and one follow-up action for every third meeting. With `conflict`, also a field
 * conflict and an edited-after-delete conflict between two officers.
 */
export function seedEntries({ contacts = 1000, meetings = 1000, seed = 7, conflict = false } = {}) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const device = randomUUID();
  const entries = {
    'liaison/v1/meta/schema': '1',
    'liaison/v1/meta/device': JSON.stringify({ id: device, label: 'Field laptop', officer: 'Lt Col Ana Ruiz' }),
  };
  const base = Date.UTC(2026, 0, 1);
  const contactIds = [];
  for (let i = 0; i < contacts; i++) {
    const id = randomUUID();
    contactIds.push(id);
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    entries[`liaison/v1/record/${id}`] = JSON.stringify(record(id, 'contact', device, base + i * 1000, {
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
    const id = randomUUID();
    const day = new Date(base + Math.floor(r() * 330) * 86_400_000).toISOString().slice(0, 10);
    const participants = contactIds.length ? [pick(contactIds), pick(contactIds)] : [];
    entries[`liaison/v1/record/${id}`] = JSON.stringify(record(id, 'meeting', device, base + 10_000_000 + i * 1000, {
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
      const aid = randomUUID();
      const due = new Date(base + Math.floor(r() * 400) * 86_400_000).toISOString().slice(0, 10);
      entries[`liaison/v1/record/${aid}`] = JSON.stringify(record(aid, 'action', device, base + 20_000_000 + i * 1000, {
        text: 'Send the draft plan to the partner delegation',
        owner: 'Ana',
        due,
        meeting: id,
      }));
    }
  }
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
  // Playwright cannot answer): that 404 is this helper's, not the app's.
  if (page.errors) page.errors.splice(0, page.errors.length, ...page.errors.filter((e) => !/favicon\.ico/.test(e)));
}
