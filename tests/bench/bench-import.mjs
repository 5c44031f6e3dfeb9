// Benchmark: import and merge N bundles in the browser, as a coordinator does, from picking the files to
// "Imported N files". Also reports the renderer's peak resident memory.
//
//   cargo run --release -p liaison-cli --example bench_bundles -- target/bench-bundles   # 20 x 5,000 records
//   node tests/bench/bench-import.mjs target/bench-bundles [runs=5]
//
// Each run uses a fresh browser (so peak memory belongs to that run) and a fresh profile. Prints each run
// and the medians as a markdown table.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../e2e/server.mjs';
import { DESKTOP, DIST, firstStart, launchBrowser, nav } from '../e2e/helpers.mjs';

const [dir = 'target/bench-bundles', runsArg = '5'] = process.argv.slice(2);
const runs = Number(runsArg);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
if (files.length === 0) throw new Error(`no bundles in ${dir}`);
const server = await startServer({ root: DIST });

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

const rows = [];
for (let i = 0; i < runs; i++) {
  const browser = await launchBrowser();
  const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await firstStart(page, { url: `${server.url}/`, officer: 'Col Clara Weiss', label: 'Coordinator laptop' });
  await nav(page, 'Import');
  const t0 = Date.now();
  await page.getByLabel('Choose bundle files').setInputFiles(files);
  await page.getByRole('heading', { name: 'Preview', exact: true }).waitFor({ timeout: 600_000 });
  const t1 = Date.now();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText(`Imported ${files.length} files`).waitFor({ timeout: 600_000 });
  const t2 = Date.now();
  const mem = await rendererPeakMiB();
  if (errors.length) throw new Error(errors.join('\n'));
  rows.push({ preview: t1 - t0, apply: t2 - t1, total: t2 - t0, mem });
  await browser.close();
}
await server.close();

const median = (k) => [...rows].map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(`| bundles | read + validate + preview (ms) | apply (ms) | total (ms) | renderer peak RSS (MiB) |`);
console.log(`| ---: | ---: | ---: | ---: | ---: |`);
for (const r of rows) console.log(`| ${files.length} | ${r.preview} | ${r.apply} | ${r.total} | ${r.mem.toFixed(0)} |`);
console.log(`| **median** | **${median('preview')}** | **${median('apply')}** | **${median('total')}** | **${median('mem').toFixed(0)}** |`);
