// Benchmark: how fast start-up can read a notebook out of IndexedDB, one value per record or records
// grouped into few, large values (pages).
//
//   node tests/bench/bench-idb-layout.mjs [records=100000] [runs=5] [bytes-per-record=1500]
//
// For each layout it fills a fresh persistent Chromium profile with `records` strings of about
// `bytes-per-record` characters, as values of one object store (per record: one value each; pages of n:
// records / n values, each the records joined), then restarts the browser `runs` times and times, in a
// fresh page: open the database, `getAllKeys` and `getAll` over the whole store in one transaction, and
// hand every value across to wasm as wasm-bindgen does (a UTF-8 copy through TextEncoder.encodeInto into
// one buffer). It also times one strict-durability write of the value an edit rewrites (one record, or
// its whole page). Prints a markdown table of medians.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../e2e/server.mjs';
import { CHROMIUM_ARGS } from '../e2e/helpers.mjs';

const [records = 100_000, runs = 5, perRecord = 1500] = process.argv.slice(2).map(Number);
const LAYOUTS = [1, 100, 400, 1000];

const root = await mkdtemp(join(tmpdir(), 'liaison-bench-root-'));
const { writeFile } = await import('node:fs/promises');
await writeFile(join(root, 'index.html'), '<!doctype html><title>bench</title>');
const server = await startServer({ root });

function launch(dir) {
  return chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const perValue of LAYOUTS) {
  const dir = await mkdtemp(join(tmpdir(), 'liaison-bench-idb-'));
  let context = await launch(dir);
  let page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}/`);
  await page.evaluate(
    async ({ records, perValue, perRecord }) => {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open('bench', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('kv');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      // Realistic-looking record text: JSON with varied words, so that nothing compresses trivially.
      const words = 'liaison meeting contact ministry delegation follow-up agenda notes partner brigade'.split(' ');
      const record = (i) => {
        let notes = '';
        let n = i;
        while (notes.length < perRecord - 120) {
          n = (n * 1103515245 + 12345) >>> 0;
          notes += words[n % words.length] + ' ';
        }
        return JSON.stringify({ v: 2, id: `0190aaaa-0000-7000-8000-${String(i).padStart(12, '0')}`, notes });
      };
      const values = Math.ceil(records / perValue);
      for (let start = 0; start < values; start += 500) {
        await new Promise((resolve, reject) => {
          const tx = db.transaction('kv', 'readwrite');
          const store = tx.objectStore('kv');
          for (let v = start; v < Math.min(values, start + 500); v++) {
            const parts = [];
            for (let r = v * perValue; r < Math.min(records, (v + 1) * perValue); r++) parts.push(record(r));
            store.put(perValue === 1 ? parts[0] : `[${parts.join(',')}]`, `liaison/v1/${perValue === 1 ? 'record' : 'page'}/${String(v).padStart(8, '0')}`);
          }
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
      }
      db.close();
    },
    { records, perValue, perRecord },
  );
  await context.close();
  const reads = [];
  const crossings = [];
  const writes = [];
  let count = 0;
  for (let run = 0; run < runs; run++) {
    context = await launch(dir);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url}/`);
    const t = await page.evaluate(async () => {
      const t0 = performance.now();
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open('bench', 1);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const store = db.transaction('kv').objectStore('kv');
      const keys = store.getAllKeys();
      const values = store.getAll();
      await new Promise((resolve, reject) => {
        values.onsuccess = resolve;
        values.onerror = () => reject(values.error);
      });
      const t1 = performance.now();
      // What wasm-bindgen does for each String it takes from JS: a UTF-8 copy into wasm memory.
      const encoder = new TextEncoder();
      let buffer = new Uint8Array(1 << 20);
      let total = 0;
      for (const v of values.result) {
        if (buffer.length < v.length * 3) buffer = new Uint8Array(v.length * 3);
        total += encoder.encodeInto(v, buffer).written;
      }
      for (const k of keys.result) total += encoder.encodeInto(k, buffer).written;
      const t2 = performance.now();
      // An edit rewrites one value (a record, or its whole page) in one strict-durability transaction.
      const first = values.result[0];
      const t3 = performance.now();
      await new Promise((resolve, reject) => {
        const tx = db.transaction('kv', 'readwrite', { durability: 'strict' });
        tx.objectStore('kv').put(first, keys.result[0]);
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      const t4 = performance.now();
      db.close();
      return { read: t1 - t0, cross: t2 - t1, write: t4 - t3, count: values.result.length, total };
    });
    reads.push(t.read);
    crossings.push(t.cross);
    writes.push(t.write);
    count = t.count;
    await context.close();
  }
  await rm(dir, { recursive: true, force: true });
  rows.push({ perValue, count, read: median(reads), cross: median(crossings), write: median(writes), all: reads });
}
await server.close();
await rm(root, { recursive: true, force: true });

console.log(`${records} records of about ${perRecord} characters, median of ${runs} cold starts (browser restarted each run)\n`);
console.log('| layout | values | open + getAllKeys + getAll (ms) | runs (ms) | copy into wasm (ms) | read total (ms) | one edit, strict write (ms) |');
console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: |');
for (const r of rows) {
  const name = r.perValue === 1 ? 'one value per record' : `pages of ${r.perValue} records`;
  console.log(`| ${name} | ${r.count} | ${r.read.toFixed(0)} | ${r.all.map((x) => x.toFixed(0)).join(', ')} | ${r.cross.toFixed(0)} | ${(r.read + r.cross).toFixed(0)} | ${r.write.toFixed(1)} |`);
}
