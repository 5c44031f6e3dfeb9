// Benchmark: a coordinator imports a team's bundles in the browser, from picking the files to the
// notebook saved in IndexedDB, and a reload shows every record.
//
//   node tests/bench/bench-import.mjs [--officers 20] [--records 5000] [--runs 3] [--dist dist] [--base DIR]
//   node tests/bench/bench-import.mjs --dir target/bench-bundles      # bundles made some other way
//
// The team comes from tests/e2e/team-bundles.mjs (made once, then cached under target/team-bundles/).
// `--base DIR` runs a second build (say, one made from main) in the same run, alternating with `--dist`,
// so the two are compared on the same machine at the same moment.
//
// Per run, in a fresh browser and profile:
// - read + check + preview: from picking the files to the preview; apply: Import to "Imported N files";
//   saved: Import to "All changes saved" (committed to IndexedDB);
// - longest task: the longest main-thread task a PerformanceObserver for `longtask` saw from picking the
//   files to saved, and how many took over 200 ms;
// - memory: the peak of the JS heap in use (CDP Performance.getMetrics, sampled every 100 ms) plus the
//   wasm memory (which never shrinks, so its size at the end is its peak); and the renderer's peak RSS;
// - after a reload, the Export screen must count every record.
// Prints each run and the medians per build as markdown tables.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '../e2e/server.mjs';
import { DESKTOP, DIST, firstStart, launchBrowser, nav } from '../e2e/helpers.mjs';
import { teamBundles } from '../e2e/team-bundles.mjs';

const { values: opt } = parseArgs({
  options: {
    officers: { type: 'string', default: '20' },
    records: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    dist: { type: 'string', default: DIST },
    base: { type: 'string' },
    dir: { type: 'string' },
  },
});
const files = opt.dir
  ? (await readdir(opt.dir)).filter((f) => /\.json(\.gz)?$/.test(f)).sort().map((f) => join(opt.dir, f))
  : await teamBundles({ officers: Number(opt.officers), records: Number(opt.records) });
if (files.length === 0) throw new Error('no bundles');
const records = await countRecords(files);
const runs = Number(opt.runs);
const builds = [{ name: 'this build', root: resolve(opt.dist) }];
if (opt.base) builds.push({ name: 'base', root: resolve(opt.base) });

/** Records in all the files, with one id counted once: what the notebook holds after the import. */
async function countRecords(paths) {
  const ids = new Set();
  for (const p of paths) {
    const bundle = JSON.parse(await readFile(p, 'utf8'));
    for (const r of bundle.records) ids.add(r.id);
  }
  return ids.size;
}

/** Peak resident memory (VmHWM) of the largest renderer process now alive, in MiB. */
async function rendererPeakMiB() {
  let peak = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // The process ended while we looked.
    }
  }
  return peak;
}

/** Long tasks, from the first script on. */
function watchLongTasks() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

/** The wasm memory's size in bytes: wasm-bindgen's init hands back the instance it already made. */
function wasmBytes() {
  return import(document.getElementById('boot').dataset.js)
    .then((m) => m.default())
    .then((w) => w.memory.buffer.byteLength);
}

const MIB = 1024 * 1024;

async function once(serverUrl) {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.addInitScript(watchLongTasks);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await firstStart(page, { url: `${serverUrl}/`, officer: 'Col Clara Weiss', label: 'Coordinator laptop' });
    await nav(page, 'Import');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    let heapPeak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { metrics } = await cdp.send('Performance.getMetrics');
        heapPeak = Math.max(heapPeak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const from = await page.evaluate(() => performance.now());
    const t0 = Date.now();
    await page.getByLabel('Choose bundle files').setInputFiles(files);
    await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor({ timeout: 600_000 });
    const t1 = Date.now();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(`Imported ${files.length} files`).waitFor({ timeout: 600_000 });
    const t2 = Date.now();
    await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor({ timeout: 600_000 });
    const t3 = Date.now();
    sampling = false;
    await sampler;
    const wasm = await page.evaluate(wasmBytes);
    const tasks = await page.evaluate((from) => window.__longTasks.filter((t) => t.start >= from), from);
    const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    const rss = await rendererPeakMiB();
    console.error(`  preview ${t1 - t0} ms, apply ${t2 - t1} ms, saved ${t3 - t2} ms; reloading`);
    const t4 = Date.now();
    await page.goto(`${serverUrl}/export`);
    await page.getByRole('heading', { name: 'Export', exact: true }).waitFor({ timeout: 600_000 });
    const reload = Date.now() - t4;
    const all = page.getByRole('radio', { name: /Everything/ });
    const shown = Number(/([\d,]+) records/.exec(await all.locator('..').innerText())?.[1].replaceAll(',', '') ?? NaN);
    if (errors.length) throw new Error(errors.join('\n'));
    if (shown !== records) throw new Error(`after a reload the notebook holds ${shown} records, not ${records}`);
    if (errors.length) throw new Error(errors.join('\n'));
    return {
      preview: t1 - t0,
      apply: t2 - t1,
      save: t3 - t2,
      total: t3 - t0,
      longest: Math.round(longest),
      over200: tasks.filter((t) => t.duration > 200).length,
      memory: (heapPeak + wasm) / MIB,
      heap: heapPeak / MIB,
      wasm: wasm / MIB,
      rss,
      reload,
    };
  } finally {
    await browser.close();
  }
}

const servers = [];
for (const b of builds) servers.push({ ...b, server: await startServer({ root: b.root }), rows: [] });
for (let i = 0; i < runs; i++) {
  for (const s of servers) {
    const row = await once(s.server.url);
    console.error(`${s.name}, run ${i + 1}: ${JSON.stringify(row)}`);
    s.rows.push(row);
  }
}
for (const s of servers) await s.server.close();

const median = (rows, k) => [...rows].map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
const cols = ['preview', 'apply', 'save', 'total', 'longest', 'over200', 'memory', 'heap', 'wasm', 'rss', 'reload'];
const fmt = (k, v) => (['memory', 'heap', 'wasm', 'rss'].includes(k) ? v.toFixed(0) : String(v));
console.log(`\n${files.length} bundles, ${records} records, ${runs} run(s) per build\n`);
console.log(
  '| build | read + check + preview (ms) | apply (ms) | saving (ms) | total (ms) | longest task (ms) | tasks > 200 ms | JS heap + wasm (MiB) | JS heap peak (MiB) | wasm memory (MiB) | renderer peak RSS (MiB) | reload to the meetings list (ms) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of servers) {
  for (const r of s.rows) console.log(`| ${s.name} | ${cols.map((k) => fmt(k, r[k])).join(' | ')} |`);
}
for (const s of servers) {
  console.log(`| **${s.name}, median** | ${cols.map((k) => `**${fmt(k, median(s.rows, k))}**`).join(' | ')} |`);
}
